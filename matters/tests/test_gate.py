"""The gate (R9.1, R23.2, R23.3): may this matter enter the grid here, and who may assign it."""

from __future__ import annotations

import pytest
import shapely

from gridgov.errors import Forbidden
from gridgov.testing.people import make_grid
from matters import gate, services
from matters.tests.conftest import HS, HS_GRID, PJ, PJ_GRID
from matters.tests.factories import make_item, make_published_list


@pytest.fixture
def lists(people, catalogue):
    return {
        PJ: make_published_list(PJ, ["0101", "0102"]),
        HS: make_published_list(HS, ["0201"], department_kind="police"),
    }


def test_r9_2_admit_by_grid_and_by_county(lists):
    admission = gate.admit("0101", grid_code=PJ_GRID)
    assert admission.entry.item.code == "0101"
    assert admission.version == lists[PJ]
    assert (admission.county_code, admission.grid_code) == (PJ, PJ_GRID)
    assert admission.entry.lead_department.region.code == PJ
    by_county = gate.admit(" 0101 ", county_code=PJ)
    assert by_county.entry == admission.entry and by_county.grid_code is None


def test_admit_by_point(lists):
    grid = make_grid(PJ_GRID)
    grid.set_geometry(shapely.box(113.07, 22.60, 113.08, 22.61))
    grid.save()
    admission = gate.admit("0102", lng=113.075, lat=22.605)
    assert admission.grid_code == PJ_GRID
    with pytest.raises(gate.NotAdmitted) as err:
        gate.admit("0102", lng=100.0, lat=30.0)
    assert err.value.extra["reason"] == "outside_grids"
    assert err.value.code == "not_admitted" and err.value.field == "matter"


@pytest.mark.parametrize(
    ("matter", "place", "reason"),
    [
        ("9999", {"grid_code": PJ_GRID}, "unknown_matter"),
        ("0201", {"grid_code": PJ_GRID}, "not_on_list"),  # on 鹤山市's list, not 蓬江区's
        ("0101", {"grid_code": HS_GRID}, "not_on_list"),
        ("0101", {"county_code": "440705"}, "unknown_county"),
        ("0101", {"grid_code": "440703999999999"}, "unknown_grid"),
        ("0101", {"grid_code": PJ_GRID, "county_code": HS}, "grid_not_in_county"),
        ("0101", {}, "no_place"),
    ],
)
def test_r9_1_gate_refusals_name_the_reason(lists, matter, place, reason):
    """R9.1: anything not on the county's list in force is refused with the reason."""
    with pytest.raises(gate.NotAdmitted) as err:
        gate.admit(matter, **place)
    assert err.value.extra["reason"] == reason
    assert err.value.message


def test_county_without_a_published_list(people, catalogue):
    from gridgov.testing.people import ensure_region

    ensure_region("440705", "新会区")
    with pytest.raises(gate.NotAdmitted) as err:
        gate.admit("0101", county_code="440705")
    assert err.value.extra["reason"] == "no_list"
    assert "新会区尚未发布" in err.value.message
    # A draft is not in force.
    from matters.tests.factories import make_draft

    make_draft("440705", ["0101"])
    with pytest.raises(gate.NotAdmitted) as err:
        gate.admit("0101", county_code="440705")
    assert err.value.extra["reason"] == "no_list"


def test_r9_1_dynamic_exit_keeps_old_entries(people, lists):
    """R9.1: removal in a new version stops intake at once; the old entry row remains."""
    before = gate.admit("0102", grid_code=PJ_GRID)
    make_published_list(PJ, ["0101"])
    with pytest.raises(gate.NotAdmitted) as err:
        gate.admit("0102", grid_code=PJ_GRID)
    assert err.value.extra["reason"] == "removed"
    before.entry.refresh_from_db()  # still there, under version 1
    assert before.entry.version.number == 1
    # Re-admitting in a later version works again.
    make_published_list(PJ, ["0101", "0102"])
    assert gate.admit("0102", grid_code=PJ_GRID).version.number == 3


def test_r23_2_department_cannot_assign_to_grid_workers(people, lists):
    """R23.2: matters on a list are assigned only by the agency, never by a department."""
    for user in (people.pj_police_handler, people.pj_police_head):
        with pytest.raises(Forbidden) as err:
            gate.may_assign_to_grid_workers(user, "0101", PJ_GRID)
        assert err.value.code == "department_cannot_assign"
        assert "网格化机构统一交办" in err.value.message
    assert gate.may_assign_to_grid_workers(people.baisha_dispatcher, "0101", PJ_GRID).entry
    assert gate.may_assign_to_grid_workers(people.pj_admin, "0101", PJ_GRID).entry
    # An agency of another county is no agency here.
    with pytest.raises(Forbidden):
        gate.may_assign_to_grid_workers(people.hs_admin, "0101", PJ_GRID)
    # A grid worker does not assign work either.
    with pytest.raises(Forbidden):
        gate.may_assign_to_grid_workers(people.leader, "0101", PJ_GRID)


def test_r23_3_unlisted_matter_cannot_go_to_grid_workers(people, lists):
    """R23.3: a department's own duty that is not on the list cannot be pushed onto grid
    workers, whoever asks."""
    make_item("0301", "危险化学品经营许可检查")
    with pytest.raises(gate.NotAdmitted) as err:
        gate.may_assign_to_grid_workers(people.baisha_dispatcher, "0301", PJ_GRID)
    assert err.value.extra["reason"] == "not_on_list"
    assert "未列入准入清单的事项不得交由网格员办理" in err.value.message
    with pytest.raises(gate.NotAdmitted):
        gate.may_assign_to_grid_workers("system", "0301", PJ_GRID)


def test_admission_follows_the_latest_published_version(people, lists):
    v2_draft = services.open_draft(people.pj_admin, lists[PJ].admission_list)
    entry = v2_draft.entries.get(item__code="0101")
    services.update_entry(people.pj_admin, entry, handling_limit_amount=1)
    assert gate.admit("0101", county_code=PJ).entry.handling_limit_amount == 3
    services.publish_version(people.pj_admin, v2_draft)
    assert gate.admit("0101", county_code=PJ).entry.handling_limit_amount == 1
