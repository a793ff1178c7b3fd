"""Who may change grids (R8.1) and acknowledge their filings (R8.2).

R8.1: grids are drawn per county by the county agency with the townships: the county agency's
administrator anywhere in the county, a township agency's administrator in its own township,
the system administrator in their jurisdiction. R8.2: the city agency the change is filed with
acknowledges it. Everyone else is refused (403) and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from audit.models import AuditRecord
from gridgov.access import roles as R
from gridgov.errors import Forbidden
from gridgov.testing.people import make_user
from gridgov.testing.regions import box, halves, make_tree
from people.models import User
from regions import services
from regions.models import Grid, GridChange
from regions.services import GridSpec

pytestmark = pytest.mark.django_db

REASON = "社区调整"
VILLAGE = "440703002101"


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def grids(tree):
    return halves(tree)


def _split(actor: Any, grids: Any) -> Any:
    return services.split_grid(
        actor,
        grids[0].code,
        [GridSpec(box(0, 0, 0.5, 0.5)), GridSpec(box(0, 0.5, 0.5, 1))],
        reason=REASON,
    )


def _merge(actor: Any, grids: Any) -> Any:
    return services.merge_grids(actor, [grids[0].code, grids[1].code], reason=REASON)


def _redraw(actor: Any, grids: Any) -> Any:
    return services.redraw_grids(
        actor, {grids[0].code: box(0, 0, 0.6, 1), grids[1].code: box(0.6, 0, 1, 1)}, reason=REASON
    )


def _update(actor: Any, grids: Any) -> Any:
    return services.update_grid(actor, grids[0].code, households=555, reason=REASON)


def _create(actor: Any, grids: Any) -> Any:
    # the west half of the village is left undrawn by _prepare()
    return services.create_grid(actor, VILLAGE, GridSpec(box(0, 0, 0.5, 1)), reason=REASON)


def _prepare(change: str, grids: Any) -> None:
    if change == "create":  # ground no grid covers yet (test set-up, not a change)
        Grid.objects.filter(pk=grids[0].pk).delete()


CHANGES: dict[str, Callable[[Any, Any], Any]] = {
    "split": _split,
    "merge": _merge,
    "redraw": _redraw,
    "update": _update,
    "create": _create,
}
ACTIONS = {
    "split": "regions.grid.split",
    "merge": "regions.grid.merge",
    "redraw": "regions.grid.redraw",
    "update": "regions.grid.update",
    "create": "regions.grid.create",
}


def _state() -> list[tuple[str, int, Any]]:
    return sorted(Grid.objects.values_list("code", "version", "valid_to"))


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize(
    ("role", "code"),
    [
        (R.Role.AGENCY_ADMIN, "440703"),  # the county agency draws (R8.1)
        (R.Role.AGENCY_ADMIN, "440703002"),  # with the township agency, in its township
        (R.Role.SYSADMIN, "4407"),  # the system administrator of the city
    ],
)
def test_r8_1_the_county_and_township_agencies_change_grids(tree, grids, change, role, code):
    """R8.1: the county agency's administrator, the township's for its own villages, and the
    system administrator may change grids; the audit record names the acting role."""
    actor = make_user(role, code)
    _prepare(change, grids)
    CHANGES[change](actor, grids)
    record = AuditRecord.objects.get(action=ACTIONS[change])
    assert record.actor == actor and record.role == role
    assert GridChange.objects.filter(made_by=actor).count() == 1


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize(
    ("role", "code", "why"),
    [
        (R.Role.AGENCY_ADMIN, "4407", "市级网格化机构只接收和确认报备"),  # the city files
        (R.Role.AGENCY_ADMIN, "440703003", "440703002101"),  # another township
        (R.Role.AGENCY_ADMIN, "440784", "440703002101"),  # another county
        (R.Role.DISPATCHER, "440703", "网格化机构管理员"),  # not an administrator
        (R.Role.VILLAGE_COMMITTEE, VILLAGE, "网格化机构管理员"),  # assists, does not draw
        (R.Role.GRID_LEADER, f"{VILLAGE}001", "网格化机构管理员"),
    ],
)
def test_r8_1_everyone_else_is_refused_and_nothing_changes(tree, grids, change, role, code, why):
    """R8.1: a change by anyone but the drawing agencies is refused (403), nothing written."""
    actor = make_user(role, code)
    _prepare(change, grids)
    before = _state()
    changes_before = GridChange.objects.count()
    with pytest.raises(Forbidden) as err:
        CHANGES[change](actor, grids)
    assert err.value.http_status == 403
    assert why in err.value.message
    assert _state() == before
    assert GridChange.objects.count() == changes_before
    assert not AuditRecord.objects.filter(action=ACTIONS[change]).exists()


def test_r8_1_an_account_without_roles_is_refused(grids):
    """R8.1: a signed-in account with no role at all may not change grids."""
    nobody = User.objects.create_user("nobody", password="x")
    with pytest.raises(Forbidden):
        _update(nobody, grids)


def test_r8_1_a_city_admin_who_also_runs_a_county_may_draw_there(tree, grids):
    """R8.1: the grant that allows the change is the county one, and the record says so."""
    actor = make_user(R.Role.AGENCY_ADMIN, "4407")
    make_user(R.Role.AGENCY_ADMIN, "440703", user=actor)
    _update(actor, grids)
    assert AuditRecord.objects.get(action="regions.grid.update").role == R.Role.AGENCY_ADMIN


def test_r8_1_system_actors_pass_and_are_recorded_as_the_system(grids):
    """Commands and the demo act as the system (a string actor)."""
    _split("import", grids)
    assert AuditRecord.objects.get(action="regions.grid.split").role == "system"


def test_r8_1_divide_region_needs_an_agency_over_the_whole_region(tree):
    """R8.1: the initial division of a township: its own agency or the county's; a township
    agency may not divide the county."""
    spec = {VILLAGE: [GridSpec(box(0, 0, 1, 1))]}
    township_admin = make_user(R.Role.AGENCY_ADMIN, "440703002")
    with pytest.raises(Forbidden):
        services.divide_region(township_admin, "440703", spec, reason=REASON)
    with pytest.raises(Forbidden):
        services.divide_region(
            make_user(R.Role.AGENCY_ADMIN, "4407"), "440703002", spec, reason=REASON
        )
    assert not GridChange.objects.exists()
    services.divide_region(township_admin, "440703002", spec, reason=REASON)
    record = AuditRecord.objects.get(action="regions.grid.divide")
    assert record.role == R.Role.AGENCY_ADMIN and record.actor == township_admin


# --- R8.2: the filing is acknowledged by the city agency it is filed with -----------------


@pytest.fixture
def filing(tree, grids) -> GridChange:
    _update("test", grids)
    return GridChange.objects.get()


def test_r8_2_the_city_agency_admin_acknowledges(filing):
    """R8.2: submitted → acknowledged by the city agency's administrator, role recorded."""
    city_admin = make_user(R.Role.AGENCY_ADMIN, "4407")
    services.acknowledge_filing(city_admin, filing.pk, note="同意备案")
    filing.refresh_from_db()
    assert filing.filing_status == GridChange.Filing.ACKNOWLEDGED
    assert filing.acknowledged_by == city_admin
    record = AuditRecord.objects.get(action="regions.grid_change.acknowledge")
    assert record.role == R.Role.AGENCY_ADMIN and record.actor == city_admin


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (R.Role.AGENCY_ADMIN, "440703"),  # the county agency files, it does not acknowledge
        (R.Role.AGENCY_ADMIN, "440703002"),
        (R.Role.AGENCY_ADMIN, "4401"),  # another city's agency
        (R.Role.DISPATCHER, "4407"),  # the city agency, but not its administrator
        (R.Role.SYSADMIN, "4407"),  # the platform's administrator is not the agency
    ],
)
def test_r8_2_no_one_else_acknowledges(filing, role, code):
    """R8.2: anyone but the administrator of the city agency it is filed with: 403."""
    actor = make_user(role, code)
    with pytest.raises(Forbidden) as err:
        services.acknowledge_filing(actor, filing.pk)
    assert err.value.http_status == 403
    filing.refresh_from_db()
    assert filing.filing_status == GridChange.Filing.SUBMITTED
    assert not AuditRecord.objects.filter(action="regions.grid_change.acknowledge").exists()
