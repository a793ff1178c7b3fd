"""Fixtures for the matters tests: two counties of 江门市 with their agencies, departments and
people, and a small catalogue (R9.1–R9.3, R23.2, R23.3)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gridgov.testing.people import make_department, make_grid, make_user
from matters.tests.factories import make_item

PJ = "440703"  # 蓬江区
HS = "440784"  # 鹤山市
PJ_GRID = "440703002101001"
HS_GRID = "440784001001001"


@pytest.fixture
def catalogue(db):
    """Five items in two categories of 江门市's catalogue."""
    items = {
        "0101": make_item("0101", "治安隐患排查", settle_on_spot_allowed=True),
        "0102": make_item("0102", "可疑人员线索"),
        "0103": make_item("0103", "出租屋治安管理"),
        "0201": make_item("0201", "邻里纠纷", settle_on_spot_allowed=True),
        "0202": make_item("0202", "物业纠纷"),
    }
    return SimpleNamespace(**{f"i{code}": item for code, item in items.items()}, items=items)


@pytest.fixture
def people(db):
    """Accounts of both counties, in the roles the workflow names."""
    ns = SimpleNamespace(
        city_admin=make_user("agency_admin", "4407", username="city_admin"),
        pj_admin=make_user("agency_admin", PJ, username="pj_admin"),
        pj_dispatcher=make_user("dispatcher", PJ, username="pj_dispatcher"),
        pj_police_head=make_user("dept_head", PJ, username="pj_police_head"),
        pj_police_handler=make_user("dept_handler", PJ, username="pj_police_handler"),
        pj_justice_head=make_user(
            "dept_head", PJ, username="pj_justice_head", department_kind="justice"
        ),
        baisha_admin=make_user("agency_admin", "440703002", username="baisha_admin"),
        baisha_dispatcher=make_user("dispatcher", "440703002", username="baisha_dispatcher"),
        hs_admin=make_user("agency_admin", HS, username="hs_admin"),
        hs_police_head=make_user("dept_head", HS, username="hs_police_head"),
        leader=make_user("grid_leader", PJ_GRID, username="pj_leader"),
    )
    ns.pj_police = make_department("police", PJ)
    ns.pj_justice = make_department("justice", PJ)
    ns.pj_urban = make_department("urban_management", PJ)
    ns.hs_police = make_department("police", HS)
    make_grid(HS_GRID)
    return ns
