"""Administrators correct days in the admin (audited, R28.1); the command and the demo seed
the calendar (R24.2, R24.3)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditRecord
from workdays import services
from workdays.models import CalendarDay, CalendarYear


def test_r28_admin_edit_goes_through_the_service(client, calendar, admin_user):
    client.force_login(admin_user)
    row = CalendarDay.objects.get(date=dt.date(2025, 3, 10))
    response = client.post(
        f"/admin/workdays/calendarday/{row.pk}/change/",
        {"is_workday": "", "kind": "", "name": "台风停工"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.is_workday, row.kind, row.source, row.edited_by) == (
        False,
        "holiday",
        "manual",
        admin_user,
    )
    assert AuditRecord.objects.filter(action="workdays.set_day", actor=admin_user).count() == 1
    assert not services.is_workday(dt.date(2025, 3, 10))


def test_r28_admin_refusal_changes_nothing(client, calendar, admin_user):
    client.force_login(admin_user)
    row = CalendarDay.objects.get(date=dt.date(2025, 3, 10))
    response = client.post(
        f"/admin/workdays/calendarday/{row.pk}/change/",
        {"is_workday": "on", "kind": "makeup_workday", "name": ""},
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "2025-03-10 不是周六或周日" in response.content.decode()
    row.refresh_from_db()
    assert (row.kind, row.source) == ("workday", "holidays")
    assert not AuditRecord.objects.filter(action="workdays.set_day").exists()


def test_admin_lists_render(client, calendar, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/workdays/calendarday/?date__year=2025").status_code == 200
    assert client.get("/admin/workdays/calendaryear/").status_code == 200
    row = CalendarDay.objects.get(date=dt.date(2025, 1, 26))
    page = client.get(f"/admin/workdays/calendarday/{row.pk}/change/").content.decode()
    assert "春节调休上班" in page and "星期日" in page


def test_r24_seed_calendar_command(db):
    out = io.StringIO()
    call_command("seed_calendar", "--years", "2005,2025", stdout=out)
    text = out.getvalue()
    assert "2025: holidays+chinesecalendar: 365 created" in text
    assert "2005-12-31: holidays says workday, chinesecalendar says day off; kept holidays" in text
    assert sorted(CalendarYear.objects.values_list("year", flat=True)) == [2005, 2025]
    out = io.StringIO()
    call_command("seed_calendar", "--years", "2025", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()


def test_r24_seed_calendar_command_skips_uncovered_and_opens_years(db):
    out = io.StringIO()
    call_command("seed_calendar", "--years", "1990-1991", stdout=out)
    assert "1990: no package has the State Council notice" in out.getvalue()
    assert not CalendarYear.objects.exists()
    out = io.StringIO()
    call_command("seed_calendar", "--open-year", "1990", stdout=out)
    assert "1990: covered (provisionally, statutory)" in out.getvalue()
    assert services.covered_years() == [1990]


@pytest.mark.parametrize("years", ["abc", "2027-2020", ",", "3000"])
def test_seed_calendar_command_refuses_bad_years(db, years):
    with pytest.raises(CommandError):
        call_command("seed_calendar", "--years", years, stdout=io.StringIO())


def test_r24_demo_step_seeds_the_default_years(db):
    from demo import workdays as demo_workdays

    summary = demo_workdays.load()
    assert "working-day calendar" in summary
    # Beside the packaged years the demo opens this year and next (provisionally, from the
    # statutory holidays) when no package knows them yet, so that deadlines near the turn of
    # the year still compute.
    today = timezone.localdate()
    expected = sorted(set(services.default_years()) | {today.year, today.year + 1})
    assert services.covered_years() == expected
    opened = [y for y in expected if y not in services.default_years()]
    if opened:
        assert "provisionally (statutory holidays, no notice yet)" in summary
        assert services.provisional_years() == opened
    assert 2025 in services.covered_years()
    assert services.add_workdays(dt.date(2025, 9, 30), 1) == dt.date(2025, 10, 9)
