"""Point → grid: an in-memory spatial index over the current grids (R8.1, R8.3).

Everything that routes by location (intake, instructions, public lookups, batch jobs) asks this
one index instead of the database. It is built lazily per process, and rebuilt when a grid
change commits: services replace a random generation token in the cache (shared between
processes when the cache is Redis), and the next lookup that sees another token rebuilds.

How a lookup works (see ``docs/performance.md`` for the figures)
-----------------------------------------------------------------
A uniform table of cells covers the bounding box of all grids, each cell a fraction of a
typical grid. A cell that no grid boundary comes near answers directly: the grid it lies in,
or none. Only cells that a boundary passes through ("mixed" cells) need an exact test, and that
test is local: for each candidate grid we keep the *run* of that grid's boundary cells in the
cell's row, the boundary edges that pass through the run, and whether the point just right of
the run is inside the grid. A horizontal ray from the point to the end of the run then decides
by crossing parity, looking at a handful of edges instead of whole polygons.

Which grid a point on a border belongs to
-----------------------------------------
A point belongs to the grids whose closed polygon contains it (GEOS ``intersects``); when that
is more than one - on a shared border or vertex, or where grids overlap (bad data: services
refuse it) - the grid listed first wins. ``build()`` lists grids by code, so a border point
goes to the lower code, the same answer every time and in every process. Points in holes and
outside all grids get none. The parity test uses Shewchuk's error bound on the orientation
determinant; a point too close to an edge for floating point to be sure is handed to GEOS, so
the index gives exactly the answer of testing every polygon, only faster.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np
import shapely

from gridgov.generations import Generation, PerProcessValue
from regions import geometry as geo

GENERATION = Generation("regions:grid-index-generation")

# Cells per side of a typical (median) grid: finer cells mean fewer mixed cells and faster
# lookups, at the cost of memory and build time. 8 keeps 100,000 grids under ~100 MB.
CELLS_PER_GRID_SIDE = 8
MAX_CELLS = 1 << 24  # 64 MB of int32 table at most; sparse extents get coarser cells
_EPS = 1e-7  # in cell units: boundaries this close to a cell mark it mixed (float rounding)
_GRIDS_PER_CHUNK = 20_000  # build in chunks so the temporary arrays stay small
_BATCH = 1 << 17  # points per chunk in locate_many (keeps temporaries in cache)
_ALWAYS_INSIDE = 0  # run 0: no edges, status inside (a grid covering a whole mixed cell)
# Shewchuk's bound for a floating-point orientation determinant ((3 + 16ε)ε, rounded up): when
# |det| exceeds it times the sum of the two products' magnitudes, the sign is certainly right.
_ORIENT_ERROR = 3.3306690738754716e-16 * 1.01


class Located(NamedTuple):
    """The grid a point lies in: its row id and code (one per grid, made when building)."""

    grid_id: int
    code: str


class GridIndex:
    """Immutable index over (id, code, polygon) triples; position = order of the rows."""

    def __init__(self, ids: np.ndarray, codes: list[str], geoms: np.ndarray) -> None:
        self.ids = ids
        self.codes = codes
        self.geoms = geoms
        self._build()

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

    @property
    def nbytes(self) -> int:
        """Memory held by the lookup structures (not counting the polygons themselves)."""
        return sum(
            array.nbytes
            for name, array in vars(self).items()
            if name.startswith("_") and isinstance(array, np.ndarray)
        )

    @property
    def stats(self) -> dict[str, int]:
        """Sizes of the structures, for benchmarks and tuning."""
        return {
            "grids": len(self.codes),
            "cells": self.nx * self.ny,
            "mixed_cells": len(self._cand_start) - 1,
            "candidates": len(self._cand_grid),
            "runs": self._runs,
            "run_edges": len(self._run_edges),
            "edges": len(self._edge_xa),
        }

    @cached_property
    def tree(self) -> shapely.STRtree:
        """An STRtree over the grids, for callers that need other spatial queries."""
        return shapely.STRtree(self.geoms)

    # --- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        n = len(self.codes)
        bounds = shapely.bounds(self.geoms) if n else np.empty((0, 4))
        usable = ~np.isnan(bounds).any(axis=1) if n else np.zeros(0, dtype=bool)
        if not usable.any():
            self._set_empty()
            return
        b = bounds[usable]
        self.min_lng, self.min_lat = float(b[:, 0].min()), float(b[:, 1].min())
        self.max_lng, self.max_lat = float(b[:, 2].max()), float(b[:, 3].max())
        self._choose_cells(b)

        edges_x, edges_y, edge_grid = _edges(self.geoms)
        # Every edge points upwards (low y first), as the parity rule expects.
        swap = edges_y[:, 1] < edges_y[:, 0]
        xa = np.where(swap, edges_x[:, 1], edges_x[:, 0])
        xb = np.where(swap, edges_x[:, 0], edges_x[:, 1])
        ya = np.where(swap, edges_y[:, 1], edges_y[:, 0])
        yb = np.where(swap, edges_y[:, 0], edges_y[:, 1])
        self._edge_xa, self._edge_ya, self._edge_xb, self._edge_yb = xa, ya, xb, yb
        cell_u = (np.column_stack([xa, xb]) - self.min_lng) * self._inv_x
        cell_v = (np.column_stack([ya, yb]) - self.min_lat) * self._inv_y
        del edges_x, edges_y

        unprepared = ~shapely.is_prepared(self.geoms)
        shapely.prepare(self.geoms)
        runs: list[_Runs] = []
        run_offset = 1  # run 0 is _ALWAYS_INSIDE
        starts = np.searchsorted(edge_grid, np.r_[np.arange(0, n, _GRIDS_PER_CHUNK), n])
        for chunk, (lo, hi) in enumerate(itertools.pairwise(starts)):
            if hi == lo:
                continue
            first_grid = chunk * _GRIDS_PER_CHUNK
            part = self._runs_for_edges(
                cell_u[lo:hi], cell_v[lo:hi], edge_grid[lo:hi] - first_grid, first_grid
            )
            part.edge += lo
            part.edge_run += run_offset
            runs.append(part)
            run_offset += len(part.grid)
        shapely.destroy_prepared(self.geoms[unprepared])  # the lookups do not need them
        self._assemble(runs, run_offset)

    def _set_empty(self) -> None:
        self.min_lng = self.min_lat = math.inf
        self.max_lng = self.max_lat = -math.inf
        self.nx = self.ny = 0
        self.cell_lng = self.cell_lat = 0.0
        self._inv_x = self._inv_y = 0.0
        self._table = np.full(0, -1, dtype=np.int32)
        self._cand_start = np.zeros(1, dtype=np.int32)
        self._cand_grid = self._cand_edge_first = self._cand_edge_stop = np.zeros(0, np.int32)
        self._cand_status = np.zeros(0, dtype=np.int8)
        self._runs = 0
        self._run_edges = np.zeros(0, dtype=np.int32)
        empty = np.zeros(0)
        self._edge_xa = self._edge_ya = self._edge_xb = self._edge_yb = empty
        self._make_views()

    def _choose_cells(self, b: np.ndarray) -> None:
        width, height = self.max_lng - self.min_lng, self.max_lat - self.min_lat
        fallback = math.sqrt(max(width * height, 1e-18) / len(b))
        cell_lng = float(np.median(b[:, 2] - b[:, 0])) / CELLS_PER_GRID_SIDE or fallback
        cell_lat = float(np.median(b[:, 3] - b[:, 1])) / CELLS_PER_GRID_SIDE or fallback
        cells = (width / cell_lng + 1) * (height / cell_lat + 1)
        if cells > MAX_CELLS:
            grow = math.sqrt(cells / MAX_CELLS)
            cell_lng, cell_lat = cell_lng * grow, cell_lat * grow
        self.cell_lng, self.cell_lat = cell_lng, cell_lat
        self._inv_x, self._inv_y = 1.0 / cell_lng, 1.0 / cell_lat
        # The same expression as every lookup, so the far edge always maps into the table.
        self.nx = int((self.max_lng - self.min_lng) * self._inv_x) + 1
        self.ny = int((self.max_lat - self.min_lat) * self._inv_y) + 1

    def _runs_for_edges(
        self, cell_u: np.ndarray, cell_v: np.ndarray, grid_local: np.ndarray, first_grid: int
    ) -> _Runs:
        """Boundary runs of one chunk of grids, from their edges in cell units."""
        nx, ny, ncells = self.nx, self.ny, self.nx * self.ny
        u0, u1, v0, v1 = cell_u[:, 0], cell_u[:, 1], cell_v[:, 0], cell_v[:, 1]
        nedges = len(u0)
        # Events: both ends of every edge, and every crossing of a cell line.
        pu, pv, pe = _crossings(u0, v0, u1, v1)
        ev_u = np.concatenate([u0, u1, pu])
        ev_v = np.concatenate([v0, v1, pv])
        local = np.arange(nedges)
        ev_edge = np.concatenate([local, local, pe])
        # Each event marks every cell within _EPS of it (1, 2 or 4 cells).
        cells_u = [np.floor(ev_u - _EPS), np.floor(ev_u + _EPS)]
        cells_v = [np.floor(ev_v - _EPS), np.floor(ev_v + _EPS)]
        keys_parts, edge_parts = [], []
        for i, cu in enumerate(cells_u):
            for j, cv in enumerate(cells_v):
                keep = np.ones(len(ev_u), dtype=bool)
                if i:
                    keep &= cu != cells_u[0]
                if j:
                    keep &= cv != cells_v[0]
                cu_k = np.clip(cu[keep], 0, nx - 1).astype(np.int64)
                cv_k = np.clip(cv[keep], 0, ny - 1).astype(np.int64)
                e = ev_edge[keep]
                keys_parts.append(grid_local[e] * ncells + cv_k * nx + cu_k)
                edge_parts.append(e)
        keys = np.concatenate(keys_parts)
        ev_edge = np.concatenate(edge_parts)

        # Runs: maximal stretches of one grid's boundary cells along a row.
        cell_keys, key_of_event = np.unique(keys, return_inverse=True)
        grid = cell_keys // ncells
        cell = cell_keys % ncells
        row, col = cell // nx, cell % nx
        new_run = np.ones(len(cell_keys), dtype=bool)
        new_run[1:] = (grid[1:] != grid[:-1]) | (row[1:] != row[:-1]) | (col[1:] != col[:-1] + 1)
        run_of_key = np.cumsum(new_run) - 1
        first = np.flatnonzero(new_run)
        last = np.r_[first[1:] - 1, len(cell_keys) - 1]
        r_grid, r_row = grid[first], row[first]
        r_c0, r_c1 = col[first], col[last]

        # Status right of each run: inside the grid iff the gap before its next run is inside.
        status = np.zeros(len(first), dtype=np.int8)
        has_next = np.r_[(r_grid[1:] == r_grid[:-1]) & (r_row[1:] == r_row[:-1]), False]
        gaps = np.flatnonzero(has_next)
        gap_col = r_c1[gaps] + 1
        gap_x = self.min_lng + (gap_col + 0.5) * self.cell_lng
        gap_y = self.min_lat + (r_row[gaps] + 0.5) * self.cell_lat
        inside = shapely.intersects_xy(self.geoms[r_grid[gaps] + first_grid], gap_x, gap_y)
        status[gaps[inside]] = 1
        spans = gaps[inside]

        # Edges of each run.
        run_edge_keys = np.sort(run_of_key[key_of_event] * nedges + ev_edge)
        run_edge_keys = run_edge_keys[np.r_[True, run_edge_keys[1:] != run_edge_keys[:-1]]]
        run_id, edge_local = np.divmod(run_edge_keys, nedges)
        return _Runs(
            grid=(r_grid + first_grid).astype(np.int32),
            cells=(r_row * nx + r_c0, r_row * nx + r_c1),
            status=status,
            edge_run=run_id.astype(np.int32),
            edge=edge_local.astype(np.int32),
            span_grid=(r_grid[spans] + first_grid).astype(np.int32),
            span_first=r_row[spans] * nx + r_c1[spans] + 1,
            span_last=r_row[spans] * nx + r_c0[spans + 1] - 1,
        )

    def _assemble(self, runs: list[_Runs], nruns: int) -> None:
        ncells, n = self.nx * self.ny, len(self.codes)
        run_grid = np.concatenate([r.grid for r in runs])
        run_first = np.concatenate([r.cells[0] for r in runs])
        run_last = np.concatenate([r.cells[1] for r in runs])
        run_status = np.concatenate([np.ones(1, np.int8), *(r.status for r in runs)])
        edge_run = np.concatenate([r.edge_run for r in runs])
        self._run_edges = np.concatenate([r.edge for r in runs])
        run_edge_start = np.searchsorted(edge_run, np.arange(nruns + 1)).astype(np.int32)
        self._runs = nruns - 1
        span_grid = np.concatenate([r.span_grid for r in runs])
        span_first = np.concatenate([r.span_first for r in runs])
        span_last = np.concatenate([r.span_last for r in runs])
        runs.clear()  # the chunks' arrays are copied: let them go before the big steps
        del edge_run

        # Boundary cells, one (cell, grid, run) per grid whose boundary passes the cell.
        b_cell = _expand_ranges(run_first, run_last)
        b_grid = np.repeat(run_grid, run_last - run_first + 1)
        b_run = np.repeat(np.arange(1, nruns, dtype=np.int32), run_last - run_first + 1)
        mixed = np.zeros(ncells, dtype=bool)
        mixed[b_cell] = True

        # Inside-spans: whole cells inside a grid answer directly; over mixed cells the grid
        # becomes a candidate that is inside everywhere in the cell (only where grids overlap).
        s_cell = _expand_ranges(span_first, span_last)
        s_grid = np.repeat(span_grid, span_last - span_first + 1)
        on_mixed = mixed[s_cell]
        table = np.full(ncells, n, dtype=np.int32)
        np.minimum.at(table, s_cell[~on_mixed], s_grid[~on_mixed])
        table[table == n] = -1
        del mixed

        c_cell = np.concatenate([b_cell, s_cell[on_mixed]])
        c_grid = np.concatenate([b_grid, s_grid[on_mixed]])
        c_run = np.concatenate([b_run, np.full(int(on_mixed.sum()), _ALWAYS_INSIDE, np.int32)])
        del b_cell, b_grid, b_run, s_cell, s_grid, on_mixed
        order = np.argsort(c_cell.astype(np.int64) * n + c_grid)
        c_cell, self._cand_grid, c_run = c_cell[order], c_grid[order], c_run[order]
        del order
        # Each candidate carries its run's status and edge range (one lookup less per test).
        self._cand_status = run_status[c_run]
        self._cand_edge_first = run_edge_start[c_run]
        self._cand_edge_stop = run_edge_start[c_run + 1]
        starts = np.flatnonzero(np.r_[True, c_cell[1:] != c_cell[:-1]])
        mixed_cells = c_cell[starts]
        self._cand_start = np.r_[starts, len(c_cell)].astype(np.int32)
        table[mixed_cells] = -2 - np.arange(len(mixed_cells), dtype=np.int32)
        self._table = table
        self._make_views()

    def _make_views(self) -> None:
        # memoryviews index to plain Python numbers, several times faster than numpy scalars.
        self._located = [
            Located(grid_id, code)
            for grid_id, code in zip(self.ids.tolist(), self.codes, strict=True)
        ]
        self._frame = (
            self.min_lng,
            self.max_lng,
            self.min_lat,
            self.max_lat,
            self._inv_x,
            self._inv_y,
            self.nx,
        )
        self._v_table = memoryview(self._table)
        self._v_cand_start = memoryview(self._cand_start)
        self._v_cand_grid = memoryview(self._cand_grid)
        self._v_cand_status = memoryview(self._cand_status)
        self._v_cand_edge_first = memoryview(self._cand_edge_first)
        self._v_cand_edge_stop = memoryview(self._cand_edge_stop)
        self._v_run_edges = memoryview(self._run_edges)
        self._v_xa = memoryview(self._edge_xa)
        self._v_ya = memoryview(self._edge_ya)
        self._v_xb = memoryview(self._edge_xb)
        self._v_yb = memoryview(self._edge_yb)

    # --- lookups ------------------------------------------------------------------------------

    def locate_position(self, lng: float, lat: float) -> int:
        """Position of the grid containing the point in this index, or -1."""
        min_lng, max_lng, min_lat, max_lat, inv_x, inv_y, nx = self._frame
        if not (min_lng <= lng <= max_lng and min_lat <= lat <= max_lat):
            return -1  # also NaN
        value = self._v_table[int((lat - min_lat) * inv_y) * nx + int((lng - min_lng) * inv_x)]
        if value >= -1:
            return value
        mixed = -2 - value
        first, stop = self._v_cand_start[mixed], self._v_cand_start[mixed + 1]
        status, edge_first, edge_stop = (
            self._v_cand_status,
            self._v_cand_edge_first,
            self._v_cand_edge_stop,
        )
        run_edges, xa, ya, xb, yb = (
            self._v_run_edges,
            self._v_xa,
            self._v_ya,
            self._v_xb,
            self._v_yb,
        )
        for k in range(first, stop):
            inside = status[k]
            for i in range(edge_first[k], edge_stop[k]):
                e = run_edges[i]
                y0 = ya[e]
                if lat < y0:
                    continue
                y1 = yb[e]
                if lat > y1:
                    continue
                x0 = xa[e]
                left = (xb[e] - x0) * (lat - y0)
                right = (y1 - y0) * (lng - x0)
                det = left - right
                bound = _ORIENT_ERROR * (abs(left) + abs(right))
                if det > bound:
                    if lat < y1:
                        inside ^= 1
                elif det >= -bound and (y0 != y1 or min(x0, xb[e]) <= lng <= max(x0, xb[e])):
                    return self._exact_position(lng, lat, first, stop)
            if inside:
                return self._v_cand_grid[k]
        return -1

    def _exact_position(self, lng: float, lat: float, first: int, stop: int) -> int:
        """GEOS decides for points on (or within rounding of) an edge: the first grid wins."""
        for k in range(first, stop):
            grid = self._v_cand_grid[k]
            if shapely.intersects_xy(self.geoms[grid], lng, lat):
                return grid
        return -1

    def locate(self, lng: float, lat: float) -> Located | None:
        """The grid containing the point (R8.3), or None."""
        pos = self.locate_position(lng, lat)
        if pos < 0:
            return None
        return self._located[pos]

    def locate_many(self, lngs: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Positions for many points at once (-1 where no grid contains the point)."""
        lngs = np.asarray(lngs, dtype=np.float64)
        lats = np.asarray(lats, dtype=np.float64)
        result = np.full(len(lngs), -1, dtype=np.int64)
        if not len(self.codes) or not len(lngs):
            return result
        for start in range(0, len(lngs), _BATCH):
            stop = start + _BATCH
            result[start:stop] = self._locate_chunk(lngs[start:stop], lats[start:stop])
        return result

    def _locate_chunk(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        result = np.full(len(x), -1, dtype=np.int64)
        within = np.flatnonzero(
            (x >= self.min_lng) & (x <= self.max_lng) & (y >= self.min_lat) & (y <= self.max_lat)
        )
        xw, yw = x[within], y[within]
        cell = ((yw - self.min_lat) * self._inv_y).astype(np.int64) * self.nx
        cell += ((xw - self.min_lng) * self._inv_x).astype(np.int64)
        value = self._table[cell]
        result[within] = np.maximum(value, -1)
        is_mixed = value < -1
        if not is_mixed.any():
            return result
        point = within[is_mixed]
        mixed = -2 - value[is_mixed]
        # One pair per (point, candidate grid), candidates in position order.
        first, stop = self._cand_start[mixed], self._cand_start[mixed + 1]
        pair_point = np.repeat(point, stop - first)
        pair_cand = _expand_ranges(first, stop - 1)
        # One triple per (pair, edge of the candidate's run): count crossings to the right.
        e_first = self._cand_edge_first[pair_cand]
        e_count = self._cand_edge_stop[pair_cand] - e_first
        triple_pair = np.repeat(np.arange(len(pair_cand)), e_count)
        edge = self._run_edges[_expand_ranges(e_first, e_first + e_count - 1)]
        px, py = x[pair_point[triple_pair]], y[pair_point[triple_pair]]
        x0, y0 = self._edge_xa[edge], self._edge_ya[edge]
        x1, y1 = self._edge_xb[edge], self._edge_yb[edge]
        left = (x1 - x0) * (py - y0)
        right = (y1 - y0) * (px - x0)
        det = left - right
        between = (y0 <= py) & (py <= y1)
        crosses = between & (py < y1) & (det > 0)
        parity = np.bincount(triple_pair[crosses], minlength=len(pair_cand)) & 1
        inside = np.flatnonzero(parity ^ self._cand_status[pair_cand])
        hit_point = pair_point[inside]
        first_hit = np.ones(len(inside), dtype=bool)
        first_hit[1:] = hit_point[1:] != hit_point[:-1]
        result[point] = -1
        result[hit_point[first_hit]] = self._cand_grid[pair_cand[inside[first_hit]]]

        # Points on (or within rounding of) an edge: GEOS decides, the first grid wins.
        unsure = between & (np.abs(det) <= _ORIENT_ERROR * (np.abs(left) + np.abs(right)))
        unsure &= (y0 != y1) | ((px >= np.minimum(x0, x1)) & (px <= np.maximum(x0, x1)))
        if unsure.any():
            recheck = np.zeros(len(x), dtype=bool)
            recheck[pair_point[triple_pair[unsure]]] = True
            pairs = np.flatnonzero(recheck[pair_point])
            grids = self._cand_grid[pair_cand[pairs]]
            owner = pair_point[pairs]
            hit = shapely.intersects_xy(self.geoms[grids], x[owner], y[owner])
            result[recheck] = -1
            owner, grids = owner[hit], grids[hit]
            first_hit = np.ones(len(owner), dtype=bool)
            first_hit[1:] = owner[1:] != owner[:-1]
            result[owner[first_hit]] = grids[first_hit]
        return result


@dataclass
class _Runs:
    grid: np.ndarray
    cells: tuple[np.ndarray, np.ndarray]
    status: np.ndarray
    edge_run: np.ndarray
    edge: np.ndarray
    span_grid: np.ndarray
    span_first: np.ndarray
    span_last: np.ndarray


def _edges(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every boundary segment (rings of all parts, holes included) and its grid position."""
    parts, part_grid = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    same_ring = coord_ring[1:] == coord_ring[:-1]
    start = np.flatnonzero(same_ring)
    xs = np.column_stack([coords[start, 0], coords[start + 1, 0]])
    ys = np.column_stack([coords[start, 1], coords[start + 1, 1]])
    grid = part_grid[ring_part[coord_ring[start]]]
    real = (xs[:, 0] != xs[:, 1]) | (ys[:, 0] != ys[:, 1])
    return xs[real], ys[real], grid[real]


def _crossings(
    u0: np.ndarray, v0: np.ndarray, u1: np.ndarray, v1: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each segment (in cell units) crosses a cell line: u, v and the segment's index."""
    out_u, out_v, out_e = [], [], []
    for a0, b0, a1, b1, along_u in ((u0, v0, u1, v1, True), (v0, u0, v1, u1, False)):
        low, high = np.minimum(a0, a1), np.maximum(a0, a1)
        count = np.maximum(np.ceil(high) - np.floor(low) - 1, 0).astype(np.int64)
        seg = np.repeat(np.arange(len(a0)), count)
        line = _expand_ranges(
            np.floor(low).astype(np.int64) + 1, np.ceil(high).astype(np.int64) - 1
        )
        t = (line - a0[seg]) / (a1[seg] - a0[seg])
        other = b0[seg] + t * (b1[seg] - b0[seg])
        line = line.astype(np.float64)
        out_u.append(line if along_u else other)
        out_v.append(other if along_u else line)
        out_e.append(seg)
    return np.concatenate(out_u), np.concatenate(out_v), np.concatenate(out_e)


def _expand_ranges(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(first[i], last[i] + 1)`` for all i (empty where last < first).

    The result is int32 when the values fit (half the memory and time of int64).
    """
    first = np.asarray(first, dtype=np.int64)
    last = np.asarray(last, dtype=np.int64)
    count = np.maximum(last - first + 1, 0)
    total = int(count.sum())
    if not total:
        return np.zeros(0, dtype=np.int32)
    nonzero = count > 0
    first, last, count = first[nonzero], last[nonzero], count[nonzero]
    small = first.min() > -(2**31) and last.max() < 2**31
    dtype = np.int32 if small else np.int64
    steps = np.ones(total, dtype=dtype)
    starts = np.cumsum(count)[:-1]
    steps[0] = first[0]
    steps[starts] = first[1:] - last[:-1]
    return np.cumsum(steps, dtype=dtype)


def current_generation() -> str:
    return GENERATION.current()


def invalidate() -> None:
    """Tell every process that the grids changed (call on commit of a grid change)."""
    GENERATION.bump()


def build() -> GridIndex:
    from regions.models import Grid

    rows = list(
        Grid.objects.current()
        .filter(geometry_wkb__isnull=False)
        .order_by("code")
        .values_list("id", "code", "geometry_wkb")
    )
    return GridIndex.from_rows(rows)


# While another thread rebuilds (seconds for a province), keep answering from the grids as they
# were rather than making every request wait.
CACHED_INDEX: PerProcessValue[GridIndex] = PerProcessValue(
    GENERATION, build, stale_while_rebuilding=True
)


def get_index() -> GridIndex:
    """The shared index, rebuilt if a grid change committed since it was built."""
    return CACHED_INDEX.get()


def reset() -> None:
    """Forget the built index (tests use this between databases)."""
    CACHED_INDEX.reset()


def locate(lng: float, lat: float, coord: str = "wgs84") -> Located | None:
    lng, lat = geo.to_wgs84(lng, lat, coord)
    return get_index().locate(lng, lat)
