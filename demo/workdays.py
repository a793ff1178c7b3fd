"""Demo step: the working-day calendar for every year the installed packages cover (R24.2,
R24.3), so that demo cases get real deadlines."""

from __future__ import annotations

from workdays import services

ACTOR = "demo"


def load() -> str:
    reports = services.seed_years(services.default_years(), ACTOR)
    seeded = [r for r in reports if r.seeded]
    if not seeded:
        return "working-day calendar: no year available"
    found = sum(len(r.discrepancies) for r in seeded)
    return (
        f"working-day calendar {seeded[0].year}–{seeded[-1].year}: "
        f"{sum(r.created for r in seeded)} days added, {sum(r.updated for r in seeded)} updated, "
        f"{found} source discrepancies"
    )
