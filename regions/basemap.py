"""A small vector base map from the region tree: county, township and village outlines with
their names, as a PMTiles archive (issue 10, "maps people can read").

Isolated government networks have no tile server on the internet; a deployment may have its
own (``GRIDGOV_TILE_URL``) or a PMTiles archive (``GRIDGOV_BASEMAP_PMTILES``). The demo has
neither, so it builds this one from what it has. The tiles are Mapbox Vector Tiles
(``mapbox-vector-tile``) in a PMTiles archive (``pmtiles``' writer), drawn in the browser by
protomaps-leaflet (``gridgov/static/gridgov/basemap.js``). Layers:

- ``boundaries``: polygons with ``level`` (county / township / village) and ``code``;
- ``places``: one point per region inside it (its label), with ``name``, ``level`` and
  ``code``: counties from zoom 7, townships from 10, villages from 12.

Geometry is simplified to about one pixel at each zoom and clipped to each tile with a small
buffer; tiles past :data:`MAX_ZOOM` are over-zoomed in the browser (villages are a few
hundred metres wide: zoom 12 carries them at a few metres' precision). Jiangmen's 1,439
regions make about 260 tiles and 0.7 MB, in a few seconds.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import mapbox_vector_tile
import numpy as np
import shapely
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer
from shapely.geometry.base import BaseGeometry

from regions.models import Level, Region

MIN_ZOOM = 6
MAX_ZOOM = 12
EXTENT = 4096  # tile units
BUFFER = 64  # tile units beyond the edge, so strokes and shapes meet seamlessly
# The zoom from which each level is in the tiles: its outlines, and its label point.
OUTLINE_FROM = {Level.COUNTY: MIN_ZOOM, Level.TOWNSHIP: 9, Level.VILLAGE: 11}
LABEL_FROM = {Level.COUNTY: 7, Level.TOWNSHIP: 10, Level.VILLAGE: 12}
LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str
    shape: BaseGeometry  # in unit Web Mercator: x, y in [0, 1], y downwards
    label: BaseGeometry  # a point inside the shape, same units


@dataclass(frozen=True)
class Summary:
    path: Path
    regions: int
    tiles: int
    bytes: int

    def __str__(self) -> str:
        return (
            f"base map {self.path}: {self.regions} regions, {self.tiles} tiles, "
            f"{self.bytes:,} bytes"
        )


def _to_unit_mercator(coords: np.ndarray) -> np.ndarray:
    lng, lat = coords[:, 0], np.clip(coords[:, 1], -85.05112878, 85.05112878)
    x = (lng + 180.0) / 360.0
    y = (1.0 - np.log(np.tan(np.radians(lat)) + 1.0 / np.cos(np.radians(lat))) / math.pi) / 2.0
    return np.column_stack([x, y])


def _from_unit_mercator_lng_lat(x: float, y: float) -> tuple[float, float]:
    lng = x * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))
    return lng, lat


def places(regions: Iterable[Region]) -> list[Place]:
    """Regions with a geometry, projected once."""
    found = []
    for region in regions:
        geom = region.geometry
        if geom is None or geom.is_empty:
            continue
        shape = shapely.transform(geom, _to_unit_mercator)
        found.append(Place(region.code, region.name, region.level, shape, shape.point_on_surface()))
    return found


def _tile_range(bounds: tuple[float, float, float, float], z: int) -> Iterator[tuple[int, int]]:
    n = 2**z
    minx, miny, maxx, maxy = bounds
    for x in range(max(0, int(minx * n)), min(n - 1, int(maxx * n)) + 1):
        for y in range(max(0, int(miny * n)), min(n - 1, int(maxy * n)) + 1):
            yield x, y


def _local(geom: BaseGeometry, z: int, x: int, y: int) -> BaseGeometry:
    scale = EXTENT * 2**z
    return shapely.transform(geom, lambda c: c * scale - np.array([x * EXTENT, y * EXTENT]))


def tiles(found: list[Place]) -> Iterator[tuple[int, int, int, bytes]]:
    """(z, x, y, MVT bytes) for every tile with something in it, z from MIN_ZOOM to MAX_ZOOM."""
    if not found:
        return
    bounds = shapely.total_bounds([p.shape for p in found])
    for z in range(MIN_ZOOM, MAX_ZOOM + 1):
        pixel = 1.0 / (EXTENT * 2**z)  # one tile unit, in unit Mercator
        shown = [p for p in found if OUTLINE_FROM[p.level] <= z]
        shapes = shapely.simplify([p.shape for p in shown], pixel, preserve_topology=True)
        labelled = [p for p in found if LABEL_FROM[p.level] <= z]
        shape_tree = shapely.STRtree(shapes)
        label_tree = shapely.STRtree([p.label for p in labelled])
        margin = BUFFER * pixel
        for x, y in _tile_range(bounds, z):
            size = 1.0 / 2**z
            x0, y0, x1, y1 = x * size, y * size, (x + 1) * size, (y + 1) * size
            box = (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
            features = []
            for i in shape_tree.query(shapely.box(*box)):
                clipped = shapely.clip_by_rect(shapes[i], *box)
                if clipped.is_empty:
                    continue
                place = shown[i]
                features.append(
                    {
                        "geometry": _local(clipped, z, x, y),
                        "properties": {"level": place.level, "code": place.code},
                    }
                )
            if not features:
                continue
            layers = [{"name": "boundaries", "features": features}]
            tile_box = shapely.box(x0, y0, x1, y1)
            points = [
                {
                    "geometry": _local(labelled[i].label, z, x, y),
                    "properties": {
                        "name": labelled[i].name,
                        "level": labelled[i].level,
                        "code": labelled[i].code,
                    },
                }
                for i in label_tree.query(tile_box)
            ]
            if points:
                layers.append({"name": "places", "features": points})
            data = mapbox_vector_tile.encode(
                layers, default_options={"extents": EXTENT, "y_coord_down": True}
            )
            yield z, x, y, data


def build(path: Path, regions: Iterable[Region] | None = None) -> Summary:
    """Write the archive to ``path`` (atomically: a running server keeps reading the old file
    until the new one replaces it)."""
    if regions is None:
        regions = Region.objects.filter(level__in=LEVELS, geometry_wkb__isnull=False)
    found = places(regions)
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(tiles(found), key=lambda t: zxy_to_tileid(t[0], t[1], t[2]))
    if not ordered:
        raise ValueError("no region has a geometry: nothing to draw a base map from")
    minx, miny, maxx, maxy = shapely.total_bounds([p.shape for p in found])
    west, south = _from_unit_mercator_lng_lat(minx, maxy)
    east, north = _from_unit_mercator_lng_lat(maxx, miny)
    header = {
        "tile_type": TileType.MVT,
        "tile_compression": Compression.NONE,
        "min_lon_e7": int(west * 1e7),
        "min_lat_e7": int(south * 1e7),
        "max_lon_e7": int(east * 1e7),
        "max_lat_e7": int(north * 1e7),
        "center_zoom": 9,
        "center_lon_e7": int((west + east) / 2 * 1e7),
        "center_lat_e7": int((south + north) / 2 * 1e7),
    }
    metadata = {
        "name": "gridgov regions",
        "description": "County, township and village outlines with their names",
        "attribution": "",
        "vector_layers": [
            {"id": "boundaries", "fields": {"level": "String", "code": "String"}},
            {"id": "places", "fields": {"name": "String", "level": "String", "code": "String"}},
        ],
    }
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
        writer = Writer(out)
        for z, x, y, data in ordered:
            writer.write_tile(zxy_to_tileid(z, x, y), data)
        writer.finalize(header, metadata)
    Path(out.name).replace(path)
    return Summary(path, len(found), len(ordered), path.stat().st_size)
