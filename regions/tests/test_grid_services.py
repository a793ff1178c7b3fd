"""Grid changes as services: create, redraw, split, merge, update; history, filing (R8.1, R8.2)."""

from __future__ import annotations

import pytest
import shapely
from django.utils import translation

from audit.models import AuditRecord
from gridgov.access import roles as R
from gridgov.errors import DomainError, NotFound
from gridgov.testing.people import make_user
from gridgov.testing.regions import box, halves, make_grid, make_tree
from regions import index as grid_index
from regions import services
from regions.models import Grid, GridChange
from regions.services import CoverageRefused, GridSpec


@pytest.fixture(autouse=True)
def _english():
    """These messages are written in English (docs/i18n.md): read them in English here; a
    Chinese user gets them translated."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

REASON = "社区调整"


@pytest.fixture
def actor(tree):
    """The county agency's administrator draws the grids (R8.1)."""
    return make_user(R.Role.AGENCY_ADMIN, "440703", username="county_admin")


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def grids(tree):
    return halves(tree)


def current_codes(village) -> list[str]:
    return sorted(Grid.objects.current().filter(village=village).values_list("code", flat=True))


def test_split_retires_the_old_version_and_files_the_change(actor, tree, grids):
    """R8.1 动态调整 with history; R8.2 every change is filed with the city."""
    west = grids[0]
    new = services.split_grid(
        actor,
        west.code,
        [GridSpec(box(0, 0, 0.5, 0.5)), GridSpec(box(0, 0.5, 0.5, 1), name="北片网格")],
        reason=REASON,
    )
    assert [g.code for g in new] == ["440703002101003", "440703002101004"]
    assert new[1].name == "北片网格" and new[0].name == "羊桥社区第3网格"
    # households are shared out by area when not given
    assert sum(g.households for g in new) == west.households
    west.refresh_from_db()
    assert west.valid_to is not None and west.retired_by_change is not None
    assert current_codes(tree["v1"]) == ["440703002101002", "440703002101003", "440703002101004"]
    change = west.retired_by_change
    assert change.kind == GridChange.Kind.SPLIT
    assert change.filing_status == GridChange.Filing.SUBMITTED
    assert change.filed_with.code == "4407"
    assert change.made_by == actor and change.reason == REASON
    assert {g.code for g in change.new_grids.all()} == {g.code for g in new}
    record = AuditRecord.objects.get(action="regions.grid.split")
    assert record.actor == actor and record.region_code == "440703002101"
    assert record.before[0]["code"] == west.code
    assert [g["code"] for g in record.after] == [g.code for g in new]


def test_a_retired_row_stays_what_it_was(actor, grids):
    """What pointed at the old grid keeps pointing at it (history kept)."""
    old = grids[0]
    old_wkb = bytes(old.geometry_wkb)
    services.split_grid(
        actor,
        old.code,
        [GridSpec(box(0, 0, 0.5, 0.5)), GridSpec(box(0, 0.5, 0.5, 1))],
        reason=REASON,
    )
    again = Grid.objects.get(pk=old.pk)
    assert bytes(again.geometry_wkb) == old_wkb and again.code == old.code


def test_merge_needs_adjacent_grids_of_one_village(actor, tree, grids):
    merged = services.merge_grids(
        actor, [grids[0].code, grids[1].code], name="羊桥合并网格", reason=REASON
    )
    assert merged.geometry.equals(box(0, 0, 1, 1).normalize()) or merged.geometry.area == (
        pytest.approx(box(0, 0, 1, 1).area)
    )
    assert merged.households == grids[0].households + grids[1].households
    assert current_codes(tree["v1"]) == ["440703002101003"]
    with pytest.raises(DomainError, match="same village"):
        services.merge_grids(actor, [grids[2].code, merged.code], reason=REASON)


def test_merge_refuses_grids_that_do_not_touch(actor, tree):
    v = tree["v1"]
    a = make_grid(v, 1, box(0, 0, 0.3, 1))
    make_grid(v, 2, box(0.3, 0, 0.7, 1))
    c = make_grid(v, 3, box(0.7, 0, 1, 1))
    with pytest.raises(DomainError, match="only adjacent grids"):
        services.merge_grids(actor, [a.code, c.code], reason=REASON)


def test_redraw_moves_a_shared_border(actor, tree, grids):
    west, east = grids[0], grids[1]
    new = services.redraw_grids(
        actor, {west.code: box(0, 0, 0.7, 1), east.code: box(0.7, 0, 1, 1)}, reason=REASON
    )
    assert [(g.code, g.version) for g in new] == [(west.code, 2), (east.code, 2)]
    assert Grid.objects.filter(code=west.code).count() == 2  # both versions kept
    assert Grid.objects.current().get(code=west.code).area_km2 == pytest.approx(
        0.7 * new[1].area_km2 / 0.3, rel=1e-3
    )


def test_redraw_that_leaves_a_gap_is_refused_with_its_location(actor, grids):
    west = grids[0]
    with pytest.raises(CoverageRefused) as refused:
        services.redraw_grids(actor, {west.code: box(0, 0, 0.4, 1)}, reason=REASON)
    err = refused.value
    assert "gap" in err.message and " at 113.07" in err.message
    problem = err.extra["problems"][0]
    assert problem["kind"] == "gap" and problem["area_m2"] > 100_000
    lng, lat = problem["point"]
    assert box(0.4, 0, 0.5, 1).contains(shapely.Point(lng, lat))
    assert Grid.objects.current().get(code=west.code).version == 1  # nothing changed
    assert not GridChange.objects.exists()


def test_a_change_may_not_leave_the_village_or_overlap(actor, grids):
    with pytest.raises(CoverageRefused, match="outside"):
        services.redraw_grids(actor, {grids[0].code: box(-0.2, 0, 0.5, 1)}, reason=REASON)
    with pytest.raises(CoverageRefused, match="overlap"):
        services.redraw_grids(actor, {grids[0].code: box(0, 0, 0.8, 1)}, reason=REASON)
    with pytest.raises(CoverageRefused, match="overlap"):
        services.split_grid(
            actor,
            grids[0].code,
            [GridSpec(box(0, 0, 0.5, 0.6)), GridSpec(box(0, 0.4, 0.5, 1))],
            reason=REASON,
        )


def test_create_fills_a_gap_but_never_overlaps(actor, tree):
    v = tree["v1"]
    first = services.create_grid(
        actor, v.code, GridSpec(box(0, 0, 0.5, 1), households=350), reason=REASON
    )
    assert first.code == "440703002101001" and first.households == 350
    second = services.create_grid(actor, v.code, GridSpec(box(0.5, 0, 1, 1)), reason=REASON)
    assert second.code == "440703002101002"
    with pytest.raises(CoverageRefused, match="overlap"):
        services.create_grid(actor, v.code, GridSpec(box(0.2, 0.2, 0.4, 0.4)), reason=REASON)


def test_codes_are_never_reused(actor, tree, grids):
    merged = services.merge_grids(actor, [grids[0].code, grids[1].code], reason=REASON)
    new = services.split_grid(
        actor,
        merged.code,
        [GridSpec(box(0, 0, 0.5, 1)), GridSpec(box(0.5, 0, 1, 1))],
        reason=REASON,
    )
    assert [g.code[12:] for g in new] == ["004", "005"]


def test_update_makes_a_new_version_only_when_something_changes(actor, grids):
    grid = grids[0]
    same = services.update_grid(actor, grid.code, households=grid.households, reason=REASON)
    assert same.pk == grid.pk
    new = services.update_grid(actor, grid.code, households=450, name="新名字", reason=REASON)
    assert (new.version, new.households, new.name) == (2, 450, "新名字")
    assert new.geometry.equals(grid.geometry)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda a, g: services.split_grid(
                a, g[0].code, [GridSpec(box(0, 0, 0.5, 1))], reason=REASON
            ),
            "at least two parts",
        ),
        (lambda a, g: services.merge_grids(a, [g[0].code], reason=REASON), "at least two"),
        (
            lambda a, g: services.merge_grids(a, [g[0].code, g[0].code], reason=REASON),
            "more than once",
        ),
        (
            lambda a, g: services.update_grid(a, g[0].code, households=-1, reason=REASON),
            "whole number",
        ),
        (lambda a, g: services.update_grid(a, g[0].code, households=1, reason="  "), "reason"),
        (
            lambda a, g: services.redraw_grids(
                a,
                {
                    g[0].code: {
                        "type": "Polygon",
                        "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                    }
                },
                reason=REASON,
            ),
            "invalid: Self-intersection",
        ),
        (
            lambda a, g: services.redraw_grids(
                a, {g[0].code: {"type": "Point", "coordinates": [113, 22]}}, reason=REASON
            ),
            "Polygon or MultiPolygon",
        ),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(actor, grids, call, message):
    before = list(Grid.objects.order_by("pk").values_list("pk", "valid_to"))
    with pytest.raises(DomainError, match=message):
        call(actor, grids)
    assert list(Grid.objects.order_by("pk").values_list("pk", "valid_to")) == before
    assert not GridChange.objects.exists()


def test_unknown_grid_is_not_found(actor, grids):
    with pytest.raises(NotFound):
        services.update_grid(actor, "440703002101999", households=1, reason=REASON)


def test_city_acknowledges_the_filing_once(actor, grids):
    """R8.2: submitted → acknowledged; acknowledging again changes nothing."""
    services.update_grid(actor, grids[0].code, households=321, reason=REASON)
    change = GridChange.objects.get()
    city_admin = make_user(R.Role.AGENCY_ADMIN, "4407", username="city_admin")
    services.acknowledge_filing(city_admin, change.pk, note="同意备案")
    services.acknowledge_filing(city_admin, change.pk, note="again")
    change.refresh_from_db()
    assert change.filing_status == GridChange.Filing.ACKNOWLEDGED
    assert change.acknowledged_by == city_admin and change.acknowledgement_note == "同意备案"
    assert AuditRecord.objects.filter(action="regions.grid_change.acknowledge").count() == 1


def test_locate_follows_a_committed_change(actor, grids, django_capture_on_commit_callbacks):
    """R8.3: the shared point → grid index is rebuilt once a grid change commits."""
    west = grids[0]
    point = box(0.1, 0.8, 0.1, 0.8).centroid
    assert grid_index.get_index().locate(point.x, point.y).code == west.code
    with django_capture_on_commit_callbacks(execute=True):
        new = services.split_grid(
            actor,
            west.code,
            [GridSpec(box(0, 0, 0.5, 0.5)), GridSpec(box(0, 0.5, 0.5, 1))],
            reason=REASON,
        )
    assert grid_index.get_index().locate(point.x, point.y).code == new[1].code


def test_divide_region_files_one_division_and_refuses_divided_villages(actor, tree):
    change = services.divide_region(
        actor,
        "440703002",
        {
            tree["v1"].code: [GridSpec(box(0, 0, 1, 1))],
            tree["v2"].code: [GridSpec(box(1, 0, 1.5, 1)), GridSpec(box(1.5, 0, 2, 1))],
        },
        reason="初次划分",
    )
    assert change.kind == GridChange.Kind.DIVISION and change.summary["grids"] == 3
    assert Grid.objects.current().count() == 3
    with pytest.raises(DomainError, match="already have grids"):
        services.divide_region(
            actor, "440703002", {tree["v1"].code: [GridSpec(box(0, 0, 1, 1))]}, reason="again"
        )


def test_r8_1_a_split_carries_the_workers_of_the_retired_grid(actor, grids):
    """R8.1, R10.2: a redraw keeps the code and its people; a split retires it and its
    workers move to a part (people.grid_changes), not out of every grid."""
    from gridgov.testing import people
    from people.models import GridAssignment

    old = grids[0]
    worker = people.make_worker("fulltime", grid_code=old.code)
    services.redraw_grids(
        actor, {old.code: box(0, 0, 0.6, 1), grids[1].code: box(0.6, 0, 1, 1)}, reason=REASON
    )
    assert GridAssignment.objects.active().filter(worker=worker, grid_code=old.code).exists()
    new = services.split_grid(
        actor,
        old.code,
        [GridSpec(box(0, 0, 0.6, 0.5)), GridSpec(box(0, 0.5, 0.6, 1))],
        reason=REASON,
    )
    assert not GridAssignment.objects.active().filter(worker=worker, grid_code=old.code).exists()
    assert GridAssignment.objects.active().get(worker=worker).grid_code == new[0].code
