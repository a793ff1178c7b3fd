"""Proposals from the phone (R11.1 (二), R22.1): a grid worker proposes a change to the
registry, the township agency confirms or rejects it, or the rule table
(``registry.proposal_rules``) confirms it at once.

- :func:`propose` stores the proposal once per ``client_id`` (a resend of the same content is
  the stored proposal; other content under the same key is a 409). The change is tried first
  (applied in a savepoint and rolled back), so a proposal the registry would refuse is refused
  while the worker is still at the door, with the field's message; the try also tells where
  the change lies (its village and grid), which decides who reviews it.
- :func:`confirm` applies the payload through the registry's own service, with the reviewer's
  rights, in the transaction that records the confirmation: both audit records or neither.
- :func:`reject` needs a reason; the proposer sees it on the phone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.errors import Conflict, DomainError
from gridgov.text import clean_text
from registry import inputs, proposal_codec, proposal_rules
from registry.actions import RegistryAction
from registry.models import (
    REVIEWER_ROLES,
    House,
    Place,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Resident,
    SpecialGroupTag,
    Thing,
)
from registry.photos import Photo
from registry.services import entities, residents, tags
from registry.services.common import Actor, choice, record, update, where_code

PROPOSAL_FIELDS = ["kind", "status", "subject_id", "summary", "region_code", "grid_code",
                   "lng", "lat", "accuracy_m", "device_time", "auto", "reason", "reviewer",
                   "reviewed_at", "result_id"]  # fmt: skip


@dataclass(frozen=True)
class Gps:
    """The phone's fix when the worker sent the form, and the phone's clock."""

    lng: float | None = None
    lat: float | None = None
    accuracy_m: float | None = None
    device_time: dt.datetime | None = None


@dataclass(frozen=True)
class KindSpec:
    value_class: type
    subject: type[models.Model] | None  # the record the proposal is about
    result: type[models.Model]  # the record it creates or changes
    apply: Callable[[Actor, Any, Any], models.Model]


def _resident_add(actor: Actor, house: House, value: inputs.NewResident) -> models.Model:
    return residents.register_resident(actor, replace(value, house=house, client_id=""))


def _tag(actor: Actor, resident: Resident, value: inputs.NewTag) -> models.Model:
    return tags.tag_resident(actor, resident, replace(value, client_id=""))


def _move_in(actor: Actor, resident: Resident, value: inputs.MoveIn) -> models.Model:
    return residents.move_in(actor, resident, replace(value, client_id=""))


def _move_out(actor: Actor, resident: Resident, value: inputs.StatusChange) -> models.Model:
    return residents.move_out(actor, resident, replace(value, client_id=""))


_K = ProposalKind
KINDS: dict[str, KindSpec] = {
    _K.RESIDENT_ADD: KindSpec(inputs.NewResident, House, Resident, _resident_add),
    _K.RESIDENT_UPDATE: KindSpec(
        inputs.ResidentChanges, Resident, Resident, residents.update_resident
    ),
    _K.MOVE_IN: KindSpec(inputs.MoveIn, Resident, Resident, _move_in),
    _K.MOVE_OUT: KindSpec(inputs.StatusChange, Resident, Resident, _move_out),
    _K.TAG: KindSpec(inputs.NewTag, Resident, SpecialGroupTag, _tag),
    _K.PLACE_ADD: KindSpec(
        inputs.NewPlace, None, Place, lambda actor, _s, value: entities.create_place(actor, value)
    ),
    _K.PLACE_UPDATE: KindSpec(inputs.PlaceChanges, Place, Place, entities.update_place),
    _K.THING_STATE: KindSpec(inputs.ThingChanges, Thing, Thing, entities.update_thing),
}
# the fields of a new record's value object left at their defaults are not "given"
_NEW_DEFAULTS = {
    _K.RESIDENT_ADD: inputs.NewResident(kind="", name="", id_type="", id_number=""),
    _K.TAG: inputs.NewTag(kind="", started_on=dt.date.min),
    _K.PLACE_ADD: inputs.NewPlace(kind="", name=""),
}


class _TrialOver(Exception):
    """Raised to roll a trial application back (carries where it would lie)."""

    def __init__(self, result: models.Model) -> None:
        super().__init__("trial")
        self.result = result


def given_fields(kind: str, value: Any, photo: Photo | None) -> set[str]:
    names = proposal_codec.given_names(value, _NEW_DEFAULTS.get(kind))
    names.discard("where")
    if photo is not None:
        names.add("photo")
    return names


def _summary(kind: str, subject: models.Model | None, value: Any) -> str:
    name = getattr(value, "name", "") or ""
    parts = [str(subject)] if subject is not None else []
    if name and kind in (_K.RESIDENT_ADD, _K.PLACE_ADD):
        parts.append(name)
    return " · ".join(parts)[:200]


def _check_subject(spec: KindSpec, subject: models.Model | None) -> None:
    if spec.subject is None:
        return
    if not isinstance(subject, spec.subject):
        raise DomainError(
            _("请指定%(what)s") % {"what": spec.subject._meta.verbose_name},
            field="subject",
            code="required",
        )


def _require_proposer(actor: Actor, code: str) -> Any:
    """The grid worker's grant over where the change lies (system actors pass)."""
    return scoping.require(actor, R.GRID_ROLES, region_code=code, what=_("采集基础信息"))


def _try(actor: Actor, spec: KindSpec, subject: models.Model | None, value: Any) -> models.Model:
    """Apply the change in a savepoint and roll it back: the registry's refusal now, and the
    record it would create or change (where it lies)."""
    try:
        with transaction.atomic():
            raise _TrialOver(spec.apply(actor, subject, value))
    except _TrialOver as over:
        return over.result


def _resent(user: Any, client_id: str, digest: str) -> Proposal | None:
    if not client_id:
        return None
    found = Proposal.objects.filter(proposer=user, client_id=client_id).first()
    if found is None:
        return None
    if found.digest != digest:
        raise Conflict(
            _("该客户端编号已用于另一条采集信息(编号 %(pk)s)") % {"pk": found.pk},
            field="client_id",
            extra={"proposal": found.pk},
        )
    return found


@transaction.atomic
def propose(
    actor: Actor,
    kind: str,
    subject: models.Model | None,
    value: Any,
    *,
    gps: Gps = Gps(),
    note: str = "",
    client_id: str = "",
    photo: Photo | None = None,
) -> tuple[Proposal, bool]:
    """A grid worker's proposal (R11.1 (二)); (the proposal, whether it is new). Confirmed at
    once when the rule table says so, else pending for the township agency."""
    choice(kind, ProposalKind, "kind")
    spec = KINDS[kind]
    _check_subject(spec, subject)
    user = actor if not scoping.is_system(actor) else None
    client_id = clean_text(client_id, "client_id", max_length=64)
    note = clean_text(note, "note", max_length=2000)
    subject_id = subject.pk if subject is not None else None
    digest = proposal_codec.content_digest(
        kind, subject_id, value, {"note": note, "photo": photo.sha256 if photo else ""}
    )
    if (found := _resent(user, client_id, digest)) is not None:
        return found, False
    fields = given_fields(kind, value, photo)
    if not fields:
        raise DomainError(_("没有要修改的内容"), field="general", code="empty")
    automatic = proposal_rules.is_automatic(kind, fields)
    # Where the change lies decides who reviews it: the record it would create or change.
    where = subject if automatic else _try(actor, spec, subject, value)
    code = where_code(where)
    grant = _require_proposer(actor, code)
    region_code, grid_code = where.region_code, where.grid_code
    proposal = Proposal(
        kind=kind,
        subject_id=subject_id,
        payload=proposal_codec.encode(value),
        digest=digest,
        summary=_summary(kind, subject, value),
        note=note,
        lng=gps.lng,
        lat=gps.lat,
        accuracy_m=gps.accuracy_m,
        device_time=gps.device_time,
        client_id=client_id,
        proposer=user,
        region_code=region_code,
        grid_code=grid_code,
        photo_sha256=photo.sha256 if photo else "",
    )
    if photo is not None:
        proposal.photo.save(photo.content.name, photo.content, save=False)
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError:
        # The same key sent twice at the same moment: the other request stored it first.
        if (found := _resent(user, client_id, digest)) is not None:
            return found, False
        raise
    record(
        actor, RegistryAction.PROPOSAL_SUBMIT, proposal, grant, code=code,
        after={**audit.snapshot(proposal, PROPOSAL_FIELDS), "fields": sorted(fields)},
    )  # fmt: skip
    _supersede_older(actor, proposal, grant)
    if automatic:
        _apply(actor, proposal, subject, value, grant, auto=True)
    return proposal, True


def _supersede_older(actor: Actor, proposal: Proposal, grant: Any) -> None:
    """A newer proposal of the same kind about the same record replaces a pending one."""
    if proposal.subject_id is None:
        return
    older = Proposal.objects.select_for_update().filter(
        kind=proposal.kind, subject_id=proposal.subject_id, status=ProposalStatus.PENDING
    )
    for old in older.exclude(pk=proposal.pk):
        changes = {
            "status": ProposalStatus.SUPERSEDED,
            "reviewed_at": timezone.now(),
            "reason": _("被采集信息 %(pk)s 替代") % {"pk": proposal.pk},
        }
        update(
            actor, RegistryAction.PROPOSAL_SUPERSEDE, old, changes, grant, fields=PROPOSAL_FIELDS
        )


def _apply(
    actor: Actor,
    proposal: Proposal,
    subject: models.Model | None,
    value: Any,
    grant: Any,
    *,
    auto: bool,
) -> None:
    result = KINDS[proposal.kind].apply(actor, subject, value)
    changes = {
        "status": ProposalStatus.CONFIRMED,
        "reviewer": None if auto or scoping.is_system(actor) else actor,
        "reviewed_at": timezone.now(),
        "auto": auto,
        "result_id": result.pk,
    }
    if auto:
        changes["reason"] = str(proposal_rules.RULES[proposal.kind].why)
    update(
        actor, RegistryAction.PROPOSAL_CONFIRM, proposal, changes, grant, fields=PROPOSAL_FIELDS,
        note=_("规则自动确认") if auto else "",
    )  # fmt: skip


def _lock(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _require_reviewer(actor: Actor, proposal: Proposal) -> Any:
    return scoping.require(
        actor, REVIEWER_ROLES, region_code=where_code(proposal), what=_("审核采集信息")
    )


def subject_of(proposal: Proposal) -> models.Model | None:
    spec = KINDS[proposal.kind]
    if spec.subject is None or proposal.subject_id is None:
        return None
    return spec.subject._default_manager.filter(pk=proposal.subject_id).first()


def value_of(proposal: Proposal) -> Any:
    return proposal_codec.decode(KINDS[proposal.kind].value_class, proposal.payload)


@transaction.atomic
def confirm(actor: Actor, proposal: Proposal) -> Proposal:
    """The township agency confirms: the change is applied through the registry's service
    (with the reviewer's rights) and the confirmation recorded, in one transaction."""
    proposal = _lock(proposal)
    grant = _require_reviewer(actor, proposal)
    if proposal.status == ProposalStatus.CONFIRMED:
        return proposal  # a resend of the confirmation
    if proposal.status != ProposalStatus.PENDING:
        raise DomainError(
            _("该采集信息%(status)s,不能再确认") % {"status": proposal.get_status_display()},
            field="status",
            code="not_pending",
        )
    subject = subject_of(proposal)
    if KINDS[proposal.kind].subject is not None and subject is None:
        raise DomainError(_("该采集信息的对象已不存在"), field="subject", code="gone")
    _apply(actor, proposal, subject, value_of(proposal), grant, auto=False)
    return proposal


@transaction.atomic
def reject(actor: Actor, proposal: Proposal, reason: str) -> Proposal:
    """The township agency sends the proposal back with a reason the proposer sees."""
    proposal = _lock(proposal)
    grant = _require_reviewer(actor, proposal)
    reason = clean_text(reason, "reason", required=True, max_length=2000, label=_("退回理由"))
    if proposal.status == ProposalStatus.REJECTED and proposal.reason == reason:
        return proposal
    if proposal.status != ProposalStatus.PENDING:
        raise DomainError(
            _("该采集信息%(status)s,不能再退回") % {"status": proposal.get_status_display()},
            field="status",
            code="not_pending",
        )
    changes = {
        "status": ProposalStatus.REJECTED,
        "reviewer": None if scoping.is_system(actor) else actor,
        "reviewed_at": timezone.now(),
        "reason": reason,
    }
    update(
        actor, RegistryAction.PROPOSAL_REJECT, proposal, changes, grant, fields=PROPOSAL_FIELDS,
        note=reason,
    )  # fmt: skip
    return proposal
