"""Grid management pages (issue 6; R8.1, R8.2): region browser, grid page, update form, map
editor, coverage report, filings — each page, form and permission, with the Django client."""

from __future__ import annotations

import json
import re

import pytest

from gridgov import menu
from gridgov.access import roles as R
from gridgov.testing.people import make_user, make_worker
from gridgov.testing.regions import halves, make_tree
from regions import services
from regions.models import Grid, GridChange

pytestmark = pytest.mark.django_db

WEST = "440703002101001"
EAST = "440703002101002"
VILLAGE = "440703002101"


@pytest.fixture
def grids():
    tree = make_tree()
    return tree, halves(tree)


@pytest.fixture
def county_admin(grids):
    return make_user(R.Role.AGENCY_ADMIN, "440703", username="county_admin")


@pytest.fixture
def city_admin(grids):
    return make_user(R.Role.AGENCY_ADMIN, "4407", username="city_admin")


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def json_script(html: str, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, f"no {element_id} on the page"
    return json.loads(match.group(1))


# --- menu and browser ----------------------------------------------------------------------------


def test_menu_offers_grid_management_to_agency_roles_only(grids):
    """Issue 6: the agencies (and the system administrator) see 网格管理; 网格报备 is for the
    administrators who file and acknowledge (R8.2)."""

    def keys(user):
        return {item.key for item in menu.items_for(user)}

    dispatcher = make_user(R.Role.DISPATCHER, "440703002")
    assert "regions-grids" in keys(dispatcher) and "regions-filings" not in keys(dispatcher)
    admin = make_user(R.Role.AGENCY_ADMIN, "440703")
    assert {"regions-grids", "regions-filings"} <= keys(admin)
    handler = make_user(R.Role.DEPT_HANDLER, "440703")
    assert not {"regions-grids", "regions-filings"} & keys(handler)


def test_the_browser_opens_on_the_users_own_region(client, county_admin):
    """County → townships, with grid counts and vacant grids (no active leader) counted."""
    make_worker("leader", grid_code=WEST)
    client.force_login(county_admin)
    html = page(client, "/grids/")
    assert "<h1>蓬江区</h1>" in html
    assert 'href="/grids/regions/440703002/"' in html
    row = re.search(r'<tr data-code="440703002">(.*?)</tr>', html, re.S).group(1)
    # 4 grids in 白沙街道, 3 without a leader
    assert '<td class="num">4</td>' in row and '<span class="badge red">3</span>' in row


def test_a_village_page_lists_its_grids_and_marks_the_vacant_ones(client, county_admin):
    make_worker("leader", grid_code=WEST)
    client.force_login(county_admin)
    html = page(client, f"/grids/regions/{VILLAGE}/")
    assert f'href="/grids/{WEST}/"' in html and f'href="/grids/{EAST}/"' in html
    assert f'<tr data-code="{EAST}" class="vacant">' in html
    assert f'<tr data-code="{WEST}">' in html
    assert f'href="/grids/regions/{VILLAGE}/edit/"' in html  # the county agency may edit


def test_region_map_layers_with_vacant_codes(client, county_admin):
    """The map of a township: its villages, its grids, and which grids are vacant."""
    make_worker("leader", grid_code=WEST)
    client.force_login(county_admin)
    body = client.get("/grids/regions/440703002/map.json").json()
    assert [f["properties"]["code"] for f in body["layers"]["children"]["features"]] == [
        VILLAGE,
        "440703002102",
    ]
    assert len(body["layers"]["grids"]["features"]) == 4
    assert WEST not in body["vacant"] and EAST in body["vacant"]


def test_a_city_map_shows_counties_not_every_grid(client, city_admin):
    client.force_login(city_admin)
    body = client.get("/grids/regions/4407/map.json").json()
    assert [f["properties"]["code"] for f in body["layers"]["children"]["features"]] == ["440703"]
    assert body["layers"]["grids"]["features"] == []


def test_regions_outside_the_jurisdiction_are_404(client, grids):
    """R22.1: a township administrator does not see the county or another township."""
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703002"))
    page(client, "/grids/regions/440703/", 404)
    page(client, "/grids/regions/440703001/", 404)
    html = page(client, "/grids/regions/440703002/")
    # the county is shown in the path, but not as a link
    assert "蓬江区" in html and 'href="/grids/regions/440703/"' not in html


def test_anonymous_visitors_are_sent_to_the_login_page(client, grids):
    for url in ("/grids/", f"/grids/{WEST}/", f"/grids/regions/{VILLAGE}/edit/", "/grids/filings/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_roles_without_grid_access_get_403(client, grids):
    client.force_login(make_user(R.Role.AUDITOR, "440703"))
    assert client.get("/grids/").status_code == 403
    assert client.get(f"/grids/{WEST}/").status_code == 403


# --- the grid page -------------------------------------------------------------------------------


def test_grid_page_shows_polygon_figures_workers_history_and_actions(client, county_admin):
    """Issue 6: polygon, figures, versions with their changes, workers, the actions allowed."""
    make_worker("leader", grid_code=WEST, name="陈网格长")
    services.update_grid("test", WEST, households=450, reason="人口增长")
    client.force_login(county_admin)
    html = page(client, f"/grids/{WEST}/")
    assert "陈网格长" in html and "网格长" in html
    assert "第 2 版" in html and "人口增长" in html and "修改属性" in html  # the change, by kind
    assert html.count("<tr") >= 4  # header rows + two versions
    data = json_script(html, "grid-map-data")
    assert data["grid"]["code"] == WEST and data["grid"]["geometry"]["type"] == "Polygon"
    assert [n["code"] for n in data["neighbours"]] == [EAST]
    assert f"/grids/regions/{VILLAGE}/edit/?grid={WEST}&amp;mode=split" in html
    assert f'href="/grids/{WEST}/update/"' in html


def test_grid_page_for_a_dispatcher_offers_no_changes(client, grids):
    client.force_login(make_user(R.Role.DISPATCHER, "440703"))
    html = page(client, f"/grids/{WEST}/")
    assert "/edit/" not in html and "/update/" not in html
    assert "空缺网格长" in html  # nobody leads it yet


def test_a_retired_grid_keeps_its_page_with_history(client, county_admin):
    services.merge_grids("test", [WEST, EAST], reason="合并")
    client.force_login(county_admin)
    html = page(client, f"/grids/{WEST}/")
    assert "已撤销" in html and "合并" in html and "/edit/" not in html


def test_grids_of_another_county_are_404(client, grids):
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440784"))
    page(client, f"/grids/{WEST}/", 404)
    page(client, f"/grids/{WEST}/update/", 404)


# --- the update form -----------------------------------------------------------------------------


def test_update_form_saves_a_new_version_and_files_it(client, county_admin):
    """R8.1, R8.2: name/size changes make a new version, filed with the city."""
    client.force_login(county_admin)
    html = page(client, f"/grids/{WEST}/update/")
    assert 'value="400"' in html
    response = client.post(
        f"/grids/{WEST}/update/",
        {"name": "西片网格", "households": "420", "population": "1300", "reason": "人口普查"},
    )
    assert response.status_code == 302 and response["Location"] == f"/grids/{WEST}/"
    grid = Grid.objects.current().get(code=WEST)
    assert (grid.version, grid.name, grid.households) == (2, "西片网格", 420)
    assert GridChange.objects.get().reason == "人口普查"
    assert "已保存为第 2 版" in page(client, f"/grids/{WEST}/")


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"households": "420", "reason": ""}, "reason", "reason"),
        ({"households": "很多", "reason": "x"}, "households", "整数"),
        ({"name": "", "households": "-3", "reason": "x"}, "households", "整数"),
    ],
)
def test_update_form_refusals_keep_the_input(client, county_admin, post, field, message):
    """A refusal is shown in place, with what was typed, and nothing changes."""
    client.force_login(county_admin)
    data = {"name": "新名字", "population": "1200", **post}
    response = client.post(f"/grids/{WEST}/update/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'role="alert"' in html
    assert f'name="{field}"' in html and 'aria-invalid="true"' in html
    if data.get("name"):
        assert 'value="新名字"' in html
    assert Grid.objects.current().get(code=WEST).version == 1
    assert not GridChange.objects.exists()


def test_update_form_is_403_for_those_who_do_not_draw(client, grids):
    """R8.1: the city agency files, it does not draw."""
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "4407"))
    assert client.get(f"/grids/{WEST}/update/").status_code == 403
    response = client.post(f"/grids/{WEST}/update/", {"households": "1", "reason": "x"})
    assert response.status_code == 403
    assert Grid.objects.current().get(code=WEST).version == 1


# --- the editor ----------------------------------------------------------------------------------


def test_editor_page_carries_exact_geometries_and_the_api(client, county_admin):
    client.force_login(county_admin)
    html = page(client, f"/grids/regions/{VILLAGE}/edit/?grid={WEST}&mode=split")
    data = json_script(html, "editor-data")
    assert [g["code"] for g in data["grids"]] == [WEST, EAST]
    west = Grid.objects.current().get(code=WEST)
    # unrounded, so a redraw sends untouched shared vertices back exactly
    assert data["grids"][0]["geometry"]["coordinates"][0][0] == list(
        west.geometry.exterior.coords[0]
    )
    assert data["api"]["grid"] == "/api/v1/grids/"
    assert 'data-selected="440703002101001"' in html and 'data-mode="split"' in html
    assert json_script(html, "editor-text")["kinds"]["gap"]
    assert "vendor/leaflet/leaflet.js" in html and "regions/grid-editor.js" in html


def test_editor_is_403_for_those_who_do_not_draw_and_404_outside(client, grids):
    client.force_login(make_user(R.Role.DISPATCHER, "440703"))
    page(client, f"/grids/regions/{VILLAGE}/edit/", 403)
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440784"))
    page(client, f"/grids/regions/{VILLAGE}/edit/", 404)


def test_editor_only_opens_on_villages(client, county_admin):
    client.force_login(county_admin)
    page(client, "/grids/regions/440703002/edit/", 404)


# --- coverage report -----------------------------------------------------------------------------


def test_coverage_page_loads_the_report_then_serves_it_from_the_cache(client, county_admin, grids):
    """R8.1: problems listed with links to their place and drawn on the map."""
    _tree, (_w, _east, _vw, v2_east) = grids
    Grid.objects.filter(pk=v2_east.pk).delete()  # set-up: ground no grid covers
    client.force_login(county_admin)
    html = page(client, "/grids/regions/440703/coverage/")
    assert 'hx-get="/grids/regions/440703/coverage/result/"' in html  # computed after the page
    fragment = page(client, "/grids/regions/440703/coverage/result/")
    assert "1 个覆盖问题" in fragment and "缝隙" in fragment
    assert 'href="/grids/regions/440703002102/"' in fragment  # the village with the gap
    assert 'href="/grids/440703002102001/"' in fragment  # its neighbour
    problems = json_script(fragment, "coverage-problems")
    assert problems[0]["kind"] == "gap" and problems[0]["geometry"]["type"] == "Polygon"
    # the next visit shows the cached report at once
    html = page(client, "/grids/regions/440703/coverage/")
    assert "缓存结果" in html and 'hx-trigger="load"' not in html
    assert json_script(html, "coverage-problems") == problems


def test_coverage_report_follows_a_grid_change(
    client, county_admin, grids, django_capture_on_commit_callbacks
):
    """The cache is per grid generation: after a change the report is computed afresh."""
    client.force_login(county_admin)
    assert "覆盖完整" in page(client, "/grids/regions/440703/coverage/result/")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_grid("test", WEST, households=9000, reason="x")
    fragment = page(client, "/grids/regions/440703/coverage/result/")
    assert "缓存结果" not in fragment and "9000" in fragment and "规模" in fragment


def test_coverage_of_a_foreign_region_is_404(client, grids):
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440784"))
    page(client, "/grids/regions/440703/coverage/", 404)
    page(client, "/grids/regions/440703/coverage/result/", 404)


# --- filings (R8.2) ------------------------------------------------------------------------------


@pytest.fixture
def filed(county_admin):
    services.update_grid(county_admin, WEST, households=450, reason="人口增长")
    return GridChange.objects.get()


def test_r8_2_the_city_acknowledges_filings_in_the_list(client, city_admin, filed):
    client.force_login(city_admin)
    html = page(client, "/grids/filings/?status=submitted")
    assert "人口增长" in html and "county_admin" in html
    assert f'action="/grids/filings/{filed.pk}/acknowledge/"' in html
    response = client.post(
        f"/grids/filings/{filed.pk}/acknowledge/",
        {"note": "同意备案", "next": "/grids/filings/?status=submitted"},
    )
    assert (
        response.status_code == 302 and response["Location"] == "/grids/filings/?status=submitted"
    )
    filed.refresh_from_db()
    assert filed.filing_status == "acknowledged" and filed.acknowledged_by == city_admin
    html = page(client, "/grids/filings/?status=submitted")
    assert "人口增长" not in html and f"已确认报备 #{filed.pk}" in html
    assert "同意备案" in page(client, "/grids/filings/?status=acknowledged")


def test_r8_2_the_county_sees_its_filings_but_has_no_acknowledge_button(
    client, county_admin, filed
):
    client.force_login(county_admin)
    html = page(client, "/grids/filings/")
    assert "人口增长" in html and "/acknowledge/" not in html
    response = client.post(f"/grids/filings/{filed.pk}/acknowledge/", {}, follow=True)
    assert "无权" in response.content.decode()  # the service's refusal, as a message
    filed.refresh_from_db()
    assert filed.filing_status == "submitted"


def test_r8_2_filings_of_another_county_are_invisible(client, filed):
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440784"))
    assert "人口增长" not in page(client, "/grids/filings/")
    assert client.post(f"/grids/filings/{filed.pk}/acknowledge/").status_code == 404
