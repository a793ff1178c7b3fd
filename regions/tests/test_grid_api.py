"""Grid changes over REST (R8.1, R8.2): split, merge, redraw, update, history, filings,
coverage reports. Staff-only and scoped, unlike the public grid reads (R8.4)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import shapely
from shapely.geometry import mapping, shape

from gridgov.access import roles as R
from gridgov.testing.people import make_user
from gridgov.testing.regions import X0, Y0, box, halves, make_tree
from regions.models import Grid, GridChange

pytestmark = pytest.mark.django_db

WEST = "440703002101001"
EAST = "440703002101002"
VILLAGE = "440703002101"
REASON = "道路改线"


@pytest.fixture
def grids():
    tree = make_tree()
    return tree, halves(tree)


@pytest.fixture
def county_admin(grids):
    return make_user(R.Role.AGENCY_ADMIN, "440703", username="county_admin")


def post(client: Any, url: str, data: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def geojson(geom: Any) -> dict[str, Any]:
    return mapping(geom)


def current_codes() -> list[str]:
    return sorted(
        Grid.objects.current().filter(village__code=VILLAGE).values_list("code", flat=True)
    )


def cut_line(x: float) -> dict[str, Any]:
    """A north-south line at village units x, from outside to outside the grid."""
    lng = X0 + x * 0.01
    return {"type": "LineString", "coordinates": [[lng, Y0 - 0.001], [lng, Y0 + 0.011]]}


# --- split ---------------------------------------------------------------------------------------


def test_r8_1_split_with_drawn_parts(client, county_admin):
    """R8.1: the county agency splits a grid into drawn parts; the change is filed (R8.2)."""
    client.force_login(county_admin)
    response = post(
        client,
        f"/api/v1/grids/{WEST}/split/",
        {
            "parts": [
                {"geometry": geojson(box(0, 0, 0.5, 0.5)), "name": "南片", "households": 100},
                {"geometry": geojson(box(0, 0.5, 0.5, 1))},
            ],
            "reason": REASON,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [g["code"] for g in body["grids"]] == ["440703002101003", "440703002101004"]
    assert body["grids"][0]["name"] == "南片" and body["grids"][0]["households"] == 100
    assert body["change"]["kind"] == "split" and body["change"]["filing_status"] == "submitted"
    assert body["change"]["filed_with"]["code"] == "4407"
    assert current_codes() == [EAST, "440703002101003", "440703002101004"]


def test_r8_1_split_along_a_line_cut_on_the_server(client, county_admin):
    """R8.1: a line drawn across the grid cuts it (shapely.ops.split); names largest first."""
    client.force_login(county_admin)
    response = post(
        client,
        f"/api/v1/grids/{WEST}/split/",
        {"line": cut_line(0.2), "names": ["大片", "小片"], "reason": REASON},
    )
    assert response.status_code == 201, response.content
    new = response.json()["grids"]
    assert [g["name"] for g in new] == ["大片", "小片"]
    assert new[0]["area_km2"] > new[1]["area_km2"]
    pieces = [shape(g["geometry"]) for g in new]
    assert shapely.union_all(pieces).symmetric_difference(box(0, 0, 0.5, 1)).area < 1e-12


def test_r8_1_split_preview_shows_the_parts_and_changes_nothing(client, county_admin):
    client.force_login(county_admin)
    response = post(client, f"/api/v1/grids/{WEST}/split-preview/", {"line": cut_line(0.25)})
    assert response.status_code == 200, response.content
    parts = response.json()
    assert len(parts) == 2
    assert abs(parts[0]["area_m2"] - parts[1]["area_m2"]) < 1
    assert sum(p["households"] for p in parts) == 400  # shared out by area
    assert not GridChange.objects.exists()
    assert current_codes() == [WEST, EAST]


def test_a_line_that_does_not_cross_the_grid_is_a_clear_400(client, county_admin):
    client.force_login(county_admin)
    inside = {
        "type": "LineString",
        "coordinates": [[X0 + 0.002, Y0 + 0.002], [X0 + 0.003, Y0 + 0.003]],
    }
    response = post(client, f"/api/v1/grids/{WEST}/split/", {"line": inside, "reason": REASON})
    assert response.status_code == 400
    assert "line" in response.json()["errors"]
    assert not GridChange.objects.exists()


def test_r8_1_a_split_that_breaks_coverage_is_400_with_the_problem_location(client, county_admin):
    """R8.1 无缝覆盖: the refusal names the problem, its area, a point and its piece."""
    client.force_login(county_admin)
    response = post(
        client,
        f"/api/v1/grids/{WEST}/split/",
        {
            "parts": [
                {"geometry": geojson(box(0, 0, 0.5, 0.4))},
                {"geometry": geojson(box(0, 0.6, 0.5, 1))},
            ],
            "reason": REASON,
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "coverage"
    (problem,) = body["problems"]
    assert problem["kind"] == "gap" and problem["area_m2"] > 100_000
    lng, lat = problem["point"]
    assert box(0, 0.4, 0.5, 0.6).contains(shapely.Point(lng, lat))
    assert shape(problem["geometry"]).symmetric_difference(box(0, 0.4, 0.5, 0.6)).area < 1e-9
    assert current_codes() == [WEST, EAST] and not GridChange.objects.exists()


@pytest.mark.parametrize(
    ("role", "code"),
    [(R.Role.DISPATCHER, "440703"), (R.Role.AGENCY_ADMIN, "4407"), (R.Role.SUPERVISOR, "440703")],
)
def test_r8_1_only_the_drawing_agencies_split_403(client, grids, role, code):
    """R8.1: an agency role that does not draw grids gets 403, nothing changes."""
    client.force_login(make_user(role, code))
    response = post(
        client, f"/api/v1/grids/{WEST}/split/", {"line": cut_line(0.2), "reason": REASON}
    )
    assert response.status_code == 403
    assert current_codes() == [WEST, EAST]


def test_a_grid_outside_the_jurisdiction_is_not_there_404(client, grids):
    """R22.1: another county's administrator does not see the grid at all."""
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440784"))
    response = post(
        client, f"/api/v1/grids/{WEST}/split/", {"line": cut_line(0.2), "reason": REASON}
    )
    assert response.status_code == 404
    assert client.get(f"/api/v1/grids/{WEST}/history/").status_code == 404


def test_anonymous_grid_changes_are_refused_but_reads_stay_public(client, grids):
    """R8.4: the grid reads stay public; the changes and reports need a login."""
    assert client.get("/api/v1/grids/").status_code == 200
    assert client.get(f"/api/v1/grids/{WEST}/").status_code == 200
    assert post(client, f"/api/v1/grids/{WEST}/update/", {"reason": "x"}).status_code in {401, 403}
    assert client.get(f"/api/v1/grids/{WEST}/history/").status_code in {401, 403}
    assert client.get(f"/api/v1/regions/{VILLAGE}/coverage/").status_code in {401, 403}
    assert client.get("/api/v1/grid-changes/").status_code in {401, 403}


# --- merge, redraw, update, history --------------------------------------------------------------


def test_r8_1_merge_adjacent_grids(client, county_admin):
    client.force_login(county_admin)
    response = post(
        client,
        f"/api/v1/grids/{WEST}/merge/",
        {"codes": [EAST], "name": "合并网格", "reason": REASON},
    )
    assert response.status_code == 201, response.content
    (grid,) = response.json()["grids"]
    assert grid["name"] == "合并网格" and grid["households"] == 800
    assert current_codes() == ["440703002101003"]


def test_merge_of_grids_of_two_villages_is_400(client, county_admin):
    client.force_login(county_admin)
    response = post(
        client, f"/api/v1/grids/{EAST}/merge/", {"codes": ["440703002102001"], "reason": REASON}
    )
    assert response.status_code == 400
    assert "codes" in response.json()["errors"]  # grids of one change: one village


def test_r8_1_redraw_moves_a_shared_border_in_one_change(client, county_admin):
    client.force_login(county_admin)
    response = post(
        client,
        f"/api/v1/grids/{WEST}/redraw/",
        {
            "geometries": {WEST: geojson(box(0, 0, 0.7, 1)), EAST: geojson(box(0.7, 0, 1, 1))},
            "reason": REASON,
        },
    )
    assert response.status_code == 200, response.content
    assert [(g["code"], g["version"]) for g in response.json()["grids"]] == [(WEST, 2), (EAST, 2)]
    assert GridChange.objects.get().kind == "redraw"


def test_r8_1_a_redraw_reaching_outside_the_village_is_400_with_its_place(client, county_admin):
    client.force_login(county_admin)
    response = post(
        client,
        f"/api/v1/grids/{WEST}/redraw/",
        {"geometries": {WEST: geojson(box(-0.3, 0, 0.5, 1))}, "reason": REASON},
    )
    assert response.status_code == 400
    problem = response.json()["problems"][0]
    assert problem["kind"] == "outside" and problem["codes"] == [WEST, VILLAGE]
    assert shape(problem["geometry"]).within(box(-0.31, -0.01, 0.01, 1.01))


def test_redraw_must_include_the_grid_of_the_url(client, county_admin):
    client.force_login(county_admin)
    response = post(
        client,
        f"/api/v1/grids/{WEST}/redraw/",
        {"geometries": {EAST: geojson(box(0.5, 0, 1, 1))}, "reason": REASON},
    )
    assert response.status_code == 400 and "geometries" in response.json()["errors"]


def test_update_needs_a_reason_and_makes_a_new_version(client, county_admin):
    """R8.2: every change carries the reason filed with the city."""
    client.force_login(county_admin)
    url = f"/api/v1/grids/{WEST}/update/"
    refused = post(client, url, {"households": 450, "reason": " "}, method="patch")
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    response = post(client, url, {"households": 450, "name": "西片", "reason": REASON}, "patch")
    assert response.status_code == 200, response.content
    (grid,) = response.json()["grids"]
    assert (grid["version"], grid["households"], grid["name"]) == (2, 450, "西片")


def test_r8_1_history_lists_every_version_with_its_changes(client, county_admin):
    """R8.1 动态调整 with history kept: versions and the changes that made/retired them."""
    client.force_login(county_admin)
    post(client, f"/api/v1/grids/{WEST}/update/", {"households": 450, "reason": "人口增长"})
    post(client, f"/api/v1/grids/{WEST}/update/", {"name": "西片", "reason": "更名"})
    versions = client.get(f"/api/v1/grids/{WEST}/history/").json()
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[0]["created_by_change"] is None  # drawn before the platform
    assert versions[0]["retired_by_change"]["reason"] == "人口增长"
    assert versions[1]["created_by_change"]["reason"] == "人口增长"
    assert versions[2]["retired_by_change"] is None and versions[2]["is_current"]
    assert versions[2]["geometry"]["type"] == "Polygon"


def test_history_of_a_retired_code_is_still_there(client, county_admin):
    client.force_login(county_admin)
    post(client, f"/api/v1/grids/{WEST}/merge/", {"codes": [EAST], "reason": REASON})
    versions = client.get(f"/api/v1/grids/{WEST}/history/").json()
    assert len(versions) == 1 and versions[0]["retired_by_change"]["kind"] == "merge"


# --- filings (R8.2) ------------------------------------------------------------------------------


def test_r8_2_filings_are_listed_in_the_jurisdiction_and_acknowledged_by_the_city(
    client, county_admin
):
    client.force_login(county_admin)
    post(client, f"/api/v1/grids/{WEST}/update/", {"households": 450, "reason": REASON})
    change = GridChange.objects.get()
    # the county sees its filing, but may not acknowledge it
    rows = client.get("/api/v1/grid-changes/").json()["results"]
    assert [r["id"] for r in rows] == [change.pk] and rows[0]["made_by"] == "county_admin"
    refused = post(client, f"/api/v1/grid-changes/{change.pk}/acknowledge/", {})
    assert refused.status_code == 403
    # another county sees nothing
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440784"))
    assert client.get("/api/v1/grid-changes/").json()["results"] == []
    assert client.get(f"/api/v1/grid-changes/{change.pk}/").status_code == 404
    # the city agency acknowledges
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "4407", username="city_admin"))
    pending = client.get("/api/v1/grid-changes/?filing_status=submitted").json()["results"]
    assert [r["id"] for r in pending] == [change.pk]
    response = post(client, f"/api/v1/grid-changes/{change.pk}/acknowledge/", {"note": "同意"})
    assert response.status_code == 200, response.content
    assert response.json()["filing_status"] == "acknowledged"
    assert response.json()["acknowledged_by"] == "city_admin"
    assert client.get("/api/v1/grid-changes/?filing_status=submitted").json()["results"] == []


# --- coverage report -----------------------------------------------------------------------------


def test_r8_1_coverage_report_as_json_with_problem_geometries(client, county_admin, grids):
    """R8.1: problems with kind, codes, area, point and piece; size rules as warnings."""
    _tree, (_west, east, _v2_west, v2_east) = grids
    # set-up, not changes: ground no grid covers, and a grid too big for a community
    Grid.objects.filter(pk=v2_east.pk).delete()
    Grid.objects.filter(pk=east.pk).update(households=900)
    client.force_login(county_admin)
    body = client.get("/api/v1/regions/440703/coverage/").json()
    assert body["region"]["code"] == "440703" and body["ok"] is False
    assert body["errors"] == 1 and body["cached"] is False
    (gap,) = [p for p in body["problems"] if p["severity"] == "error"]
    assert gap["kind"] == "gap" and gap["codes"][0] == "440703002102"
    assert shape(gap["geometry"]).symmetric_difference(box(1.5, 0, 2, 1)).area < 1e-9
    (size,) = [p for p in body["problems"] if p["kind"] == "size"]
    assert size["severity"] == "warning" and size["codes"] == [EAST]
    again = client.get("/api/v1/regions/440703/coverage/").json()
    assert again["cached"] is True and again["problems"] == body["problems"]
    assert client.get("/api/v1/regions/440703/coverage/?refresh=1").json()["cached"] is False


def test_coverage_of_a_region_outside_the_jurisdiction_is_404(client, grids):
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440784"))
    assert client.get("/api/v1/regions/440703/coverage/").status_code == 404


def test_the_grid_change_endpoints_are_in_the_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/grids/{code}/split/",
        "/api/v1/grids/{code}/split-preview/",
        "/api/v1/grids/{code}/merge/",
        "/api/v1/grids/{code}/redraw/",
        "/api/v1/grids/{code}/update/",
        "/api/v1/grids/{code}/history/",
        "/api/v1/grid-changes/",
        "/api/v1/grid-changes/{id}/acknowledge/",
        "/api/v1/regions/{code}/coverage/",
    ):
        assert path in schema["paths"], path
    assert "patch" in schema["paths"]["/api/v1/grids/{code}/update/"]
