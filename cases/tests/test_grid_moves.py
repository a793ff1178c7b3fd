"""Open cases follow a split, merge or redraw of their grid (R8.1 动态调整, R26.2 archive)."""

from __future__ import annotations

import pytest

from audit.models import AuditRecord
from cases import archive, services
from cases.inputs import ReportInput
from cases.models import Case, CaseEvent, State
from gridgov.testing.regions import box
from people.models import GridAssignment
from regions import services as grids
from regions.models import Grid, GridChange
from regions.services import GridSpec

pytestmark = pytest.mark.django_db

SOUTH, NORTH = box(0, 0, 0.5, 0.5), box(0, 0.5, 0.5, 1)
WEST = "440703002101001"
NEW_SOUTH, NEW_NORTH = "440703002101003", "440703002101004"


def report_at(world, x, y, actor=None, **kw):
    p = box(x, y, x, y).centroid
    kw.setdefault("matter", world.entry_code)
    kw.setdefault("description", "路灯损坏,夜间有治安隐患")
    return services.intake(actor or world.worker, ReportInput(lng=p.x, lat=p.y, **kw)).case


def worker_assignment(world):
    return GridAssignment.objects.active().get(worker__user=world.worker, grid_code=WEST)


def split_west(world, **kw):
    kw.setdefault("accept_vacant", [NEW_NORTH])
    return grids.split_grid("test", WEST, [GridSpec(SOUTH), GridSpec(NORTH)], reason="拆分", **kw)


def test_r8_1_a_split_moves_each_open_case_to_the_part_containing_its_point(world):
    """R8.1: the open cases of a split grid go to the part their point lies in, each move an
    archive event and an audit record; closed cases keep the grid they were handled in; the
    worker sent to the north part can verify the resident's report waiting there (the issue's
    404)."""
    south_case = report_at(world, 0.2, 0.2)
    waiting = report_at(world, 0.2, 0.8, world.resident)  # waits for the on-site check
    closed = report_at(world, 0.3, 0.7, matter=world.settle_code, settle_note="当场劝离")
    assert waiting.state == State.REPORTED and closed.state in {State.CLOSED, State.EVALUATED}
    split_west(world, workers={worker_assignment(world).pk: NEW_NORTH})

    south_case.refresh_from_db()
    waiting.refresh_from_db()
    closed.refresh_from_db()
    assert south_case.grid_code == NEW_SOUTH
    assert south_case.grid == Grid.objects.current().get(code=NEW_SOUTH)
    assert waiting.grid_code == NEW_NORTH
    assert closed.grid_code == WEST  # history: where it was handled
    event = waiting.events.order_by("-seq").first()
    assert event.action == "regrid" and event.from_state == event.to_state == State.REPORTED
    change = GridChange.objects.get(kind=GridChange.Kind.SPLIT)
    assert event.data == {
        "from_grid": WEST,
        "to_grid": NEW_NORTH,
        "by_point": True,
        "grid_change": change.pk,
        "change_kind": "split",
    }
    assert list(archive.verify([south_case.pk, waiting.pk, closed.pk])) == []
    record = AuditRecord.objects.get(action="cases.regrid", object_id=str(waiting.pk))
    assert record.before == {"grid": WEST} and record.after["grid"] == NEW_NORTH

    worker = type(world.worker).objects.get(pk=world.worker.pk)  # a new request's user
    verified = services.verify(worker, waiting.pk, note="现场确认")
    assert verified.state == State.VERIFIED


def test_r8_1_a_merge_moves_the_open_cases_of_every_merged_grid(world):
    west_case = report_at(world, 0.2, 0.2)
    east_case = report_at(world, 0.7, 0.2, world.dispatcher)
    merged = grids.merge_grids("test", [WEST, world.grids[1].code], reason="合并")
    assert set(Case.objects.values_list("grid_code", flat=True)) == {merged.code}
    assert {e.case_id for e in CaseEvent.objects.filter(action="regrid")} == {
        west_case.pk,
        east_case.pk,
    }


def test_r8_1_a_redraw_moves_only_the_cases_whose_point_changes_grid(world):
    """A redraw keeps the codes: a case stays unless the moved border puts it next door."""
    near_border = report_at(world, 0.45, 0.5)
    inside = report_at(world, 0.1, 0.5)
    grids.redraw_grids(
        "test",
        {WEST: box(0, 0, 0.4, 1), world.grids[1].code: box(0.4, 0, 1, 1)},
        reason="道路改线",
    )
    near_border.refresh_from_db()
    inside.refresh_from_db()
    assert near_border.grid_code == world.grids[1].code
    assert near_border.grid == Grid.objects.current().get(code=world.grids[1].code)
    assert inside.grid_code == WEST and not inside.events.filter(action="regrid").exists()


def test_r8_1_a_case_whose_point_lies_in_no_part_goes_to_the_part_with_most_of_the_area(world):
    """The point decides; where it lies in no successor, the successor holding most of the
    old grid's area takes the case, and the preview and the archive say so."""
    case = report_at(world, 0.2, 0.2)
    outside = box(0.9, 0.9, 0.9, 0.9).centroid  # in the east grid's ground
    Case.objects.filter(pk=case.pk).update(lng=outside.x, lat=outside.y)
    small, large = box(0, 0, 0.5, 0.3), box(0, 0.3, 0.5, 1)
    parts = [GridSpec(small), GridSpec(large)]
    preview = grids.preview_split("test", WEST, parts, accept_vacant=[NEW_SOUTH])
    assert preview["cases"]["without_point"] == 1
    assert preview["cases"]["by_successor"][NEW_NORTH] == {"moving": 1, "without_point": 1}
    grids.split_grid("test", WEST, parts, reason="拆分", accept_vacant=[NEW_SOUTH])
    case.refresh_from_db()
    assert case.grid_code == NEW_NORTH
    assert case.events.get(action="regrid").data["by_point"] is False


def test_r8_1_the_preview_counts_open_cases_and_workers_and_writes_nothing(world):
    report_at(world, 0.2, 0.2)
    report_at(world, 0.2, 0.8)
    events, records = CaseEvent.objects.count(), AuditRecord.objects.count()
    preview = grids.preview_split("test", WEST, [GridSpec(SOUTH), GridSpec(NORTH)])
    assert preview["retired"] == [WEST]
    assert [s["code"] for s in preview["successors"]] == [NEW_SOUTH, NEW_NORTH]
    assert preview["cases"] == {
        "open": 2,
        "moving": 2,
        "staying": 0,
        "without_point": 0,
        "by_successor": {
            NEW_SOUTH: {"moving": 1, "without_point": 0},
            NEW_NORTH: {"moving": 1, "without_point": 0},
        },
    }
    assert {w["name"] for w in preview["workers"]} == {
        a.worker.name for a in GridAssignment.objects.active().filter(grid_code=WEST)
    }
    assert preview["vacant"] == [
        {"code": NEW_NORTH, "name": "羊桥社区第4网格", "needs_acceptance": True, "accepted": False}
    ]
    assert (CaseEvent.objects.count(), AuditRecord.objects.count()) == (events, records)
    assert not GridChange.objects.filter(kind=GridChange.Kind.SPLIT).exists()
    assert Grid.objects.current().filter(code=WEST).exists()


def test_r8_1_the_case_page_shows_the_move_in_its_archive(client, world):
    case = report_at(world, 0.2, 0.8)
    split_west(world)
    client.force_login(world.dispatcher)
    html = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "网格调整" in html and f"{WEST} → {NEW_NORTH}" in html
