"""Receiving a report (R24.1, R18.1): intake, verification on site by a grid worker, and
settlement on the spot.

:func:`intake` is the one entry of a new report; the fast path for a plain report (its rows in
one statement, see :mod:`gridgov.rows`) is :func:`_store_plain`, behind it.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit import personal_data
from audit import services as audit
from audit.models import AuditRecord
from cases import clock, idempotency, machine, primitives, steps
from cases import involved as involved_persons
from cases import links as case_links
from cases.inputs import Photos, ReportInput
from cases.models import (
    Case,
    CaseEvent,
    CaseLink,
    Channel,
    DeadlineStatus,
    InvolvedPerson,
    Level,
    Notification,
    State,
    Urgency,
)
from cases.primitives import Actor
from cases.uploads import CheckedPhoto, check_photos
from gridgov import rows
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.errors import DomainError, Forbidden
from matters import gate
from people.models import User
from regions import geometry as geo
from regions import index as grid_index

_REPORT_ROWS = (Case, InvolvedPerson, CaseLink, CaseEvent, AuditRecord)  # a plain report's rows
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone
assert len(TRACKING_ALPHABET) == 32


def _tracking_code() -> str:
    # 32 letters: each random byte's low five bits pick one, all equally likely.
    return "".join(TRACKING_ALPHABET[b & 31] for b in secrets.token_bytes(10))


# The case's relations that can hold rows when it is answered (cases.api: the detail answer).
CASE_RELATIONS = (
    "assignments",
    "attachments",
    "suspensions",
    "supervisions",
    "involved_persons",
    "links",
)


@dataclass(frozen=True)
class IntakeResult:
    case: Case
    created: bool
    # Relations of ``case`` known to hold no rows, so an answer need not read them: for a new
    # report all but the photos and involved persons it was given (nothing is assigned,
    # suspended or supervised at intake); for a resend none is known.
    empty: frozenset[str] = frozenset()


def _channel_for(actor: Actor, requested: str | None) -> str:
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


def _within_reach(actor: Actor, channel: str, grid_code: str) -> None:
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


def intake(actor: Actor, report: ReportInput, *, reporter_key: str = "") -> IntakeResult:
    """Receive a report (R24.1, R18.1): locate it in its grid, pass the county's admission
    gate, store it once per ``client_id`` whatever the number of resends.

    A grid worker's report starts ``verified`` (the worker collected and verified it on site);
    a resident's or a hotline report starts ``reported`` and goes to the grid's workers to
    verify. With ``settle_note`` (and an entry that allows it) the worker settles the matter on
    the spot and the case closes with that record. ``progress_sms``: the reporter agreed to
    SMS progress messages on the phone they gave (R18.1; :mod:`cases.notify.progress`).

    ``report`` is parsed by :class:`cases.api.serializers.IntakeSerializer` (the API, the
    public report page, the phone: :func:`cases.actions_io.report_from_form`).
    ``reporter_key`` scopes a visitor's ``client_id`` without an account (the portal passes
    the hash of its browser's secret): see :func:`cases.idempotency.key_for`.
    """
    user = steps.user(actor)
    key = idempotency.key_for(actor, user, report.client_id, reporter_key)
    # Nearly every report is new, so none is looked up first: a resend fails on the unique
    # idempotency key when the case is inserted (before anything else is written) and is
    # answered with the stored case; one that no longer passes validation (the list changed
    # since, say) is too, so a resend always gets the first answer. A different report under
    # the same key is a conflict (409), not the old answer (cases.idempotency).
    received = idempotency.Received()
    try:
        return _intake_new(actor, user, key, received, report)
    except (DomainError, IntegrityError):
        # Input that does not parse is refused as such (400), stored key or not.
        if key and received.digest and (existing := _stored(key)):
            return IntakeResult(idempotency.answer_resend(existing, received), False)
        raise


def _intake_new(
    actor: Actor,
    user: User | None,
    key: str | None,
    received: idempotency.Received,
    report: ReportInput,
) -> IntakeResult:
    # the point on Earth, in WGS-84 (the serializer parsed the numbers, not their range)
    lng, lat = geo.parse_lng_lat(report.lng, report.lat)
    wgs_lng, wgs_lat = geo.to_wgs84(lng, lat, report.coord)
    description = steps.required(report.description, "description")
    address, reporter_name = report.address, report.reporter_name
    urgent, settle_note, client_id = report.urgent, report.settle_note, report.client_id
    persons = involved_persons.parse(report.involved)
    links = case_links.parse(report.links)
    phone_clean = ""
    if report.reporter_phone:
        phone_clean = personal_data.normalize_mobile(report.reporter_phone, field="reporter_phone")
    checked = check_photos(report.photos)
    # The report as parsed, before the server's state (roles, grids, lists) is consulted.
    received.digest = idempotency.content_digest(
        matter=report.matter,
        description=description,
        point=(wgs_lng, wgs_lat),
        address=address,
        urgent=urgent,
        channel=report.channel or "",
        reporter_name=reporter_name,
        reporter_phone=phone_clean,
        involved=persons,
        photos=[p.sha256 for p in checked],
        settle_note=settle_note,
        links=links,
    )
    channel = _channel_for(actor, report.channel)
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
    # The registry records named must be ones the reporter sees (R22.1, ADR 0010).
    residents = involved_persons.check_residents(actor, persons)
    records = case_links.check(actor, links)
    # The index only holds current grids, and lists are per county: admit in the grid's county
    # (asking with the grid code would query the grid again).
    admission = gate.admit(report.matter, county_code=found.code[:6])
    terms = primitives.terms(admission.entry)
    if settle_note and not terms["settle_on_spot"]:
        raise DomainError(_("该事项不允许现场处置"), field="settle_note", code="not_settleable")
    if settle_note and channel != Channel.WORKER and not scoping.is_system(actor):
        raise Forbidden(_("只有网格员可以现场处置"))

    now = primitives.now()
    start_state = State.VERIFIED if channel in (Channel.WORKER, Channel.AGENCY) else State.REPORTED
    # A plain report (no photos, not settled on the spot, not urgent, not waiting for the
    # grid's workers to verify it) is a few new rows: the case, its involved persons, its
    # first archive event and its audit record. Where the database allows (see gridgov.rows)
    # they are one statement (_store_plain), which is a transaction of its own; otherwise, or
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
            coord_given=report.coord.lower(),
            grid_id=found.grid_id,
            grid_code=found.code,
            level=Level.TOWNSHIP,
            agency_code=found.code[:9],
            entry=admission.entry,
            matter_code=admission.entry.item.code,
            reporter=user,
            # the account's name, never its user name (R26.2: the record shows names)
            reporter_name=reporter_name or (getattr(user, "full_name", "") if user else ""),
            progress_sms=report.progress_sms and phone is not None,
            idempotency_key=key,
            content_digest=received.digest,
            created_at=now,
            verified_at=now if start_state == State.VERIFIED else None,
        )
        involved_rows = involved_persons.rows(case, persons, residents)
        link_rows = case_links.rows(case, links, records)
        if phone is not None:
            case.reporter_phone_encrypted = phone.encrypted
            case.reporter_phone_digest = phone.digest
            case.reporter_phone_masked = phone.masked
        if start_state == State.VERIFIED:
            case.dispatch_due_at, _why = clock.deadline(now, *terms["dispatch"])
            case.dispatch_due_provisional = clock.provisional(now, case.dispatch_due_at)
            case.deadline_status = (
                DeadlineStatus.NORMAL if case.dispatch_due_at else (DeadlineStatus.NONE)
            )
            if not settle_note:  # a case settled on the spot closes at once
                clock.schedule_checks(
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
                "urgent": urgent,
            },
        )
        if involved_rows:
            step["data"]["involved"] = involved_persons.masked(involved_rows)
        if link_rows:
            step["data"]["links"] = case_links.masked(link_rows)
        written = {"attachments"} if checked else set()
        if involved_rows:
            written.add("involved_persons")
        if link_rows:
            written.add("links")
        empty = frozenset(CASE_RELATIONS) - written
        if plain:
            stored = _store_plain(case, [*involved_rows, *link_rows], step)
            return IntakeResult(stored, True, empty)
        case.save(force_insert=True)
        if involved_rows:
            InvolvedPerson.objects.bulk_create(involved_rows)
        if link_rows:
            CaseLink.objects.bulk_create(link_rows)
        steps.record(case, photos=checked, **step)
        if settle_note:
            # settled on the spot by the reporting worker: a step of the report itself
            before = audit.snapshot(case, steps.CASE_FIELDS)
            settled = steps.Step(case, "settle", actor, None, client_id, case.state, before)
            _settle(settled, settle_note, [])
        if urgent:
            _notify_urgent(case, terms)
    return IntakeResult(case, True, empty)


def _store_plain(
    case: Case, related: Sequence[InvolvedPerson | CaseLink], step: dict[str, Any]
) -> Case:
    """The fast path of intake (ADR 0006): a plain report's rows in one SQL statement through
    Django's cursor, after reserving the case's id (its first event's hash covers it). The
    answer is the case as stored (``Model.from_db``), with the relations the answer shows
    that the report already holds in memory."""
    case.pk = rows.reserve_id(Case)
    stored, *_others = rows.insert_together(case, *related, *steps.step_rows(case, **step))
    # The list entry (with its catalogue item) is the one the gate admitted: no query more.
    stored.entry = case.entry
    return stored


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
    primitives.notify(
        Notification.Kind.URGENT,
        f"urgent:{case.pk}:agency",
        message,
        case=case,
        agency_code=case.agency_code,
    )
    for department in [terms["lead"], *terms["co"]]:
        if department is not None:
            primitives.notify(
                Notification.Kind.URGENT,
                f"urgent:{case.pk}:dept:{department.pk}",
                message,
                case=case,
                department=department,
            )


@transaction.atomic
def verify(
    actor: Actor,
    case_id: int,
    *,
    valid: bool = True,
    note: str = "",
    photos: Photos = (),
    client_id: str = "",
) -> Case:
    """A grid worker checks a resident's or hotline report on site (R24.1 收集核实). A report
    that proves false is declined with the worker's note."""
    case = steps.lock(case_id)
    if steps.replayed(case, "verify", client_id):
        return case
    step = steps.begin(actor, case, "verify", client_id)
    checked = check_photos(photos)
    now = primitives.now()
    why = ""
    if not valid:
        note = steps.required(note, "note")  # a false report is declined with the reason
        case.state = State.DECLINED
        case.decline_reason = note
        case.closed_at = now
        primitives.save(case, "state", "decline_reason", "closed_at")
    else:
        terms = primitives.terms(case.entry)
        case.state = State.VERIFIED
        case.verified_at = now
        case.dispatch_due_at, why = clock.deadline(now, *terms["dispatch"])
        case.dispatch_due_provisional = clock.provisional(now, case.dispatch_due_at)
        case.deadline_status = (
            DeadlineStatus.NORMAL if case.dispatch_due_at else DeadlineStatus.NONE
        )
        primitives.save(
            case,
            "state",
            "verified_at",
            "dispatch_due_at",
            "dispatch_due_provisional",
            "deadline_status",
        )
        clock.schedule_checks(case, now, case.dispatch_due_at, terms["amber"])
    step.record(note=note, data={"valid": valid, "calendar": why or None}, photos=checked)
    return case


def _settle(step: steps.Step, note: str, photos: Sequence[CheckedPhoto]) -> None:
    case = step.case
    now = primitives.now()
    case.state = State.CLOSED
    case.settled_on_spot = True
    case.closed_at = now
    case.handled_at = now
    case.verified_at = case.verified_at or now
    case.deadline_status = DeadlineStatus.NONE
    primitives.save(
        case,
        "state",
        "settled_on_spot",
        "closed_at",
        "handled_at",
        "verified_at",
        "deadline_status",
    )
    step.record(note=note, photos=photos)


@transaction.atomic
def settle(
    actor: Actor, case_id: int, *, note: str, photos: Photos = (), client_id: str = ""
) -> Case:
    """Settled on the spot (R24.1): the worker records what was done; the case closes."""
    case = steps.lock(case_id)
    if steps.replayed(case, "settle", client_id):
        return case
    step = steps.begin(actor, case, "settle", client_id)
    if not primitives.terms(case.entry)["settle_on_spot"]:
        raise DomainError(_("该事项不允许现场处置"), field="note", code="not_settleable")
    _settle(step, steps.required(note, "note"), check_photos(photos))
    return case
