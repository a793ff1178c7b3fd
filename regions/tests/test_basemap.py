"""A base map people can read, from the region tree (issue 10, "maps people can read"; R8.4):
the PMTiles archive the demo builds, served in byte ranges, chosen for the pages."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import mapbox_vector_tile
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from PIL import Image
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write

from gridgov import maps
from gridgov.testing.regions import X0, Y0, make_tree
from regions import basemap

pytestmark = pytest.mark.django_db


def tile_of(lng: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2
    return int((lng + 180) / 360 * n), int(y * n)


def read(path: Path, z: int, lng: float, lat: float) -> dict:
    with path.open("rb") as f:
        data = Reader(MmapSource(f)).get(z, *tile_of(lng, lat, z))
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True}) if data else {}


@pytest.fixture
def archive(tmp_path, settings) -> Path:
    make_tree()
    path = tmp_path / "basemap.pmtiles"
    settings.GRIDGOV = {**settings.GRIDGOV, "BASEMAP_PMTILES": str(path), "TILE_URL": ""}
    return path


def test_the_archive_carries_outlines_and_names_by_zoom(archive):
    summary = basemap.build(archive)
    assert summary.regions == 4 and summary.tiles > 0  # county, township, two villages
    with archive.open("rb") as f:
        reader = Reader(MmapSource(f))
        header = reader.header()
        assert (header["min_zoom"], header["max_zoom"]) == (basemap.MIN_ZOOM, basemap.MAX_ZOOM)
        layers = {layer["id"] for layer in reader.metadata()["vector_layers"]}
    assert layers == {"boundaries", "places"}
    where = (X0 + 0.005, Y0 + 0.005)  # inside village 440703002101
    low = read(archive, 8, *where)
    assert {f["properties"]["level"] for f in low["boundaries"]["features"]} == {"county"}
    assert [f["properties"]["name"] for f in low["places"]["features"]] == ["蓬江区"]
    high = read(archive, 12, *where)
    levels = {f["properties"]["level"] for f in high["boundaries"]["features"]}
    assert levels == {"county", "township", "village"}
    names = {f["properties"]["name"] for f in high["places"]["features"]}
    assert {"白沙街道", "羊桥社区居委会", "迦南社区居委会"} <= names


def test_the_pages_get_the_archive_or_the_tile_server(archive, settings):
    assert maps.basemap() == {"kind": "none"}  # not built yet: shapes only
    basemap.build(archive)
    chosen = maps.basemap()
    assert chosen["kind"] == "pmtiles" and chosen["tiles"] == "vector"
    assert chosen["url"].startswith("/maps/basemap.pmtiles?v=")
    assert chosen["maxzoom"] == basemap.MAX_ZOOM
    settings.GRIDGOV = {**settings.GRIDGOV, "TILE_URL": "https://tiles.gov.example/{z}/{x}/{y}.png"}
    assert maps.basemap()["kind"] == "tiles"  # the deployment's own tile server first


def test_every_page_writes_the_choice_for_its_scripts(archive, client):
    basemap.build(archive)
    html = client.get("/public/grids/").content.decode()
    opening = '<script id="gridgov-maps" type="application/json">'
    start = html.index(opening) + len(opening)
    config = json.loads(html[start : html.index("</script>", start)])
    assert config["basemap"]["kind"] == "pmtiles"


def test_a_foreign_or_broken_file_is_no_base_map(archive):
    archive.write_bytes(b"not a pmtiles archive at all")
    assert maps.basemap() == {"kind": "none"}


def test_build_basemap_command_writes_the_archive(archive, capsys):
    call_command("build_basemap")
    assert archive.exists() and "4 regions" in capsys.readouterr().out


def test_build_basemap_command_refuses_with_one_line_without_regions(tmp_path):
    with pytest.raises(CommandError, match="no region has a geometry"):
        call_command("build_basemap", output=str(tmp_path / "x.pmtiles"))


# --- byte ranges --------------------------------------------------------------------------
URL = "/maps/basemap.pmtiles"


@pytest.fixture
def served(archive) -> bytes:
    basemap.build(archive)
    return archive.read_bytes()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_range_is_answered_206_with_those_bytes(served):
    response = Client().get(URL, HTTP_RANGE="bytes=0-126")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-126/{len(served)}"
    assert response["Content-Length"] == "127" and response["Accept-Ranges"] == "bytes"
    assert body(response) == served[:127]
    tail = Client().get(URL, HTTP_RANGE="bytes=-100")
    assert tail.status_code == 206 and body(tail) == served[-100:]
    rest = Client().get(URL, HTTP_RANGE=f"bytes={len(served) - 10}-")
    assert body(rest) == served[-10:]
    past_end = Client().get(URL, HTTP_RANGE=f"bytes=5-{len(served) + 1000}")
    assert past_end.status_code == 206 and body(past_end) == served[5:]


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=10-5", "bytes=abc", "bytes=-0"])
def test_a_range_outside_the_file_or_malformed_is_416(served, header):
    response = Client().get(URL, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(served)}"


def test_no_range_several_ranges_or_a_stale_if_range_get_the_whole_file(served):
    for headers in ({}, {"HTTP_RANGE": "bytes=0-1,5-6"}, {"HTTP_RANGE": "items=0-1"}):
        response = Client().get(URL, **headers)
        assert response.status_code == 200 and body(response) == served
    stale = Client().get(URL, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"0-0"')
    assert stale.status_code == 200
    fresh = Client().get(URL)
    same = Client().get(URL, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=fresh["ETag"])
    assert same.status_code == 206 and body(same) == served[:10]


def test_the_archive_revalidates_by_etag_and_date(served):
    first = Client().get(URL)
    assert first["ETag"] and first["Last-Modified"]
    assert Client().get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    since = Client().get(URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    head = Client().head(URL)
    assert head.status_code == 200 and head["Content-Length"] == str(len(served))


def test_the_archive_is_404_when_there_is_none(archive):
    assert Client().get(URL).status_code == 404
    assert Client().post(URL).status_code == 405


def test_a_raster_archive_is_drawn_as_raster(archive):
    """A deployment's own archive of PNG tiles (e.g. scanned or rendered maps) is a raster
    base map (pmtiles' Leaflet raster layer draws it)."""
    png = io.BytesIO()
    Image.new("RGB", (256, 256), "#dde").save(png, "PNG")
    with write(str(archive)) as writer:
        writer.write_tile(zxy_to_tileid(0, 0, 0), png.getvalue())
        writer.finalize(
            {"tile_type": TileType.PNG, "tile_compression": Compression.NONE},
            {"attribution": ""},
        )
    chosen = maps.basemap()
    assert (chosen["kind"], chosen["tiles"], chosen["maxzoom"]) == ("pmtiles", "raster", 0)
