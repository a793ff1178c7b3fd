"""Bad input on the case endpoints answers 400 and stores nothing (R18.1, R22.1, R28.1):
image bombs, NUL characters, deep JSON on the anonymous token endpoint, non-numbers."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from cases import uploads
from cases.models import Case
from cases.tests.conftest import Upload
from cases.tests.test_portal import report_data
from gridgov.errors import DomainError

pytestmark = pytest.mark.django_db


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` × ``height`` pixels (an image bomb)."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    # IHDR is the first chunk: 8 signature bytes, 4 length, 4 type, then width and height
    data[16:24] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (10_000, 5_000)])
def test_r28_1_image_bomb_is_refused_on_the_photo_field(width, height):
    with pytest.raises(DomainError) as raised:
        uploads.check_photo(Upload(png_declaring(width, height), "bomb.png"))
    assert raised.value.field == "photos"
    assert "图片尺寸过大" in raised.value.message


def test_the_pixel_limit_is_a_setting(settings):
    settings.GRIDGOV_MAX_PHOTO_PIXELS = 1_000
    with pytest.raises(DomainError):
        uploads.check_photo(Upload(png_declaring(100, 100), "big.png"))
    settings.GRIDGOV_MAX_PHOTO_PIXELS = 40_000_000
    assert uploads.check_photo(Upload(png_declaring(100, 100), "ok.png")).width == 100


def test_r18_1_portal_report_with_an_image_bomb_is_400(client, world):
    data = report_data(world, photos=Upload(png_declaring(20_000, 20_000), "bomb.png"))
    response = client.post("/public/report/", data)
    assert response.status_code == 400
    assert "图片尺寸过大" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize("field", ["description", "address", "reporter_name"])
def test_r22_1_nul_in_a_form_field_is_400(client, world, field):
    response = client.post("/public/report/", report_data(world, **{field: "路灯\x00坏了"}))
    assert response.status_code == 400
    assert not Case.objects.exists()


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "３", "¹"])
def test_r18_1_malformed_coordinates_are_refused(client, world, value):
    response = client.post("/public/report/", report_data(world, lat=value))
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_r22_1_nul_in_a_query_string_is_400(client, world):
    response = client.get("/public/grids/", {"q": "a\x00b"})
    assert response.status_code == 400
    response = client.get("/api/v1/grids/", {"code": "a\x00b"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["code"]


@pytest.mark.parametrize(
    "body",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"username": "x", "password": "\\ud800"}',
        '{"username": "x\\u0000", "password": "y"}',
        '{"username": 1e400}',
    ],
)
def test_r28_1_token_endpoint_refuses_bad_json(client, body):
    response = client.post("/api/v1/auth/token/", data=body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("ids", [["¹"], ["1", "²"], ["9" * 20]])
def test_r22_1_bulk_action_with_bad_ids_is_refused(client, world, ids):
    client.force_login(world.dispatcher)
    response = client.post("/console/bulk/", {"action": "accept", "ids": ids})
    assert response.status_code in {302, 400}
