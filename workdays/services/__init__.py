"""Working-day arithmetic and calendar maintenance for time limits (R24.2, R24.3, R27.1).

One module per concern; the package exports every service, so callers write
``services.deadline(...)``:

- :mod:`~workdays.services.arithmetic`: reading the calendar and counting working days and
  hours (deadlines, elapsed shares); its docstring gives the counting rules;
- :mod:`~workdays.services.hours`: the working periods of a day (``GRIDGOV["WORKDAY_HOURS"]``);
- :mod:`~workdays.services.seeding`: covering years from the installed packages, and opening a
  year provisionally from the statutory holidays;
- :mod:`~workdays.services.edits`: an administrator's corrections of single days.

What they share (the limits of the calendar, :class:`CalendarNotCovered`, checking a date,
telling the apps above that days changed) is :mod:`workdays.services.common`.
"""

from gridgov.errors import DomainError  # callers catch it as services.DomainError
from workdays.services.arithmetic import (
    add_workdays,
    add_working_fraction,
    add_working_hours,
    covered_years,
    deadline,
    elapsed_share,
    is_provisional_between,
    is_workday,
    provisional_years,
    working_seconds_between,
)
from workdays.services.common import (
    FIRST_DEFAULT_YEAR,
    MAX_ADD_WORKDAYS,
    YEAR_RANGE,
    CalendarNotCovered,
    Unit,
    calendar_changed,
    check_date,
    days_changed,
)
from workdays.services.edits import DAY_FIELDS, check_day_edit, set_day
from workdays.services.hours import WorkingHours, working_hours
from workdays.services.seeding import (
    YearReport,
    available_years,
    check_year,
    default_years,
    merge_sources,
    open_year,
    seed_years,
    seeded,
    upsert_days,
    year_span,
)

__all__ = [
    "DAY_FIELDS",
    "FIRST_DEFAULT_YEAR",
    "MAX_ADD_WORKDAYS",
    "YEAR_RANGE",
    "CalendarNotCovered",
    "DomainError",
    "Unit",
    "WorkingHours",
    "YearReport",
    "add_workdays",
    "add_working_fraction",
    "add_working_hours",
    "available_years",
    "calendar_changed",
    "check_date",
    "check_day_edit",
    "check_year",
    "covered_years",
    "days_changed",
    "deadline",
    "default_years",
    "elapsed_share",
    "is_provisional_between",
    "is_workday",
    "merge_sources",
    "open_year",
    "provisional_years",
    "seed_years",
    "seeded",
    "set_day",
    "upsert_days",
    "working_hours",
    "working_seconds_between",
    "year_span",
]
