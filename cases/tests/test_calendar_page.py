"""The administrator's side of a provisional year (R24.2): the reminder on the console and the
calendar page, the form and the API that enter the State Council's notice (who may: an
administrator covering every county), and how many open deadlines it moved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import calendar_notice
from cases.models import Case
from cases.tests.test_deadlines import dispatched
from gridgov.access import roles as R
from gridgov.testing.people import make_user
from workdays import services as calendar
from workdays.models import CalendarYear
from workdays.tests.test_notices import NOTICE_2027

pytestmark = pytest.mark.django_db

REMINDER = "2027 年国务院节假日安排通知尚未录入"
NOTICES_API = "/api/v1/calendar-notices/"


@pytest.fixture(autouse=True)
def _next_year_is_2027(world):
    if calendar.provisional_years() != [2027]:
        pytest.skip("these tests describe 2027 as next year (today is in 2026)")


@pytest.fixture
def city_admin(world):
    return make_user(R.Role.AGENCY_ADMIN, "4407", username="city_admin")


@pytest.fixture
def county_admin(world):
    return make_user(R.Role.AGENCY_ADMIN, "440703", username="county_admin")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(notice=NOTICE_2027) -> dict[str, str]:
    return {
        "reference": notice["reference"],
        "holidays": "\n".join(
            f"{h.get('name', '')} {h['start']} 至 {h['end']}" for h in notice["holidays"]
        ),
        "workdays": "\n".join(
            f"{d['date']} {d['name']}" if isinstance(d, dict) else d for d in notice["workdays"]
        ),
    }


def feb_case(world) -> Case:
    """Dispatched 2027-02-03 to the police (lead) and urban management: both deadlines fall
    in the law's Spring Festival days and move with the notice."""
    start = dt.datetime(2027, 2, 3, 9, tzinfo=timezone.get_default_timezone())
    return dispatched(world, start, co=(world.urban,))


def test_r24_2_administrators_are_reminded_on_the_console(world, city_admin, county_admin):
    """Today (December) next year is provisional: every administrator is reminded, the
    dispatcher is not; before 1 November nobody is."""
    for admin in (city_admin, county_admin):
        page = client_for(admin).get(reverse("cases:console")).content.decode()
        assert REMINDER in page and reverse("cases:calendar") in page
    page = client_for(world.dispatcher).get(reverse("cases:console")).content.decode()
    assert REMINDER not in page
    assert calendar_notice.reminder(city_admin, dt.date(2026, 10, 31)) == []
    assert calendar_notice.reminder(city_admin, dt.date(2026, 11, 1)) == [2027]
    assert calendar_notice.reminder(world.dispatcher, dt.date(2026, 11, 1)) == []


def test_r24_2_calendar_page_lists_the_provisional_year(world, city_admin):
    page = client_for(city_admin).get(reverse("cases:calendar"))
    text = page.content.decode()
    assert page.status_code == 200
    assert REMINDER in text
    assert "暂定" in text and "法定节假日（暂定）" in text
    assert reverse("cases:calendar-notice", args=[2027]) in text
    form = client_for(city_admin).get(reverse("cases:calendar-notice", args=[2027]))
    assert form.status_code == 200
    initial = form.context["form"].initial["holidays"].splitlines()
    assert "元旦 2027-01-01 2027-01-03" in initial
    assert "春节 2027-02-05 2027-02-10" in initial  # 除夕 to the second 补假 day
    assert len(initial) == 7


def test_r24_2_entering_the_notice_on_the_page_moves_open_deadlines(world, city_admin):
    case = feb_case(world)
    url = reverse("cases:calendar-notice", args=[2027])
    response = client_for(city_admin).post(url, form_data(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:calendar")
    text = response.content.decode()
    assert "2027 年国务院节假日安排通知已录入;因此调整的未办结时限:2 个。" in text
    assert REMINDER not in text
    year = CalendarYear.objects.get(year=2027)
    assert (year.provisional, year.notice_entered_by) == (False, city_admin)
    case = Case.objects.get(pk=case.pk)
    assert not case.due_provisional
    assert case.due_at == dt.datetime(2027, 2, 14, 17, 30, tzinfo=timezone.get_default_timezone())
    event = case.events.get(action="deadline_change")
    assert (event.actor, event.role) == (city_admin, R.Role.AGENCY_ADMIN)
    page = client_for(world.dispatcher).get(reverse("cases:case", args=[case.pk]))
    text = page.content.decode()
    assert "时限调整" in text and "录入国务院节假日安排通知" in text
    assert "02-12 17:30 → 02-14 17:30" in text
    assert "按暂定日历计算" not in text


def test_r24_2_a_wrong_notice_is_shown_with_its_line_and_changes_nothing(world, city_admin):
    data = form_data()
    data["workdays"] += "\n2027-02-15"  # a Monday
    response = client_for(city_admin).post(reverse("cases:calendar-notice", args=[2027]), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "第 7 行" in text and "2027-02-15" in text
    assert CalendarYear.objects.get(year=2027).provisional
    response = client_for(city_admin).post(
        reverse("cases:calendar-notice", args=[2027]), {**data, "holidays": "春节"}
    )
    assert response.status_code == 400 and "第 1 行" in response.content.decode()


def test_r24_2_only_administrators_covering_every_county_enter_the_notice(
    world, county_admin, city_admin
):
    url = reverse("cases:calendar-notice", args=[2027])
    assert client_for(world.dispatcher).get(reverse("cases:calendar")).status_code == 403
    assert client_for(world.dispatcher).post(url, form_data()).status_code == 403
    page = client_for(county_admin).get(url)
    assert page.status_code == 200 and "须由管辖范围覆盖全部区县的管理员录入" in (
        page.content.decode()
    )
    assert client_for(county_admin).post(url, form_data()).status_code == 403
    assert CalendarYear.objects.get(year=2027).provisional
    assert calendar_notice.may_enter(city_admin) and not calendar_notice.may_enter(county_admin)


def test_r24_2_api_enters_the_notice(world, city_admin, county_admin, client):
    feb_case(world)
    assert client.post(NOTICES_API, NOTICE_2027, content_type="application/json").status_code in (
        401,
        403,
    )
    for refused in (world.dispatcher, county_admin):
        response = client_for(refused).post(
            NOTICES_API, NOTICE_2027, content_type="application/json"
        )
        assert response.status_code == 403
    admin = client_for(city_admin)
    bad = {**NOTICE_2027, "workdays": ["2027-02-06"]}
    response = admin.post(NOTICES_API, bad, content_type="application/json")
    assert response.status_code == 400
    assert "workdays[0]" in response.json()["errors"]
    assert CalendarYear.objects.get(year=2027).provisional

    response = admin.post(NOTICES_API, NOTICE_2027, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["deadlines_moved"] == 2 and body["changed"] is True
    assert body["year"]["provisional"] is False
    assert body["year"]["notice_reference"] == NOTICE_2027["reference"]
    again = admin.post(NOTICES_API, NOTICE_2027, content_type="application/json")
    assert again.status_code == 200 and again.json()["changed"] is False
    years = {y["year"]: y for y in client.get("/api/v1/calendar/years/").json()}
    assert years[2027]["provisional"] is False


def test_r24_2_schema_documents_the_notice_endpoint(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    post = schema["paths"][NOTICES_API]["post"]
    assert {"201", "200", "400", "403"} <= set(post["responses"])
    assert "Deadline" not in post["summary"] and "notice" in post["summary"]
