"""One person, one record (R11.1, R22.1): finding duplicates by the keyed blind index of the ID
number and by name + birth date + address, and merging two records of one person.

The merge keeps both rows: the merged record stays, marked ``merged_into`` the kept one (out
of the one-record-per-document constraint), with its fields as they were; its tags, household
links, residence history and houses move to the kept record, and the trail says what moved.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.errors import DomainError
from gridgov.text import clean_text
from registry.actions import RegistryAction
from registry.inputs import Merge
from registry.models import House, Household, Relation, ResidenceSpell, Resident, SpecialGroupTag
from registry.services.common import Actor, record, require_editor, update, where_code
from registry.services.residents import RESIDENT_FIELDS


def find_duplicates(resident: Resident) -> QuerySet[Resident]:
    """The other live records that may be the same person: the same ID number (any document
    type, by its digest), or the same name and birth date at the same house (or, without a
    house, in the same village)."""
    same_place = (
        Q(house=resident.house) if resident.house_id else Q(region_code=resident.region_code)
    )
    by_person = Q(name=resident.name, birth_date=resident.birth_date) & same_place
    by_number = Q(id_number_digest=resident.id_number_digest) if resident.id_number_digest else Q()
    condition = by_person | by_number if by_number else by_person
    return (
        Resident.objects.filter(merged_into__isnull=True)
        .exclude(pk=resident.pk)
        .filter(condition)
        .order_by("pk")
    )


def duplicate_groups(queryset: QuerySet[Resident]) -> QuerySet:
    """Sets of live records sharing name, birth date and village, in one grouped query:
    rows of ``name``, ``birth_date``, ``region_code``, ``count``, ``ids``-less (list them with
    :func:`find_duplicates`)."""
    return (
        queryset.filter(merged_into__isnull=True, birth_date__isnull=False)
        .values("name", "birth_date", "region_code")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .order_by("region_code", "name", "birth_date")
    )


@transaction.atomic
def merge_residents(actor: Actor, keep: Resident, merge: Merge) -> Resident:
    """Merge ``merge.merged`` into ``keep`` (two records of one person): tags, household links,
    residence history and houses owned move to ``keep``; the merged record is kept, marked."""
    first, second = sorted([keep.pk, merge.merged.pk])
    locked = {r.pk: r for r in Resident.objects.select_for_update().filter(pk__in=[first, second])}
    if keep.pk == merge.merged.pk:
        raise DomainError(_("不能与自身合并"), field="merged", code="same_record")
    keep, merged = locked[keep.pk], locked[merge.merged.pk]
    reason = clean_text(merge.reason, "reason", required=True, label=_("合并理由"))
    if keep.merged_into_id is not None or merged.merged_into_id is not None:
        raise DomainError(_("已合并的记录不能再合并"), field="merged", code="already_merged")
    grant = require_editor(actor, where_code(keep))
    require_editor(actor, where_code(merged))
    today = timezone.localdate()
    moved = {"tags": [], "households": [], "residences": [], "houses": []}
    keep_kinds = set(keep.tags.filter(ended_on__isnull=True).values_list("kind", flat=True))
    for tag in SpecialGroupTag.objects.select_for_update().filter(resident=merged):
        if tag.ended_on is None and tag.kind in keep_kinds:
            tag.ended_on, tag.end_reason = max(today, tag.started_on), _("合并重复记录")
        tag.resident, tag.region_code, tag.grid_code = keep, keep.region_code, keep.grid_code
        tag.save(update_fields=["resident", "region_code", "grid_code", "ended_on", "end_reason"])
        moved["tags"].append(tag.pk)
    for household in Household.objects.select_for_update().filter(head=merged):
        household.head = keep
        household.save(update_fields=["head", "updated_at"])
        moved["households"].append(household.pk)
    keep_changes = {}
    if keep.household_id is None and merged.household_id is not None:
        keep_changes = {"household": merged.household, "relation": merged.relation}
    spells = ResidenceSpell.objects.filter(resident=merged)
    if keep.house_id is not None or merged.house_id is None:
        spells.filter(ended_on__isnull=True).update(ended_on=today)
    elif merged.house_id is not None:
        keep_changes.update(
            house=merged.house,
            house_relation=merged.house_relation,
            living_since=merged.living_since,
            region_code=merged.region_code,
            grid_code=merged.grid_code,
        )
    moved["residences"] = list(spells.values_list("pk", flat=True))
    spells.update(resident=keep)
    moved["houses"] = list(House.objects.filter(owner=merged).values_list("pk", flat=True))
    House.objects.filter(owner=merged).update(owner=keep)
    if keep_changes.get("relation") == Relation.HEAD:
        Household.objects.filter(pk=keep_changes["household"].pk).update(head=keep)
    update(actor, RegistryAction.RESIDENT_MERGE, keep, keep_changes, grant, fields=RESIDENT_FIELDS)
    update(
        actor,
        RegistryAction.RESIDENT_MERGE,
        merged,
        {"merged_into": keep, "household": None, "relation": "", "house": None,
         "house_relation": ""},
        grant,
        fields=RESIDENT_FIELDS,
        note=reason,
    )  # fmt: skip
    record(
        actor,
        RegistryAction.RESIDENT_MERGE,
        keep,
        grant,
        code=where_code(keep),
        note=reason,
        after={"kept": keep.pk, "merged": merged.pk, **moved},
    )
    return keep
