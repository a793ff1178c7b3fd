"""Matters in the URL-enumeration test world (R22.1; see gridgov/testing/world.py).

Lists, versions, entries and change requests belong to a county: each zone gets its own. The
catalogue belongs to a city, and zones A and B share 江门市's, so "zone B's catalogue object" is
one of another city (4408 湛江市): what a 蓬江区 user must not see is another city's catalogue.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from gridgov.testing import people
from gridgov.testing.world import World, Zone, create_payload, factory
from matters import services
from matters.models import AdmissionListVersion, MatterCategory

ACTOR = "test-world"
CATALOGUE_CITY = {"A": "4407", "B": "4408", "C": "4401"}
CITY_NAMES = {"4401": "广州市", "4408": "湛江市"}
LIMITS = {
    "dispatch_limit_amount": 2,
    "dispatch_limit_unit": "workhours",
    "handling_limit_amount": 3,
    "handling_limit_unit": "workdays",
}


def _plain_item(zone: Zone, code: str):
    """An unmarked item of the zone's county's city (what the zone's lists are made of)."""
    from matters.models import MatterItem

    city = zone.county[:4]
    people.ensure_region(city, CITY_NAMES.get(city))
    found = MatterItem.objects.filter(city__code=city, code=code).first()
    if found is not None:
        return found
    category = MatterCategory.objects.filter(city__code=city, code="W0").first()
    if category is None:
        category = services.create_category(ACTOR, city_code=city, code="W0", name="测试世界分类")
    return services.create_item(ACTOR, category=category, code=code, name=f"测试世界事项{code}")


def _department(zone: Zone):
    people.ensure_region(zone.county)
    return people.make_department("justice", zone.county)


@factory("matters.mattercategory")
def _category(world: World, zone: Zone) -> models.Model:
    city = CATALOGUE_CITY[zone.key]
    people.ensure_region(city, CITY_NAMES.get(city))
    return services.create_category(
        ACTOR, city_code=city, code=f"M{zone.key}", name=world.marker(zone, "Category")
    )


@factory("matters.matteritem")
def _item(world: World, zone: Zone) -> models.Model:
    category = world.get("matters.mattercategory", zone)
    return services.create_item(
        ACTOR, category=category, code=f"M{zone.key}01", name=world.marker(zone, "Item")
    )


@factory("matters.admissionlistversion")
def _version(world: World, zone: Zone) -> models.Model:
    """A published version (in force) with one entry; the note carries the marker."""
    admission_list = services.create_list(ACTOR, county_code=zone.county)
    draft = services.open_draft(ACTOR, admission_list, note=world.marker(zone, "Version"))
    services.add_entry(
        ACTOR,
        draft,
        item=_plain_item(zone, "W001"),
        lead_department=_department(zone),
        notes=world.marker(zone, "Entry"),
        **LIMITS,
    )
    return services.publish_version(ACTOR, draft)


@factory("matters.admissionlist")
def _list(world: World, zone: Zone) -> models.Model:
    version: AdmissionListVersion = world.get("matters.admissionlistversion", zone)
    return version.admission_list


@factory("matters.admissionentry")
def _entry(world: World, zone: Zone) -> models.Model:
    version: AdmissionListVersion = world.get("matters.admissionlistversion", zone)
    return version.entries.get()


@factory("matters.changerequest")
def _change_request(world: World, zone: Zone) -> models.Model:
    version: AdmissionListVersion = world.get("matters.admissionlistversion", zone)
    return services.submit_change_request(
        ACTOR,
        county_code=version.admission_list.county.code,
        kind="remove",
        item="W001",
        reason=world.marker(zone, "ChangeRequest"),
        department=_department(zone),
    )


@create_payload("matters.mattercategory")
def _category_payload(world: World, zone: Zone) -> dict[str, Any]:
    return {
        "city": CATALOGUE_CITY[zone.key],
        "code": f"N{zone.key}",
        "name": world.marker(zone, "NewCategory"),
    }


@create_payload("matters.matteritem")
def _item_payload(world: World, zone: Zone) -> dict[str, Any]:
    category = world.get("matters.mattercategory", zone)
    return {"category": category.pk, "code": f"N{zone.key}01", "name": world.marker(zone, "New")}


@create_payload("matters.admissionlist")
def _list_payload(world: World, zone: Zone) -> dict[str, Any]:
    return {"county": zone.county}


@create_payload("matters.admissionentry")
def _entry_payload(world: World, zone: Zone) -> dict[str, Any]:
    version: AdmissionListVersion = world.get("matters.admissionlistversion", zone)
    draft = services.open_draft(ACTOR, version.admission_list)
    return {
        "version": draft.pk,
        "item": _plain_item(zone, "W002").code,
        "lead_department": _department(zone).pk,
        "notes": world.marker(zone, "NewEntry"),
        **LIMITS,
    }


@create_payload("matters.changerequest")
def _change_request_payload(world: World, zone: Zone) -> dict[str, Any]:
    world.get("matters.admissionlistversion", zone)
    return {
        "county": zone.county,
        "kind": "add",
        "item": _plain_item(zone, "W003").code,
        "reason": world.marker(zone, "NewChangeRequest"),
        "lead_department": _department(zone).pk,
        **LIMITS,
    }
