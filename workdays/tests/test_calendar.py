"""The seeded calendar: statutory holidays and make-up workdays (调休) as the State Council's
notices set them, so that R24.2 dispatch limits and R24.3 handling limits count the right
days."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import AuditRecord
from workdays import services, sources
from workdays.models import CalendarDay, CalendarYear, DayKind, Source

D = dt.date


def day(value: dt.date) -> CalendarDay:
    return CalendarDay.objects.get(date=value)


def test_r24_2025_makeup_workdays_and_spring_festival(calendar):
    """R24.2/R24.3: Sunday 2025-01-26 and Saturday 2025-02-08 are worked; 01-28..02-04 are off."""
    for makeup in (D(2025, 1, 26), D(2025, 2, 8)):
        assert services.is_workday(makeup)
        row = day(makeup)
        assert row.kind == DayKind.MAKEUP_WORKDAY
        assert row.name == "春节调休上班"
    for off in (D(2025, 1, 28) + dt.timedelta(days=i) for i in range(8)):
        assert not services.is_workday(off)
        assert day(off).kind == DayKind.HOLIDAY
    assert day(D(2025, 1, 29)).name == "春节"
    assert services.is_workday(D(2025, 1, 27))


def test_r24_2025_national_day_week(calendar):
    """R24.3: 2025-10-01..08 (国庆节 with 中秋节 on 10-06) are all off, weekend days included."""
    for i in range(8):
        row = day(D(2025, 10, 1) + dt.timedelta(days=i))
        assert not row.is_workday
        assert row.kind == DayKind.HOLIDAY
        assert row.name == ("中秋节" if i == 5 else "国庆节")
    assert day(D(2025, 9, 28)).kind == DayKind.MAKEUP_WORKDAY
    assert day(D(2025, 10, 11)).name == "国庆节调休上班"
    assert services.is_workday(D(2025, 10, 9))


def test_r24_2024_makeup_workday_and_plain_weekend(calendar):
    """R24.2: Sunday 2024-02-04 is a make-up workday; an ordinary weekend is a weekend."""
    assert services.is_workday(D(2024, 2, 4))
    assert day(D(2024, 2, 4)).kind == DayKind.MAKEUP_WORKDAY
    plain = day(D(2024, 3, 9))
    assert (plain.is_workday, plain.kind, plain.name) == (False, DayKind.WEEKEND, "")
    assert day(D(2024, 3, 11)).kind == DayKind.WORKDAY


def test_r24_year_is_complete_and_recorded(calendar):
    assert CalendarDay.objects.filter(date__year=2024).count() == 366
    assert CalendarDay.objects.filter(date__year=2025).count() == 365
    year = CalendarYear.objects.get(year=2025)
    assert year.sources == [Source.HOLIDAYS, Source.CHINESECALENDAR]
    assert year.discrepancies == []
    assert services.covered_years() == [2024, 2025]


def test_r24_discrepancy_is_recorded_and_holidays_wins(db):
    """R24.2: where the packages disagree, holidays wins and the day is listed for review.

    The 2006 notice (国办发明电〔2005〕35号) made Saturday 2005-12-31 a working day; holidays has
    it, chinesecalendar does not.
    """
    (report,) = services.seed_years([2005], "test")
    assert report.discrepancies == [
        {"date": "2005-12-31", "holidays": True, "chinesecalendar": False, "kept": "holidays"}
    ]
    assert CalendarYear.objects.get(year=2005).discrepancies == report.discrepancies
    row = day(D(2005, 12, 31))
    assert (row.is_workday, row.kind, row.source) == (True, DayKind.MAKEUP_WORKDAY, "holidays")
    assert row.name == "元旦调休上班"


def test_r24_merge_rule_on_synthetic_disagreement():
    primary = {D(2030, 1, 5): sources.DayInfo(False, DayKind.WEEKEND)}
    check = {D(2030, 1, 5): sources.DayInfo(True, DayKind.MAKEUP_WORKDAY, "元旦调休上班")}
    days, used, found = services.merge_sources(primary, check)
    assert days is primary and used == ["holidays", "chinesecalendar"]
    assert found == [
        {"date": "2030-01-05", "holidays": False, "chinesecalendar": True, "kept": "holidays"}
    ]
    days, used, found = services.merge_sources(None, check)
    assert days is check and used == ["chinesecalendar"] and found == []


def test_r24_year_only_chinesecalendar_covers_is_seeded_from_it(db, monkeypatch):
    monkeypatch.setattr(sources, "from_holidays", lambda year: None)
    (report,) = services.seed_years([2025], "test")
    assert report.sources == ["chinesecalendar"]
    row = day(D(2025, 2, 8))
    assert (row.is_workday, row.kind, row.source) == (True, "makeup_workday", "chinesecalendar")
    assert row.name == "春节调休上班"
    assert day(D(2025, 10, 1)).name == "国庆节"


def test_r24_year_no_package_covers_is_not_seeded(db):
    (report,) = services.seed_years([1990], "test")
    assert not report.seeded
    assert not CalendarYear.objects.filter(year=1990).exists()
    assert not CalendarDay.objects.filter(date__year=1990).exists()
    assert not AuditRecord.objects.filter(action="workdays.seed_year").exists()


def test_r24_reseed_is_idempotent_and_keeps_manual_edit(calendar, admin_user):
    """R24.3: re-seeding changes nothing twice and never undoes an administrator's edit."""
    services.set_day(admin_user, D(2025, 10, 9), False, "台风停工")
    audits = AuditRecord.objects.filter(action="workdays.seed_year").count()
    reports = services.seed_years([2024, 2025], "test")
    assert [(r.created, r.updated) for r in reports] == [(0, 0), (0, 0)]
    assert reports[1].kept_manual == 1
    assert AuditRecord.objects.filter(action="workdays.seed_year").count() == audits
    row = day(D(2025, 10, 9))
    assert (row.is_workday, row.kind, row.source) == (False, "holiday", "manual")
    assert row.name == "台风停工"
    assert not services.is_workday(D(2025, 10, 9))


def test_r24_reseed_repairs_changed_package_rows_but_not_manual(calendar, admin_user):
    CalendarDay.objects.filter(date=D(2025, 3, 3)).update(is_workday=False, kind="holiday")
    services.set_day(admin_user, D(2025, 3, 4), False, "停电")
    (report,) = services.seed_years([2025], "test")
    assert (report.updated, report.kept_manual) == (1, 1)
    assert day(D(2025, 3, 3)).is_workday
    assert not day(D(2025, 3, 4)).is_workday


def test_r28_set_day_is_audited_and_refreshes_the_calendar(calendar, admin_user):
    """R28.1: an administrator's edit names who changed what; deadlines see it at once."""
    assert services.add_workdays(D(2025, 3, 7), 1) == D(2025, 3, 10)
    row = services.set_day(admin_user, D(2025, 3, 10), False, "台风停工")
    assert (row.edited_by, row.source, row.kind) == (admin_user, "manual", "holiday")
    assert row.edited_at is not None
    audit = AuditRecord.objects.get(action="workdays.set_day")
    assert audit.actor == admin_user
    assert audit.object_id == str(row.pk)
    assert audit.before["is_workday"] is True and audit.before["source"] == "holidays"
    assert audit.after["is_workday"] is False and audit.after["name"] == "台风停工"
    assert services.add_workdays(D(2025, 3, 7), 1) == D(2025, 3, 11)
    # The same edit again changes and records nothing.
    services.set_day(admin_user, D(2025, 3, 10), False, "台风停工")
    assert AuditRecord.objects.filter(action="workdays.set_day").count() == 1


def test_r24_set_day_makes_a_saturday_a_makeup_workday(calendar, admin_user):
    row = services.set_day(admin_user, D(2025, 3, 8), True, "防汛值守上班")
    assert row.kind == DayKind.MAKEUP_WORKDAY
    assert services.add_workdays(D(2025, 3, 7), 1) == D(2025, 3, 8)


@pytest.mark.parametrize(
    ("date", "is_workday", "kind", "field"),
    [
        (D(2025, 3, 8), True, "workday", "kind"),  # a working Saturday is a make-up workday
        (D(2025, 3, 10), True, "makeup_workday", "kind"),  # Monday is no make-up day
        (D(2025, 3, 10), False, "weekend", "kind"),
        (D(2025, 3, 10), True, "holiday", "kind"),
        (D(2025, 3, 10), True, "bogus", "kind"),
        (D(2026, 3, 10), False, None, "date"),  # uncovered year
    ],
)
def test_r24_set_day_refuses_inconsistent_edits(
    calendar, admin_user, date, is_workday, kind, field
):
    before = day(D(2025, 3, 10))
    with pytest.raises(services.DomainError) as info:
        services.set_day(admin_user, date, is_workday, "x", kind)
    assert info.value.field == field
    assert day(D(2025, 3, 10)).source == before.source
    assert not AuditRecord.objects.filter(action="workdays.set_day").exists()


def test_r24_open_year_then_seed_keeps_hand_entered_days(db, admin_user):
    """A year no package has yet can be opened (provisionally, from the statutory holidays,
    R24.2) and corrected by hand; a later seed replaces the statutory rows, confirms the year
    and keeps the hand-entered days."""
    services.open_year(admin_user, 2025)
    assert services.covered_years() == [2025]
    assert services.provisional_years() == [2025]
    assert not services.is_workday(D(2025, 10, 1))  # 国庆节, from the law
    assert not services.is_workday(D(2025, 10, 6))  # 中秋节 (a Monday)
    assert services.is_workday(D(2025, 10, 7))  # the notice's bridge day is not known yet
    assert not services.is_workday(D(2025, 9, 28))  # a Sunday: no make-up day yet
    services.set_day(admin_user, D(2025, 10, 9), False, "台风停工")
    assert services.open_year(admin_user, 2025).sources == ["statutory"]  # no-op
    (report,) = services.seed_years([2025], "test")
    assert report.kept_manual == 1
    assert CalendarYear.objects.get(year=2025).sources == ["holidays", "chinesecalendar"]
    assert services.provisional_years() == []
    assert not CalendarDay.objects.filter(provisional=True).exists()
    assert not services.is_workday(D(2025, 10, 8))  # now from the package's notice
    assert services.is_workday(D(2025, 9, 28))  # the notice's make-up Sunday
    assert not services.is_workday(D(2025, 10, 9))  # still the manual edit
    assert day(D(2025, 10, 9)).source == "manual"
    assert not CalendarDay.objects.filter(source="statutory").exists()
    assert AuditRecord.objects.filter(action="workdays.open_year").count() == 1


def test_bad_years_are_refused(db):
    with pytest.raises(services.DomainError):
        services.seed_years([3000], "test")
    with pytest.raises(services.DomainError):
        services.seed_years(["2025"], "test")
