"""Every change to a case (R18.1, R24–R27). The state machine is :mod:`cases.machine`.

Each service: locks the case row, asks the machine whether this actor may take this action in
this state, does the work, appends an archive event (R26.2) and an audit record (R28.1), all in
one transaction. Actions a phone may resend take a ``client_id``: a second call with the same
one returns the first result and changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import personal_data
from audit import services as audit
from audit.models import AuditRecord
from cases import archive, deadline_basis, idempotency, machine, results
from cases import involved as involved_persons
from cases.models import (
    ACTIVE_ASSIGNMENT_STATES,
    LEVEL_CODE_LENGTH,
    NEXT_LEVEL,
    OPEN_STATES,
    Assignment,
    AssignmentRole,
    AssignmentState,
    Attachment,
    Case,
    CaseEvent,
    Channel,
    DeadlineStatus,
    DutyRuling,
    Extension,
    InvolvedPerson,
    Level,
    Notification,
    Rating,
    RequestStatus,
    State,
    Supervision,
    Suspension,
    Urgency,
    Warning,
)
from cases.notify import channels, progress
from cases.uploads import MAX_PHOTOS, CheckedPhoto, check_photos
from gridgov import rows
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.errors import DomainError, Forbidden, NotFound
from matters import gate
from people.models import Department
from regions import geometry as geo
from regions import index as grid_index
from regions.models import Grid
from workdays import services as calendar

CASE_FIELDS = [
    "state",
    "level",
    "agency_code",
    "lead_department",
    "dispatch_due_at",
    "due_at",
    "deadline_status",
    "rating",
]
_REPORT_ROWS = (Case, InvolvedPerson, CaseEvent, AuditRecord)
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone
assert len(TRACKING_ALPHABET) == 32
MAX_TEXT = 4000


# --- small helpers -------------------------------------------------------------------------

_acting_at: ContextVar[dt.datetime | None] = ContextVar("cases_acting_at", default=None)


@contextlib.contextmanager
def acting_at(moment: dt.datetime) -> Iterator[None]:
    """Take the steps inside as happening at ``moment`` (the demo replays two months of
    cases; an import from an older system keeps their real times). The archive hashes what
    it stores, so the chains stay verifiable (R26.2)."""
    token = _acting_at.set(moment)
    try:
        yield
    finally:
        _acting_at.reset(token)


def _now() -> dt.datetime:
    """The time of the step being taken: now, or the moment set by :func:`acting_at`."""
    return _acting_at.get() or timezone.now()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _text(value: Any, field: str, *, required: bool = True, max_length: int = MAX_TEXT) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise DomainError(_("请填写%(field)s") % {"field": field}, field=field, code="required")
    if len(text) > max_length:
        raise DomainError(
            _("%(field)s 不能超过 %(n)s 字") % {"field": field, "n": max_length}, field=field
        )
    return text


def _tracking_code() -> str:
    # 32 letters: each random byte's low five bits pick one, all equally likely.
    return "".join(TRACKING_ALPHABET[b & 31] for b in secrets.token_bytes(10))


def _lock(case_id: Any) -> Case:
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise NotFound(_("没有这个事件")) from None
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("entry__item", "entry__lead_department", "lead_department")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFound(_("没有这个事件"))
    return case


def _replayed(case: Case, action: str, client_id: str) -> bool:
    """True when this action with this client id is already on the record (a phone resend)."""
    return bool(client_id) and case.events.filter(action=action, data__client_id=client_id).exists()


def _deadline(start: dt.datetime, amount: Any, unit: str) -> tuple[dt.datetime | None, str]:
    """A deadline from the working-day calendar, or None with the reason when the calendar
    does not cover the dates (the case goes on; the sweep fills it in once it does)."""
    if not amount:
        return None, ""
    try:
        return calendar.deadline(start, amount, unit), ""
    except calendar.CalendarNotCovered as exc:
        return None, exc.message


def _provisional(start: dt.datetime | None, due: dt.datetime | None) -> bool:
    """Did the deadline from ``start`` to ``due`` count days of a provisional calendar year
    (statutory holidays only, the State Council's notice not entered yet)? Shown with the
    deadline; :mod:`cases.recompute` moves it when the notice is entered (R24.2)."""
    return start is not None and due is not None and calendar.is_provisional_between(start, due)


def _check_moments(
    start: dt.datetime | None, due: dt.datetime | None, amber: float
) -> list[dt.datetime]:
    """When a deadline's colour changes: its amber moment (where the calendar covers it) and
    the deadline itself (R24.2, R24.3, R27.1)."""
    if start is None or due is None:
        return []
    moments = [due]
    # Without the calendar for the amber moment, the check at the deadline still comes.
    with contextlib.suppress(calendar.CalendarNotCovered):
        moments.append(calendar.add_working_fraction(start, due, amber))
    return moments


def _schedule_checks(
    case: Case,
    start: dt.datetime | None,
    due: dt.datetime | None,
    amber: float,
    *,
    save: bool = True,
) -> None:
    """Plan the background check of the case at the amber moment and at the deadline of one
    of its deadlines (R24.2, R24.3, R27.1). ``start`` is where the status computation counts
    from (verification for the dispatch deadline, the dispatch for a handling one).

    The case keeps only its next moment (``next_check_at``); each check plans the one after.
    An earlier moment already planned stays: checking early is harmless, the check then
    plans the right next moment. ``save=False``: the caller saves the case (intake inserts it).
    """
    if case.state not in OPEN_STATES:
        return
    moments = _check_moments(start, due, amber)
    if not moments:
        return
    first = min(moments)
    planned = case.next_check_at
    if planned is not None and _now() < planned <= first:
        return
    case.next_check_at = first
    if save:
        _save_next_check(case)
    from cases import tasks  # the tasks import the services

    tasks.plan_check(first)


def _terms(entry: Any) -> dict[str, Any]:
    """The time limits and departments an admission entry sets (R9.2, R24.2, R24.3).

    Kept on the entry object: a published entry does not change, and the gate's per-process
    cache hands intake the same objects until any list, entry or department changes."""
    terms = entry.__dict__.get("_case_terms")
    if terms is None:
        terms = entry.__dict__["_case_terms"] = {
            "dispatch": (entry.dispatch_limit_amount, entry.dispatch_limit_unit),
            "handling": (entry.handling_limit_amount, entry.handling_limit_unit),
            "amber": (entry.amber_threshold_percent or 80) / 100,
            "lead": entry.lead_department,
            "co": list(entry.co_departments.all()),
            "settle_on_spot": bool(entry.item.settle_on_spot_allowed),
        }
    return terms


def _save(case: Case, *fields: str) -> None:
    case.save(update_fields=[*fields, "updated_at"])


def _save_next_check(case: Case) -> None:
    """Bookkeeping of the background checks, not a change of the case: ``updated_at``
    stays."""
    Case.objects.filter(pk=case.pk).update(next_check_at=case.next_check_at)


def _record(case: Case, *, photos: Sequence[CheckedPhoto] = (), **step: Any) -> CaseEvent:
    """Store the archive event (R26.2), attachments and audit record (R28.1) of one step
    (``step`` as for :func:`_step_rows`)."""
    event, entry = _step_rows(case, photos=photos, **step)
    archive.store(event)
    uploader = _user(step["actor"])
    for photo in photos:
        attachment = Attachment(
            case=case,
            event=event,
            original_name=photo.name,
            content_type=photo.content_type,
            extension=photo.extension,
            size=len(photo.content),
            sha256=photo.sha256,
            width=photo.width,
            height=photo.height,
            uploaded_by=uploader,
            uploaded_at=event.at,
            public=photo.public,
        )
        attachment.file.save(f"{photo.sha256}{photo.extension}", photo.as_file(), save=False)
        attachment.save()
    audit.store(entry)
    progress.after_step(case, step["action"], step["from_state"])
    return event


def _step_rows(
    case: Case,
    *,
    action: str,
    actor: Any,
    authority: machine.Authority | None,
    from_state: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    photos: Sequence[CheckedPhoto] = (),
    before: dict[str, Any] | None = None,
) -> tuple[CaseEvent, AuditRecord]:
    """The archive event and the audit record of one step, not yet stored; the case's head
    moves to the event in memory."""
    data = dict(data or {})
    if photos:
        data["attachments"] = [p.manifest() for p in photos]
    # Both records are kept for good: no number a person typed into a note is kept in clear.
    note = personal_data.mask_numbers_in_text(note)
    role = authority.role if authority is not None else scoping.acting_role(actor, None)
    event = archive.next_event(
        case,
        action=action,
        actor=actor,
        role=role,
        from_state=from_state,
        to_state=case.state,
        note=note,
        data=data,
        at=_now(),
    )
    entry = audit.new_record(
        actor,
        f"cases.{action}",
        case,
        before=before,
        after=audit.snapshot(case, CASE_FIELDS) | {"event": event.seq},
        region_code=case.grid_code,
        role=role,
        note=note[:500],
    )
    return event, entry


def notify(
    kind: str,
    key: str,
    message: str,
    *,
    case: Case | None = None,
    agency_code: str = "",
    department: Department | None = None,
    grid_code: str = "",
) -> Notification:
    """Create a notification once per key (tasks and sweeps may run twice: no double warning)
    for an agency, a department or a grid's workers; each of them gets it in their
    notification centre (R26.1, R27.1; :mod:`cases.notify`)."""
    notification, created = Notification.objects.get_or_create(
        key=key[:120],
        defaults={
            "kind": kind,
            "case": case,
            "agency_code": agency_code,
            "department": department,
            "grid_code": grid_code,
            "message": message[:300],
            "created_at": _now(),
        },
    )
    if created:
        channels.in_app.send(notification)
    return notification


# --- intake (R24.1, R18.1) -----------------------------------------------------------------


@dataclass(frozen=True)
class IntakeResult:
    case: Case
    created: bool


def _channel_for(actor: Any, requested: str | None) -> str:
    if requested == Channel.HOTLINE:
        if not scoping.is_system(actor) and not scoping.has_role(
            actor, machine.AGENCY_ACTING_ROLES
        ):
            raise Forbidden(_("只有网格化机构人员可以代录12345热线事件"))
        return Channel.HOTLINE
    if scoping.is_system(actor):
        return requested or Channel.AGENCY
    if scoping.grants_for(actor, R.GRID_ROLES):
        return Channel.WORKER
    if scoping.grants_for(actor, R.AGENCY_ROLES):
        return Channel.AGENCY
    return Channel.PORTAL


REPORTING_ROLES = {
    Channel.WORKER: R.GRID_ROLES,
    Channel.AGENCY: R.AGENCY_ROLES,
    Channel.HOTLINE: machine.AGENCY_ACTING_ROLES,
}


def _within_reach(actor: Any, channel: str, grid_code: str) -> None:
    """An account reports where its roles reach (R22.1): a grid worker in its own grids (its
    report starts verified), agency staff in their region, a role bound to a place in that
    place; the public resident account (bound to no place) anywhere (R18.1). A report
    elsewhere is refused, not filed as verified in a place the reporter cannot see."""
    if scoping.is_system(actor) or scoping.is_unrestricted(actor):
        return
    if channel == Channel.PORTAL and not getattr(actor, "is_authenticated", False):
        return  # a visitor without an account, on the public portal (R18.1)
    grants = scoping.grants_for(actor, REPORTING_ROLES.get(channel))
    public = channel == Channel.PORTAL and any(
        g.role == R.Role.RESIDENT and not g.code for g in grants
    )
    if not public and not any(g.covers(grid_code) for g in grants):
        raise Forbidden(
            _("该位置(网格 %(grid)s)不在您的管辖范围内,不能在此上报") % {"grid": grid_code},
            field="lng",
            code="outside_jurisdiction",
        )


def intake(
    actor: Any,
    *,
    lng: Any,
    lat: Any,
    matter: str,
    description: str,
    client_id: str = "",
    coord: str = "wgs84",
    photos: Iterable[Any] = (),
    urgent: bool = False,
    channel: str | None = None,
    address: str = "",
    involved: Any = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    settle_note: str = "",
    progress_sms: bool = False,
    reporter_key: str = "",
) -> IntakeResult:
    """Receive a report (R24.1, R18.1): locate it in its grid, pass the county's admission
    gate, store it once per ``client_id`` whatever the number of resends.

    A grid worker's report starts ``verified`` (the worker collected and verified it on site);
    a resident's or a hotline report starts ``reported`` and goes to the grid's workers to
    verify. With ``settle_note`` (and an entry that allows it) the worker settles the matter on
    the spot and the case closes with that record. ``progress_sms``: the reporter agreed to
    SMS progress messages on the phone they gave (R18.1; :mod:`cases.notify.progress`).

    ``reporter_key`` scopes a visitor's ``client_id`` without an account (the portal passes
    the hash of its browser's secret): see :func:`cases.idempotency.key_for`.
    """
    client_id = _text(client_id, "client_id", required=False, max_length=64)
    user = _user(actor)
    key = idempotency.key_for(actor, user, client_id, reporter_key)
    # Nearly every report is new, so none is looked up first: a resend fails on the unique
    # idempotency key when the case is inserted (before anything else is written) and is
    # answered with the stored case; one that no longer passes validation (the list changed
    # since, say) is too, so a resend always gets the first answer. A different report under
    # the same key is a conflict (409), not the old answer (cases.idempotency).
    received = idempotency.Received()
    try:
        return IntakeResult(
            _intake_new(
                actor,
                user,
                key,
                received,
                client_id=client_id,
                lng=lng,
                lat=lat,
                matter=matter,
                description=description,
                coord=coord,
                photos=photos,
                urgent=urgent,
                channel=channel,
                address=address,
                involved=involved,
                reporter_name=reporter_name,
                reporter_phone=reporter_phone,
                settle_note=settle_note,
                progress_sms=progress_sms,
            ),
            True,
        )
    except (DomainError, IntegrityError):
        # Input that does not parse is refused as such (400), stored key or not.
        if key and received.digest and (existing := _stored(key)):
            return IntakeResult(idempotency.answer_resend(existing, received), False)
        raise


def _intake_new(
    actor: Any,
    user: Any,
    key: str | None,
    received: idempotency.Received,
    *,
    client_id: str,
    lng: Any,
    lat: Any,
    matter: str,
    description: str,
    coord: str,
    photos: Iterable[Any],
    urgent: bool,
    channel: str | None,
    address: str,
    involved: Any,
    reporter_name: str,
    reporter_phone: str,
    settle_note: str,
    progress_sms: bool = False,
) -> Case:
    lng_f, lat_f = geo.parse_lng_lat(lng, lat)
    wgs_lng, wgs_lat = geo.to_wgs84(lng_f, lat_f, coord)
    description = _text(description, "description")
    address = _text(address, "address", required=False, max_length=200)
    reporter_name = _text(reporter_name, "reporter_name", required=False, max_length=64)
    persons = involved_persons.parse(involved)
    phone_clean = ""
    if str(reporter_phone or "").strip():
        phone_clean = personal_data.normalize_mobile(reporter_phone, field="reporter_phone")
    checked = check_photos(photos)
    settle_note = str(settle_note or "").strip()
    # The report as parsed, before the server's state (roles, grids, lists) is consulted.
    received.digest = idempotency.content_digest(
        matter=str(matter or "").strip(),
        description=description,
        point=(wgs_lng, wgs_lat),
        address=address,
        urgent=bool(urgent),
        channel=channel or "",
        reporter_name=reporter_name,
        reporter_phone=phone_clean,
        involved=persons,
        photos=[p.sha256 for p in checked],
        settle_note=settle_note,
    )
    channel = _channel_for(actor, channel)
    phone = None
    if phone_clean:
        phone = personal_data.protect_clean(
            phone_clean, kind="mobile", purpose="cases.reporter_phone"
        )
    found = grid_index.get_index().locate(wgs_lng, wgs_lat)
    if found is None:
        raise DomainError(
            _("该位置(%(lng).6f, %(lat).6f)不在任何网格内") % {"lng": wgs_lng, "lat": wgs_lat},
            field="lng",
            code="outside_grids",
        )
    _within_reach(actor, channel, found.code)
    # The index only holds current grids, and lists are per county: admit in the grid's county
    # (asking with the grid code would query the grid again).
    admission = gate.admit(matter, county_code=found.code[:6])
    terms = _terms(admission.entry)
    if settle_note and not terms["settle_on_spot"]:
        raise DomainError(_("该事项不允许现场处置"), field="settle_note", code="not_settleable")
    if settle_note and channel != Channel.WORKER and not scoping.is_system(actor):
        raise Forbidden(_("只有网格员可以现场处置"))

    now = _now()
    start_state = State.VERIFIED if channel in (Channel.WORKER, Channel.AGENCY) else State.REPORTED
    # A plain report (no photos, not settled on the spot, not urgent, not waiting for the
    # grid's workers to verify it) is three new rows: the case, its first archive event and
    # its audit record. Where the database allows (see
    # gridgov.rows) they are one statement, which is a transaction of its own; otherwise, or
    # with more to write, one transaction holds them all.
    plain = (
        not checked
        and not settle_note
        and not urgent
        and start_state == State.VERIFIED
        and rows.combinable(*_REPORT_ROWS)
    )
    own_transaction = not plain or transaction.get_connection().in_atomic_block
    with transaction.atomic() if own_transaction else contextlib.nullcontext():
        case = Case(
            tracking_code=_tracking_code(),
            state=start_state,
            channel=channel,
            urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
            description=description,
            address=address,
            lng=wgs_lng,
            lat=wgs_lat,
            coord_given=(coord or "wgs84").lower(),
            grid_id=found.grid_id,
            grid_code=found.code,
            level=Level.TOWNSHIP,
            agency_code=found.code[:9],
            entry=admission.entry,
            matter_code=admission.entry.item.code,
            reporter=user,
            # the account's name, never its user name (R26.2: the record shows names)
            reporter_name=reporter_name or (getattr(user, "full_name", "") if user else ""),
            progress_sms=bool(progress_sms and phone is not None),
            idempotency_key=key,
            content_digest=received.digest,
            created_at=now,
            verified_at=now if start_state == State.VERIFIED else None,
        )
        involved_rows = involved_persons.rows(case, persons)
        if phone is not None:
            case.reporter_phone_encrypted = phone.encrypted
            case.reporter_phone_digest = phone.digest
            case.reporter_phone_masked = phone.masked
        if start_state == State.VERIFIED:
            case.dispatch_due_at, _why = _deadline(now, *terms["dispatch"])
            case.dispatch_due_provisional = _provisional(now, case.dispatch_due_at)
            case.deadline_status = (
                DeadlineStatus.NORMAL if case.dispatch_due_at else (DeadlineStatus.NONE)
            )
            if not settle_note:  # a case settled on the spot closes at once
                _schedule_checks(
                    case, case.verified_at, case.dispatch_due_at, terms["amber"], save=False
                )
        step = dict(
            action="report",
            actor=actor,
            authority=None,
            from_state="",
            note=description[:200],
            data={
                "client_id": client_id,
                "channel": channel,
                "grid": found.code,
                "matter": case.matter_code,
                "list_version": admission.version.pk,
                "entry": admission.entry.pk,
                "lng": wgs_lng,
                "lat": wgs_lat,
                "urgent": bool(urgent),
            },
        )
        if involved_rows:
            step["data"]["involved"] = involved_persons.masked(involved_rows)
        if plain:
            case.pk = rows.reserve_id(Case)  # its first event's hash covers it
            rows.insert_together(case, *involved_rows, *_step_rows(case, **step))
            return case
        case.save(force_insert=True)
        if involved_rows:
            InvolvedPerson.objects.bulk_create(involved_rows)
        _record(case, photos=checked, **step)
        if settle_note:
            _settle(case, actor, None, settle_note, [], client_id)
        if urgent:
            _notify_urgent(case, terms)
    return case


def _stored(key: str) -> Case | None:
    """The case already stored under an idempotency key (with what its answer shows)."""
    return (
        Case.objects.select_related("entry__item", "lead_department")
        .filter(idempotency_key=key)
        .order_by()
        .first()
    )


def _notify_urgent(case: Case, terms: dict[str, Any]) -> None:
    message = _("紧急事件 %(code)s:%(text)s") % {
        "code": case.tracking_code,
        "text": case.description[:80],
    }
    notify(
        Notification.Kind.URGENT,
        f"urgent:{case.pk}:agency",
        message,
        case=case,
        agency_code=case.agency_code,
    )
    for department in [terms["lead"], *terms["co"]]:
        if department is not None:
            notify(
                Notification.Kind.URGENT,
                f"urgent:{case.pk}:dept:{department.pk}",
                message,
                case=case,
                department=department,
            )


# --- verification and on-the-spot settlement (R24.1) ---------------------------------------


@transaction.atomic
def verify(
    actor: Any,
    case_id: Any,
    *,
    valid: bool = True,
    note: str = "",
    photos: Iterable[Any] = (),
    client_id: str = "",
) -> Case:
    """A grid worker checks a resident's or hotline report on site (R24.1 收集核实). A report
    that proves false is declined with the worker's note."""
    case = _lock(case_id)
    if _replayed(case, "verify", client_id):
        return case
    authority = machine.authorize(actor, case, "verify")
    checked = check_photos(photos)
    before = audit.snapshot(case, CASE_FIELDS)
    from_state = case.state
    now = _now()
    why = ""
    if not valid:
        note = _text(note, "note")
        case.state = State.DECLINED
        case.decline_reason = note
        case.closed_at = now
        _save(case, "state", "decline_reason", "closed_at")
    else:
        terms = _terms(case.entry)
        case.state = State.VERIFIED
        case.verified_at = now
        case.dispatch_due_at, why = _deadline(now, *terms["dispatch"])
        case.dispatch_due_provisional = _provisional(now, case.dispatch_due_at)
        case.deadline_status = (
            DeadlineStatus.NORMAL if case.dispatch_due_at else DeadlineStatus.NONE
        )
        _save(
            case,
            "state",
            "verified_at",
            "dispatch_due_at",
            "dispatch_due_provisional",
            "deadline_status",
        )
        _schedule_checks(case, now, case.dispatch_due_at, terms["amber"])
    _record(
        case,
        action="verify",
        actor=actor,
        authority=authority,
        from_state=from_state,
        note=note,
        data={"client_id": client_id, "valid": valid, "calendar": why or None},
        photos=checked,
        before=before,
    )
    return case


def _settle(
    case: Case,
    actor: Any,
    authority: machine.Authority | None,
    note: str,
    photos: Sequence[CheckedPhoto],
    client_id: str,
) -> None:
    before = audit.snapshot(case, CASE_FIELDS)
    from_state = case.state
    now = _now()
    case.state = State.CLOSED
    case.settled_on_spot = True
    case.closed_at = now
    case.handled_at = now
    case.verified_at = case.verified_at or now
    case.deadline_status = DeadlineStatus.NONE
    _save(
        case,
        "state",
        "settled_on_spot",
        "closed_at",
        "handled_at",
        "verified_at",
        "deadline_status",
    )
    _record(
        case,
        action="settle",
        actor=actor,
        authority=authority,
        from_state=from_state,
        note=note,
        data={"client_id": client_id},
        photos=photos,
        before=before,
    )


@transaction.atomic
def settle(
    actor: Any, case_id: Any, *, note: str, photos: Iterable[Any] = (), client_id: str = ""
) -> Case:
    """Settled on the spot (R24.1): the worker records what was done; the case closes."""
    case = _lock(case_id)
    if _replayed(case, "settle", client_id):
        return case
    authority = machine.authorize(actor, case, "settle")
    if not _terms(case.entry)["settle_on_spot"]:
        raise DomainError(_("该事项不允许现场处置"), field="note", code="not_settleable")
    _settle(case, actor, authority, _text(note, "note"), check_photos(photos), client_id)
    return case


# --- the agency: accept, decline, escalate, dispatch (R24.2, R24.4, R25.1) -----------------


@transaction.atomic
def accept(actor: Any, case_id: Any, *, note: str = "", client_id: str = "") -> Case:
    """立案: the agency holding the case takes it on (R24.2)."""
    case = _lock(case_id)
    if _replayed(case, "accept", client_id):
        return case
    authority = machine.authorize(actor, case, "accept")
    before = audit.snapshot(case, CASE_FIELDS)
    case.state = State.ACCEPTED
    case.accepted_at = _now()
    _save(case, "state", "accepted_at")
    _record(
        case,
        action="accept",
        actor=actor,
        authority=authority,
        from_state=before["state"],
        note=_text(note, "note", required=False),
        data={"client_id": client_id},
        before=before,
    )
    return case


@transaction.atomic
def decline(actor: Any, case_id: Any, *, reason: str, client_id: str = "") -> Case:
    """Not a grid matter, or not a real problem: declined with the reason (R24.2)."""
    case = _lock(case_id)
    if _replayed(case, "decline", client_id):
        return case
    authority = machine.authorize(actor, case, "decline")
    reason = _text(reason, "reason")
    before = audit.snapshot(case, CASE_FIELDS)
    case.state = State.DECLINED
    case.decline_reason = reason
    case.closed_at = _now()
    case.deadline_status = DeadlineStatus.NONE
    _save(case, "state", "decline_reason", "closed_at", "deadline_status")
    _record(
        case,
        action="decline",
        actor=actor,
        authority=authority,
        from_state=before["state"],
        note=reason,
        data={"client_id": client_id},
        before=before,
    )
    return case


@transaction.atomic
def escalate(actor: Any, case_id: Any, *, reason: str, client_id: str = "") -> Case:
    """Beyond this agency's power: township → county → city (R24.2)."""
    case = _lock(case_id)
    if _replayed(case, "escalate", client_id):
        return case
    authority = machine.authorize(actor, case, "escalate")
    if case.level not in NEXT_LEVEL:
        raise DomainError(_("市级网格化机构已是最高层级"), field="level", code="top_level")
    reason = _text(reason, "reason")
    before = audit.snapshot(case, CASE_FIELDS)
    case.level = NEXT_LEVEL[Level(case.level)]
    case.agency_code = case.grid_code[: LEVEL_CODE_LENGTH[case.level]]
    _save(case, "level", "agency_code")
    _record(
        case,
        action="escalate",
        actor=actor,
        authority=authority,
        from_state=case.state,
        note=reason,
        data={"client_id": client_id, "from_level": before["level"], "to_level": case.level},
        before=before,
    )
    notify(
        Notification.Kind.DISPATCHED,
        f"escalated:{case.pk}:{case.level}",
        _("下级机构上报事件 %(code)s:%(reason)s")
        % {"code": case.tracking_code, "reason": reason[:80]},
        case=case,
        agency_code=case.agency_code,
    )
    return case


def _department(value: Any, case: Case, field: str) -> Department:
    pk = getattr(value, "pk", value)
    try:
        department = Department.objects.select_related("region").get(pk=int(pk), is_active=True)
    except (TypeError, ValueError, Department.DoesNotExist):
        raise DomainError(_("没有这个部门:%(value)s") % {"value": value}, field=field) from None
    if not case.grid_code.startswith(department.region.code):
        raise DomainError(
            _("%(dept)s 不管辖该事件所在地") % {"dept": department.name},
            field=field,
            code="outside_department",
        )
    return department


@transaction.atomic
def dispatch(
    actor: Any,
    case_id: Any,
    *,
    lead_department: Any = None,
    co_departments: Iterable[Any] | None = None,
    note: str = "",
    ruling: str = "",
    client_id: str = "",
) -> Case:
    """派遣 to the lead department and co-departments, each assignment with its own deadline
    from the entry's handling limit (R24.2, R25.1). The admission entry suggests the
    departments; the dispatcher may change them.

    After a return (R24.4) this re-dispatches; sending the case back to the department that
    returned it overrules the return and needs the ruling's reason (a duty dispute settled by
    the agency: who decided and why is recorded).
    """
    case = _lock(case_id)
    if _replayed(case, "dispatch", client_id):
        return case
    authority = machine.authorize(actor, case, "dispatch")
    terms = _terms(case.entry)
    lead = _department(lead_department or terms["lead"], case, "lead_department")
    # None: the entry's suggestion; an empty list: no co-department at all.
    co_values = [d.pk for d in terms["co"]] if co_departments is None else list(co_departments)
    co = [_department(v, case, "co_departments") for v in co_values]
    co = [d for d in dict.fromkeys(co) if d.pk != lead.pk]
    note = _text(note, "note", required=False)
    ruling = _text(ruling, "ruling", required=False)
    before = audit.snapshot(case, CASE_FIELDS)
    from_state = case.state
    now = _now()

    returned = None
    if from_state == State.RETURNED:
        returned = (
            case.assignments.filter(role=AssignmentRole.LEAD, state=AssignmentState.RETURNED)
            .order_by("-returned_at", "-pk")
            .first()
        )
        if returned is not None:
            overruled = returned.department_id == lead.pk
            if overruled and not ruling:
                raise DomainError(
                    _("再次派给退回的部门须写明裁定理由(职责争议,R24.4)"),
                    field="ruling",
                    code="ruling_required",
                )
            DutyRuling.objects.create(
                case=case,
                returned_assignment=returned,
                responsible_department=lead,
                upheld_return=not overruled,
                decided_at=now,
                reason=ruling or _("退回理由成立,改派 %(dept)s") % {"dept": lead.name},
                decided_by=_user(actor),
            )

    due_at, why = _deadline(now, *terms["handling"])
    due_provisional = _provisional(now, due_at)
    live = {a.department_id: a for a in case.assignments.all() if a.is_active}
    wanted = {lead.pk: AssignmentRole.LEAD, **{d.pk: AssignmentRole.CO for d in co}}
    for department_id, assignment in live.items():
        if wanted.get(department_id) != assignment.role:
            assignment.state = AssignmentState.WITHDRAWN
            assignment.save(update_fields=["state"])
    for department in [lead, *co]:
        existing = live.get(department.pk)
        if existing is not None and existing.role == wanted[department.pk]:
            continue
        Assignment.objects.create(
            case=case,
            department=department,
            role=wanted[department.pk],
            dispatched_at=now,
            clock_started_at=now,
            dispatched_by=_user(actor),
            due_at=due_at,
            original_due_at=due_at,
            deadline_status=DeadlineStatus.NORMAL if due_at else DeadlineStatus.NONE,
            due_provisional=due_provisional,
            deadline_basis=deadline_basis.new(now, *terms["handling"]),
        )
        notify(
            Notification.Kind.DISPATCHED,
            f"dispatched:{case.pk}:{department.pk}:{now:%s%f}",
            _("新派遣事件 %(code)s") % {"code": case.tracking_code},
            case=case,
            department=department,
        )
    case.state = State.DISPATCHED
    case.lead_department = lead
    case.dispatched_at = now
    case.due_at = due_at
    case.due_provisional = due_provisional
    case.deadline_status = DeadlineStatus.NORMAL if due_at else DeadlineStatus.NONE
    _save(
        case,
        "state",
        "lead_department",
        "dispatched_at",
        "due_at",
        "due_provisional",
        "deadline_status",
    )
    _schedule_checks(case, now, due_at, terms["amber"])
    _record(
        case,
        action="dispatch",
        actor=actor,
        authority=authority,
        from_state=from_state,
        note=note or ruling,
        data={
            "client_id": client_id,
            "lead_department": lead.pk,
            "co_departments": [d.pk for d in co],
            "due_at": due_at.isoformat() if due_at else None,
            "calendar": why or None,
            "ruling": personal_data.mask_numbers_in_text(ruling) or None,  # kept for good, as notes
            "returned_by": returned.department_id if returned else None,
        },
        before=before,
    )
    return case


# --- departments: sign, return, feedback (R24.3, R24.4, R25.1) -----------------------------


def _my_assignment(case: Case, authority: machine.Authority, states: Iterable[str]) -> Assignment:
    states = set(states)
    candidates = [a for a in case.assignments.all() if a.state in states]
    if authority.department_id is not None:
        candidates = [a for a in candidates if a.department_id == authority.department_id]
    if not candidates:
        raise DomainError(_("本部门没有处于该环节的派遣"), field="state", code="wrong_state")
    # the lead assignment first, so the system actor acts for the lead
    candidates.sort(key=lambda a: (a.role != AssignmentRole.LEAD, a.pk))
    return candidates[0]


@transaction.atomic
def sign(actor: Any, case_id: Any, *, note: str = "", client_id: str = "") -> Case:
    """签收: the department takes the assignment; the lead's signature starts handling."""
    case = _lock(case_id)
    if _replayed(case, "sign", client_id):
        return case
    authority = machine.authorize(actor, case, "sign")
    assignment = _my_assignment(case, authority, [AssignmentState.DISPATCHED])
    before = audit.snapshot(case, CASE_FIELDS)
    from_state = case.state
    assignment.state = AssignmentState.SIGNED
    assignment.signed_at = _now()
    assignment.signed_by = _user(actor)
    assignment.save(update_fields=["state", "signed_at", "signed_by"])
    if assignment.role == AssignmentRole.LEAD and case.state == State.DISPATCHED:
        case.state = State.IN_PROGRESS
        _save(case, "state")
    _record(
        case,
        action="sign",
        actor=actor,
        authority=authority,
        from_state=from_state,
        note=_text(note, "note", required=False),
        data={
            "client_id": client_id,
            "department": assignment.department_id,
            "role": assignment.role,
        },
        before=before,
    )
    return case


@transaction.atomic
def return_case(actor: Any, case_id: Any, *, reason: str, client_id: str = "") -> Case:
    """退回: a department that holds a matter outside its duties reports back with reasons
    (R24.4). The lead's return sends the case back to the agency; a co-department's return
    only ends its own part. Returns are counted per department for assessment."""
    case = _lock(case_id)
    if _replayed(case, "return", client_id):
        return case
    authority = machine.authorize(actor, case, "return")
    reason = _text(reason, "reason")
    assignment = _my_assignment(case, authority, ACTIVE_ASSIGNMENT_STATES)
    before = audit.snapshot(case, CASE_FIELDS)
    from_state = case.state
    now = _now()
    assignment.state = AssignmentState.RETURNED
    assignment.return_reason = reason
    assignment.returned_at = now
    assignment.save(update_fields=["state", "return_reason", "returned_at"])
    case.return_count += 1
    fields = ["return_count"]
    if assignment.role == AssignmentRole.LEAD:
        case.state = State.RETURNED
        case.due_at = None
        case.due_provisional = False
        case.deadline_status = DeadlineStatus.NONE
        fields += ["state", "due_at", "due_provisional", "deadline_status"]
    _save(case, *fields)
    _record(
        case,
        action="return",
        actor=actor,
        authority=authority,
        from_state=from_state,
        note=reason,
        data={
            "client_id": client_id,
            "department": assignment.department_id,
            "role": assignment.role,
        },
        before=before,
    )
    notify(
        Notification.Kind.RETURNED,
        f"returned:{case.pk}:{assignment.pk}",
        _("%(dept)s 退回事件 %(code)s:%(reason)s")
        % {"dept": assignment.department.name, "code": case.tracking_code, "reason": reason[:80]},
        case=case,
        agency_code=case.agency_code,
    )
    return case


@transaction.atomic
def feedback(
    actor: Any,
    case_id: Any,
    *,
    note: str,
    photos: Iterable[Any] = (),
    public_note: str = "",
    public_photos: Iterable[Any] = (),
    client_id: str = "",
) -> Case:
    """反馈: a department reports its result; the lead department's feedback, for the whole
    case (R25.1), sends it to the agency to check (R24.3). ``note`` and ``photos`` are for
    the agency; ``public_note`` and ``public_photos`` are what the reporter sees on the
    tracking page before rating (R18.1): no personal data (:mod:`cases.results`)."""
    case = _lock(case_id)
    if _replayed(case, "feedback", client_id):
        return case
    authority = machine.authorize(actor, case, "feedback")
    note = _text(note, "note")
    public_note = results.clean_public_note(public_note)
    photos, public_photos = list(photos or []), list(public_photos or [])
    if len(photos) + len(public_photos) > MAX_PHOTOS:  # one step's photos together
        raise DomainError(
            _("最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS}, field="public_photos", code="too_many"
        )
    checked = check_photos(photos)
    checked += check_photos(public_photos, field="public_photos", public=True)
    assignment = _my_assignment(case, authority, [AssignmentState.SIGNED])
    before = audit.snapshot(case, CASE_FIELDS)
    from_state = case.state
    now = _now()
    assignment.state = AssignmentState.FED_BACK
    assignment.feedback = note
    assignment.public_result = public_note
    assignment.fed_back_at = now
    assignment.fed_back_by = _user(actor)
    assignment.was_late = bool(assignment.due_at and now > assignment.due_at)
    assignment.save(
        update_fields=[
            "state",
            "feedback",
            "public_result",
            "fed_back_at",
            "fed_back_by",
            "was_late",
        ]
    )
    if assignment.role == AssignmentRole.LEAD:
        case.state = State.HANDLED
        case.handled_at = now
        _save(case, "state", "handled_at")
    _record(
        case,
        action="feedback",
        actor=actor,
        authority=authority,
        from_state=from_state,
        note=note,
        data={
            "client_id": client_id,
            "department": assignment.department_id,
            "role": assignment.role,
            "late": assignment.was_late,
            **({"public_note": public_note} if public_note else {}),
        },
        photos=checked,
        before=before,
    )
    return case


# --- checking, closing, evaluation (R26.1, R27.1) ------------------------------------------


@transaction.atomic
def check(
    actor: Any,
    case_id: Any,
    *,
    passed: bool,
    note: str = "",
    photos: Iterable[Any] = (),
    client_id: str = "",
) -> Case:
    """核查: the agency (or the grid worker on site) checks the result; pass closes the case,
    fail sends it back to the lead department for rework with the reasons."""
    case = _lock(case_id)
    if _replayed(case, "check", client_id):
        return case
    authority = machine.authorize(actor, case, "check")
    checked = check_photos(photos)
    before = audit.snapshot(case, CASE_FIELDS)
    from_state = case.state
    now = _now()
    if passed:
        machine.require_closable(case)  # every co-department done or ended (R25.1)
        note = _text(note, "note", required=False)
        case.state = State.CLOSED
        case.closed_at = now
        case.deadline_status = DeadlineStatus.NONE
        _save(case, "state", "closed_at", "deadline_status")
    else:
        note = _text(note, "note")
        rework(case, now)
    _record(
        case,
        action="check",
        actor=actor,
        authority=authority,
        from_state=from_state,
        note=note,
        data={"client_id": client_id, "passed": bool(passed)},
        photos=checked,
        before=before,
    )
    return case


def rework(case: Case, now: dt.datetime) -> Assignment:
    """Send the case back to its lead department, which fed back, to handle it again with a
    fresh handling period: a failed check (R26.1) or an unsatisfied rating reopened on review
    (R27.1, cases.reviews). The case is locked by the caller, who records the step."""
    lead = case.assignments.filter(role=AssignmentRole.LEAD, state=AssignmentState.FED_BACK).first()
    if lead is None:
        raise DomainError(
            _("该事件没有已反馈的牵头部门,不能返工或重新办理"), field="state", code="no_lead"
        )
    # Rework gets a fresh handling period: the department must redo the work.
    handling = _terms(case.entry)["handling"]
    due_at, _why = _deadline(now, *handling)
    lead.state = AssignmentState.SIGNED
    lead.due_at = due_at
    lead.clock_started_at = now
    lead.deadline_status = DeadlineStatus.NORMAL if due_at else DeadlineStatus.NONE
    lead.due_provisional = _provisional(now, due_at)
    lead.deadline_basis = deadline_basis.new(now, *handling)
    lead.save(
        update_fields=[
            "state",
            "due_at",
            "clock_started_at",
            "deadline_status",
            "due_provisional",
            "deadline_basis",
        ]
    )
    case.state = State.IN_PROGRESS
    case.rework_count += 1
    case.due_at = due_at
    case.due_provisional = lead.due_provisional
    case.deadline_status = lead.deadline_status
    _save(case, "state", "rework_count", "due_at", "due_provisional", "deadline_status")
    _schedule_checks(case, now, due_at, _terms(case.entry)["amber"])
    return lead


@transaction.atomic
def evaluate(
    actor: Any,
    case_id: Any,
    *,
    rating: str,
    comment: str = "",
    client_id: str = "",
    tracking_code: str | None = None,
) -> Case:
    """The reporter rates the result (R18.1, R27.1). A resident who reported without an
    account rates through the case's tracking code. An unsatisfied rating opens a review by
    the agency (:mod:`cases.reviews`)."""
    case = _lock(case_id)
    if _replayed(case, "evaluate", client_id):
        return case
    if tracking_code is not None:
        if tracking_code != case.tracking_code or case.reporter_id is not None:
            raise Forbidden(_("查询码不符"))
        if case.state != State.CLOSED:
            raise DomainError(_("事件尚未结案,不能评价"), field="state", code="wrong_state")
        authority = machine.Authority(machine.REPORTER, None)
    else:
        authority = machine.authorize(actor, case, "evaluate")
    if rating not in Rating.values:
        raise DomainError(
            _("评价须为 %(values)s 之一") % {"values": ", ".join(Rating.values)}, field="rating"
        )
    before = audit.snapshot(case, CASE_FIELDS)
    case.state = State.EVALUATED
    case.rating = rating
    case.rating_comment = _text(comment, "comment", required=False, max_length=1000)
    case.evaluated_at = _now()
    _save(case, "state", "rating", "rating_comment", "evaluated_at")
    _record(
        case,
        action="evaluate",
        actor=actor,
        authority=authority,
        from_state=before["state"],
        note=case.rating_comment,
        data={"client_id": client_id, "rating": rating},
        before=before,
    )
    if rating == Rating.UNSATISFIED:
        from cases import reviews  # the reviews build on the services

        reviews.open_review(case)
    return case


# --- time: extensions and suspensions (R24.3) ----------------------------------------------


def _amount(amount: Any, unit: Any) -> tuple[int, str]:
    if unit not in ("workdays", "workhours"):
        raise DomainError(_("单位须为 workdays 或 workhours"), field="unit")
    try:
        value = int(amount)
    except (TypeError, ValueError):
        raise DomainError(_("延长量须为正整数"), field="amount") from None
    if not 1 <= value <= (60 if unit == "workdays" else 480):
        raise DomainError(_("延长量超出允许范围"), field="amount")
    return value, unit


@transaction.atomic
def request_extension(
    actor: Any, case_id: Any, *, amount: Any, unit: Any, reason: str, client_id: str = ""
) -> Extension:
    """A department asks for more time with a reason; nothing moves until the agency approves."""
    case = _lock(case_id)
    existing = Extension.objects.filter(
        assignment__case=case, requested_by=_user(actor), status=RequestStatus.PENDING
    ).first()
    if _replayed(case, "extend", client_id) and existing:
        return existing
    authority = machine.authorize(actor, case, "extend")
    assignment = _my_assignment(case, authority, ACTIVE_ASSIGNMENT_STATES)
    value, unit = _amount(amount, unit)
    reason = _text(reason, "reason")
    if Extension.objects.filter(assignment=assignment, status=RequestStatus.PENDING).exists():
        raise DomainError(_("已有待审批的延期申请"), field="amount", code="pending")
    extension = Extension.objects.create(
        assignment=assignment,
        amount=value,
        unit=unit,
        reason=reason,
        requested_by=_user(actor),
        requested_at=_now(),
    )
    _record(
        case,
        action="extend",
        actor=actor,
        authority=authority,
        from_state=case.state,
        note=reason,
        data={
            "client_id": client_id,
            "extension": extension.pk,
            "amount": value,
            "unit": unit,
            "department": assignment.department_id,
        },
    )
    return extension


@transaction.atomic
def decide_extension(
    actor: Any,
    case_id: Any,
    *,
    extension: Any,
    approve: bool,
    note: str = "",
    client_id: str = "",
) -> Extension:
    """The agency approves (the deadline moves) or refuses an extension (R24.3)."""
    case = _lock(case_id)
    authority = machine.authorize(actor, case, "decide_extension")
    request = (
        Extension.objects.select_for_update()
        .filter(pk=getattr(extension, "pk", extension), assignment__case=case)
        .select_related("assignment")
        .first()
    )
    if request is None:
        raise DomainError(_("没有这个延期申请"), field="extension", code="not_found")
    if request.status != RequestStatus.PENDING:
        if _replayed(case, "decide_extension", client_id):
            return request
        raise DomainError(_("该申请已审批"), field="extension", code="decided")
    note = _text(note, "note", required=not approve)
    before = audit.snapshot(case, CASE_FIELDS)
    now = _now()
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    request.decided_by = _user(actor)
    request.decided_at = now
    request.decision_note = note
    if approve:
        assignment = request.assignment
        base = assignment.due_at or now
        new_due, why = _deadline(base, request.amount, request.unit)
        if new_due is None:
            raise DomainError(why, field="extension", code="calendar_not_covered")
        request.new_due_at = new_due
        if assignment.due_at is None:  # the extension's amount from now: a period of its own
            basis = deadline_basis.new(base, request.amount, request.unit)
        else:
            handling = _terms(case.entry)["handling"]
            basis = deadline_basis.of(assignment, handling)
            basis = deadline_basis.extended(basis, request.amount, request.unit)
        assignment.due_at = new_due
        assignment.deadline_basis = basis
        assignment.due_provisional = _provisional(
            deadline_basis.start_of(basis) or assignment.clock_start, new_due
        )
        assignment.save(update_fields=["due_at", "deadline_basis", "due_provisional"])
        if assignment.role == AssignmentRole.LEAD:
            case.due_at = new_due
            case.due_provisional = assignment.due_provisional
            _save(case, "due_at", "due_provisional")
        _schedule_checks(case, assignment.clock_start, new_due, _terms(case.entry)["amber"])
    request.save()
    refresh_deadline_status(case)
    _record(
        case,
        action="decide_extension",
        actor=actor,
        authority=authority,
        from_state=case.state,
        note=note,
        data={
            "client_id": client_id,
            "extension": request.pk,
            "approved": bool(approve),
            "new_due_at": request.new_due_at.isoformat() if request.new_due_at else None,
        },
        before=before,
    )
    return request


@transaction.atomic
def request_suspension(actor: Any, case_id: Any, *, reason: str, client_id: str = "") -> Suspension:
    """Waiting on outside conditions (weather, court, owner abroad): ask to stop the clock."""
    case = _lock(case_id)
    pending = case.suspensions.filter(status=RequestStatus.PENDING).first()
    if pending and _replayed(case, "suspend", client_id):
        return pending
    authority = machine.authorize(actor, case, "suspend")
    reason = _text(reason, "reason")
    if pending:
        raise DomainError(_("已有待审批的挂起申请"), field="reason", code="pending")
    suspension = Suspension.objects.create(
        case=case, reason=reason, requested_by=_user(actor), requested_at=_now()
    )
    _record(
        case,
        action="suspend",
        actor=actor,
        authority=authority,
        from_state=case.state,
        note=reason,
        data={"client_id": client_id, "suspension": suspension.pk},
    )
    return suspension


@transaction.atomic
def decide_suspension(
    actor: Any,
    case_id: Any,
    *,
    suspension: Any,
    approve: bool,
    note: str = "",
    client_id: str = "",
) -> Case:
    """Approve (the case is suspended and its clock stops) or refuse a suspension (R24.3)."""
    case = _lock(case_id)
    authority = machine.authorize(actor, case, "decide_suspension")
    request = (
        case.suspensions.select_for_update()
        .filter(pk=getattr(suspension, "pk", suspension))
        .first()
    )
    if request is None:
        raise DomainError(_("没有这个挂起申请"), field="suspension", code="not_found")
    if request.status != RequestStatus.PENDING:
        if _replayed(case, "decide_suspension", client_id):
            return case
        raise DomainError(_("该申请已审批"), field="suspension", code="decided")
    before = audit.snapshot(case, CASE_FIELDS)
    from_state = case.state
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    request.decided_by = _user(actor)
    request.decided_at = _now()
    request.decision_note = _text(note, "note", required=not approve)
    request.save()
    if approve:
        case.suspended_from = case.state
        case.state = State.SUSPENDED
        _save(case, "state", "suspended_from")
    _record(
        case,
        action="decide_suspension",
        actor=actor,
        authority=authority,
        from_state=from_state,
        note=request.decision_note,
        data={"client_id": client_id, "suspension": request.pk, "approved": bool(approve)},
        before=before,
    )
    return case


@transaction.atomic
def resume(actor: Any, case_id: Any, *, note: str = "", client_id: str = "") -> Case:
    """Back to work: every open deadline moves on by the working time the case was
    suspended, so the department loses nothing to the wait."""
    case = _lock(case_id)
    if _replayed(case, "resume", client_id):
        return case
    authority = machine.authorize(actor, case, "resume")
    suspension = (
        case.suspensions.filter(status=RequestStatus.APPROVED, resumed_at__isnull=True)
        .order_by("-decided_at")
        .first()
    )
    now = _now()
    started = suspension.decided_at if suspension else now
    try:
        paused_hours = calendar.working_seconds_between(started, now) / 3600
    except calendar.CalendarNotCovered:
        paused_hours = 0.0
    before = audit.snapshot(case, CASE_FIELDS)
    moved_deadlines = set()
    handling = _terms(case.entry)["handling"]
    for assignment in case.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES):
        if assignment.due_at and paused_hours:
            basis = deadline_basis.paused(deadline_basis.of(assignment, handling), started, now)
            moved, _why = _deadline(assignment.due_at, paused_hours, "workhours")
            assignment.due_at = moved or assignment.due_at
            # the clock's start moves on too, so the paused time does not count as used
            start, _why = _deadline(assignment.clock_start, paused_hours, "workhours")
            assignment.clock_started_at = start or assignment.clock_start
            assignment.deadline_basis = basis
            assignment.due_provisional = _provisional(
                deadline_basis.start_of(basis) or assignment.clock_started_at, assignment.due_at
            )
            assignment.save(
                update_fields=["due_at", "clock_started_at", "deadline_basis", "due_provisional"]
            )
            moved_deadlines.add((assignment.clock_started_at, assignment.due_at))
            if assignment.role == AssignmentRole.LEAD:
                case.due_at = assignment.due_at
                case.due_provisional = assignment.due_provisional
    if suspension:
        suspension.resumed_at = now
        suspension.save(update_fields=["resumed_at"])
    case.state = case.suspended_from or State.IN_PROGRESS
    case.suspended_from = ""
    _save(case, "state", "suspended_from", "due_at", "due_provisional")
    amber = _terms(case.entry)["amber"]
    for start, due in moved_deadlines:
        _schedule_checks(case, start, due, amber)
    refresh_deadline_status(case)
    _record(
        case,
        action="resume",
        actor=actor,
        authority=authority,
        from_state=State.SUSPENDED,
        note=_text(note, "note", required=False),
        data={"client_id": client_id, "paused_work_hours": round(paused_hours, 2)},
        before=before,
    )
    return case


# --- supervision and warnings (R27.1) ------------------------------------------------------


@transaction.atomic
def supervise(
    actor: Any, case_id: Any, *, note: str, department: Any = None, client_id: str = ""
) -> Supervision:
    """督办: a supervisor urges a department (the lead by default); it must answer."""
    case = _lock(case_id)
    if (
        client_id
        and (
            done := Supervision.objects.filter(
                case=case, by=_user(actor), note=note.strip()
            ).first()
        )
        and _replayed(case, "supervise", client_id)
    ):
        return done
    authority = machine.authorize(actor, case, "supervise")
    note = _text(note, "note")
    assignments = [
        a
        for a in case.assignments.all()
        if a.state
        not in (AssignmentState.WITHDRAWN, AssignmentState.RETURNED, AssignmentState.ENDED)
    ]
    if department is not None:
        department_id = int(getattr(department, "pk", department))
        assignments = [a for a in assignments if a.department_id == department_id]
    else:
        assignments.sort(key=lambda a: (a.role != AssignmentRole.LEAD, -a.pk))
    if not assignments:
        raise DomainError(_("该部门没有这个事件的派遣"), field="department")
    assignment = assignments[0]
    supervision = Supervision.objects.create(
        case=case, assignment=assignment, note=note, by=_user(actor), at=_now()
    )
    _record(
        case,
        action="supervise",
        actor=actor,
        authority=authority,
        from_state=case.state,
        note=note,
        data={
            "client_id": client_id,
            "supervision": supervision.pk,
            "department": assignment.department_id,
        },
    )
    notify(
        Notification.Kind.SUPERVISION,
        f"supervision:{supervision.pk}",
        _("督办事件 %(code)s:%(note)s") % {"code": case.tracking_code, "note": note[:80]},
        case=case,
        department=assignment.department,
    )
    return supervision


@transaction.atomic
def answer_supervision(
    actor: Any, case_id: Any, *, supervision: Any, answer: str, client_id: str = ""
) -> Supervision:
    """The urged department answers; both the urging and the answer stay on the record."""
    case = _lock(case_id)
    authority = machine.authorize(actor, case, "answer")
    item = (
        case.supervisions.select_for_update()
        .filter(pk=getattr(supervision, "pk", supervision))
        .select_related("assignment")
        .first()
    )
    if item is None:
        raise DomainError(_("没有这个督办"), field="supervision", code="not_found")
    if authority.department_id is not None and item.assignment.department_id != (
        authority.department_id
    ):
        raise Forbidden(_("这条督办不是针对本部门的"))
    if item.answered_at is not None:
        if _replayed(case, "answer", client_id):
            return item
        raise DomainError(_("该督办已答复"), field="supervision", code="answered")
    item.answer = _text(answer, "answer")
    item.answered_by = _user(actor)
    item.answered_at = _now()
    item.save(update_fields=["answer", "answered_by", "answered_at"])
    _record(
        case,
        action="answer",
        actor=actor,
        authority=authority,
        from_state=case.state,
        note=item.answer,
        data={"client_id": client_id, "supervision": item.pk},
    )
    return item


@transaction.atomic
def issue_warnings(
    actor: Any,
    *,
    region_code: str,
    period_start: dt.date,
    period_end: dt.date,
    threshold: int = 3,
) -> list[Warning]:
    """警示 to departments under ``region_code`` late on at least ``threshold`` assignments in
    the period (R27.1). Issuing twice for the same period warns nobody twice."""
    grant = scoping.require(
        actor, machine.SUPERVISING_ROLES, region_code=region_code, what=_("发出警示")
    )
    if period_end < period_start:
        raise DomainError(_("结束日期早于开始日期"), field="period_end")
    if threshold < 1:
        raise DomainError(_("阈值须为正整数"), field="threshold")
    start = timezone.make_aware(dt.datetime.combine(period_start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period_end, dt.time.max))
    late = (
        Assignment.objects.filter(
            department__region__code__startswith=region_code,
            due_at__gte=start,
            due_at__lte=end,
        )
        .filter(Q(was_late=True) | Q(state__in=ACTIVE_ASSIGNMENT_STATES, due_at__lt=_now()))
        # an assignment the agency ended is never late (R27.1)
        .exclude(state=AssignmentState.ENDED)
        .values("department")
        .annotate(n=Count("pk"))
        .filter(n__gte=threshold)
    )
    issued = []
    for row in late:
        warning, created = Warning.objects.get_or_create(
            department_id=row["department"],
            period_start=period_start,
            period_end=period_end,
            defaults={
                "region_code": region_code,
                "late_count": row["n"],
                "issued_by": _user(actor),
                "reason": _("%(start)s 至 %(end)s 超期办理 %(n)s 件")
                % {"start": period_start, "end": period_end, "n": row["n"]},
            },
        )
        if created:
            issued.append(warning)
            audit.record(
                actor,
                "cases.warning",
                warning,
                after={"late_count": row["n"]},
                region_code=region_code,
                role=scoping.acting_role(actor, grant),
            )
            notify(
                Notification.Kind.WARNING,
                f"warning:{warning.pk}",
                warning.reason,
                department=warning.department,
            )
    return issued


# --- deadlines (R24.2, R24.3, R27.1) -------------------------------------------------------


def _status(
    start: dt.datetime | None, due: dt.datetime | None, amber: float, now: dt.datetime
) -> str:
    if due is None or start is None:
        return DeadlineStatus.NONE
    if now >= due:
        return DeadlineStatus.RED
    try:
        share = calendar.elapsed_share(start, due, now)
    except calendar.CalendarNotCovered:
        return DeadlineStatus.NORMAL
    return DeadlineStatus.AMBER if share >= amber else DeadlineStatus.NORMAL


def refresh_deadline_status(case: Case, now: dt.datetime | None = None) -> list[str]:
    """Recompute amber/red for a case and its live assignments; notify on each new colour
    once (idempotent: notifications are keyed by case, assignment, colour and deadline)."""
    now = now or _now()
    changes: list[str] = []
    if case.state not in OPEN_STATES or case.state == State.SUSPENDED:
        # Nothing to check until the case is open and running again (resume plans anew).
        if case.next_check_at is not None:
            case.next_check_at = None
            _save_next_check(case)
        return changes
    terms = _terms(case.entry)
    moments: list[dt.datetime] = []
    _refresh_colours(case, now, terms, moments, changes)
    _plan_next_check(case, now, moments)
    return changes


def _plan_next_check(case: Case, now: dt.datetime, moments: list[dt.datetime]) -> None:
    """Record and plan the case's next moment to come (none when every deadline has passed:
    red stays red until the case moves on, and the move plans anew)."""
    upcoming = min((m for m in moments if m > now), default=None)
    if upcoming != case.next_check_at:
        case.next_check_at = upcoming
        _save_next_check(case)
    if upcoming is not None:
        from cases import tasks  # the tasks import the services

        tasks.plan_check(upcoming)


def _refresh_colours(
    case: Case,
    now: dt.datetime,
    terms: dict[str, Any],
    moments: list[dt.datetime],
    changes: list[str],
) -> None:
    """The body of :func:`refresh_deadline_status`; collects the moments still to come of
    every live deadline into ``moments``."""
    amber = terms["amber"]
    if case.state in (State.VERIFIED, State.ACCEPTED):
        if case.dispatch_due_at is None and case.verified_at:
            case.dispatch_due_at, _why = _deadline(case.verified_at, *terms["dispatch"])
            if case.dispatch_due_at:
                case.dispatch_due_provisional = _provisional(case.verified_at, case.dispatch_due_at)
                _save(case, "dispatch_due_at", "dispatch_due_provisional")
        moments += _check_moments(case.verified_at, case.dispatch_due_at, amber)
        status = _status(case.verified_at, case.dispatch_due_at, amber, now)
        if status != case.deadline_status:
            case.deadline_status = status
            _save(case, "deadline_status")
            changes.append(f"case:{status}")
        if status in (DeadlineStatus.AMBER, DeadlineStatus.RED):
            notify(
                status,
                f"{status}:dispatch:{case.pk}:{case.dispatch_due_at:%s}",
                _("事件 %(code)s 派遣%(what)s")
                % {
                    "code": case.tracking_code,
                    "what": _("临期") if status == DeadlineStatus.AMBER else _("超期"),
                },
                case=case,
                agency_code=case.agency_code,
            )
        return
    lead_status = None
    for assignment in case.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).select_related(
        "department"
    ):
        if assignment.due_at is None:
            due, _why = _deadline(assignment.clock_start, *terms["handling"])
            if due:
                assignment.due_at = assignment.original_due_at = due
                assignment.due_provisional = _provisional(assignment.clock_start, due)
                assignment.deadline_basis = deadline_basis.new(
                    assignment.clock_start, *terms["handling"]
                )
                assignment.save(
                    update_fields=["due_at", "original_due_at", "due_provisional", "deadline_basis"]
                )
        moments += _check_moments(assignment.clock_start, assignment.due_at, amber)
        status = _status(assignment.clock_start, assignment.due_at, amber, now)
        if status != assignment.deadline_status:
            assignment.deadline_status = status
            assignment.save(update_fields=["deadline_status"])
            changes.append(f"assignment:{assignment.pk}:{status}")
        if status in (DeadlineStatus.AMBER, DeadlineStatus.RED):
            what = _("临期") if status == DeadlineStatus.AMBER else _("超期")
            key = f"{status}:{assignment.pk}:{assignment.due_at:%s}"
            message = _("事件 %(code)s 办理%(what)s") % {"code": case.tracking_code, "what": what}
            notify(status, key + ":dept", message, case=case, department=assignment.department)
            notify(status, key + ":agency", message, case=case, agency_code=case.agency_code)
        if assignment.role == AssignmentRole.LEAD:
            lead_status = status
            if (case.due_at, case.due_provisional) != (
                assignment.due_at,
                assignment.due_provisional,
            ):
                case.due_at, case.due_provisional = assignment.due_at, assignment.due_provisional
                _save(case, "due_at", "due_provisional")
    if lead_status and lead_status != case.deadline_status:
        case.deadline_status = lead_status
        _save(case, "deadline_status")
        changes.append(f"case:{lead_status}")


def check_due_cases(now: dt.datetime | None = None) -> dict[str, int]:
    """Refresh every open case whose next check has come (R27.1; the minute's background
    job). Idempotent; each refreshed case records and plans its next moment."""
    now = now or _now()
    open_cases = Case.objects.filter(state__in=OPEN_STATES).exclude(state=State.SUSPENDED)
    ids = list(
        open_cases.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)
    )
    counts = _refresh_each(ids, now)
    # Whatever happened to other jobs, the earliest moment to come has one: the checks go on
    # as a chain as long as any open case has a deadline ahead.
    upcoming = open_cases.filter(next_check_at__gt=now).aggregate(at=Min("next_check_at"))["at"]
    if upcoming is not None:
        from cases import tasks  # the tasks import the services

        tasks.plan_check(upcoming)
    return counts


def _refresh_each(ids: list[int], now: dt.datetime) -> dict[str, int]:
    counts = {"cases": 0, "changes": 0}
    for pk in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",)).select_related("entry").get(pk=pk)
            counts["changes"] += len(refresh_deadline_status(case, now))
            counts["cases"] += 1
    return counts


def sweep_deadlines(now: dt.datetime | None = None) -> dict[str, int]:
    """Re-check every open case and plan its next check anew (idempotent: a second run
    changes and notifies nothing). Makes up for lost jobs, e.g. a Redis that was emptied."""
    now = now or _now()
    ids = list(
        Case.objects.filter(state__in=OPEN_STATES)
        .exclude(state=State.SUSPENDED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _refresh_each(ids, now)


# --- reading helpers used by the API and the web UI ----------------------------------------


def visible_cases(user: Any) -> Any:
    """Cases the user may see, through the one scoping mechanism (R22.1)."""
    return scoping.scope_queryset(user, Case.objects.all())


def get_visible(user: Any, case_id: Any) -> Case:
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise NotFound(_("没有这个事件")) from None
    case = visible_cases(user).filter(pk=pk).first()
    if case is None:
        raise NotFound(_("没有这个事件"))
    return case


def grid_of(case: Case) -> Grid:
    return case.grid
