"""Fixtures of the phone app's tests: the cases' small world (白沙街道), and cases in the
states a grid worker meets on the phone."""

from __future__ import annotations

import pytest

from cases import services
from cases.inputs import ReportInput
from cases.tests import conftest as cases_conftest
from cases.tests.conftest import World, photo, photo_bytes

__all__ = ["World", "photo", "photo_bytes"]
world = cases_conftest.world  # the fixtures, shared with the cases' tests
live_world = cases_conftest.live_world  # committed, for the browser tests' live server


def resident_report(world, **kw):
    """A resident's report in the worker's grid (state reported: to verify)."""
    lng, lat = world.point
    kw.setdefault("matter", world.entry_code)
    kw.setdefault("description", "楼道堆放杂物,堵塞消防通道")
    return services.intake(world.resident, ReportInput(lng=lng, lat=lat, **kw)).case


def handled_case(world):
    """A case the lead department has fed back on (state handled: to check on site)."""
    case = resident_report(world, description="路灯不亮")
    services.verify(world.worker, case.pk)
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk, co_departments=[])
    services.sign(world.police_handler, case.pk)
    return services.feedback(world.police_handler, case.pk, note="已更换灯泡")


@pytest.fixture
def worker_client(client, world):
    client.force_login(world.worker)
    return client


@pytest.fixture
def phone(browser, live_server, live_world):
    """A phone (360 px, touch) signed in as the grid worker, standing in their grid, with
    geolocation allowed."""
    from urllib.parse import urlparse

    from django.conf import settings
    from django.test import Client

    from gridgov.testing.browser import PHONE

    world = live_world
    lng, lat = world.point
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        geolocation={"longitude": lng, "latitude": lat, "accuracy": 8},
        permissions=["geolocation"],
        service_workers="allow",
    )
    context.set_default_timeout(15_000)
    client = Client()
    client.force_login(world.worker)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": urlparse(live_server.url).hostname,
                "path": "/",
            }
        ]
    )
    yield context
    context.close()


@pytest.fixture
def big_photo(tmp_path):
    """A camera-sized JPEG (3000 × 2000): the phone must shrink it to 1600 px."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (3000, 2000), "#6a8caf")
    pen = ImageDraw.Draw(image)
    for i in range(0, 3000, 150):
        pen.line((i, 0, 3000 - i, 2000), fill="#f0c040", width=12)
    path = tmp_path / "IMG_0001.jpg"
    image.save(path, "JPEG", quality=92)
    return path
