"""Who sees which case, through the API (R22.1, R24.1–R24.4).

A department sees the cases assigned to it (at any time: a return does not hide the case it
handled), a grid worker its grids' cases, a resident their own reports, agency staff their
region's. Everything else does not exist for them: every route of a foreign case is 404, and
no filter widens a list beyond the jurisdiction. Accounts report only where their roles reach.
"""

from __future__ import annotations

from typing import Any

import pytest

from cases import machine, services
from cases.models import Case, CaseEvent
from cases.tests.test_api import CASES, counts, in_grid, login, report, url
from gridgov.access import roles as R
from gridgov.testing import people

pytestmark = pytest.mark.django_db

READ_ROUTES = ("", "archive", "export.json", "export.pdf")
ACTION_ROUTES = [
    "verify",
    "settle",
    "accept",
    "decline",
    "escalate",
    "dispatch",
    "sign",
    "return",
    "feedback",
    "check",
    "evaluate",
    "extend",
    "decide-extension",
    "suspend",
    "decide-suspension",
    "resume",
    "supervise",
    "answer",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def three(world) -> dict[str, Case]:
    """A worker's case in grid 0 (dispatched to police, urban co-operating), a resident's
    report in grid 1 (same village), and an agency's case in the other village."""
    mine = report(world, description="羊桥路灯损坏")
    services.accept(world.dispatcher, mine.pk)
    services.dispatch(
        world.dispatcher, mine.pk, lead_department=world.police.pk, co_departments=[world.urban.pk]
    )
    theirs = report(world, world.resident, grid=1, description="邻里噪音")
    other = report(world, "test", grid=2, description="迦南路面塌陷")
    return {"grid0": mine, "grid1": theirs, "village2": other}


# who → the cases (of the three) they see
VISIBLE = {
    "worker": {"grid0"},
    "leader": {"grid0"},
    "resident": {"grid1"},
    "dispatcher": {"grid0", "grid1", "village2"},
    "county_dispatcher": {"grid0", "grid1", "village2"},
    "supervisor": {"grid0", "grid1", "village2"},
    "police_handler": {"grid0"},
    "urban_handler": {"grid0"},
    "housing_handler": set(),
    "foreign_dispatcher": set(),
}


@pytest.mark.parametrize("who", list(VISIBLE))
def test_each_role_sees_exactly_its_cases_and_foreign_ones_do_not_exist(world, three, who):
    """R22.1: the list holds exactly the user's cases; every read and every action route of
    any other case answers 404 and changes nothing."""
    client = login(getattr(world, who))
    expected = {three[name].pk for name in VISIBLE[who]}
    listed = client.get(f"{CASES}?page_size=100").json()["results"]
    assert {c["id"] for c in listed} == expected
    before = counts()
    for name, case in three.items():
        if case.pk in expected:
            assert client.get(url(case)).status_code == 200
            continue
        for route in READ_ROUTES:
            assert client.get(url(case, route)).status_code == 404, (name, route)
        for action in ACTION_ROUTES:
            response = client.post(url(case, action), {"note": "x", "reason": "x"}, format="json")
            assert response.status_code == 404, (name, action, response.status_code)
    assert counts() == before


def test_a_department_keeps_seeing_a_case_it_returned(world, three):
    """R24.4: the returned case stays visible to the department that held it (assigned at
    any time), which may no longer act on it; the new lead department now sees it too."""
    case = three["grid0"]
    services.sign(world.police_handler, case.pk)
    services.return_case(world.police_handler, case.pk, reason="属住建部门职责")
    housing = login(world.housing_handler)
    assert housing.get(url(case)).status_code == 404
    services.dispatch(world.dispatcher, case.pk, lead_department=world.housing.pk)
    assert housing.get(url(case)).status_code == 200
    police = login(world.police_handler)
    body = police.get(url(case)).json()
    assert body["state"] == "dispatched" and body["available_actions"] == []
    assert police.post(url(case, "sign"), {}).status_code == 403
    listed = police.get(f"{CASES}?department={world.police.pk}").json()["results"]
    assert [c["id"] for c in listed] == [case.pk]


def test_filters_never_widen_a_list_beyond_the_jurisdiction(world, three):
    """R22.1: asking for another region, department or state does not reach past scope."""
    client = login(world.foreign_dispatcher)
    for query in (
        "region=440703",
        "grid=440703002101001",
        f"department={world.police.pk}",
        "state=verified&state=reported&state=dispatched",
        f"q={three['grid0'].tracking_code}",
        "open=true",
    ):
        assert client.get(f"{CASES}?{query}").json()["results"] == [], query
    worker = login(world.worker)
    ids = {c["id"] for c in worker.get(f"{CASES}?region=440703").json()["results"]}
    assert ids == {three["grid0"].pk}


def test_a_village_committee_sees_its_village(world, three):
    member = people.make_user(R.Role.VILLAGE_COMMITTEE, "440703002101", username="committee")
    listed = login(member).get(CASES).json()["results"]
    assert {c["id"] for c in listed} == {three["grid0"].pk, three["grid1"].pk}


def test_personal_data_of_the_reporter_is_masked_for_every_reader(world):
    """R22.1: the caller's phone is kept encrypted; the API shows the masked form only."""
    case = report(
        world,
        world.dispatcher,
        channel="hotline",
        reporter_name="王先生",
        reporter_phone="13700001234",
    )
    for who in ("dispatcher", "worker", "supervisor"):
        response = login(getattr(world, who)).get(url(case))
        assert response.status_code == 200
        assert response.json()["reporter_phone"] == "137****1234"
        assert "13700001234" not in response.content.decode()
    exported = login(world.dispatcher).get(url(case, "export.json"))
    assert "13700001234" not in exported.content.decode()


# --- reporting where one's roles reach -------------------------------------------------------


def _post(client: Any, world: Any, grid: int, **extra: Any) -> Any:
    lng, lat = in_grid(grid)
    payload = {"lng": lng, "lat": lat, "matter": world.entry_code, "description": "x", **extra}
    return client.post(CASES, payload, format="json")


def test_a_grid_worker_reports_only_in_its_own_grids(world):
    """R22.1, R24.1: a worker's report starts verified, so it is taken only where the worker
    works; elsewhere it is refused (403 naming the location), not filed out of sight."""
    client = login(world.worker)
    before = counts()
    response = _post(client, world, 1)
    assert response.status_code == 403
    assert "lng" in response.json()["errors"]
    assert counts() == before
    assert _post(client, world, 0).status_code == 201


def test_accounts_report_only_inside_their_jurisdiction(world):
    """R22.1: a resident, hotline staff or department staff of another county are refused."""
    outsider = people.make_user(R.Role.RESIDENT, "440784", username="heshan_resident")
    heshan_police = people.make_user(R.Role.DEPT_HANDLER, "440784", username="heshan_police")
    before = counts()
    assert _post(login(outsider), world, 0).status_code == 403
    response = _post(
        login(world.foreign_dispatcher), world, 0, channel="hotline", reporter_name="张三"
    )
    assert response.status_code == 403
    assert _post(login(heshan_police), world, 0).status_code == 403
    assert counts() == before
    # inside: the county's resident anywhere in the county, the township's hotline staff;
    # department staff report as residents do (unverified), in their department's region
    assert _post(login(world.resident), world, 3).status_code == 201
    assert _post(login(world.dispatcher), world, 2, channel="hotline").status_code == 201
    response = _post(login(world.police_handler), world, 1)
    assert response.status_code == 201 and response.json()["state"] == "reported"


def test_the_public_resident_account_reports_anywhere(world):
    """R18.1: a resident account bound to no place is the public: it may report anywhere;
    the report starts unverified and only its reporter (and the place's staff) see it."""
    public = people.make_user(R.Role.RESIDENT, "", username="public")
    response = _post(login(public), world, 2)
    assert response.status_code == 201 and response.json()["state"] == "reported"
    assert login(world.resident).get(url(response.json()["id"])).status_code == 404


def test_the_system_and_the_superuser_report_anywhere(world):
    """Commands, imports and the demo act as the system (the superuser is unrestricted)."""
    case = report(world, "demo", grid=3)
    assert case.state == "verified" and case.channel == "agency"
    admin = people.make_account("root")
    type(admin).objects.filter(pk=admin.pk).update(is_superuser=True)
    admin.refresh_from_db()
    assert _post(login(admin), world, 1).status_code == 201


def test_available_actions_respect_the_jurisdiction(world, three):
    """The foreign dispatcher and the uninvolved department are offered nothing."""
    for case in three.values():
        fresh = Case.objects.get(pk=case.pk)
        assert machine.available_actions(world.foreign_dispatcher, fresh) == []
        assert machine.available_actions(world.housing_handler, fresh) == []
    assert CaseEvent.objects.filter(case__in=three.values()).exists()
