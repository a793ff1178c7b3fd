"""A year without the State Council's notice (R24.2): covered provisionally from the statutory
holidays the law fixes (全国年节及纪念日放假办法, revised 2024), never Monday–Friday, and marked
provisional in the calendar rows and the calendar API."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from audit.models import AuditRecord
from workdays import services, sources
from workdays.models import CalendarDay, CalendarYear, DayKind, Source

D = dt.date
DAYS = "/api/v1/calendar/days/"
WORKDAYS = "/api/v1/calendar/workdays/"
YEARS = "/api/v1/calendar/years/"

# 2027 under the 2024 revision: 元旦 1, 春节 4 (除夕 and the first three days), 清明节 1,
# 劳动节 2, 端午节 1, 中秋节 1, 国庆节 3 — 13 days.
LAW_2027 = {
    D(2027, 1, 1): "元旦",
    D(2027, 2, 5): "春节",  # 农历除夕
    D(2027, 2, 6): "春节",
    D(2027, 2, 7): "春节",
    D(2027, 2, 8): "春节",
    D(2027, 4, 5): "清明节",
    D(2027, 5, 1): "劳动节",
    D(2027, 5, 2): "劳动节",
    D(2027, 6, 9): "端午节",
    D(2027, 9, 15): "中秋节",
    D(2027, 10, 1): "国庆节",
    D(2027, 10, 2): "国庆节",
    D(2027, 10, 3): "国庆节",
}
# Article 6: a holiday on a Saturday or Sunday gives a day off on the next working day (补假).
IN_LIEU_2027 = [D(2027, 2, 9), D(2027, 2, 10), D(2027, 5, 3), D(2027, 5, 4), D(2027, 10, 4),
                D(2027, 10, 5)]  # fmt: skip


@pytest.fixture
def provisional_2027(db):
    services.seed_years([2026], "test")
    return services.open_year("test", 2027)


def test_r24_2_the_laws_days_of_2027():
    """The holidays package computes the 2024 revision's 13 days for a year without notice
    (chinesecalendar does not know 2027 at all)."""
    assert sources.statutory_days(2027) == LAW_2027
    assert 2027 not in sources.holidays_years()
    assert 2027 not in sources.chinesecalendar_years()
    assert sources.from_holidays(2027) is None and sources.from_chinesecalendar(2027) is None


@pytest.mark.parametrize("year", [2025, 2026])
def test_r24_2_every_statutory_day_is_off_in_the_real_notices(year):
    """The rule a notice entered by hand is held to (a statutory day cannot become a working
    day) holds for the notices the packages carry."""
    notice = sources.from_holidays(year)
    law = sources.statutory_days(year)
    assert len(law) == 13
    assert all(not notice[day].is_workday for day in law)


def test_r24_2_provisional_year_counts_the_statutory_holidays(provisional_2027):
    """From 2027-01-01 元旦 and the Spring Festival are days off, never Monday–Friday."""
    assert provisional_2027.provisional
    assert provisional_2027.sources == [Source.STATUTORY]
    for day, festival in LAW_2027.items():
        assert not services.is_workday(day), day
        assert festival in CalendarDay.objects.get(date=day).name or day == D(2027, 2, 5)
    assert CalendarDay.objects.get(date=D(2027, 2, 5)).name == "农历除夕"
    for day in IN_LIEU_2027:
        row = CalendarDay.objects.get(date=day)
        assert (row.is_workday, row.kind) == (False, DayKind.HOLIDAY)
        assert row.name.endswith("（补假）")
    # No make-up working days (调休上班): only the notice sets them.
    assert not CalendarDay.objects.filter(date__year=2027, kind=DayKind.MAKEUP_WORKDAY).exists()
    assert services.is_workday(D(2027, 1, 4))  # an ordinary Monday
    assert not services.is_workday(D(2027, 1, 9))  # an ordinary Saturday
    assert CalendarDay.objects.filter(date__year=2027).count() == 365
    assert not CalendarDay.objects.filter(date__year=2027, provisional=False).exists()
    assert services.provisional_years() == [2027]
    # Deadline arithmetic counts it: the last working day of 2026 + 1 is Monday 4 January.
    assert services.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert services.add_workdays(D(2027, 2, 4), 1) == D(2027, 2, 11)
    assert services.is_provisional_between(D(2026, 12, 31), D(2027, 1, 4))
    assert not services.is_provisional_between(D(2026, 3, 2), D(2026, 12, 31))
    audit = AuditRecord.objects.get(action="workdays.open_year")
    assert audit.after["provisional"] is True and audit.after["sources"] == ["statutory"]


def test_r24_2_open_year_refuses_a_year_without_lunar_festivals(db):
    with pytest.raises(services.DomainError) as refused:
        services.open_year("test", 2150)
    assert refused.value.code == "no_statutory_holidays"
    assert not CalendarYear.objects.exists()


def _weekday_rule_year(year: int) -> None:
    """A year as an older version opened it: Monday–Friday."""
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, is_workday=info.is_workday, kind=info.kind, source="weekday_rule")
        for day, info in sources.weekday_rule(year).items()
    )
    CalendarYear.objects.create(year=year, sources=["weekday_rule"])


def test_r24_2_migration_turns_monday_to_friday_years_statutory(db):
    _weekday_rule_year(2027)
    CalendarDay.objects.filter(date=D(2027, 3, 1)).update(
        source="manual", is_workday=False, kind="holiday", name="台风停工"
    )
    migration = importlib.import_module("workdays.migrations.0002_provisional_years")
    migration.weekday_years_to_statutory(apps, None)
    year = CalendarYear.objects.get(year=2027)
    assert (year.sources, year.provisional) == (["statutory"], True)
    new_year = CalendarDay.objects.get(date=D(2027, 1, 1))
    assert (new_year.is_workday, new_year.name, new_year.provisional) == (False, "元旦", True)
    assert not CalendarDay.objects.get(date=D(2027, 2, 8)).is_workday
    manual = CalendarDay.objects.get(date=D(2027, 3, 1))
    assert (manual.source, manual.name, manual.provisional) == ("manual", "台风停工", False)
    assert not CalendarDay.objects.filter(source="weekday_rule").exists()


def test_r24_2_open_year_upgrades_a_monday_to_friday_year(db):
    _weekday_rule_year(2027)
    assert services.is_workday(D(2027, 1, 1))
    record = services.open_year("test", 2027)
    assert (record.sources, record.provisional) == (["statutory"], True)
    assert not services.is_workday(D(2027, 1, 1))
    audit = AuditRecord.objects.get(action="workdays.open_year")
    assert audit.before == {"sources": ["weekday_rule"], "provisional": False}
    assert audit.after["updated"] == 365  # every row: its source and flag, 19 days off


def test_r24_2_api_says_which_years_and_days_are_provisional(client, provisional_2027):
    body = client.get(DAYS, {"year": "2027", "month": "2"}).json()
    assert body["provisional"] is True
    assert body["provisional_years"] == [2027]
    assert 2027 in body["covered_years"]
    assert all(day["provisional"] for day in body["days"])
    eve = body["days"][4]
    assert (eve["date"], eve["is_workday"], eve["kind"]) == ("2027-02-05", False, "holiday")
    confirmed = client.get(DAYS, {"year": "2026", "month": "12"}).json()
    assert confirmed["provisional"] is False
    assert not any(day["provisional"] for day in confirmed["days"])

    answer = client.get(WORKDAYS, {"from": "2026-12-31", "add": "1"}).json()
    assert (answer["date"], answer["provisional"]) == ("2027-01-04", True)
    assert answer["provisional_years"] == [2027]
    assert client.get(WORKDAYS, {"from": "2026-12-01", "add": "1"}).json()["provisional"] is False

    years = {row["year"]: row for row in client.get(YEARS).json()}
    assert years[2027]["provisional"] is True and years[2027]["sources"] == ["statutory"]
    assert years[2026]["provisional"] is False


def test_r24_2_schema_documents_the_provisional_flags(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/calendar/years/" in schema["paths"]
    components = schema["components"]["schemas"]
    assert "State Council" in components["CalendarDay"]["properties"]["provisional"]["description"]
    assert "provisional" in components["DaysAnswer"]["required"]
    assert "provisional" in components["AddWorkdaysAnswer"]["properties"]
    assert "provisional" in components["CalendarYear"]["properties"]
