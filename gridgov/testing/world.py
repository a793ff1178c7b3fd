"""A test world of three jurisdictions for the URL-enumeration test (R22.1).

Zone A (白沙街道, 蓬江区, 江门市) is where the role under test works; zone B (鹤山市, same city)
and zone C (广州市, another city) are foreign to it (C only, for city-wide roles). Every
scoped model gets objects in every zone from a registered **factory**; each object carries a
marker (``MarkB…``) in a text field that pages and API answers show, so a leak is a marker
in a response to someone from zone A.

Apps register factories for their own models in ``<app>/tests/scoping_world.py``:

    from gridgov.testing.world import factory, create_payload

    @factory("cases.case")
    def make_case(world, zone):
        return ...  # an object in zone.grid, with world.marker(zone, "case") in a text field

    @create_payload("cases.case")
    def case_payload(world, zone):
        return {...}  # a POST body that would create an object in ``zone``

The URL test imports those modules for every installed app, builds the world once per role,
and fails naming any scoped endpoint whose model has no factory (or, if the endpoint accepts
POST to its list, no create payload).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils.translation import pgettext_lazy

from audit import actions
from audit import services as audit
from audit.models import PersonalDataAccess
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.testing import people
from people import auth, services
from people.models import DepartmentKind, User

ACTOR = "test-world"


@dataclass(frozen=True)
class Zone:
    key: str
    city: str
    county: str
    township: str
    village: str
    spare_village: str  # a village with no committee yet (for create payloads)

    @property
    def grid(self) -> str:
        return f"{self.village}001"

    @property
    def spare_grid(self) -> str:
        """A second grid of the village, left without a leader (the vacant report)."""
        return f"{self.village}002"


ZONES = {
    "A": Zone("A", "4407", "440703", "440703002", "440703002101", "440703002102"),
    "B": Zone("B", "4407", "440784", "440784001", "440784001001", "440784001002"),
    "C": Zone("C", "4401", "440103", "440103001", "440103001001", "440103001002"),
}
HOME = ZONES["A"]

Factory = Callable[["World", Zone], models.Model]
Payload = Callable[["World", Zone], dict[str, Any]]
FACTORIES: dict[str, Factory] = {}
CREATE_PAYLOADS: dict[str, Payload] = {}


def factory(model_label: str) -> Callable[[Factory], Factory]:
    def register(func: Factory) -> Factory:
        FACTORIES[model_label.lower()] = func
        return func

    return register


def create_payload(model_label: str) -> Callable[[Payload], Payload]:
    def register(func: Payload) -> Payload:
        CREATE_PAYLOADS[model_label.lower()] = func
        return func

    return register


def load_app_factories() -> None:
    """Import ``<app>.tests.scoping_world`` of every installed app that has one."""
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.tests.scoping_world")
        except ModuleNotFoundError as exc:
            if exc.name not in {f"{config.name}.tests", f"{config.name}.tests.scoping_world"}:
                raise


@dataclass
class World:
    objects: dict[tuple[str, str], models.Model] = field(default_factory=dict)

    @staticmethod
    def marker(zone: Zone, what: str) -> str:
        return f"Mark{zone.key}{what}"

    def get(self, model_label: str, zone: Zone) -> models.Model:
        key = (model_label.lower(), zone.key)
        if key not in self.objects:
            self.objects[key] = FACTORIES[model_label.lower()](self, zone)
        return self.objects[key]

    def build(self) -> World:
        for zone in ZONES.values():
            for label in FACTORIES:
                self.get(label, zone)
        return self


# --- people and audit factories -----------------------------------------------------------


def _regions(zone: Zone) -> None:
    people.ensure_region(zone.city, {"4401": "广州市"}.get(zone.city))
    people.ensure_region(zone.village)
    people.ensure_region(zone.spare_village)


@factory("people.gridagency")
def _agency(world: World, zone: Zone) -> models.Model:
    _regions(zone)
    for code in (zone.city, zone.county):
        people.make_agency(code)
    return people.make_agency(
        zone.township, name=world.marker(zone, "Agency"), supervision_phone="0750-3270001"
    )


@factory("people.department")
def _department(world: World, zone: Zone) -> models.Model:
    world.get("people.gridagency", zone)
    return people.make_department("police", zone.county, name=world.marker(zone, "Dept"))


@factory("people.villagecommittee")
def _committee(world: World, zone: Zone) -> models.Model:
    _regions(zone)
    return services.create_committee(
        ACTOR, region_code=zone.village, name=world.marker(zone, "Committee")
    )


@factory("people.committeemember")
def _member(world: World, zone: Zone) -> models.Model:
    committee = world.get("people.villagecommittee", zone)
    return services.add_committee_member(
        ACTOR, committee, name=world.marker(zone, "Member"), position="member"
    )


@factory("regions.grid")
def _grid(world: World, zone: Zone) -> models.Model:
    _regions(zone)
    people.make_grid(zone.spare_grid, name=world.marker(zone, "VacantGrid"))
    return people.make_grid(zone.grid, name=world.marker(zone, "Grid"))


@factory("people.gridworker")
def _worker(world: World, zone: Zone) -> models.Model:
    world.get("people.gridagency", zone)
    world.get("regions.grid", zone)
    seed = {"A": 101, "B": 202, "C": 303}[zone.key]
    return people.make_worker(
        "leader", grid_code=zone.grid, name=world.marker(zone, "Worker"), seed=seed
    )


@factory("people.gridassignment")
def _assignment(world: World, zone: Zone) -> models.Model:
    worker = world.get("people.gridworker", zone)
    return worker.assignments.get()


@factory("people.employment")
def _employment(world: World, zone: Zone) -> models.Model:
    worker = world.get("people.gridworker", zone)
    employment = worker.employments.get()
    # Written directly: a test fixture's document number, not a state change to audit.
    type(employment).objects.filter(pk=employment.pk).update(
        document=world.marker(zone, "Employment")
    )
    employment.refresh_from_db()
    return employment


@factory("people.training")
def _training(world: World, zone: Zone) -> models.Model:
    worker = world.get("people.gridworker", zone)
    (record,) = services.record_training(
        ACTOR,
        [worker],
        course=world.marker(zone, "Training"),
        held_on=dt.date(2024, 3, 1),
        hours="4",
    )
    return record


@factory("people.equipmentissue")
def _equipment(world: World, zone: Zone) -> models.Model:
    worker = world.get("people.gridworker", zone)
    return services.issue_equipment(ACTOR, worker, item="badge", serial=world.marker(zone, "Equip"))


@factory("people.user")
def _user(world: World, zone: Zone) -> models.Model:
    world.get("people.gridagency", zone)
    user, _ = services.create_account(
        ACTOR,
        username=f"zone{zone.key.lower()}_member",
        full_name=world.marker(zone, "User"),
        password=people.PASSWORD,
        role=R.Role.DISPATCHER,
        region_code=zone.township,
    )
    return user


@factory("people.roleassignment")
def _role(world: World, zone: Zone) -> models.Model:
    user = world.get("people.user", zone)
    return user.role_assignments.get()


@factory("people.apitoken")
def _token(world: World, zone: Zone) -> models.Model:
    user = world.get("people.user", zone)
    _key, token = auth.issue_token(user, label=world.marker(zone, "Token"))
    return token


@actions.register
class WorldAction(actions.AuditAction):
    """The audit record the test world plants in each zone (registered only in the tests)."""

    WORLD = "test.world", pgettext_lazy("audit action", "测试数据")


@factory("audit.auditrecord")
def _audit_record(world: World, zone: Zone) -> models.Model:
    with transaction.atomic():
        return audit.record(
            ACTOR,
            WorldAction.WORLD,
            object_type="test.world",
            object_id=zone.key,
            object_repr=world.marker(zone, "Audit"),
            region_code=zone.grid,
        )


@factory("audit.personaldataaccess")
def _access(world: World, zone: Zone) -> models.Model:
    worker = world.get("people.gridworker", zone)
    services.reveal(ACTOR, worker, "id_number", reason=world.marker(zone, "Reveal"))
    return PersonalDataAccess.objects.filter(subject_id=str(worker.pk)).latest("pk")


@create_payload("people.gridagency")
def _agency_payload(world: World, zone: Zone) -> dict[str, Any]:
    people.ensure_region(f"{zone.county}099")
    return {"region": f"{zone.county}099", "name": world.marker(zone, "NewAgency")}


@create_payload("people.department")
def _department_payload(world: World, zone: Zone) -> dict[str, Any]:
    world.get("people.gridagency", zone)
    return {"kind": "civil_affairs", "region": zone.county, "name": world.marker(zone, "NewDept")}


@create_payload("people.villagecommittee")
def _committee_payload(world: World, zone: Zone) -> dict[str, Any]:
    return {"region": zone.spare_village, "name": world.marker(zone, "NewCommittee")}


@create_payload("people.committeemember")
def _member_payload(world: World, zone: Zone) -> dict[str, Any]:
    committee = world.get("people.villagecommittee", zone)
    return {
        "committee": committee.pk,
        "name": world.marker(zone, "NewMember"),
        "position": "member",
    }


@create_payload("people.gridworker")
def _worker_payload(world: World, zone: Zone) -> dict[str, Any]:
    return {
        "name": world.marker(zone, "NewWorker"),
        "kind": "fulltime",
        "id_number": people.id_number(909),
        "village": zone.village,
    }


@create_payload("people.gridassignment")
def _assignment_payload(world: World, zone: Zone) -> dict[str, Any]:
    worker = world.get("people.gridworker", zone)
    return {"worker": worker.pk, "grid_code": zone.spare_grid}


@create_payload("people.training")
def _training_payload(world: World, zone: Zone) -> dict[str, Any]:
    worker = world.get("people.gridworker", zone)
    return {
        "workers": [worker.pk],
        "course": world.marker(zone, "NewTraining"),
        "held_on": "2024-05-01",
        "hours": "2",
    }


@create_payload("people.equipmentissue")
def _equipment_payload(world: World, zone: Zone) -> dict[str, Any]:
    worker = world.get("people.gridworker", zone)
    return {"worker": worker.pk, "item": "uniform", "serial": world.marker(zone, "NewEquip")}


@create_payload("people.user")
def _account_payload(world: World, zone: Zone) -> dict[str, Any]:
    return {
        "username": f"new_{zone.key.lower()}",
        "full_name": world.marker(zone, "NewUser"),
        "role": "supervisor",
        "region": zone.township,
    }


@create_payload("people.roleassignment")
def _role_payload(world: World, zone: Zone) -> dict[str, Any]:
    user = world.get("people.user", zone)
    return {"user": user.pk, "role": "supervisor", "region": zone.township}


# --- the person under test ------------------------------------------------------------------

ROLE_HOME = {
    R.Role.SYSADMIN: HOME.city,
    R.Role.AGENCY_ADMIN: HOME.county,
    R.Role.DISPATCHER: HOME.township,
    R.Role.SUPERVISOR: HOME.county,
    R.Role.DEPT_HANDLER: HOME.county,
    R.Role.DEPT_HEAD: HOME.county,
    R.Role.GRID_LEADER: HOME.grid,
    R.Role.GRID_WORKER_FULLTIME: HOME.grid,
    R.Role.GRID_WORKER_PARTTIME: HOME.grid,
    R.Role.GRID_WORKER_PROFESSIONAL: HOME.grid,
    R.Role.VILLAGE_COMMITTEE: HOME.village,
    R.Role.AUDITOR: HOME.county,
    R.Role.RESIDENT: HOME.county,
}


def person_with_role(role: str) -> User:
    """An account holding ``role`` in zone A (at the level the role usually works at)."""
    code = ROLE_HOME[role]
    username = f"role_{role}"
    if role == R.Role.GRID_LEADER:
        # Zone A's grid already has its leader (the factory's); lead the spare grid instead.
        user = people.make_account(username)
        people.make_worker("leader", grid_code=HOME.spare_grid, user=user, seed=404)
        return user
    return people.make_user(role, code, username=username)


def foreign_zones(user: User) -> list[Zone]:
    """Zones with nothing in common with the user's jurisdiction: not inside it, and not
    above it (a grid worker of zone A may see zone A's county lists, not zone B's)."""
    prefixes = scoping.jurisdictions(user)
    return [
        z
        for z in ZONES.values()
        if not any(z.grid.startswith(p) or p.startswith(z.county) for p in prefixes)
    ]


@factory("people.departmentkind")
def _department_kind(world: World, zone: Zone) -> models.Model:
    # A catalogue without a jurisdiction (global rule): the same object in every zone.
    return DepartmentKind.objects.get(code="police")
