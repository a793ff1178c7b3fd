"""The point → grid index answers exactly what testing every polygon would (R8.3).

The reference answer ("naive") is the first grid, in index order, whose closed polygon contains
the point according to GEOS (``shapely.intersects_xy``); the index must agree with it for random
points, for points on shared borders and vertices, in holes, and outside all grids.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from django.utils import timezone
from shapely.geometry import MultiPolygon, Polygon

from regions import index as grid_index
from regions.geometry import wgs84_to_gcj02
from regions.index import GridIndex
from regions.models import Grid
from regions.tests.conftest import at, make_grid, unit_box


def naive_positions(geoms: list, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    hits = np.stack([shapely.intersects_xy(g, xs, ys) for g in geoms])
    return np.where(hits.any(axis=0), hits.argmax(axis=0), -1)


def index_of(geoms: list) -> GridIndex:
    return GridIndex(
        np.arange(100, 100 + len(geoms)),
        [f"{i:015d}" for i in range(len(geoms))],
        np.array(geoms, dtype=object),
    )


def tessellation(seed: int = 7) -> list:
    """Voronoi cells with two multipolygon grids, a hole with an enclave, and a square block."""
    rng = np.random.default_rng(seed)
    frame = shapely.box(0, 0, 10, 10)
    seeds = shapely.multipoints(rng.uniform(0, 10, (60, 2)))
    cells = [c.intersection(frame) for c in shapely.get_parts(shapely.voronoi_polygons(seeds))]
    cells = [c for c in cells if isinstance(c, Polygon) and not c.is_empty]
    # Two grids made of two separate parts each.
    for _ in range(2):
        first = cells.pop(0)
        far = max(range(len(cells)), key=lambda i: cells[i].distance(first))
        cells.append(MultiPolygon([first, cells.pop(far)]))
    # A hole in the largest cell; an enclave grid fills its west half, the east half is empty.
    largest = max(range(len(cells) - 2), key=lambda i: cells[i].area)  # not a multipolygon
    centre = cells[largest].centroid
    disc = centre.buffer(0.6 * cells[largest].boundary.distance(centre))
    cells[largest] = cells[largest].difference(disc)
    cells.append(disc.intersection(shapely.box(0, 0, centre.x, 10)))
    # Squares east of the frame: borders along straight lines, T-junctions with the Voronoi side.
    cells += [shapely.box(x, y, x + 1, y + 1) for x in range(10, 14) for y in range(4)]
    return cells


def border_points(geoms: list) -> tuple[np.ndarray, np.ndarray]:
    """Every vertex, every edge midpoint and a point a third along each edge."""
    lines = shapely.get_parts(shapely.boundary(np.array(geoms, dtype=object)))
    coords, line = shapely.get_coordinates(lines, return_index=True)
    same_line = line[1:] == line[:-1]
    a, b = coords[:-1][same_line], coords[1:][same_line]
    points = np.concatenate([coords, (a + b) / 2, a + (b - a) / 3])
    return points[:, 0], points[:, 1]


@pytest.fixture(params=[grid_index._GRIDS_PER_CHUNK, 7], ids=["one-chunk", "chunks-of-7"])
def chunked(request, monkeypatch):
    """Build in one chunk and in many small ones (the path large provinces take)."""
    monkeypatch.setattr(grid_index, "_GRIDS_PER_CHUNK", request.param)


def test_random_points_get_the_same_grid_as_testing_every_polygon(chunked):
    """R8.3: multipolygons, a hole with an enclave, gaps and outside points included."""
    geoms = tessellation()
    index = index_of(geoms)
    rng = np.random.default_rng(11)
    xs, ys = rng.uniform(-1, 15, 20_000), rng.uniform(-1, 11, 20_000)

    expected = naive_positions(geoms, xs, ys)
    assert (index.locate_many(xs, ys) == expected).all()
    assert [index.locate_position(x, y) for x, y in zip(xs[:3000], ys[:3000], strict=True)] == list(
        expected[:3000]
    )
    # The sample reaches most grids, the empty half of the hole (inside the frame) and outside.
    assert len(set(expected)) > 0.9 * len(geoms)
    in_frame = (xs > 0) & (xs < 10) & (ys > 0) & (ys < 10)
    assert (expected[in_frame] == -1).any() and (expected[~in_frame] == -1).any()


def test_points_on_borders_and_vertices_get_exactly_one_deterministic_grid(chunked):
    """R8.3: a point on a shared border belongs to the first grid (lowest code) touching it."""
    geoms = tessellation()
    index = index_of(geoms)
    xs, ys = border_points(geoms)

    batched = index.locate_many(xs, ys)
    assert (batched == naive_positions(geoms, xs, ys)).all()
    vertices = len(shapely.get_coordinates(shapely.boundary(np.array(geoms, dtype=object))))
    assert (batched[:vertices] >= 0).all()  # a vertex lies exactly on a border: some grid owns it
    single = [index.locate_position(x, y) for x, y in zip(xs, ys, strict=True)]
    assert single == list(batched)
    assert (index_of(geoms).locate_many(xs, ys) == batched).all()  # same answer after a rebuild


def test_borders_lying_exactly_on_the_cell_lines_of_the_table():
    """R8.3: a square lattice whose borders coincide with the index's own cell lines."""
    squares = [
        shapely.box(x / 2, y / 2, x / 2 + 0.5, y / 2 + 0.5) for x in range(8) for y in range(8)
    ]
    index = index_of(squares)
    steps = np.linspace(0, 4, 257)  # multiples of 1/64: on cell lines and cell corners
    xs, ys = (g.ravel() for g in np.meshgrid(steps, steps))

    batched = index.locate_many(xs, ys)
    assert (batched == naive_positions(squares, xs, ys)).all()
    assert (batched >= 0).all()
    assert [index.locate_position(x, y) for x, y in zip(xs, ys, strict=True)] == list(batched)


def test_outside_all_grids_and_in_holes_there_is_no_grid():
    """R8.3: a point in a hole or beyond every grid locates nothing."""
    ring = shapely.box(0, 0, 3, 3).difference(shapely.box(1, 1, 2, 2))
    index = index_of([ring])
    for lng, lat in [(1.5, 1.5), (-0.1, 1), (3.1, 1), (1, 3.000001), (math.nan, 1), (1, math.inf)]:
        assert index.locate(lng, lat) is None
    assert index.locate(0.5, 0.5).code == "000000000000000"
    assert index.locate(1, 1.5).grid_id == 100  # on the hole's edge: still the grid
    assert list(index.locate_many([1.5, 0.5, math.nan], [1.5, 0.5, 0.5])) == [-1, 0, -1]


def test_an_empty_index_locates_nothing():
    index = GridIndex.from_rows([])
    assert len(index) == 0
    assert index.locate(113.0, 22.0) is None
    assert list(index.locate_many(np.array([113.0]), np.array([22.0]))) == [-1]


def test_index_built_from_database_rows_keeps_ids_and_codes(tiny_tree):
    """R8.3: the shared index covers the current grids, multipolygon parts and holes included."""
    index = grid_index.get_index()
    assert len(index) == 3
    assert index.locate(*at(0.2, 0.2)) == grid_index.Located(tiny_tree.west.pk, tiny_tree.west.code)
    assert index.locate(*at(2.7, 0.5)).code == tiny_tree.east.code  # the detached part
    assert index.locate(*at(0.5, 0.5)) is None  # the hole in the west grid
    assert index.locate(*at(1, 0.5)).code == tiny_tree.west.code  # shared border: lower code


def test_get_index_is_rebuilt_after_invalidate(tiny_tree):
    """R8.3: after a grid change commits, lookups see the new grids (generation counter)."""
    before = grid_index.get_index()
    assert grid_index.get_index() is before  # built once, then reused
    assert before.locate(*at(1.5, 0.5)).code == tiny_tree.east.code

    # Redraw by hand (the services do this and call invalidate on commit).
    tiny_tree.east.valid_to = timezone.now()
    tiny_tree.east.save()
    make_grid(tiny_tree.village, 2, "东区网格", unit_box(2.5, 0, 3, 1), version=2)
    assert grid_index.get_index() is before  # nobody said the grids changed

    grid_index.invalidate()
    after = grid_index.get_index()
    assert after is not before
    assert after.locate(*at(1.5, 0.5)) is None
    assert (
        after.locate(*at(2.7, 0.5)).grid_id == Grid.objects.current().get(code="440703001001002").pk
    )


def test_module_locate_converts_gcj02(tiny_tree):
    """R8.3: phone map SDKs give GCJ-02; locate(..., coord="gcj02") converts before looking up."""
    lng, lat = at(0.7, 0.8)  # in the west grid; its GCJ-02 twin lies ~500 m east, in the east grid
    gcj_lng, gcj_lat = wgs84_to_gcj02(lng, lat)
    assert grid_index.locate(gcj_lng, gcj_lat).code == tiny_tree.east.code
    assert grid_index.locate(gcj_lng, gcj_lat, coord="gcj02").code == tiny_tree.west.code


def test_while_another_thread_rebuilds_lookups_use_the_previous_grids(tiny_tree):
    """R8.3: a rebuild in progress does not hold up lookups; they see the new grids after it."""
    before = grid_index.get_index()
    grid_index.invalidate()
    with grid_index.CACHED_INDEX.lock:  # as if another thread were rebuilding
        assert grid_index.get_index() is before
    assert grid_index.get_index() is not before
