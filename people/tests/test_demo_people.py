"""The people demo step on a tiny tree: organisations, demo accounts, a leader and a full-time
worker for every grid (R4–R6, R10.1, R10.2, R20.1), idempotent."""

from __future__ import annotations

import pytest

from demo import people as demo
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.testing.people import ensure_region, make_grid
from people.models import GridAgency, GridAssignment, GridWorker, User, VillageCommittee
from regions.models import Grid

GRIDS = ["440703002101001", "440703002101002", "440703002102001", "440784001001001"]


def _tree() -> None:
    for code in ("4407", "440703", "440703002", "440703002101", "440703002102", "440784001001"):
        ensure_region(code)


@pytest.mark.django_db
def test_demo_step_with_no_grids_still_sets_up_organisations_and_accounts():
    _tree()
    summary = demo.load()
    assert "0 grid workers for 0 grids" in summary
    assert GridAgency.objects.filter(region__code="440703002").exists()
    assert VillageCommittee.objects.count() == 3
    assert User.objects.filter(username="city_admin").exists()
    assert "grid_leader" in summary  # reported as not set up: no grid yet


@pytest.mark.django_db
def test_demo_step_fills_every_grid_and_sets_up_the_demo_accounts():
    _tree()
    for code in GRIDS:
        make_grid(code)
    demo.load()
    for grid in Grid.objects.current():
        active = GridAssignment.objects.active().filter(grid_code=grid.code)
        assert active.filter(kind="leader").count() == 1, grid.code
        assert active.filter(kind="fulltime").exists(), grid.code
    # Leaders come from the grid's village and are party members (R10.2).
    for assignment in GridAssignment.objects.active().filter(kind="leader"):
        worker = assignment.worker
        assert worker.village.code == assignment.grid_code[:12] and worker.is_party_member
    # A 白沙派出所 professional serves two grids at most (R10.3).
    professional = GridWorker.objects.filter(kind="professional")
    assert professional.exists()
    assert all(w.assignments.active().count() <= 2 for w in professional)
    # Personal data is encrypted and masked like any other.
    worker = GridWorker.objects.first()
    assert worker.id_number_encrypted and "*" in worker.id_number_masked

    for account in demo.ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password("gridgov-demo"), account.username
    leader = User.objects.get(username="grid_leader")
    assert [(g.role, g.code) for g in scoping.user_roles(leader)] == [
        (R.Role.GRID_LEADER, "440703002101001")
    ]
    police = User.objects.get(username="pj_police")
    (grant,) = scoping.user_roles(police)
    assert grant.role == R.Role.DEPT_HANDLER and grant.code == "440703"
    assert scoping.jurisdictions(User.objects.get(username="baisha_dispatcher")) == ("440703002",)
    assert scoping.jurisdictions(User.objects.get(username="auditor")) == ("4407",)


@pytest.mark.django_db
def test_demo_step_is_idempotent_and_fills_new_grids():
    _tree()
    for code in GRIDS[:2]:
        make_grid(code)
    demo.load()
    workers = GridWorker.objects.count()
    demo.load()
    assert GridWorker.objects.count() == workers
    make_grid(GRIDS[3])
    demo.load()
    assert GridAssignment.objects.active().filter(grid_code=GRIDS[3], kind="leader").exists()


@pytest.mark.django_db
def test_demo_info_prints_the_logins():
    _tree()
    make_grid(GRIDS[0])
    demo.load()
    text = "\n".join(demo.info())
    assert "gridgov-demo" in text
    for account in demo.ACCOUNTS:
        assert account.username in text
    assert "440703002101001" in text
