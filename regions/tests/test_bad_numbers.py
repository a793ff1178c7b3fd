"""Bad numbers on the grid endpoints answer 400 and change nothing (R8.1, R8.2, R28.1):
superscript and non-ASCII digits, 20-digit numbers, JSON floats past the columns' range."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gridgov.access import roles as R
from gridgov.testing.people import make_user
from gridgov.testing.regions import box, halves, make_tree
from regions.models import Grid, GridChange
from regions.tests.test_grid_api import geojson

pytestmark = pytest.mark.django_db

WEST = "440703002101001"
REASON = "道路改线"
BAD_TEXT = ["¹", "²", "٣", "３", "1e20", "9" * 20, "-1"]
BAD_JSON = [1e20, 10**20, 2**31, -1, 1.5, "¹", "３", "9" * 20]


@pytest.fixture
def county_admin(db):
    halves(make_tree())
    return make_user(R.Role.AGENCY_ADMIN, "440703", username="county_admin")


def _send(client: Any, url: str, body: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def _unchanged() -> tuple[int, int]:
    return Grid.objects.count(), GridChange.objects.count()


@pytest.mark.parametrize("value", BAD_JSON)
def test_r8_2_grid_update_api_refuses_counts_out_of_range(client, county_admin, value):
    client.force_login(county_admin)
    before = _unchanged()
    response = _send(
        client,
        f"/api/v1/grids/{WEST}/update/",
        {"households": value, "reason": REASON},
        method="patch",
    )
    assert response.status_code == 400, response.content
    assert "households" in response.json()["errors"]
    assert _unchanged() == before


@pytest.mark.parametrize("value", [1e20, 10**20, 2**31])
def test_r8_1_grid_split_api_refuses_counts_out_of_range(client, county_admin, value):
    client.force_login(county_admin)
    before = _unchanged()
    response = _send(
        client,
        f"/api/v1/grids/{WEST}/split/",
        {
            "parts": [
                {"geometry": geojson(box(0, 0, 0.5, 0.5)), "population": value},
                {"geometry": geojson(box(0, 0.5, 0.5, 1))},
            ],
            "reason": REASON,
        },
    )
    assert response.status_code == 400, response.content
    assert _unchanged() == before


def test_r28_1_deep_json_on_a_grid_change_is_400(client, county_admin):
    client.force_login(county_admin)
    before = _unchanged()
    body = "[" * 10_000 + "]" * 10_000
    response = client.post(
        f"/api/v1/grids/{WEST}/split/", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "32" in response.json()["detail"]
    assert _unchanged() == before


@pytest.mark.parametrize("value", BAD_TEXT)
def test_r8_2_grid_edit_page_refuses_bad_counts(client, county_admin, value):
    client.force_login(county_admin)
    before = _unchanged()
    response = client.post(
        f"/grids/{WEST}/update/", {"households": value, "population": "", "reason": REASON}
    )
    assert response.status_code == 400
    assert "0 到 2147483647 之间的整数" in response.content.decode()
    assert _unchanged() == before


@pytest.mark.parametrize("value", ["¹", "٣", "３", "9" * 20, "0", "x"])
def test_r8_4_grid_api_version_must_be_a_number(client, county_admin, value):
    response = client.get(f"/api/v1/grids/{WEST}/", {"version": value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["version"]


@pytest.mark.parametrize("value", ["¹", "３", "\x00"])
def test_r8_4_public_grid_search_never_500(client, county_admin, value):
    response = client.get("/public/grids/", {"q": value})
    assert response.status_code in {200, 400}
