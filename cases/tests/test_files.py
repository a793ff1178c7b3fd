"""Case photos are personal data (R22.1): only people who may see the case get the file."""

from __future__ import annotations

import pytest

from cases import services
from cases.inputs import ReportInput
from cases.tests.conftest import photo, photo_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(world):
    lng, lat = world.point
    case = services.intake(
        world.worker,
        ReportInput(
            lng=lng, lat=lat, matter=world.entry_code, description="墙体裂缝", photos=[photo()]
        ),
    ).case
    return case.attachments.get()


def test_the_reporter_gets_the_photo_through_the_scoped_view(client, world, attachment):
    client.force_login(world.worker)
    response = client.get(attachment.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == photo_bytes()
    assert "private" in response["Cache-Control"]


def test_foreign_and_anonymous_users_do_not(client, world, attachment):
    assert client.get(attachment.url).status_code == 302  # to the login page
    client.force_login(world.foreign_dispatcher)
    assert client.get(attachment.url).status_code == 404
    client.force_login(world.housing_handler)  # not assigned to this case
    assert client.get(attachment.url).status_code in (403, 404)


def test_uploaded_files_have_no_public_media_address(client, world, attachment):
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
    client.force_login(world.worker)
    api = client.get(f"/api/v1/cases/{attachment.case_id}/").json()
    assert api["attachments"][0]["url"] == attachment.url
