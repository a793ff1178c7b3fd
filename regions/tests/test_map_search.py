"""Place search on the maps (issue 10, "maps people can read"; R8.4, R22.1): villages,
townships and grids by name or code, the staff's inside their jurisdiction, the public pages'
over public data only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.access import roles as R
from gridgov.testing.people import make_user
from gridgov.testing.regions import box, halves, make_grid, make_tree, region
from regions import search
from regions.models import Grid, Level, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    tree = make_tree()
    grids = halves(tree)
    Grid.objects.filter(code=grids[0].code).update(name="羊桥第一网格")
    # another county (鹤山市), with a village of a similar name
    city = tree["city"]
    county = region("440784", "鹤山市", Level.COUNTY, city, box(3, 0, 4, 1))
    town = region("440784001", "沙坪街道", Level.TOWNSHIP, county, box(3, 0, 4, 1))
    village = region("440784001001", "羊桥村", Level.VILLAGE, town, box(3, 0, 4, 1), kind="rural")
    make_grid(village, 1, box(3, 0, 4, 1), name="羊桥村网格")
    return tree


def staff(code: str = "440703") -> Client:
    client = Client()
    client.force_login(make_user(R.Role.DISPATCHER, code))
    return client


def names(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [r["name"] for r in response.json()["results"]]


def test_the_closest_names_come_first_larger_places_before_smaller(places):
    found = search.search("羊桥", regions=Region.objects.all(), grids=Grid.objects.current())
    assert [p.name for p in found] == ["羊桥社区居委会", "羊桥村", "羊桥第一网格", "羊桥村网格"]
    by_name = {p.name: p for p in found}
    village = by_name["羊桥社区居委会"]
    assert village.kind == "village" and village.kind_label == "村(社区)"
    assert village.context == "蓬江区 / 白沙街道"
    assert village.bbox is not None and village.bbox[0] < village.bbox[2]
    grid = by_name["羊桥第一网格"]
    assert grid.kind == "grid" and grid.context == "蓬江区 / 白沙街道 / 羊桥社区居委会"
    exact = search.search("羊桥村", regions=Region.objects.all(), grids=Grid.objects.current())
    assert exact[0].name == "羊桥村"  # the whole name first


def test_a_code_finds_its_place_and_what_lies_in_it(places):
    found = search.search("440703002101", regions=Region.objects.all(), grids=Grid.objects.all())
    assert found[0].code == "440703002101"
    assert {p.code for p in found} >= {"440703002101001", "440703002101002"}


def test_staff_find_only_their_jurisdiction(places):
    mine = names(staff().get("/maps/search.json", {"q": "羊桥"}))
    assert "羊桥社区居委会" in mine and "羊桥第一网格" in mine
    assert "羊桥村" not in mine and "羊桥村网格" not in mine  # 鹤山市 is not theirs
    theirs = names(staff("440784").get("/maps/search.json", {"q": "羊桥"}))
    assert set(theirs) == {"羊桥村", "羊桥村网格"}


def test_the_public_search_covers_every_current_place_with_public_fields_only(places):
    response = Client().get("/public/places/search.json", {"q": "羊桥"})
    assert set(names(response)) >= {"羊桥社区居委会", "羊桥村", "羊桥第一网格", "羊桥村网格"}
    row = response.json()["results"][0]
    assert set(row) == {"kind", "kind_label", "code", "name", "context", "bbox"}


def test_retired_grids_are_not_found(places):
    Grid.objects.filter(name="羊桥村网格").update(valid_to=timezone.now())
    assert "羊桥村网格" not in names(Client().get("/public/places/search.json", {"q": "羊桥"}))


@pytest.mark.parametrize("q", ["", "   ", "%", "_", "x" * 500, "¹²³", "<img src=x>"])
def test_odd_queries_answer_200_and_find_nothing_odd(places, q):
    response = Client().get("/public/places/search.json", {"q": q})
    assert response.status_code == 200 and response.json()["results"] == []


def test_the_staff_search_needs_a_login_and_a_staff_role(places):
    assert Client().get("/maps/search.json", {"q": "羊桥"}).status_code == 302
    resident = Client()
    resident.force_login(make_user(R.Role.RESIDENT, "440703"))
    assert resident.get("/maps/search.json", {"q": "羊桥"}).status_code == 403


def test_a_registered_provider_adds_its_places(places):
    def addresses(query, user, limit):
        return [search.Place("address", "地址", "A1", f"{query}路1号", "", None, rank=5)]

    search.register(addresses)
    try:
        found = search.search("羊桥", regions=Region.objects.none(), grids=Grid.objects.none())
    finally:
        search.PROVIDERS.remove(addresses)
    assert [p.name for p in found] == ["羊桥路1号"]
