"""R11.1 (二): a grid's statistics (households, residents by kind, special groups by the kinds
the user may see, places by risk level, due and overdue visits and inspections), the per-grid
table of a county, and the due lists per grid and per worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.testing import people as testing
from registry import inputs, services, stats
from registry.tests import world as w

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
REG = "/registry"


def _world():
    home = w.house()
    head = w.resident(home, name="户主甲")
    services.create_household(w.ACTOR, inputs.NewHousehold(number="H1", address=home.address))
    w.resident(home, name="流动乙", kind="floating")
    w.resident(home, name="境外丙", kind="foreign", id_type="passport", id_number="E12345678")
    w.tag(head, "elderly_alone", started_on=TODAY - dt.timedelta(days=20), visit_days=7)  # overdue
    w.tag(head, "disabled", started_on=TODAY - dt.timedelta(days=85), visit_days=90)  # due soon
    w.tag(head, "drug_related", started_on=TODAY, visit_days=30)  # later
    address = home.address
    services.create_place(
        w.ACTOR, inputs.NewPlace(kind="small_shop", name="高风险店", address=address,
                                 risk_level="high")
    )  # fmt: skip
    market = services.create_place(
        w.ACTOR, inputs.NewPlace(kind="market", name="已巡查市场", address=address)
    )
    services.update_place(
        w.ACTOR, market, inputs.PlaceChanges(last_inspected_on=TODAY - dt.timedelta(days=3))
    )
    return head


def test_grid_statistics_counts_every_block():
    """R11.1 (二): the numbers of one grid, one grouped query per block."""
    _world()
    admin = testing.make_user("agency_admin", "440703", username="s_admin")
    s = stats.grid_statistics(admin, w.GRID)
    assert s["households"] == 1
    assert s["residents"] == {"registered": 1, "floating": 1, "foreign": 1}
    assert s["groups"]["elderly_alone"] == 1 and s["groups"]["drug_related"] == 1
    assert s["places"] == {"low": 1, "medium": 0, "high": 1}
    assert s["visits"] == {"overdue": 1, "due": 1}  # the disabled tag falls due in 5 days
    assert s["inspections"] == {"overdue": 1, "due": 0}  # never inspected: overdue


def test_statistics_count_only_the_kinds_the_user_may_see():
    """R22.1: a health department's statistics have no drug-related column."""
    _world()
    health = testing.make_user("dept_handler", "440703", department_kind="health", username="s_h")
    s = stats.grid_statistics(health, w.GRID)
    assert "drug_related" not in s["groups"] and "elderly_alone" in s["groups"]


def test_a_county_table_per_grid_and_the_grid_page(client):
    """R11.1 (二): the county table shows each grid with the same numbers; the grid page."""
    _world()
    admin = testing.make_user("agency_admin", "440703", username="s_admin2")
    client.force_login(admin)
    table = stats.area_statistics(admin, "440703")
    row = next(r for r in table["rows"] if r["grid"].code == w.GRID)
    assert row["residents_total"] == 3 and table["total"]["residents_total"] == 3
    page = client.get(f"{REG}/statistics/", {"area": "440703"})
    assert page.status_code == 200 and w.GRID in page.content.decode()
    grid_page = client.get(f"{REG}/grids/{w.GRID}/")
    assert grid_page.status_code == 200 and "户数" in grid_page.content.decode()


def test_due_lists_per_grid_and_per_worker_and_places_due(client):
    """R11.1 (二): due and overdue visits per grid and per worker; places due."""
    _world()
    worker = testing.make_worker("fulltime", grid_code=w.GRID, name="网格员丁")
    client.force_login(testing.make_user("agency_admin", "440703", username="s_admin4"))
    due = client.get(f"{REG}/due-visits/", {"area": w.GRID}).content.decode()
    assert due.count("户主甲") == 2  # elderly (overdue) and disabled (due in 5 days)
    overdue = client.get(f"{REG}/due-visits/", {"area": w.GRID, "overdue": "1"})
    assert len(overdue.context["rows"]) == 1
    mine = client.get(f"{REG}/due-visits/", {"worker": worker.pk})
    assert len(mine.context["rows"]) == 2
    elsewhere = testing.make_worker("fulltime", grid_code=w.OTHER_GRID, name="网格员戊")
    assert len(client.get(f"{REG}/due-visits/", {"worker": elsewhere.pk}).context["rows"]) == 0
    places = client.get(f"{REG}/inspections/").content.decode()
    assert "高风险店" in places and "已巡查市场" not in places


def test_grid_statistics_is_one_query_per_block_whatever_the_size():
    """R11.1 (二): the statistics run a fixed number of grouped queries (no per-row work)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _world()
    admin = testing.make_user("agency_admin", "440703", username="s_admin5")
    stats.grid_statistics(admin, w.GRID)  # warm the grant cache
    with CaptureQueriesContext(connection) as small:
        stats.grid_statistics(admin, w.GRID)
    home = w.house(w.room(name="909室"))
    for i in range(20):
        w.tag(w.resident(home, name=f"加人{i}"), "disabled")
    with CaptureQueriesContext(connection) as large:
        stats.grid_statistics(admin, w.GRID)
    assert len(large.captured_queries) == len(small.captured_queries) <= 12
