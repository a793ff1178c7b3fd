"""Fixtures of the phone app's tests: the cases' small world (白沙街道), and cases in the
states a grid worker meets on the phone."""

from __future__ import annotations

import pytest

from cases import services
from cases.tests import conftest as cases_conftest
from cases.tests.conftest import World, photo, photo_bytes

__all__ = ["World", "photo", "photo_bytes"]
world = cases_conftest.world  # the fixture, shared with the cases' tests


def resident_report(world, **kw):
    """A resident's report in the worker's grid (state reported: to verify)."""
    lng, lat = world.point
    kw.setdefault("matter", world.entry_code)
    kw.setdefault("description", "楼道堆放杂物,堵塞消防通道")
    return services.intake(world.resident, lng=lng, lat=lat, **kw).case


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
