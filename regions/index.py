"""Point → grid: an in-memory spatial index over the current grids (R8.1, R8.3).

Everything that routes by location (intake, instructions, public lookups, batch jobs) asks this
one index instead of the database. It is built lazily per process, and rebuilt when a grid
change commits: services bump a generation counter in the cache (shared between processes when
the cache is Redis), and the next lookup that sees a newer generation rebuilds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import shapely
from django.core.cache import cache

from regions import geometry as geo

_GENERATION_KEY = "regions:grid-index-generation"


@dataclass(frozen=True)
class Located:
    grid_id: int
    code: str


class GridIndex:
    """Immutable index over (id, code, polygon) triples."""

    def __init__(self, ids: np.ndarray, codes: list[str], geoms: np.ndarray) -> None:
        self.ids = ids
        self.codes = codes
        self.geoms = geoms
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def from_rows(cls, rows: list[tuple[int, str, bytes]]) -> GridIndex:
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        codes = [r[1] for r in rows]
        geoms = (
            shapely.from_wkb([bytes(r[2]) for r in rows]) if rows else np.array([], dtype=object)
        )
        return cls(ids, codes, np.asarray(geoms, dtype=object))

    def locate_position(self, lng: float, lat: float) -> int:
        """Position of the grid containing the point in this index, or -1."""
        if not len(self.codes):
            return -1
        candidates = self.tree.query(shapely.Point(lng, lat))
        for pos in candidates:
            if shapely.intersects_xy(self.geoms[pos], lng, lat):
                return int(pos)
        return -1

    def locate(self, lng: float, lat: float) -> Located | None:
        pos = self.locate_position(lng, lat)
        if pos < 0:
            return None
        return Located(int(self.ids[pos]), self.codes[pos])

    def locate_many(self, lngs: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Positions for many points at once (-1 where no grid contains the point)."""
        result = np.full(len(lngs), -1, dtype=np.int64)
        if not len(self.codes) or not len(lngs):
            return result
        points = shapely.points(np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float))
        point_idx, geom_idx = self.tree.query(points, predicate="intersects")
        # A point on a shared border touches two grids; the first one wins, deterministically.
        result[point_idx[::-1]] = geom_idx[::-1]
        return result


_lock = threading.Lock()
_index: GridIndex | None = None
_index_generation: int | None = None


def current_generation() -> int:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = 0
        cache.add(_GENERATION_KEY, generation, timeout=None)
    return int(generation)


def invalidate() -> None:
    """Tell every process that the grids changed (call on commit of a grid change)."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 1, timeout=None)


def build() -> GridIndex:
    from regions.models import Grid

    rows = list(
        Grid.objects.current()
        .filter(geometry_wkb__isnull=False)
        .order_by("code")
        .values_list("id", "code", "geometry_wkb")
    )
    return GridIndex.from_rows(rows)


def get_index() -> GridIndex:
    """The shared index, rebuilt if a grid change committed since it was built."""
    global _index, _index_generation
    generation = current_generation()
    index = _index
    if index is not None and _index_generation == generation:
        return index
    with _lock:
        if _index is None or _index_generation != generation:
            _index = build()
            _index_generation = generation
        return _index


def reset() -> None:
    """Forget the built index (tests use this between databases)."""
    global _index, _index_generation
    with _lock:
        _index = None
        _index_generation = None


def locate(lng: float, lat: float, coord: str = "wgs84") -> Located | None:
    lng, lat = geo.to_wgs84(lng, lat, coord)
    return get_index().locate(lng, lat)
