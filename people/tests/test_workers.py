"""R10–R13: grid workers, their assignments and invariants, recruitment and exit, training,
equipment; the vacant-grid report; assignments following grid changes (R8.1)."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditRecord
from gridgov.access import roles as R
from gridgov.errors import DomainError
from gridgov.testing.people import ensure_region, make_department, make_grid, make_user, make_worker
from people import reports, services
from people.models import Employment, GridAssignment, WorkerKind
from regions import services as grid_services
from regions.models import Grid

ACTOR = "test"
G1, G2, G3 = "440703002101001", "440703002101002", "440703002101003"
OTHER_VILLAGE_GRID = "440703002102001"


@pytest.mark.django_db
def test_one_active_leader_per_grid_enforced_by_the_service():
    """R10.2: a second leader is refused with a clear error naming the sitting one."""
    first = make_worker("leader", grid_code=G1, name="张网格长")
    second = make_worker("leader", village_code=G1[:12], name="李网格长")
    with pytest.raises(DomainError) as refused:
        services.assign_worker(ACTOR, second, G1)
    assert refused.value.code == "leader_exists"
    assert "张网格长" in refused.value.message
    assert GridAssignment.objects.active().filter(grid_code=G1).get().worker == first


@pytest.mark.django_db
def test_one_active_leader_per_grid_enforced_by_the_database():
    """R10.2: even a direct insert cannot put two active leaders on a grid."""
    make_worker("leader", grid_code=G1)
    second = make_worker("leader", village_code=G1[:12])
    with pytest.raises(IntegrityError), transaction.atomic():
        GridAssignment.objects.create(worker=second, grid_code=G1, kind=WorkerKind.LEADER)


@pytest.mark.django_db
def test_replacing_the_leader_ends_the_old_assignment():
    old = make_worker("leader", grid_code=G1, name="张网格长")
    new = make_worker("leader", village_code=G1[:12], name="李网格长")
    services.assign_worker(ACTOR, new, G1, replace_leader=True)
    ended = old.assignments.get()
    assert ended.ended_on == timezone.localdate()
    assert "李网格长" in ended.end_reason
    assert GridAssignment.objects.active().get(grid_code=G1, kind="leader").worker == new


@pytest.mark.django_db
def test_a_leader_comes_from_the_grids_village_and_is_a_party_member():
    """R10.2: 网格长由…村(社区)党组织成员或者党员骨干中聘任."""
    make_grid(OTHER_VILLAGE_GRID)
    outsider = make_worker("leader", village_code=G1[:12])
    with pytest.raises(DomainError) as refused:
        services.assign_worker(ACTOR, outsider, OTHER_VILLAGE_GRID)
    assert refused.value.code == "leader_village"
    with pytest.raises(DomainError) as refused:
        make_worker("leader", village_code=G1[:12], is_party_member=False)
    assert refused.value.field == "is_party_member"


@pytest.mark.django_db
def test_a_professional_worker_serves_at_most_two_grids():
    """R10.3: 同一专业网格员的数量不得超过两个."""
    for code in (G2, G3):
        make_grid(code)
    professional = make_worker("professional", grid_code=G1)
    services.assign_worker(ACTOR, professional, G2)
    with pytest.raises(DomainError) as refused:
        services.assign_worker(ACTOR, professional, G3)
    assert refused.value.code == "professional_limit"
    assert "R10.3" in refused.value.message
    # After leaving one grid, a third can be served.
    services.end_assignment(ACTOR, professional.assignments.get(grid_code=G1), reason="调整")
    services.assign_worker(ACTOR, professional, G3)
    assert professional.assignments.active().count() == 2


@pytest.mark.django_db
def test_a_professional_worker_belongs_to_a_department():
    ensure_region(G1[:12])
    with pytest.raises(DomainError) as refused:
        services.create_worker(
            ACTOR, name="王专业", kind="professional", id_number="11010519491231002X"
        )
    assert refused.value.field == "department"


@pytest.mark.django_db
def test_assigning_twice_is_idempotent():
    worker = make_worker("fulltime", grid_code=G1)
    again = services.assign_worker(ACTOR, worker, G1)
    assert worker.assignments.count() == 1
    assert again == worker.assignments.get()


@pytest.mark.django_db
def test_unknown_or_retired_grid_is_refused():
    worker = make_worker("fulltime", village_code=G1[:12])
    with pytest.raises(DomainError) as refused:
        services.assign_worker(ACTOR, worker, "440703002101999")
    assert refused.value.field == "grid_code"


@pytest.mark.django_db
def test_recruitment_and_exit_records_and_vacancy():
    """R13.1, R14.1: exit ends employment and assignments; the grid shows as vacant."""
    leader = make_worker(
        "leader", grid_code=G1, started_on="2023-03-01", document="白沙聘〔2023〕1号"
    )
    employment = leader.employments.get()
    assert (employment.method, employment.started_on) == ("appointed", dt.date(2023, 3, 1))
    admin = make_user(R.Role.AGENCY_ADMIN, "440703002")
    assert not reports.vacant_grids(admin).filter(code=G1).exists()
    services.exit_worker(admin, leader, reason="resigned", note="个人原因")
    leader.refresh_from_db()
    employment.refresh_from_db()
    assert leader.status == "exited"
    assert employment.exit_reason == "resigned" and employment.ended_on == timezone.localdate()
    assert not leader.assignments.active().exists()
    assert reports.vacant_grids(admin).filter(code=G1).exists()
    services.rehire_worker(admin, leader, method="appointed")
    leader.refresh_from_db()
    assert leader.status == "active" and leader.employments.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Employment.objects.create(
            worker=leader, method="recruited", started_on=timezone.localdate()
        )


@pytest.mark.django_db
def test_training_and_equipment_records():
    """R13.1: training (course, date, hours) and equipment issued."""
    a = make_worker("fulltime", grid_code=G1)
    b = make_worker("parttime", grid_code=G1)
    records = services.record_training(
        ACTOR,
        [a, b],
        course="矛盾纠纷调解实务",
        held_on="2024-04-12",
        hours="3.5",
        organiser="白沙街道",
    )
    assert [str(r.hours) for r in records] == ["3.5", "3.5"]
    with pytest.raises(DomainError) as refused:
        services.record_training(ACTOR, [a], course="x", held_on="2024-04-12", hours="0")
    assert refused.value.field == "hours"
    card = services.issue_equipment(ACTOR, a, item="id_card", serial="JM-0001")
    with pytest.raises(DomainError) as refused:
        services.issue_equipment(ACTOR, b, item="id_card", serial="JM-0001")
    assert refused.value.field == "serial"
    services.return_equipment(ACTOR, card)
    services.issue_equipment(ACTOR, b, item="id_card", serial="JM-0001")


@pytest.mark.django_db
def test_change_of_kind_ends_assignments():
    worker = make_worker("fulltime", grid_code=G1, is_party_member=True)
    services.change_worker_kind(ACTOR, worker, "leader", reason="提任网格长")
    worker.refresh_from_db()
    assert worker.kind == "leader"
    assert not worker.assignments.active().exists()
    services.assign_worker(ACTOR, worker, G1)
    assert GridAssignment.objects.active().get(grid_code=G1).kind == "leader"


@pytest.mark.django_db
def test_grid_roles_follow_assignments():
    """R20.1: a worker's account gets the grid role while the assignment is active."""
    from gridgov.access import scoping

    user = make_user(R.Role.GRID_WORKER_FULLTIME, G1)
    assert scoping.jurisdictions(user, R.GRID_ROLES) == (G1,)
    worker = user.grid_workers.get()
    services.end_assignment(ACTOR, worker.assignments.get(), reason="调整")
    user.refresh_from_db()
    scoping.forget_roles(user)
    assert scoping.user_roles(user) == []


@pytest.mark.django_db
def test_grid_roles_cannot_be_granted_directly():
    user = make_user(R.Role.DISPATCHER, "440703002")
    with pytest.raises(DomainError) as refused:
        services.grant_role(ACTOR, user, R.Role.GRID_LEADER, region_code="440703002101")
    assert refused.value.code == "derived_role"


@pytest.mark.django_db
def test_managers_act_only_inside_their_jurisdiction():
    """R22.1: a township administrator cannot recruit or assign in another township."""
    admin = make_user(R.Role.AGENCY_ADMIN, "440703002")
    ensure_region("440703005101")
    ensure_region(G1[:12])
    from gridgov.errors import Forbidden

    with pytest.raises(Forbidden):
        services.create_worker(
            admin,
            name="赵",
            kind="fulltime",
            id_number="11010519491231002X",
            village_code="440703005101",
        )
    own = services.create_worker(
        admin, name="钱", kind="fulltime", id_number="11010519491231002X", village_code=G1[:12]
    )
    make_grid("440703005101001")
    with pytest.raises(Forbidden):
        services.assign_worker(admin, own, "440703005101001")
    dispatcher = make_user(R.Role.DISPATCHER, "440703002")
    make_grid(G1)
    with pytest.raises(Forbidden):
        services.assign_worker(dispatcher, own, G1)


@pytest.mark.django_db
def test_every_worker_change_is_audited_with_actor_and_role():
    """R28.1"""
    admin = make_user(R.Role.AGENCY_ADMIN, "440703002", username="baisha_admin")
    worker = make_worker("fulltime", village_code=G1[:12])
    make_grid(G1)
    services.assign_worker(admin, worker, G1)
    services.update_worker(admin, worker, work_phone="0750-3333333", personal_phone="13912345678")
    records = AuditRecord.objects.filter(actor=admin).order_by("pk")
    assert [r.action for r in records] == ["people.assignment.create", "people.worker.update"]
    assert {r.role for r in records} == {"agency_admin"}
    update = records[1]
    assert update.before["work_phone"] != update.after["work_phone"] == "0750-3333333"
    assert update.after["personal_phone_masked"] == "139****5678"
    assert "13912345678" not in str(update.after)


# --- grid changes (R8.1 动态调整) ------------------------------------------------------------


def _square(x0: float, x1: float) -> shapely.Polygon:
    return shapely.box(113.07 + x0 * 0.01, 22.60, 113.07 + x1 * 0.01, 22.61)


def _divided_village() -> str:
    from gridgov.testing import regions as factories

    tree = factories.make_tree()
    factories.make_grid(tree["v1"], 1, factories.box(0, 0, 0.5, 1))
    factories.make_grid(tree["v1"], 2, factories.box(0.5, 0, 1, 1))
    return tree["v1"].code


@pytest.mark.django_db
def test_a_redrawn_grid_keeps_its_workers():
    """Assignments point at grid codes: a redraw (same code, new version) keeps them."""
    from gridgov.testing import regions as factories

    village = _divided_village()
    leader = make_worker("leader", grid_code=f"{village}001")
    grid_services.redraw_grids(
        ACTOR,
        {
            f"{village}001": factories.box(0, 0, 0.6, 1),
            f"{village}002": factories.box(0.6, 0, 1, 1),
        },
        reason="道路改线",
    )
    assert Grid.objects.current().get(code=f"{village}001").version == 2
    assert leader.assignments.active().get().grid_code == f"{village}001"
    services.follow_grid_change(ACTOR)
    assert leader.assignments.active().exists()


@pytest.mark.django_db
def test_after_a_split_the_part_left_vacant_names_the_previous_workers():
    """R10.2, R8.1: a split retires the code; its workers go to a part, and the part left
    without a leader (accepted as vacant) is listed with the old grid's workers as candidates."""
    from gridgov.testing import regions as factories

    village = _divided_village()
    make_worker("leader", grid_code=f"{village}001", name="张网格长")
    make_worker("leader", grid_code=f"{village}002", name="王网格长")
    admin = make_user(R.Role.AGENCY_ADMIN, "440703002")
    parts = [
        grid_services.GridSpec(factories.box(0, 0, 0.25, 1)),
        grid_services.GridSpec(factories.box(0.25, 0, 0.5, 1)),
    ]
    new = grid_services.split_grid(
        ACTOR, f"{village}001", parts, reason="人口增长", accept_vacant=[f"{village}004"]
    )
    # the split itself carried the retired grid's assignments (people.grid_changes)
    assert not reports.orphaned_assignments(admin).exists()
    assert services.follow_grid_change(ACTOR, reason="网格拆分") == []
    assert GridAssignment.objects.filter(grid_code=f"{village}001", ended_on__isnull=False).exists()
    assert GridAssignment.objects.active().get(worker__name="张网格长").grid_code == new[0].code
    vacant = reports.describe(list(reports.vacant_grids(admin)))
    assert [v.grid.code for v in vacant] == [new[1].code]
    assert "张网格长(网格长)" in vacant[0].previous_workers


@pytest.mark.django_db
def test_vacant_report_is_scoped(client):
    make_grid("440703002101001")
    make_grid("440784001001001")
    client.force_login(make_user(R.Role.DISPATCHER, "440703002"))
    rows = client.get("/api/v1/vacant-grids/").json()["results"]
    assert [r["code"] for r in rows] == ["440703002101001"]
    page = client.get("/people/vacant-grids/").content.decode()
    assert "440703002101001" in page and "440784001001001" not in page


@pytest.mark.django_db
def test_worker_api_round_trip(client):
    """R10.1, R13.1 through the API: recruit, assign, train, equip, exit."""
    make_grid(G1)
    make_department("police", "440703")
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    created = client.post(
        "/api/v1/workers/",
        {
            "name": "陈专职",
            "kind": "fulltime",
            "village": G1[:12],
            "id_number": "11010519491231002X",
            "personal_phone": "13912345678",
            "work_phone": "0750-3100001",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    worker = created.json()
    assert worker["id_number"] == "1101**********002X"
    assigned = client.post(
        f"/api/v1/workers/{worker['id']}/assign/",
        {"grid_code": G1},
        content_type="application/json",
    )
    assert assigned.status_code == 201
    trained = client.post(
        "/api/v1/trainings/",
        {
            "workers": [worker["id"]],
            "course": "网格员业务培训",
            "held_on": "2024-05-01",
            "hours": "8",
        },
        content_type="application/json",
    )
    assert trained.status_code == 201
    equipped = client.post(
        "/api/v1/equipment/",
        {"worker": worker["id"], "item": "uniform"},
        content_type="application/json",
    )
    assert equipped.status_code == 201
    detail = client.get(f"/api/v1/workers/{worker['id']}/").json()
    assert [g["grid_code"] for g in detail["grids"]] == [G1]
    exited = client.post(
        f"/api/v1/workers/{worker['id']}/exit/",
        {"reason": "resigned"},
        content_type="application/json",
    )
    assert exited.status_code == 200 and exited.json()["status"] == "exited"
    assert exited.json()["grids"] == []
