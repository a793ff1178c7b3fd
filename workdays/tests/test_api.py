"""The public calendar API that phone and department clients use to show deadlines (R24.2,
R24.3)."""

from __future__ import annotations

import pytest

WORKDAYS = "/api/v1/calendar/workdays/"
DAYS = "/api/v1/calendar/days/"


def test_r24_api_add_workdays(client, calendar):
    response = client.get(WORKDAYS, {"from": "2025-09-30", "add": "1"})
    assert response.status_code == 200
    assert response.json() == {
        "from": "2025-09-30",
        "add": 1,
        "date": "2025-10-09",
        "provisional": False,
        "covered_years": [2024, 2025],
        "provisional_years": [],
    }
    response = client.get(WORKDAYS, {"from": "2025-01-24", "add": "1"})
    assert response.json()["date"] == "2025-01-26"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"add": "1"}, "from"),
        ({"from": "2025-13-01", "add": "1"}, "from"),
        ({"from": "20250301", "add": "1"}, "from"),
        ({"from": "2025-03-03"}, "add"),
        ({"from": "2025-03-03", "add": "x"}, "add"),
        ({"from": "2025-03-03", "add": "1.5"}, "add"),
        ({"from": "2025-03-03", "add": "-1"}, "add"),
        ({"from": "2025-03-03", "add": "3651"}, "add"),
        ({"from": "2025-03-03", "add": "99999999999999999999999"}, "add"),
    ],
)
def test_r24_api_add_workdays_bad_input(client, calendar, query, field):
    response = client.get(WORKDAYS, query)
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"]
    assert body["detail"]


def test_r24_api_uncovered_years(client, calendar):
    response = client.get(WORKDAYS, {"from": "2025-12-20", "add": "30"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "calendar_not_covered"
    assert body["year"] == 2026
    assert "2026" in body["errors"]["add"][0]
    response = client.get(WORKDAYS, {"from": "2030-01-02", "add": "0"})
    assert response.status_code == 400
    assert response.json()["year"] == 2030
    assert "from" in response.json()["errors"]


def test_r24_api_days_of_a_month(client, calendar):
    response = client.get(DAYS, {"year": "2025", "month": "10"})
    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["month"], body["covered_years"]) == (2025, 10, [2024, 2025])
    assert len(body["days"]) == 31
    first = body["days"][0]
    assert first == {
        "date": "2025-10-01",
        "is_workday": False,
        "kind": "holiday",
        "kind_label": "节假日",
        "name": "国庆节",
        "provisional": False,
    }
    assert body["days"][10]["kind"] == "makeup_workday"
    assert len(client.get(DAYS, {"year": "2024"}).json()["days"]) == 366


@pytest.mark.parametrize(
    ("query", "field"),
    [({}, "year"), ({"year": "x"}, "year"), ({"year": "2025", "month": "13"}, "month")],
)
def test_r24_api_days_bad_input(client, calendar, query, field):
    response = client.get(DAYS, query)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_r24_api_days_uncovered_year(client, calendar):
    response = client.get(DAYS, {"year": "2026"})
    assert response.status_code == 400
    assert response.json()["code"] == "calendar_not_covered"
    assert "year" in response.json()["errors"]


def test_api_schema_lists_the_calendar(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/calendar/workdays/" in paths
    assert "/api/v1/calendar/days/" in paths
