"""Grid changes over REST carry people and cases (R8.1, R10.2): the change-preview endpoint,
the administrator's choices, and the 400 listing what would break."""

from __future__ import annotations

import json
from typing import Any

import pytest
from shapely.geometry import mapping

from gridgov.access import roles as R
from gridgov.testing.people import make_user, make_worker
from gridgov.testing.regions import box, halves, make_tree
from people.models import GridAssignment
from regions.models import Grid

pytestmark = pytest.mark.django_db

WEST, EAST = "440703002101001", "440703002101002"
PART_A, PART_B = "440703002101003", "440703002101004"
PARTS = [
    {"geometry": mapping(box(0, 0, 0.5, 0.3))},
    {"geometry": mapping(box(0, 0.3, 0.5, 1)), "name": "北片"},
]


@pytest.fixture
def admin():
    halves(make_tree())
    return make_user(R.Role.AGENCY_ADMIN, "440703", username="county_admin")


def post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_r10_2_change_preview_lists_workers_vacancies_and_cases(client, admin):
    """R8.1, R10.2: before confirming, the administrator sees each worker with the default
    successor (most of the old area), the grids left without a leader, and the open cases."""
    leader = make_worker("leader", grid_code=WEST, name="张网格长")
    client.force_login(admin)
    response = post(
        client, f"/api/v1/grids/{WEST}/change-preview/", {"kind": "split", "parts": PARTS}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["retired"] == [WEST]
    assert [s["code"] for s in body["successors"]] == [PART_A, PART_B]
    assert body["default_successor"] == {WEST: PART_B}
    (worker,) = body["workers"]
    assert worker["assignment"] == leader.assignments.get().pk
    assert (worker["from_grid"], worker["default"], worker["destination"]) == (WEST, PART_B, PART_B)
    assert worker["choices"] == [PART_A, PART_B, "end"]
    assert body["vacant"] == [
        {"code": PART_A, "name": "羊桥社区第3网格", "needs_acceptance": True, "accepted": False}
    ]
    assert body["problems"] == [] and body["cases"]["open"] == 0
    assert Grid.objects.current().filter(code=WEST).exists()

    chosen = post(
        client,
        f"/api/v1/grids/{WEST}/change-preview/",
        {"kind": "split", "parts": PARTS, "workers": {str(worker["assignment"]): PART_A}},
    ).json()
    assert chosen["workers"][0]["destination"] == PART_A
    assert [v["code"] for v in chosen["vacant"]] == [PART_B]


def test_r10_2_a_split_leaving_a_grid_without_leader_is_a_400_listing_it(client, admin):
    make_worker("leader", grid_code=WEST, name="张网格长")
    client.force_login(admin)
    refused = post(client, f"/api/v1/grids/{WEST}/split/", {"parts": PARTS, "reason": "拆分"})
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "assignment_rules" and PART_A in body["detail"]
    assert [v["code"] for v in body["vacant"]] == [PART_A]
    assert Grid.objects.current().filter(code=WEST).exists()

    done = post(
        client,
        f"/api/v1/grids/{WEST}/split/",
        {"parts": PARTS, "reason": "拆分", "accept_vacant": [PART_A]},
    )
    assert done.status_code == 201, done.content
    assert GridAssignment.objects.active().get(worker__name="张网格长").grid_code == PART_B


def test_r10_2_a_merge_with_two_leaders_is_a_400_naming_both(client, admin):
    make_worker("leader", grid_code=WEST, name="张网格长")
    second = make_worker("leader", grid_code=EAST, name="王网格长")
    client.force_login(admin)
    url = f"/api/v1/grids/{WEST}/merge/"
    refused = post(client, url, {"codes": [EAST], "reason": "合并"})
    assert refused.status_code == 400
    assert refused.json()["problems"][0]["code"] == "two_leaders"
    preview = post(
        client, f"/api/v1/grids/{WEST}/change-preview/", {"kind": "merge", "codes": [EAST]}
    ).json()
    assert preview["problems"][0]["code"] == "two_leaders"
    ended = {str(second.assignments.get().pk): "end"}
    done = post(client, url, {"codes": [EAST], "reason": "合并", "workers": ended})
    assert done.status_code == 201, done.content


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "split"},
        {"kind": "merge"},
        {"kind": "redraw"},
        {"kind": "split", "parts": PARTS, "workers": {"x": PART_A}},
        {"kind": "split", "parts": PARTS, "workers": {"1": EAST}},
        {"kind": "split", "parts": PARTS, "accept_vacant": ["123"]},
        {"kind": "split", "parts": PARTS, "workers": ["1"]},
    ],
)
def test_change_preview_refuses_bad_input_with_400(client, admin, body):
    client.force_login(admin)
    assert post(client, f"/api/v1/grids/{WEST}/change-preview/", body).status_code == 400


def test_change_preview_needs_a_drawer(client, admin):
    """R8.1: a dispatcher sees the grid but may not plan changes to it."""
    client.force_login(make_user(R.Role.DISPATCHER, "440703"))
    response = post(
        client, f"/api/v1/grids/{WEST}/change-preview/", {"kind": "split", "parts": PARTS}
    )
    assert response.status_code == 403
