"""An administrator's corrections of single days of the calendar (R24.2, R24.3), audited (R28.1)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from audit.services import record, snapshot
from gridgov.actors import Actor
from gridgov.errors import DomainError
from workdays import sources
from workdays.actions import WorkdayAction
from workdays.models import RESTING_KINDS, WORKING_KINDS, CalendarDay, CalendarYear, DayKind, Source
from workdays.services.common import CalendarNotCovered, check_date, days_changed

DAY_FIELDS = (
    "date",
    "is_workday",
    "kind",
    "name",
    "source",
    "provisional",
    "edited_by",
    "edited_at",
)


def _default_kind(day: dt.date, is_workday: bool, name: str) -> str:
    weekend = sources.is_weekend(day)
    if is_workday:
        return DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY
    return DayKind.WEEKEND if weekend and not name else DayKind.HOLIDAY


def _check_kind(day: dt.date, is_workday: bool, kind: str) -> None:
    if kind not in DayKind.values:
        raise DomainError(
            gettext("kind must be one of %(kinds)s") % {"kinds": ", ".join(DayKind.values)},
            field="kind",
        )
    if is_workday and kind not in WORKING_KINDS:
        raise DomainError(
            gettext("a working day cannot be of kind %(kind)s") % {"kind": DayKind(kind).label},
            field="kind",
        )
    if not is_workday and kind not in RESTING_KINDS:
        raise DomainError(
            gettext("a day off cannot be of kind %(kind)s") % {"kind": DayKind(kind).label},
            field="kind",
        )
    weekend = sources.is_weekend(day)
    if kind in (DayKind.MAKEUP_WORKDAY, DayKind.WEEKEND) and not weekend:
        raise DomainError(
            gettext("%(day)s is not a Saturday or Sunday") % {"day": day.isoformat()},
            field="kind",
        )
    if kind == DayKind.WORKDAY and weekend:
        raise DomainError(
            gettext("%(day)s is a weekend day: a working weekend day is a make-up workday")
            % {"day": day.isoformat()},
            field="kind",
        )


def check_day_edit(
    day: dt.date, is_workday: bool, name: str = "", kind: str | None = None
) -> tuple[str, str]:
    """Refuse an inconsistent edit (DomainError naming the field); the cleaned (name, kind)."""
    if not isinstance(is_workday, bool):
        raise DomainError(gettext("is_workday must be true or false"), field="is_workday")
    name = (name or "").strip()
    if len(name) > CalendarDay._meta.get_field("name").max_length:
        raise DomainError(gettext("name is too long (at most 100 characters)"), field="name")
    kind = str(kind) if kind else _default_kind(day, is_workday, name)
    _check_kind(day, is_workday, kind)
    if not CalendarYear.objects.filter(year=day.year).exists():
        raise CalendarNotCovered(day.year, field="date")
    return name, kind


@transaction.atomic
def set_day(
    actor: Actor, date: dt.date, is_workday: bool, name: str = "", kind: str | None = None
) -> CalendarDay:
    """An administrator's correction of one day (R24.2, R24.3), audited (R28.1).

    ``kind`` defaults from the flag and the weekday (a working Saturday is a make-up workday).
    The day becomes ``manual`` and re-seeding never overwrites it. Only days of covered years
    can be edited (open a year first). Repeating the same edit changes nothing.
    """
    day = check_date(date, "date")
    name, kind = check_day_edit(day, is_workday, name, kind)
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    if row is None:  # cannot happen for a seeded year; keep the year complete anyway
        row = CalendarDay(date=day, is_workday=is_workday, kind=kind, name=name)
    elif row.source == Source.MANUAL and (row.is_workday, row.kind, row.name) == (
        is_workday,
        kind,
        name,
    ):
        return row
    before = snapshot(row, DAY_FIELDS) if row.pk else None
    row.is_workday, row.kind, row.name = is_workday, kind, name
    row.source = Source.MANUAL
    row.provisional = False  # an administrator's decision on that day
    row.edited_by = actor if getattr(actor, "is_authenticated", False) else None
    row.edited_at = timezone.now()
    row.save()
    record(actor, WorkdayAction.SET_DAY, row, before=before, after=snapshot(row, DAY_FIELDS))
    days_changed(day, day, actor, "set_day")
    return row
