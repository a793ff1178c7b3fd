"""Entering the State Council's holiday notice for a provisional year (R24.2): checked against
the law, one audited transaction, the provisional flag cleared; the command reads it from a
file; the reminder says which years await their notice."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditRecord
from workdays import notices, services
from workdays.models import CalendarDay, CalendarYear, DayKind, Source

D = dt.date

# A notice for 2027 as the State Council might set it (the real one is not out yet).
NOTICE_2027 = {
    "year": 2027,
    "reference": "国办发明电〔2026〕12号",
    "holidays": [
        {"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"},
        {"name": "春节", "start": "2027-02-05", "end": "2027-02-11"},
        {"name": "清明节", "start": "2027-04-03", "end": "2027-04-05"},
        {"name": "劳动节", "start": "2027-05-01", "end": "2027-05-05"},
        {"start": "2027-06-09", "end": "2027-06-09"},  # the name comes from the law
        {"name": "中秋节", "start": "2027-09-15", "end": "2027-09-15"},
        {"name": "国庆节", "start": "2027-10-01", "end": "2027-10-07"},
    ],
    "workdays": [
        {"date": "2027-02-14", "name": "春节调休上班"},
        "2027-02-20",
        "2027-04-25",
        "2027-05-08",
        "2027-09-26",
        "2027-10-09",
    ],
}


def notice_data(**changes):
    data = copy.deepcopy(NOTICE_2027)
    data.update(changes)
    return data


@pytest.fixture
def provisional_2027(db):
    services.seed_years([2026], "test")
    return services.open_year("test", 2027)


def test_r24_2_entering_the_notice_confirms_the_year(provisional_2027, admin_user):
    services.set_day(admin_user, D(2027, 3, 1), False, "台风停工")
    result = notices.enter_notice(admin_user, notices.parse(NOTICE_2027))
    year = CalendarYear.objects.get(year=2027)
    assert (year.provisional, year.sources) == (False, [Source.NOTICE])
    assert (year.notice_reference, year.notice_entered_by) == ("国办发明电〔2026〕12号", admin_user)
    assert result.changed and result.kept_manual == 1
    assert services.provisional_years() == []
    assert not CalendarDay.objects.filter(date__year=2027, provisional=True).exists()
    # The breaks are off, the make-up days worked, the rest as the week goes.
    for day in (D(2027, 2, 11), D(2027, 10, 6), D(2027, 10, 7), D(2027, 5, 5)):
        assert not services.is_workday(day), day
    makeup = CalendarDay.objects.get(date=D(2027, 2, 14))
    assert (makeup.is_workday, makeup.kind, makeup.name) == (
        True,
        DayKind.MAKEUP_WORKDAY,
        "春节调休上班",
    )
    assert CalendarDay.objects.get(date=D(2027, 2, 20)).name == "春节调休上班"  # nearest break
    assert CalendarDay.objects.get(date=D(2027, 9, 26)).name == "国庆节调休上班"
    assert CalendarDay.objects.get(date=D(2027, 6, 9)).name == "端午节"
    assert CalendarDay.objects.get(date=D(2027, 2, 9)).name == "春节"  # no longer 补假
    assert services.is_workday(D(2027, 3, 2))
    assert not services.is_workday(D(2027, 3, 1))  # the administrator's edit stays
    assert services.add_workdays(D(2027, 2, 4), 1) == D(2027, 2, 12)
    audit = AuditRecord.objects.get(action="workdays.enter_notice")
    assert audit.actor == admin_user
    assert audit.before["provisional"] is True
    assert audit.after["provisional"] is False and audit.after["deadlines_moved"] == 0
    assert audit.after["workdays"][0] == {"date": "2027-02-14", "name": "春节调休上班"}

    again = notices.enter_notice(admin_user, notices.parse(NOTICE_2027))
    assert not again.changed
    assert AuditRecord.objects.filter(action="workdays.enter_notice").count() == 1


def test_r24_2_a_notice_for_a_year_not_covered_yet_covers_it(db):
    services.seed_years([2026], "test")
    notices.enter_notice("test", notices.parse(NOTICE_2027))
    assert 2027 in services.covered_years() and services.provisional_years() == []
    assert not services.is_workday(D(2027, 2, 11))


def _without_break(name):
    return notice_data(holidays=[h for h in NOTICE_2027["holidays"] if h.get("name") != name])


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        (notice_data(year="二〇二七"), "year", "invalid"),
        (notice_data(year=3000), "year", "invalid"),
        ([], "year", "invalid"),
        (notice_data(holidays="春节"), "holidays", "invalid"),
        (
            notice_data(holidays=[{"name": "元旦", "start": "2026-12-31", "end": "2027-01-01"}]),
            "holidays[0]",
            "outside_year",
        ),
        (
            notice_data(holidays=[{"name": "元旦", "start": "2027-1-1", "end": "2027-01-03"}]),
            "holidays[0]",
            "invalid",
        ),
        (
            notice_data(holidays=[{"name": "元旦", "start": "2027-01-03", "end": "2027-01-01"}]),
            "holidays[0]",
            "reversed",
        ),
        (
            notice_data(
                holidays=[
                    *NOTICE_2027["holidays"],
                    {"name": "春节", "start": "2027-02-10", "end": "2027-02-12"},
                ]
            ),
            "holidays[7]",
            "overlap",
        ),
        # a statutory day (端午节, a Wednesday) outside every break would become a working day
        (_without_break(None), "holidays", "statutory_day"),
        # a statutory day (Saturday 2027-02-06, 春节) cannot be a make-up working day
        (notice_data(workdays=["2027-02-06"]), "workdays[0]", "statutory_day"),
        (notice_data(workdays=["2027-02-10"]), "workdays[0]", "overlap"),
        (notice_data(workdays=["2027-02-15"]), "workdays[0]", "not_weekend"),
        (notice_data(workdays=["2027-02-14", "2027-02-14"]), "workdays[1]", "duplicate"),
        (notice_data(workdays=["2026-12-26"]), "workdays[0]", "outside_year"),
        (notice_data(workdays=[20270214]), "workdays[0]", "invalid"),
        (
            notice_data(holidays=[*NOTICE_2027["holidays"], {"start": "2027-03-01"}]),
            "holidays[7]",
            "invalid",
        ),
    ],
)
def test_r24_2_an_inconsistent_notice_is_refused_and_changes_nothing(
    provisional_2027, data, field, code
):
    with pytest.raises(services.DomainError) as refused:
        notices.enter_notice("test", notices.parse(data))
    assert (refused.value.field, refused.value.code) == (field, code)
    assert refused.value.message
    assert CalendarYear.objects.get(year=2027).provisional
    assert not AuditRecord.objects.filter(action="workdays.enter_notice").exists()


def test_r24_2_the_command_enters_a_notice_file(provisional_2027, tmp_path):
    toml = tmp_path / "2027.toml"
    toml.write_text(
        'year = 2027\nreference = "国办发明电〔2026〕12号"\nholidays = [\n'
        + "".join(
            f'  {{ name = "{h.get("name", "端午节")}", start = {h["start"]}, end = {h["end"]} }},\n'
            for h in NOTICE_2027["holidays"]
        )
        + ']\nworkdays = [ { date = 2027-02-14, name = "春节调休上班" }, 2027-02-20, '
        "2027-04-25, 2027-05-08, 2027-09-26, 2027-10-09 ]\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("seed_calendar", "--notice", str(toml), stdout=out)
    assert "2027: notice entered (国办发明电〔2026〕12号): 7 breaks, 6 make-up working days" in (
        out.getvalue()
    )
    assert "0 open deadlines moved" in out.getvalue()
    assert services.provisional_years() == []
    out = io.StringIO()
    as_json = tmp_path / "2027.json"
    as_json.write_text(json.dumps(NOTICE_2027, ensure_ascii=False), encoding="utf-8")
    call_command("seed_calendar", "--notice", str(as_json), stdout=out)
    assert "already entered" in out.getvalue()


@pytest.mark.parametrize(
    "content",
    ["{not json", json.dumps(notice_data(workdays=["2027-02-15"])), "[" * 100_000],
)
def test_r24_2_the_command_refuses_a_bad_notice_file(provisional_2027, tmp_path, content):
    path = tmp_path / "notice.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("seed_calendar", "--notice", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("seed_calendar", "--notice", str(tmp_path / "none.json"))
    assert services.provisional_years() == [2027]


def test_r24_2_reminder_from_1_november_while_next_year_is_provisional(provisional_2027):
    assert notices.years_awaiting_notice(D(2026, 10, 31)) == []
    assert notices.years_awaiting_notice(D(2026, 11, 1)) == [2027]
    assert notices.years_awaiting_notice(D(2026, 12, 31)) == [2027]
    # A provisional current year is always due.
    assert notices.years_awaiting_notice(D(2027, 3, 1)) == [2027]
    notices.enter_notice("test", notices.parse(NOTICE_2027))
    assert notices.years_awaiting_notice(D(2026, 12, 2)) == []
    assert notices.years_awaiting_notice(D(2027, 3, 1)) == []
    # A next year not covered at all is due too.
    assert notices.years_awaiting_notice(D(2027, 11, 2)) == [2028]
