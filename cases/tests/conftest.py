"""A small working world for case tests: 白沙街道 with two villages and four grids, the
township, county and city agencies, two county departments, an admission list in force, and
one account per role."""

from __future__ import annotations

import importlib
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from gridgov.access import roles as R
from gridgov.testing import people
from gridgov.testing.regions import box, halves, make_tree
from matters import services as matters
from matters.models import MatterCategory
from workdays import services as calendar

SYSTEM = "test"


@dataclass
class World:
    grids: tuple
    police: Any
    urban: Any
    housing: Any
    entry_code: str
    settle_code: str
    other_code: str
    worker: Any
    leader: Any
    resident: Any
    dispatcher: Any
    county_dispatcher: Any
    supervisor: Any
    police_handler: Any
    urban_handler: Any
    housing_handler: Any
    foreign_dispatcher: Any

    @property
    def point(self) -> tuple[float, float]:
        """A point inside the worker's grid (grid 440703002101001)."""
        p = box(0.2, 0.5, 0.2, 0.5).centroid
        return p.x, p.y


def _calendar() -> None:
    year = timezone.localdate().year
    calendar.seed_years([year - 1, year], SYSTEM)
    for y in (year - 1, year, year + 1):  # tests must not depend on the packages' horizon
        calendar.open_year(SYSTEM, y)


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def live_world(transactional_db) -> World:
    """The same world, committed, for ``live_server`` browser tests (the server thread sees
    only committed rows). Transactional tests flush the database after each test, which also
    empties what the migrations seeded: the department kinds come back first."""
    from django.apps import apps

    seeds = importlib.import_module("people.migrations.0003_seed_department_kinds")
    seeds.seed(apps, None)
    return build_world()


def build_world() -> World:
    _calendar()
    tree = make_tree()
    grids = halves(tree)
    for code in ("440703002", "440703", "4407"):
        people.make_agency(code)
    police = people.make_department("police", "440703")
    urban = people.make_department("urban_management", "440703")
    housing = people.make_department("housing", "440703")

    matters.create_category(SYSTEM, city_code="4407", code="ZA", name="治安隐患")
    category = MatterCategory.objects.get(code="ZA")
    matters.create_item(
        SYSTEM, category=category, code="ZA-01", name="治安隐患排查", settle_on_spot_allowed=False
    )
    matters.create_item(
        SYSTEM, category=category, code="ZA-02", name="占道经营", settle_on_spot_allowed=True
    )
    matters.create_item(SYSTEM, category=category, code="ZA-03", name="未列入清单的事项")
    admission_list = matters.create_list(SYSTEM, county_code="440703")
    draft = matters.open_draft(SYSTEM, admission_list)
    matters.add_entry(
        SYSTEM,
        draft,
        item="ZA-01",
        lead_department=police.pk,
        co_departments=[urban.pk],
        dispatch_limit_amount=2,
        dispatch_limit_unit="workhours",
        handling_limit_amount=3,
        handling_limit_unit="workdays",
        amber_threshold_percent=80,
    )
    matters.add_entry(
        SYSTEM,
        draft,
        item="ZA-02",
        lead_department=urban.pk,
        dispatch_limit_amount=1,
        dispatch_limit_unit="workhours",
        handling_limit_amount=1,
        handling_limit_unit="workdays",
    )
    matters.publish_version(SYSTEM, draft)

    return World(
        grids=grids,
        police=police,
        urban=urban,
        housing=housing,
        entry_code="ZA-01",
        settle_code="ZA-02",
        other_code="ZA-03",
        worker=people.make_user(R.Role.GRID_WORKER_FULLTIME, grids[0].code, username="worker"),
        leader=people.make_user(R.Role.GRID_LEADER, grids[0].code, username="leader"),
        resident=people.make_user(R.Role.RESIDENT, "440703", username="resident"),
        dispatcher=people.make_user(R.Role.DISPATCHER, "440703002", username="dispatcher"),
        county_dispatcher=people.make_user(R.Role.DISPATCHER, "440703", username="county"),
        supervisor=people.make_user(R.Role.SUPERVISOR, "440703", username="supervisor"),
        police_handler=_department_user("police_handler", police),
        urban_handler=_department_user("urban_handler", urban),
        housing_handler=_department_user("housing_handler", housing),
        foreign_dispatcher=people.make_user(R.Role.DISPATCHER, "440784", username="heshan"),
    )


def _department_user(username: str, department: Any) -> Any:
    from people import services

    user = people.make_account(username)
    services.grant_role(SYSTEM, user, R.Role.DEPT_HANDLER, department=department)
    return user


def photo_bytes(color: str = "red", fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buffer, fmt)
    return buffer.getvalue()


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)


def photo(name: str = "scene.jpg", color: str = "red") -> Upload:
    return Upload(photo_bytes(color), name)
