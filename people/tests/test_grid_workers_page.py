"""The grid's staff page to assign and reassign workers and leaders (R10.1, R10.2, R10.3)."""

from __future__ import annotations

import pytest

from audit.models import AuditRecord
from gridgov.access import roles as R
from gridgov.testing.people import make_department, make_grid, make_user, make_worker
from people.models import GridAssignment, WorkerKind

pytestmark = pytest.mark.django_db

G1, G2, OTHER_VILLAGE = "440703002101001", "440703002101002", "440703002102001"
URL = f"/people/grids/{G1}/"


@pytest.fixture
def admin(client):
    for code in (G1, G2, OTHER_VILLAGE):
        make_grid(code)
    user = make_user(R.Role.AGENCY_ADMIN, "440703")
    client.force_login(user)
    return user


def active(code):
    return {a.worker.name for a in GridAssignment.objects.active().filter(grid_code=code)}


def test_r10_1_the_grid_page_links_to_its_workers_page_which_lists_them(client, admin):
    make_worker("leader", grid_code=G1, name="张网格长")
    make_worker("fulltime", grid_code=G1, name="李专职")
    assert f'href="{URL}"' in client.get(f"/grids/{G1}/").content.decode()
    page = client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "张网格长" in text and "李专职" in text and "空缺网格长" not in text


def test_r10_1_assign_a_worker_through_the_service_audited(client, admin):
    worker = make_worker("fulltime", village_code=G1[:12], name="王专职")
    page = client.get(URL).content.decode()
    assert f'<option value="{worker.pk}">王专职' in page  # a candidate of the township
    response = client.post(URL, {"action": "assign", "worker": worker.pk})
    assert response.status_code == 302
    assert active(G1) == {"王专职"}
    record = AuditRecord.objects.filter(action="people.assignment.create").latest("pk")
    assert record.actor == admin and record.region_code == G1


def test_r10_2_make_a_worker_the_leader_and_refuse_one_from_another_village(client, admin):
    """R10.2: a full-time worker of the village who is a party member becomes the grid's
    leader; a worker of another village is refused with the rule, and nothing changes."""
    member = make_worker("fulltime", grid_code=G1, name="陈专职", is_party_member=True)
    response = client.post(URL, {"action": "leader", "worker": member.pk, "reason": "聘任"})
    assert response.status_code == 302, response.content.decode()
    member.refresh_from_db()
    assert member.kind == WorkerKind.LEADER
    assert GridAssignment.objects.active().get(grid_code=G1).kind == WorkerKind.LEADER
    outsider = make_worker("fulltime", village_code=OTHER_VILLAGE[:12], is_party_member=True)
    refused = client.post(URL, {"action": "leader", "worker": outsider.pk, "reason": "聘任"})
    assert refused.status_code == 400
    assert "网格长须来自网格所在的村(社区)" in refused.content.decode()
    outsider.refresh_from_db()
    assert outsider.kind == "fulltime"  # the kind change rolled back with the refusal


def test_r10_2_a_second_leader_needs_replace_and_the_sitting_one_then_ends(client, admin):
    make_worker("leader", grid_code=G1, name="张网格长")
    second = make_worker("leader", village_code=G1[:12], name="李网格长")
    refused = client.post(URL, {"action": "assign", "worker": second.pk})
    assert refused.status_code == 400 and "已有网格长 张网格长" in refused.content.decode()
    client.post(URL, {"action": "assign", "worker": second.pk, "replace_leader": "1"})
    assert active(G1) == {"李网格长"}


def test_r10_1_end_and_move_assignments(client, admin):
    leaving = make_worker("fulltime", grid_code=G1, name="赵专职")
    moving = make_worker("parttime", grid_code=G1, name="钱兼职")
    a_leave = leaving.assignments.get()
    a_move = moving.assignments.get()
    client.post(URL, {"action": "end", "assignment": a_leave.pk, "reason": "辞职"})
    a_leave.refresh_from_db()
    assert a_leave.ended_on is not None and a_leave.end_reason == "辞职"
    response = client.post(
        URL, {"action": "move", "assignment": a_move.pk, "grid_code": G2, "reason": "调整"}
    )
    assert response.status_code == 302
    assert active(G1) == set() and active(G2) == {"钱兼职"}
    assert "调至 440703002101002" in GridAssignment.objects.get(pk=a_move.pk).end_reason


def test_r10_3_moving_a_professional_to_a_third_grid_is_refused_and_changes_nothing(client, admin):
    make_department("police", "440703")
    pro = make_worker("professional", grid_code=G1, name="孙专业")
    from people import services

    services.assign_worker("test", pro, OTHER_VILLAGE)
    own = pro.assignments.get(grid_code=G1)
    # moving keeps the count at two; a third grid through "assign" is refused
    make_grid("440703002101003")
    refused = client.post("/people/grids/440703002101003/", {"action": "assign", "worker": pro.pk})
    assert refused.status_code == 400 and "最多服务两个网格" in refused.content.decode()
    moved = client.post(
        URL, {"action": "move", "assignment": own.pk, "grid_code": G2, "reason": "调整"}
    )
    assert moved.status_code == 302
    assert set(pro.assignments.active().values_list("grid_code", flat=True)) == {G2, OTHER_VILLAGE}


@pytest.mark.parametrize(
    "data",
    [
        {"action": "nothing"},
        {"action": "assign", "worker": "²"},
        {"action": "assign", "worker": "99999999999999999999999"},
        {"action": "assign", "worker": "987654"},
        {"action": "end", "assignment": "1"},
        {"action": "move", "assignment": "1", "grid_code": "44", "reason": "x"},
    ],
)
def test_bad_forms_are_400_and_change_nothing(client, admin, data):
    before = GridAssignment.objects.count()
    assert client.post(URL, data).status_code == 400
    assert GridAssignment.objects.count() == before


def test_readers_see_the_page_without_forms_and_may_not_post(client, admin):
    worker = make_worker("fulltime", grid_code=G1, name="李专职")
    client.force_login(make_user(R.Role.DISPATCHER, "440703"))
    text = client.get(URL).content.decode()
    assert "李专职" in text and 'name="action"' not in text
    own = worker.assignments.get().pk
    refused = client.post(URL, {"action": "end", "assignment": own, "reason": "x"})
    assert refused.status_code == 403
    assert worker.assignments.active().exists()
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440784"))
    assert client.get(URL).status_code == 404  # another county's grid
