"""A county's admission list and its drafts (R9.1, R9.2): the list, a draft opened from the
version in force, its entries added, changed and removed one by one or replaced by an upload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit import services as audit
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError
from matters.actions import MatterAction
from matters.models import (
    AdmissionEntry,
    AdmissionList,
    AdmissionListVersion,
    MatterItem,
    VersionStatus,
)
from matters.services.authority import (
    require_county_admin,
)
from matters.services.shared import (
    ItemRef,
    addable_item,
    ensure_draft,
    find_region,
    lock_list,
    lock_version,
    new_draft,
)
from matters.services.terms import (
    ENTRY_TERMS,
    EntryTerms,
    apply_terms,
    clean_terms,
    create_entry,
)
from regions.models import Level


@transaction.atomic
def create_list(actor: Actor, *, county_code: str) -> AdmissionList:
    """The county's admission list (idempotent: the existing list if there is one)."""
    county = find_region(county_code, Level.COUNTY, "county")
    grant = require_county_admin(actor, county, what=_("编制准入清单"))
    admission_list, created = AdmissionList.objects.get_or_create(county=county)
    if created:
        audit.record(
            actor,
            MatterAction.LIST_CREATE,
            admission_list,
            after={"county": county.code},
            region_code=county.code,
            role=scoping.acting_role(actor, grant),
        )
    return admission_list


@transaction.atomic
def open_draft(
    actor: Actor, admission_list: AdmissionList, *, note: str = ""
) -> AdmissionListVersion:
    """The list's draft: the existing one, or a new one copying the version in force.

    The next change after publishing goes into a new draft (R9.3); idempotent.
    """
    admission_list = lock_list(admission_list)
    county = admission_list.county
    grant = require_county_admin(actor, county, what=_("编辑准入清单"))
    draft = admission_list.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    return new_draft(actor, admission_list, grant, note=note)


def _editable_draft(actor: Actor, version: AdmissionListVersion, what: str):
    version = lock_version(version)
    county = version.admission_list.county
    grant = require_county_admin(actor, county, what=what)
    ensure_draft(version)
    return version, county, grant


def _snapshot_entry(entry: AdmissionEntry) -> dict[str, Any]:
    out = audit.snapshot(entry, ["item", *ENTRY_TERMS])
    out["code"] = entry.item.code
    out["co_departments"] = sorted(entry.co_departments.values_list("pk", flat=True))
    return out


@transaction.atomic
def add_entry(
    actor: Actor, version: AdmissionListVersion, *, item: ItemRef, **terms: Any
) -> AdmissionEntry:
    """Admit a catalogue item into a draft with its department and time limits (R9.2)."""
    version, county, grant = _editable_draft(actor, version, _("编辑准入清单"))
    matter = addable_item(version, county, item)
    entry = create_entry(version, matter, clean_terms(county, **terms))
    audit.record(
        actor,
        MatterAction.ENTRY_ADD,
        entry,
        after=_snapshot_entry(entry),
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
        note=f"v{version.number}",
    )
    return entry


@transaction.atomic
def update_entry(actor: Actor, entry: AdmissionEntry, **changes: Any) -> AdmissionEntry:
    """Change the department or time limits of an entry of a draft."""
    entry = AdmissionEntry.objects.select_related("version", "item").get(pk=entry.pk)
    version, county, grant = _editable_draft(actor, entry.version, _("编辑准入清单"))
    unknown = sorted(set(changes) - {*ENTRY_TERMS, "co_departments"})
    if unknown:
        raise DomainError(
            _("不能修改字段:%(fields)s") % {"fields": ", ".join(unknown)},
            field=unknown[0],
            code="read_only",
        )
    before = _snapshot_entry(entry)
    current = {name: getattr(entry, name) for name in ENTRY_TERMS}
    current["co_departments"] = list(entry.co_departments.all())
    current.update(changes)
    terms = clean_terms(county, **current)
    apply_terms(entry, terms)
    after = _snapshot_entry(entry)
    if after != before:
        audit.record(
            actor,
            MatterAction.ENTRY_UPDATE,
            entry,
            before=before,
            after=after,
            region_code=county.code,
            role=scoping.acting_role(actor, grant),
            note=f"v{version.number}",
        )
    return entry


@transaction.atomic
def remove_entry(actor: Actor, entry: AdmissionEntry) -> None:
    """Take an item out of a draft; once published it stops new intake (动态退出, R9.1)."""
    entry = AdmissionEntry.objects.select_related("version", "item").get(pk=entry.pk)
    version, county, grant = _editable_draft(actor, entry.version, _("编辑准入清单"))
    before = _snapshot_entry(entry)
    entry_repr = str(entry)
    entry_pk = entry.pk
    entry.co_departments.clear()
    entry.delete()
    audit.record(
        actor,
        MatterAction.ENTRY_REMOVE,
        None,
        before=before,
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
        object_type="matters.admissionentry",
        object_id=str(entry_pk),
        object_repr=entry_repr,
        note=f"v{version.number}",
    )


@dataclass
class ImportRow:
    """One parsed row of an uploaded list: the item and the validated terms."""

    row: int
    item: MatterItem
    terms: EntryTerms


@transaction.atomic
def replace_draft_entries(
    actor: Actor, admission_list: AdmissionList, rows: Sequence[ImportRow], *, source: str = ""
) -> AdmissionListVersion:
    """Replace every entry of the list's draft (opened if needed) by ``rows``.

    Used by the Excel upload (:func:`matters.excel.import_draft`), which validates every row
    first: either all rows are saved or none.
    """
    admission_list = lock_list(admission_list)
    county = admission_list.county
    grant = require_county_admin(actor, county, what=_("导入准入清单"))
    draft = admission_list.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        draft = new_draft(actor, admission_list, grant)
    before = sorted(draft.entries.values_list("item__code", flat=True))
    for entry in draft.entries.all():
        entry.co_departments.clear()
    draft.entries.all().delete()
    for row in rows:
        create_entry(draft, row.item, row.terms)
    audit.record(
        actor,
        MatterAction.VERSION_IMPORT,
        draft,
        before={"entries": before},
        after={"entries": sorted(r.item.code for r in rows)},
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
        note=source[:200],
    )
    return draft
