"""Registry objects of each zone for the URL-enumeration test (R22.1; see
gridgov/testing/world.py). Each zone gets an address in its grid, a house, a resident with a
tag of every kind (so the walk checks the visibility table too), an organisation, a place and
a thing, each with the zone's marker in a text the answers show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from gridgov.testing import people as testing
from gridgov.testing.world import ACTOR, World, Zone, create_payload, factory
from registry import inputs, services
from registry.visibility import SpecialGroupKind

SEEDS = {"A": 611, "B": 622, "C": 633}


def _where(world: World, zone: Zone) -> inputs.Where:
    world.get("regions.grid", zone)
    return inputs.Where(grid_code=zone.grid)


@factory("registry.standardaddress")
def _address(world: World, zone: Zone) -> models.Model:
    return services.create_address(
        ACTOR,
        inputs.NewAddress(
            level="street_number",
            where=_where(world, zone),
            road=world.marker(zone, "Road"),
            number="1号",
        ),
    )


@factory("registry.house")
def _house(world: World, zone: Zone) -> models.Model:
    address = world.get("registry.standardaddress", zone)
    return services.create_house(
        ACTOR, inputs.NewHouse(address=address, use="rental", rental_status="whole",
                               owner_name=world.marker(zone, "Owner"))
    )  # fmt: skip


@factory("registry.resident")
def _resident(world: World, zone: Zone) -> models.Model:
    house = world.get("registry.house", zone)
    resident = services.register_resident(
        ACTOR,
        inputs.NewResident(
            kind="floating",
            name=world.marker(zone, "Resident"),
            id_type="resident_id",
            id_number=testing.id_number(SEEDS[zone.key], birth="19700101"),
            phone=testing.mobile(SEEDS[zone.key]),
            house=house,
            house_relation="tenant",
        ),
    )
    for kind in SpecialGroupKind.values:
        services.tag_resident(
            ACTOR,
            resident,
            inputs.NewTag(
                kind=kind,
                started_on=dt.date(2024, 1, 1),
                note=world.marker(zone, f"Tag{kind}"),
            ),
        )
    return resident


@factory("registry.household")
def _household(world: World, zone: Zone) -> models.Model:
    return services.create_household(
        ACTOR,
        inputs.NewHousehold(
            number=world.marker(zone, "Household"),
            address=world.get("registry.standardaddress", zone),
        ),
    )


@factory("registry.specialgrouptag")
def _tag(world: World, zone: Zone) -> models.Model:
    # The kind every staff role of the zone may see (the drug-related one is hidden from most).
    resident = world.get("registry.resident", zone)
    return resident.tags.get(kind=SpecialGroupKind.ELDERLY_ALONE)


@factory("registry.organisation")
def _organisation(world: World, zone: Zone) -> models.Model:
    return services.create_organisation(
        ACTOR,
        inputs.NewOrganisation(
            kind="enterprise",
            name=world.marker(zone, "Organisation"),
            address=world.get("registry.standardaddress", zone),
            contact_phone=testing.mobile(SEEDS[zone.key] + 1),
        ),
    )


@factory("registry.place")
def _place(world: World, zone: Zone) -> models.Model:
    return services.create_place(
        ACTOR,
        inputs.NewPlace(
            kind="small_shop",
            name=world.marker(zone, "Place"),
            address=world.get("registry.standardaddress", zone),
        ),
    )


@factory("registry.thing")
def _thing(world: World, zone: Zone) -> models.Model:
    from registry.tests.world import located_grid

    centre = {"A": (113.075, 22.605), "B": (112.960, 22.765), "C": (113.265, 23.130)}[zone.key]
    world.get("regions.grid", zone)
    lng, lat = located_grid(zone.grid, centre)
    return services.create_thing(
        ACTOR,
        inputs.NewThing(
            kind="fire_hydrant",
            where=inputs.Where(lng=lng, lat=lat),
            name=world.marker(zone, "Thing"),
        ),
    )


def _foreign_where(world: World, zone: Zone) -> dict[str, Any]:
    world.get("regions.grid", zone)
    return {"grid_code": zone.grid}


@create_payload("registry.standardaddress")
def _address_payload(world: World, zone: Zone) -> dict[str, Any]:
    return {"level": "street_number", "road": world.marker(zone, "NewRoad"), "number": "2号",
            **_foreign_where(world, zone)}  # fmt: skip


@create_payload("registry.house")
def _house_payload(world: World, zone: Zone) -> dict[str, Any]:
    address = services.create_address(
        ACTOR,
        inputs.NewAddress(level="room", parent=world.get("registry.standardaddress", zone),
                          name=f"{zone.key}-房")
    )  # fmt: skip
    return {"address": address.pk, "use": "residential"}


@create_payload("registry.resident")
def _resident_payload(world: World, zone: Zone) -> dict[str, Any]:
    return {
        "kind": "registered",
        "name": world.marker(zone, "NewResident"),
        "id_number": testing.id_number(SEEDS[zone.key] + 5, birth="19900101"),
        **_foreign_where(world, zone),
    }


@create_payload("registry.specialgrouptag")
def _tag_payload(world: World, zone: Zone) -> dict[str, Any]:
    return {
        "resident": world.get("registry.resident", zone).pk,
        "kind": "disabled",
        "started_on": "2024-02-01",
    }


@create_payload("registry.organisation")
def _organisation_payload(world: World, zone: Zone) -> dict[str, Any]:
    return {"kind": "school", "name": world.marker(zone, "NewOrganisation"),
            **_foreign_where(world, zone)}  # fmt: skip


@create_payload("registry.place")
def _place_payload(world: World, zone: Zone) -> dict[str, Any]:
    return {"kind": "market", "name": world.marker(zone, "NewPlace"),
            **_foreign_where(world, zone)}  # fmt: skip


@create_payload("registry.thing")
def _thing_payload(world: World, zone: Zone) -> dict[str, Any]:
    world.get("registry.thing", zone)
    lng, lat = {"A": (113.075, 22.605), "B": (112.960, 22.765), "C": (113.265, 23.130)}[zone.key]
    return {"kind": "camera", "lng": lng, "lat": lat, "name": world.marker(zone, "NewThing")}


@factory("registry.proposal")
def _proposal(world: World, zone: Zone) -> models.Model:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from registry import photos
    from registry.services import proposals

    image = io.BytesIO()
    Image.new("RGB", (8, 8), "#6a8caf").save(image, "PNG")
    resident = world.get("registry.resident", zone)
    proposal, _new = proposals.propose(
        ACTOR,
        "resident_update",
        resident,
        inputs.ResidentChanges(note=world.marker(zone, "ProposedNote")),
        note=world.marker(zone, "Proposal"),
        photo=photos.checked(SimpleUploadedFile("p.png", image.getvalue())),
    )
    return proposal


@create_payload("registry.proposal")
def _proposal_payload(world: World, zone: Zone) -> dict[str, Any]:
    return {
        "change": "resident_update",
        "subject": world.get("registry.resident", zone).pk,
        "name": world.marker(zone, "ProposedName"),
    }


@factory("registry.registryimport")
def _import(world: World, zone: Zone) -> models.Model:
    from registry.models import RegistryImport

    # A finished import of the zone's county, its file name carrying the zone's marker.
    return RegistryImport.objects.create(
        kind="houses",
        file_name=f"{world.marker(zone, 'Import')}.csv",
        region_code=zone.county,
        status="refused",
        problem_count=1,
        problems_csv=f"\ufeff文件,行号,列,原因\n{world.marker(zone, 'Import')}.csv,2,用途,x\n",
    )


@create_payload("registry.registryimport")
def _import_payload(world: World, zone: Zone) -> dict[str, Any]:
    # An upload aimed at the foreign zone (as a form: the file part is left out, so even a
    # route that forgot the scope check would answer 400, never 202).
    return {"kind": "houses", "region_code": zone.county, "dry_run": "true"}
