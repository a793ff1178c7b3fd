"""GET /api/v1/grids/locate/: the grid containing a point, for anyone, no login (R8.3, R8.4)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from regions.geometry import wgs84_to_gcj02
from regions.tests.conftest import at, make_grid, unit_box

URL = "/api/v1/grids/locate/"


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


def locate(client: APIClient, **params):
    return client.get(URL, {key: str(value) for key, value in params.items()})


def test_a_point_inside_a_grid_returns_the_grid_and_its_region_path(anonymous, tiny_tree):
    """R8.3/R8.4: the public learns the grid's code and name and who it belongs to, no login."""
    lng, lat = at(0.2, 0.3)
    response = locate(anonymous, lng=lng, lat=lat)

    assert response.status_code == 200
    assert response.json() == {
        "code": "440703001001001",
        "name": "西区网格",
        "lng": lng,
        "lat": lat,
        "village": {"code": "440703001001", "name": "测试社区居委会"},
        "township": {"code": "440703001", "name": "测试街道"},
        "county": {"code": "440703", "name": "蓬江区"},
        "city": {"code": "4407", "name": "江门市"},
    }


def test_detached_parts_count_and_holes_do_not(anonymous, tiny_tree):
    """R8.3: a grid made of two parts is found in both; a hole belongs to no grid."""
    assert locate(anonymous, lng=at(2.7, 0.5)[0], lat=at(2.7, 0.5)[1]).json()["code"] == (
        tiny_tree.east.code
    )
    assert locate(anonymous, lng=at(0.5, 0.5)[0], lat=at(0.5, 0.5)[1]).status_code == 404


def test_retired_grid_versions_are_not_returned(anonymous, tiny_tree):
    """R8.3: only current grids answer; history stays in the database but not in lookups."""
    old_north = tiny_tree.north
    old_north.valid_to = timezone.now()
    old_north.save()
    make_grid(tiny_tree.village, 3, "北区网格(新)", unit_box(0, 1, 1, 2), version=2)
    gone = make_grid(tiny_tree.village, 9, "已撤销网格", unit_box(3, 0, 4, 1))
    gone.valid_to = timezone.now()
    gone.save()

    inside_new = locate(anonymous, lng=at(0.5, 1.5)[0], lat=at(0.5, 1.5)[1])
    assert inside_new.status_code == 200
    assert inside_new.json()["name"] == "北区网格(新)"
    # Covered only by retired versions: no grid.
    assert locate(anonymous, lng=at(1.5, 1.5)[0], lat=at(1.5, 1.5)[1]).status_code == 404
    assert locate(anonymous, lng=at(3.5, 0.5)[0], lat=at(3.5, 0.5)[1]).status_code == 404


def test_outside_all_grids_is_404_with_a_message(anonymous, tiny_tree):
    """R8.3: a point no grid covers says so."""
    response = locate(anonymous, lng=116.4, lat=39.9)
    assert response.status_code == 404
    assert "116.400000,39.900000" in response.json()["detail"]


def test_no_grids_at_all_is_404(anonymous, db):
    assert locate(anonymous, lng=113.07, lat=22.6).status_code == 404


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"lat": 22.6}, "lng", "lng is required"),
        ({"lng": 113.07}, "lat", "lat is required"),
        ({"lng": "", "lat": 22.6}, "lng", "lng is required"),
        ({"lng": "east", "lat": 22.6}, "lng", "lng must be a number"),
        ({"lng": 113.07, "lat": "22,6"}, "lat", "lat must be a number"),
        ({"lng": 181, "lat": 22.6}, "lng", "lng must be between -180 and 180"),
        ({"lng": 113.07, "lat": -90.5}, "lat", "lat must be between -90 and 90"),
        ({"lng": "nan", "lat": 22.6}, "lng", "lng must be between -180 and 180"),
        ({"lng": 113.07, "lat": 22.6, "coord": "bd09"}, "coord", "coord must be one of"),
    ],
)
def test_bad_coordinates_are_400_naming_the_field(anonymous, tiny_tree, params, field, message):
    """R8.3: bad input gets a clear message for the field at fault (asked for in English, the
    language these messages are written in; docs/i18n.md)."""
    response = anonymous.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [field]
    assert body["errors"][field][0].startswith(message)


def test_gcj02_coordinates_from_phone_maps_are_converted(anonymous, tiny_tree):
    """R8.3: a GCJ-02 point (Chinese phone map SDKs) finds the grid its WGS84 twin is in."""
    lng, lat = at(0.7, 0.8)  # west grid; read as WGS84, its GCJ-02 twin would fall in the east
    gcj_lng, gcj_lat = wgs84_to_gcj02(lng, lat)

    as_gcj = locate(anonymous, lng=gcj_lng, lat=gcj_lat, coord="gcj02")
    assert as_gcj.status_code == 200
    assert as_gcj.json()["code"] == tiny_tree.west.code
    assert as_gcj.json()["lng"] == pytest.approx(lng, abs=1e-7)
    assert as_gcj.json()["lat"] == pytest.approx(lat, abs=1e-7)
    assert locate(anonymous, lng=gcj_lng, lat=gcj_lat).json()["code"] == tiny_tree.east.code
    for datum in ("wgs84", "cgcs2000", "WGS84"):
        assert locate(anonymous, lng=lng, lat=lat, coord=datum).json()["code"] == (
            tiny_tree.west.code
        )
