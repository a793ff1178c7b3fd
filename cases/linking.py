"""Linking registry records to an open case, and unlinking them (R11.1, R22.1, ADR 0010): a
resident as one more involved person, an organisation, a place or a thing as a
:class:`cases.models.CaseLink`.

Who: the case's grid workers, the agency holding it and the departments working on it (the
machine's actors, :func:`cases.machine.authority`), while the case is open. To link, the
record must be visible to the actor (``scope_queryset``: one elsewhere is "不存在或无权查看");
to unlink, it must be linked to the case. Each change is a step of the case (archive event
with the record's id and masked values, audit record) in one transaction; a resend with the
same ``client_id`` changes nothing (R24.1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from audit import services as audit
from cases import involved, links, machine, steps
from cases.inputs import LinkStepInput
from cases.models import MAX_LINKS, Case, CaseLink, InvolvedPerson, InvolvedRole
from cases.primitives import Actor
from gridgov.access import scoping
from gridgov.errors import DomainError, Forbidden, NotFound
from registry.models import Resident

RESIDENT = "resident"
KINDS = (RESIDENT, *links.MODELS)
ACTORS = (machine.GRID, machine.AGENCY, machine.DEPARTMENT)


def _begin(actor: Actor, case_id: int, action: str, kind: str, client_id: str) -> steps.Step | None:
    """The locked case's step, or None for a resend already on the record."""
    case = steps.lock(case_id)
    if steps.replayed(case, action, client_id):
        return None
    if not scoping.is_system(actor) and not scoping.in_scope(actor, case):
        raise NotFound(_("没有这个事件"))
    found = machine.authority(actor, case, ACTORS)
    if found is None:
        raise Forbidden(_("您不能修改该事件的关联登记信息"))
    if not case.is_open:
        raise DomainError(_("事件已办结,不能再修改关联登记信息"), field="state", code="wrong_state")
    if kind not in KINDS:
        raise DomainError(
            _("类别须为以下之一:%(kinds)s") % {"kinds": "、".join(KINDS)},
            field="kind",
            code="invalid",
        )
    before = audit.snapshot(case, steps.CASE_FIELDS)
    return steps.Step(case, action, actor, found, client_id, case.state, before)


def _visible(actor: Actor, model: type, pk: int) -> Any:
    rows = model._default_manager.filter(pk=pk)
    if not scoping.is_system(actor):
        rows = scoping.scope_queryset(actor, rows)
    record = rows.first()
    if record is None:
        raise DomainError(str(involved.NOT_VISIBLE), field="record", code="not_visible")
    return record


def _already() -> DomainError:
    return DomainError(_("该登记记录已关联到本事件"), field="record", code="already_linked")


def _link(actor: Actor, case: Case, value: LinkStepInput) -> dict[str, Any]:
    kind = value.kind
    if kind == RESIDENT:
        if value.role not in InvolvedRole.values:
            raise DomainError(_("身份不正确"), field="role", code="invalid")
        resident = _visible(actor, Resident, value.record)
        persons = case.involved_persons.all()
        if persons.filter(resident=resident).exists():
            raise _already()
        if persons.count() >= involved.MAX_PERSONS:
            raise DomainError(
                _("涉及人员最多 %(n)s 位") % {"n": involved.MAX_PERSONS}, field="record"
            )
        last = persons.aggregate(last=Max("position"))["last"]
        person = InvolvedPerson.objects.create(
            case=case, position=(last or 0) + 1, role=value.role, resident=resident
        )
        return involved.masked([person])[0]
    target = _visible(actor, links.MODELS[kind], value.record)
    existing = case.links.all()
    if existing.filter(**{kind: target}).exists():
        raise _already()
    if existing.count() >= MAX_LINKS:
        raise DomainError(_("关联登记信息最多 %(n)s 项") % {"n": MAX_LINKS}, field="record")
    last = existing.aggregate(last=Max("position"))["last"]
    row = CaseLink(case=case, position=(last or 0) + 1, kind=kind, note=value.note.strip())
    setattr(row, kind, target)
    row.save()
    return links.shown(row)


def _unlink(actor: Actor, case: Case, value: LinkStepInput) -> dict[str, Any]:
    kind, record = value.kind, value.record
    row: Any
    if kind == RESIDENT:
        row = case.involved_persons.select_related("resident").filter(resident_id=record).first()
        shown = involved.masked([row])[0] if row is not None else None
    else:
        row = case.links.select_related(kind).filter(**{f"{kind}_id": record}).first()
        shown = links.shown(row) if row is not None else None
    if row is None:
        raise DomainError(_("该事件没有关联这条登记记录"), field="record", code="not_linked")
    row.delete()
    return shown


Change = Callable[[Actor, Case, LinkStepInput], dict[str, Any]]


def _step(actor: Actor, case_id: int, action: str, value: LinkStepInput, change: Change) -> Case:
    """One link step: the checks of :func:`_begin`, the change, its archive event."""
    step = _begin(actor, case_id, action, value.kind, value.client_id)
    if step is None:
        return steps.lock(case_id)
    shown = change(actor, step.case, value)
    data = {"kind": value.kind, "record": value.record, "shown": shown}
    step.record(note=value.note, data=data)
    return step.case


@transaction.atomic
def link_record(actor: Actor, case_id: int, value: LinkStepInput) -> Case:
    """Link one registry record the actor sees to the open case."""
    return _step(actor, case_id, "link", value, _link)


@transaction.atomic
def unlink_record(actor: Actor, case_id: int, value: LinkStepInput) -> Case:
    """Unlink one registry record from the open case (the archive keeps that it was)."""
    return _step(actor, case_id, "unlink", value, _unlink)


OPS = {"link": link_record, "unlink": unlink_record}
