"""Cases in the URL-enumeration test world (R22.1; see gridgov/testing/world.py).

Each zone gets one case in its grid, reported through the services by the system, accepted
and dispatched to the county's department of the zone's admission list (so department roles
of zone A have a case of their own and foreign ones to miss). The zone grids get a small
square polygon so that a create payload aimed at a zone can really be located: the cases API
must refuse it for people of another zone, not merely fail to find a grid.
"""

from __future__ import annotations

from typing import Any

import shapely
from django.db import models

from cases import primitives, services
from cases.inputs import ReportInput
from gridgov.testing.world import World, Zone, create_payload, factory
from regions import index

ACTOR = "test-world"
# A point in each zone's city (蓬江区白沙, 鹤山沙坪, 广州越秀): the grid is a square around it.
CENTRES = {"A": (113.075, 22.605), "B": (112.960, 22.765), "C": (113.265, 23.130)}
HALF = 0.002  # ~200 m


def _locatable_grid(world: World, zone: Zone) -> tuple[float, float]:
    """The zone's grid with a polygon (and the grid index rebuilt); its centre point."""
    grid = world.get("regions.grid", zone)
    lng, lat = CENTRES[zone.key]
    if grid.geometry_wkb is None:
        grid.set_geometry(shapely.box(lng - HALF, lat - HALF, lng + HALF, lat + HALF))
        grid.save()
        index.invalidate()
    return lng, lat


def _matter(world: World, zone: Zone) -> str:
    version = world.get("matters.admissionlistversion", zone)
    return version.entries.get().item.code


@factory("cases.case")
def _case(world: World, zone: Zone) -> models.Model:
    lng, lat = _locatable_grid(world, zone)
    case = services.intake(
        ACTOR,
        ReportInput(
            lng=lng,
            lat=lat,
            matter=_matter(world, zone),
            description=world.marker(zone, "Case"),
            address=world.marker(zone, "Address"),
            involved=[{"name": world.marker(zone, "Involved"), "phone": "13800138000"}],
        ),
    ).case
    services.accept(ACTOR, case.pk)
    return services.dispatch(ACTOR, case.pk, note=world.marker(zone, "Dispatch"))


@factory("cases.assignment")
def _assignment(world: World, zone: Zone) -> models.Model:
    case = world.get("cases.case", zone)
    return case.assignments.get(role="lead")


@create_payload("cases.case")
def _case_payload(world: World, zone: Zone) -> dict[str, Any]:
    lng, lat = _locatable_grid(world, zone)
    return {
        "lng": lng,
        "lat": lat,
        "matter": _matter(world, zone),
        "description": world.marker(zone, "NewCase"),
    }


@factory("cases.attachment")
def _attachment(world: World, zone: Zone) -> models.Model:
    """A photo fed back on the zone's case (served only through the scoped file view)."""
    import io

    from PIL import Image

    case = world.get("cases.case", zone)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "JPEG")
    upload = io.BytesIO(buffer.getvalue())
    upload.name = f"{zone.key}.jpg"
    services.sign(ACTOR, case.pk)
    services.feedback(ACTOR, case.pk, note=world.marker(zone, "Feedback"), photos=[upload])
    return case.attachments.get()


@factory("cases.notificationreceipt")
def _receipt(world: World, zone: Zone) -> models.Model:
    """A notice to the zone's township agency, received by its dispatcher (its own only)."""
    from cases.notify.models import NotificationReceipt

    dispatcher = world.get("people.user", zone)
    notice = primitives.notify(
        "amber", f"world:{zone.key}", world.marker(zone, "Notice"), agency_code=zone.township
    )
    return NotificationReceipt.objects.get(notification=notice, user=dispatcher)


@factory("cases.warning")
def _warning(world: World, zone: Zone) -> models.Model:
    import datetime as dt

    from cases.models import Warning

    department = world.get("people.department", zone)
    return Warning.objects.create(
        department=department,
        region_code=zone.county,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        late_count=3,
        reason=world.marker(zone, "Warning"),
    )


@factory("cases.delivery")
def _delivery(world: World, zone: Zone) -> models.Model:
    """A progress SMS of the zone's case, in the delivery log."""
    from cases.notify.models import Delivery

    case = world.get("cases.case", zone)
    return Delivery.objects.create(
        key=f"world:{zone.key}",
        channel="sms",
        case=case,
        region_code=case.grid_code,
        recipient_masked="138****0000",
        message=world.marker(zone, "Sms"),
    )


@factory("workdays.calendaryear")
def _calendar_year(world: World, zone: Zone) -> models.Model:
    # National reference data (a global rule): the same year in every zone, as the calendar
    # page lists it.
    from django.utils import timezone

    from workdays import services as calendar

    return calendar.open_year(ACTOR, timezone.localdate().year + 1)
