"""Demo step: the working-day calendar for every year the installed packages cover (R24.2,
R24.3), so that demo cases get real deadlines."""

from __future__ import annotations

from django.utils import timezone

from workdays import services
from workdays.models import CalendarYear, Source

ACTOR = "demo"


def load() -> str:
    reports = services.seed_years(services.default_years(), ACTOR)
    seeded = [r for r in reports if r.seeded]
    if not seeded:
        return "working-day calendar: no year available"
    found = sum(len(r.discrepancies) for r in seeded)
    # Deadlines of demo cases reach into next year from December on. Where no package knows
    # next year's notice yet, the demo opens it provisionally from the statutory holidays
    # (what an administrator does until the State Council's notice is out, R24.2: 元旦 and
    # 春节 are days off, make-up working days unknown) and says so.
    opened = []
    for year in (timezone.localdate().year, timezone.localdate().year + 1):
        record = CalendarYear.objects.filter(year=year).first()
        if record is None or record.sources == [Source.WEEKDAY_RULE.value]:
            services.open_year(ACTOR, year)
            opened.append(str(year))
    note = (
        f"; opened {', '.join(opened)} provisionally (statutory holidays, no notice yet)"
        if opened
        else ""
    )
    return (
        f"working-day calendar {seeded[0].year}–{seeded[-1].year}: "
        f"{sum(r.created for r in seeded)} days added, {sum(r.updated for r in seeded)} updated, "
        f"{found} source discrepancies{note}"
    )
