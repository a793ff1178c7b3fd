"""Special and vulnerable groups (R11.1 (二), R22.1): tagging a resident, ending a tag, and the
visit hook the field-work app calls when a grid worker has visited.

Who may see a tag is the visibility table (``registry.visibility``) enforced by the tag's scope
rule: a tag the actor could not see afterwards is refused (nobody records what they may not
read), and a tag's due day (``next_visit_on``) is kept here, at every write, so the due-visit
list (``registry.due``) is an indexed range, not a computation per row.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.access import scoping
from gridgov.errors import DomainError, Forbidden
from gridgov.text import clean_text
from people.models import DepartmentKind, User
from registry.actions import RegistryAction
from registry.inputs import EndTag, NewTag
from registry.models import CareLevel, Resident, ResidentStatus, SpecialGroupTag
from registry.services.common import Actor, choice, created, require_editor, update, where_code
from registry.visibility import RULES, SpecialGroupKind

TAG_FIELDS = ["kind", "started_on", "ended_on", "end_reason", "department_kind", "care_level",
              "visit_days", "last_visited_on", "next_visit_on", "region_code",
              "grid_code"]  # fmt: skip


def next_visit(tag: SpecialGroupTag) -> dt.date:
    """The day the next visit falls due: the last visit (else the start) plus the frequency."""
    return (tag.last_visited_on or tag.started_on) + dt.timedelta(days=tag.visit_days)


def _visit_days(value: int | None, kind: str) -> int:
    days = RULES[kind].visit_days if value is None else int(value)
    if not 1 <= days <= 366:
        raise DomainError(_("走访周期应为 1–366 天"), field="visit_days", code="out_of_range")
    return days


@transaction.atomic
def tag_resident(actor: Actor, resident: Resident, new: NewTag) -> SpecialGroupTag:
    """Tag a living resident as a member of a group, from ``started_on`` (R11.1 (二))."""
    client_id = clean_text(new.client_id, "client_id", max_length=64)
    if client_id:
        found = SpecialGroupTag.objects.filter(client_id=client_id).first()
        if found is not None:
            return found
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    grant = require_editor(actor, where_code(resident))
    if resident.merged_into_id is not None or resident.status != ResidentStatus.LIVING:
        raise DomainError(_("只能标记在住的人口"), field="resident", code="not_living")
    kind = choice(new.kind, SpecialGroupKind, "kind")
    choice(new.care_level, CareLevel, "care_level")
    if new.started_on > timezone.localdate():
        raise DomainError(_("日期不能晚于今天"), field="started_on", code="future_date")
    department_kind = new.department_kind or RULES[kind].responsible
    if not DepartmentKind.objects.filter(code=department_kind).exists():
        raise DomainError(
            _("联动部门类别 %(code)s 不存在") % {"code": department_kind},
            field="department_kind",
            code="unknown_department_kind",
        )
    if resident.tags.filter(kind=kind, ended_on__isnull=True).exists():
        raise DomainError(_("该人员已有此类标记"), field="kind", code="duplicate_tag")
    tag = SpecialGroupTag(
        resident=resident,
        kind=kind,
        started_on=new.started_on,
        department_kind=department_kind,
        care_level=new.care_level,
        visit_days=_visit_days(new.visit_days, kind),
        region_code=resident.region_code,
        grid_code=resident.grid_code,
        client_id=client_id,
        note=clean_text(new.note, "note", max_length=2000),
    )
    tag.next_visit_on = next_visit(tag)
    created(actor, RegistryAction.TAG_CREATE, tag, grant, shown=TAG_FIELDS)
    if not scoping.in_scope(actor, tag):
        # The visibility table: who may not see a kind does not record it either (the
        # transaction takes the tag and its record back).
        raise Forbidden(_("您的角色无权登记%(kind)s") % {"kind": SpecialGroupKind(kind).label})
    return tag


def _end(actor: Actor, tag: SpecialGroupTag, on: dt.date, reason: str) -> None:
    grant = require_editor(actor, where_code(tag))
    if on < tag.started_on:
        raise DomainError(_("结束日期不能早于起始日期"), field="ended_on", code="before_start")
    changes = {"ended_on": on, "end_reason": reason}
    update(actor, RegistryAction.TAG_END, tag, changes, grant, fields=TAG_FIELDS, note=reason)


@transaction.atomic
def end_tag(actor: Actor, tag: SpecialGroupTag, end: EndTag) -> SpecialGroupTag:
    """The resident is no longer in the group from ``end.ended_on`` (the tag is kept)."""
    tag = SpecialGroupTag.objects.select_for_update().get(pk=tag.pk)
    if tag.ended_on is not None:
        raise DomainError(_("该标记已结束"), field="tag", code="already_ended")
    reason = clean_text(end.reason, "reason", required=True, label=_("结束原因"))
    if end.ended_on > timezone.localdate():
        raise DomainError(_("日期不能晚于今天"), field="ended_on", code="future_date")
    _end(actor, tag, end.ended_on, reason)
    return tag


def end_open_tags(actor: Actor, resident: Resident, *, on: dt.date, reason: str) -> None:
    """End every open tag of ``resident`` on ``on`` (death, a merge); in the caller's
    transaction."""
    open_tags = SpecialGroupTag.objects.select_for_update().filter(
        resident=resident, ended_on__isnull=True
    )
    for tag in open_tags:
        _end(actor, tag, max(on, tag.started_on), reason)


@transaction.atomic
def record_visit(tag: SpecialGroupTag, on: dt.date, by: User | None) -> SpecialGroupTag:
    """The hook of the field-work app: ``by`` visited the tagged resident on ``on``.

    Moves the tag's due day to ``on`` plus its frequency. A visit no later than the last one
    recorded changes nothing (a phone resending its visit, or an older visit synced late).
    """
    tag = SpecialGroupTag.objects.select_for_update().get(pk=tag.pk)
    actor: Actor = by if by is not None else "fieldwork"
    grant = require_editor(actor, where_code(tag))
    if by is not None and not scoping.in_scope(by, tag):
        raise Forbidden(_("您无权走访该人员"))
    if tag.ended_on is not None:
        raise DomainError(_("该标记已结束"), field="tag", code="already_ended")
    if on > timezone.localdate():
        raise DomainError(_("日期不能晚于今天"), field="on", code="future_date")
    if on < tag.started_on:
        raise DomainError(_("走访日期不能早于起始日期"), field="on", code="before_start")
    if tag.last_visited_on is not None and on <= tag.last_visited_on:
        return tag
    changes = {
        "last_visited_on": on,
        "last_visited_by": by,
        "next_visit_on": on + dt.timedelta(days=tag.visit_days),
    }
    update(actor, RegistryAction.TAG_VISIT, tag, changes, grant, fields=TAG_FIELDS)
    return tag
