"""Workers follow a split, merge or redraw of their grid (R8.1 动态调整, R10.2)."""

from __future__ import annotations

import pytest

from audit.models import AuditRecord
from gridgov.access import roles as R
from gridgov.errors import DomainError
from gridgov.testing import regions as factories
from gridgov.testing.people import make_user, make_worker
from gridgov.testing.regions import box
from people import reports
from people.models import GridAssignment, GridWorker
from regions import services as grids
from regions.models import Grid
from regions.services import GridSpec

pytestmark = pytest.mark.django_db

ACTOR = "test"
WEST, EAST = "440703002101001", "440703002101002"
PART_A, PART_B = "440703002101003", "440703002101004"
# West is box 0..0.5; its parts: A a quarter (south), B three quarters (north).
SMALL, LARGE = box(0, 0, 0.5, 0.25), box(0, 0.25, 0.5, 1)


@pytest.fixture
def village():
    tree = factories.make_tree()
    factories.make_grid(tree["v1"], 1, box(0, 0, 0.5, 1))
    factories.make_grid(tree["v1"], 2, box(0.5, 0, 1, 1))
    return tree["v1"]


def active(code):
    return {a.worker.name for a in GridAssignment.objects.active().filter(grid_code=code)}


def split_west(**kw):
    return grids.split_grid(ACTOR, WEST, [GridSpec(SMALL), GridSpec(LARGE)], reason="拆分", **kw)


def test_r10_2_a_split_carries_the_workers_to_the_part_with_most_of_the_area(village):
    """R8.1, R10.2: nobody is left behind on the retired code; by default everybody goes to
    the successor holding most of the old area, the leader included, and the move is audited."""
    make_worker("leader", grid_code=WEST, name="张网格长")
    make_worker("fulltime", grid_code=WEST, name="李专职")
    split_west(accept_vacant=[PART_A])
    assert active(WEST) == set()
    assert active(PART_B) == {"张网格长", "李专职"}
    assert GridAssignment.objects.get(grid_code=WEST, worker__name="张网格长").end_reason == (
        "网格拆分,转入 440703002101004"
    )
    carried = AuditRecord.objects.filter(action="people.assignment.carry")
    assert {r.region_code for r in carried} == {PART_B} and carried.count() == 2
    assert {g.code for g in reports.vacant_grids(make_user(R.Role.AGENCY_ADMIN, "440703"))} == {
        PART_A,
        EAST,
    }


def test_r10_2_the_administrator_chooses_where_each_worker_goes(village):
    leader = make_worker("leader", grid_code=WEST, name="张网格长")
    worker = make_worker("fulltime", grid_code=WEST, name="李专职")
    part_time = make_worker("parttime", grid_code=WEST, name="王兼职")
    choice = {
        leader.assignments.get().pk: PART_A,
        worker.assignments.get().pk: PART_B,
        part_time.assignments.get().pk: "end",
    }
    split_west(workers=choice, accept_vacant=[PART_B])
    assert active(PART_A) == {"张网格长"} and active(PART_B) == {"李专职"}
    assert not part_time.assignments.active().exists()


def test_r10_2_a_part_left_without_a_leader_is_refused_unless_accepted_as_vacant(village):
    """R10.2: leaving a successor without a leader is refused with a 400 naming it; nothing
    changes; accepted, the change goes through and the part is listed as vacant."""
    make_worker("leader", grid_code=WEST, name="张网格长")
    with pytest.raises(DomainError) as refused:
        split_west()
    assert refused.value.code == "assignment_rules" and PART_A in refused.value.message
    assert refused.value.extra["vacant"][0]["code"] == PART_A
    assert Grid.objects.current().filter(code=WEST).exists()
    assert active(WEST) == {"张网格长"}
    split_west(accept_vacant=[PART_A])
    assert active(PART_B) == {"张网格长"}


def test_r10_2_a_vacant_grid_split_needs_no_acceptance(village):
    """A grid that had no leader leaves no leader behind: its parts are vacant as it was."""
    make_worker("fulltime", grid_code=WEST, name="李专职")
    split_west()
    assert active(PART_B) == {"李专职"}


def test_r10_2_a_merge_of_two_led_grids_needs_one_leader_ended_or_sent_elsewhere(village):
    """R10.2 one leader per grid: merging two grids with a leader each is refused, naming
    both; ending one leader's assignment in the form lets it through."""
    make_worker("leader", grid_code=WEST, name="张网格长")
    second = make_worker("leader", grid_code=EAST, name="王网格长")
    with pytest.raises(DomainError) as refused:
        grids.merge_grids(ACTOR, [WEST, EAST], reason="合并")
    problem = refused.value.extra["problems"][0]
    assert problem["code"] == "two_leaders"
    assert "张网格长" in problem["message"] and "王网格长" in problem["message"]
    merged = grids.merge_grids(
        ACTOR, [WEST, EAST], reason="合并", workers={second.assignments.get().pk: "end"}
    )
    assert active(merged.code) == {"张网格长"}


def test_r10_2_a_carried_leader_must_still_be_a_party_member(village):
    leader = make_worker("leader", grid_code=WEST, name="张网格长")
    GridWorker.objects.filter(pk=leader.pk).update(is_party_member=False)  # record out of date
    with pytest.raises(DomainError) as refused:
        split_west(accept_vacant=[PART_A])
    assert [p["code"] for p in refused.value.extra["problems"]] == ["leader_party_member"]


def test_r10_2_a_worker_serving_both_merged_grids_keeps_one_assignment(village):
    worker = make_worker("professional", grid_code=WEST, name="赵专业")
    from people import services

    services.assign_worker(ACTOR, worker, EAST)
    merged = grids.merge_grids(ACTOR, [WEST, EAST], reason="合并")
    assert list(worker.assignments.active().values_list("grid_code", flat=True)) == [merged.code]


def test_r8_1_a_redraw_keeps_everybody_where_they_are(village):
    make_worker("leader", grid_code=WEST, name="张网格长")
    grids.redraw_grids(ACTOR, {WEST: box(0, 0, 0.6, 1), EAST: box(0.6, 0, 1, 1)}, reason="道路改线")
    assert active(WEST) == {"张网格长"}
    assert not AuditRecord.objects.filter(action="people.assignment.carry").exists()


def test_r10_2_choices_naming_no_successor_are_refused(village):
    worker = make_worker("fulltime", grid_code=WEST)
    with pytest.raises(DomainError) as refused:
        split_west(workers={worker.assignments.get().pk: EAST})
    assert refused.value.field == "workers" and refused.value.code == "not_a_successor"
    with pytest.raises(DomainError) as refused:
        split_west(accept_vacant=[EAST])
    assert refused.value.field == "accept_vacant"
