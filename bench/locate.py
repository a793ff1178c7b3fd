"""Benchmark: point → grid lookups (R8.3), the in-memory index against the alternatives.

    .venv/bin/python bench/locate.py [--grids 100000] [--points 1000000]

Builds a synthetic province (Voronoi cells over a Guangdong-sized box, fixed seed) and, when
the demo database has grids, the Jiangmen demo grids; locates random points with
``regions.index.GridIndex`` in batches and one by one; and runs samples of the same lookups
as a PostgreSQL bounding-box query plus an exact shapely test, as a naive test of every
polygon, and as the plain STRtree the index replaced. Every method's answers are checked
against the naive ones. Figures and the command line are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import io
import itertools
import math
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

import django  # noqa: E402

django.setup()

from regions.index import GridIndex  # noqa: E402

# Guangdong, roughly: the synthetic province has the size and shape of a real one.
PROVINCE_BOX = (109.6, 20.2, 117.4, 25.6)
SEED = 20240801


def rss_mb() -> float:
    """Resident memory now, after handing freed heap back to the OS (so deltas mean live data)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: plain RSS
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def synthetic_province(n: int, seed: int = SEED) -> np.ndarray:
    """About n Voronoi cells over the province box, clipped to it (a seamless tessellation)."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = PROVINCE_BOX
    seeds = shapely.multipoints(np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)]))
    frame = shapely.box(*PROVINCE_BOX)
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))
    return shapely.intersection(cells, frame)


def random_points(n: int, bounds: tuple[float, ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points over the bounds widened by 2% (so some fall outside every grid)."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = bounds
    dx, dy = (x1 - x0) * 0.02, (y1 - y0) * 0.02
    return rng.uniform(x0 - dx, x1 + dx, n), rng.uniform(y0 - dy, y1 + dy, n)


def best_of_slices(
    total: int, slices: int, repeats: int, run: Callable[[int, int], object]
) -> tuple[float, float]:
    """Seconds for run(start, stop) over range(total) in slices, each slice the best of repeats.

    Returns (wall-clock, CPU) time. On a shared machine a slice interrupted by other work is
    timed again, and CPU time leaves out the time spent waiting for a core: both estimate what
    the run takes on a quiet machine.
    """
    bounds = np.linspace(0, total, slices + 1).astype(int)
    wall = cpu = 0.0
    for start, stop in itertools.pairwise(bounds.tolist()):
        best_wall = best_cpu = math.inf
        for _ in range(repeats):
            began, began_cpu = time.perf_counter(), time.thread_time()
            run(start, stop)
            best_cpu = min(best_cpu, time.thread_time() - began_cpu)
            best_wall = min(best_wall, time.perf_counter() - began)
        wall, cpu = wall + best_wall, cpu + best_cpu
    return wall, cpu


def naive_position(geoms: np.ndarray, x: float, y: float) -> int:
    """Test every polygon (vectorised over polygons), the first that contains the point wins."""
    hits = shapely.intersects_xy(geoms, x, y)
    return int(hits.argmax()) if hits.any() else -1


def strtree_position(tree: shapely.STRtree, geoms: np.ndarray, x: float, y: float) -> int:
    """The previous implementation: STRtree candidates, then an exact test each."""
    candidates = np.sort(tree.query(shapely.Point(x, y)))
    for pos in candidates:
        if shapely.intersects_xy(geoms[pos], x, y):
            return int(pos)
    return -1


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str]] = []

    def line(self, text: str = "") -> None:
        print(text, flush=True)

    def row(self, method: str, figure: str, note: str = "") -> None:
        self.rows.append((method, figure, note))
        print(f"  {method:<44} {figure:>18}  {note}", flush=True)


def bench_dataset(
    report: Report, name: str, ids: np.ndarray, codes: list[str], geoms: np.ndarray, args
) -> tuple[GridIndex, np.ndarray, np.ndarray, float, float]:
    """Build, then time batched and single lookups; returns index, points, pts/s and µs."""
    report.line(
        f"\n== {name}: {len(geoms):,} grids, {shapely.get_num_coordinates(geoms).sum():,}"
        " vertices =="
    )
    before = rss_mb()
    start, start_cpu = time.perf_counter(), time.thread_time()
    index = GridIndex(ids, codes, geoms)
    build_s, build_cpu = time.perf_counter() - start, time.thread_time() - start_cpu
    after = rss_mb()
    tracemalloc.start()
    GridIndex(ids, codes, geoms)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    stats = index.stats
    report.row(
        "build",
        f"{build_s:.2f} s",
        f"CPU time {build_cpu:.2f} s; {stats['cells']:,} cells, "
        f"{stats['mixed_cells']:,} mixed, {stats['run_edges']:,} run edges",
    )
    report.row(
        "index memory (lookup arrays)",
        f"{index.nbytes / 2**20:.0f} MB",
        f"RSS +{after - before:.0f} MB after build, build peak ~{peak:.0f} MB (numpy)",
    )

    xs, ys = random_points(args.points, shapely.total_bounds(geoms), seed=1)
    index.locate_many(xs[:1000], ys[:1000])  # warm up
    batched_s, batched_cpu = best_of_slices(
        len(xs), 10, 3, lambda a, b: index.locate_many(xs[a:b], ys[a:b])
    )
    positions = index.locate_many(xs, ys)
    report.row(
        f"batched locate_many ({len(xs):,} points)",
        f"{len(xs) / batched_s:,.0f} pts/s",
        f"CPU time: {len(xs) / batched_cpu:,.0f} pts/s; "
        f"{(positions >= 0).mean():.1%} inside a grid; 10 slices, best of 3 each",
    )

    n_single = min(args.single, len(xs))
    sx, sy = xs[:n_single].tolist(), ys[:n_single].tolist()
    locate = index.locate

    def single_loop(a: int, b: int) -> None:
        for x, y in zip(sx[a:b], sy[a:b], strict=True):
            locate(x, y)

    single_s, single_cpu = best_of_slices(n_single, 20, 3, single_loop)
    mean_us, mean_cpu_us = single_s / n_single * 1e6, single_cpu / n_single * 1e6
    timings = np.empty(n_single)
    clock = time.perf_counter_ns
    for i, (x, y) in enumerate(zip(sx, sy, strict=True)):
        t0 = clock()
        locate(x, y)
        timings[i] = clock() - t0
    p50, p99 = np.percentile(timings, [50, 99]) / 1000
    report.row(
        f"single index.locate ({n_single:,} calls)",
        f"{mean_us:.2f} µs mean",
        f"CPU time: {mean_cpu_us:.2f} µs mean; "
        f"p50 {p50:.2f} µs, p99 {p99:.2f} µs (calls timed alone); mean: 20 slices, best of 3",
    )
    singles = [index.locate_position(x, y) for x, y in zip(sx, sy, strict=True)]
    assert singles == positions[:n_single].tolist(), "single and batched answers differ"
    return index, xs, ys, len(xs) / batched_s, mean_us


def one_by_one_row(
    report: Report,
    label: str,
    per: float,
    cost: str,
    agree: bool,
    index_speed: tuple[float, float],
    failure: str,
) -> None:
    """The row of a method that answers point by point: its rate and cost, how much faster the
    index is (``index_speed``: batched points/s, µs per single lookup), and whether the answers
    equal the index's; a disagreement stops the benchmark with ``failure``."""
    batched_rate, single_us = index_speed
    report.row(
        label,
        f"{1 / per:,.0f} pts/s",
        f"{cost}; index {batched_rate * per:,.0f}x faster "
        f"batched, {per * 1e6 / single_us:,.0f}x single; answers equal: {agree}",
    )
    if not agree:
        raise SystemExit(failure)


def bench_alternatives(
    report: Report,
    index: GridIndex,
    xs: np.ndarray,
    ys: np.ndarray,
    args,
    batched_rate: float,
    single_us: float,
) -> None:
    geoms = index.geoms
    positions = index.locate_many(xs, ys)

    # Naive: every polygon for every point.
    n = args.naive
    start = time.perf_counter()
    naive = [naive_position(geoms, x, y) for x, y in zip(xs[:n], ys[:n], strict=True)]
    naive_s = (time.perf_counter() - start) / n
    one_by_one_row(
        report,
        f"naive: test all polygons ({n} points)",
        naive_s,
        f"{naive_s * 1e3:.1f} ms/point",
        naive == positions[:n].tolist(),
        (batched_rate, single_us),
        "the index disagrees with the naive test",
    )

    # The plain STRtree that the index replaced.
    tree = shapely.STRtree(geoms)
    shapely.prepare(geoms)
    m = min(len(xs), 200_000)
    points = shapely.points(xs[:m], ys[:m])
    tree.query(points[:1000], predicate="intersects")
    start = time.perf_counter()
    tree.query(points, predicate="intersects")
    tree_rate = m / (time.perf_counter() - start)
    k = min(len(xs), 20_000)
    start = time.perf_counter()
    tree_single = [strtree_position(tree, geoms, x, y) for x, y in zip(xs[:k], ys[:k], strict=True)]
    tree_us = (time.perf_counter() - start) / k * 1e6
    agree = tree_single == positions[:k].tolist()
    report.row(
        f"STRtree batched query ({m:,} points)",
        f"{tree_rate:,.0f} pts/s",
        f"index {batched_rate / tree_rate:.1f}x faster",
    )
    report.row(
        f"STRtree single + exact test ({k:,} calls)",
        f"{tree_us:.2f} µs",
        f"index {tree_us / single_us:.1f}x faster; answers equal: {agree}",
    )
    shapely.destroy_prepared(geoms)

    if args.no_postgres:
        report.row("PostgreSQL", "skipped", "--no-postgres")
        return
    try:
        bench_postgres(report, index, xs, ys, positions, args, batched_rate, single_us)
    except Exception as exc:  # a missing server only skips this comparison
        report.row("PostgreSQL", "skipped", f"{type(exc).__name__}: {exc}".splitlines()[0])


def bench_postgres(
    report: Report, index: GridIndex, xs, ys, positions, args, batched_rate, single_us
) -> None:
    import psycopg

    server = args.postgres.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.postgres.rsplit("/", 1)[1]]
        ).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{args.postgres.rsplit("/", 1)[1]}"')
    geoms = index.geoms
    bounds = shapely.bounds(geoms)
    wkb = shapely.to_wkb(geoms)
    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_grid")
        # The same columns and bbox index as regions.Grid (index "grid_bbox").
        conn.execute(
            "CREATE TABLE bench_grid (id integer PRIMARY KEY, min_lng float8, min_lat float8,"
            " max_lng float8, max_lat float8, geometry_wkb bytea)"
        )
        start = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY bench_grid FROM STDIN") as copy:
            for i in range(len(geoms)):
                copy.write_row([i, *bounds[i].tolist(), wkb[i]])
        conn.execute(
            "CREATE INDEX bench_grid_bbox ON bench_grid (min_lng, max_lng, min_lat, max_lat)"
        )
        conn.execute("ANALYZE bench_grid")
        load_s = time.perf_counter() - start
        report.row("PostgreSQL load (COPY + index)", f"{load_s:.1f} s", args.postgres)

        widest = float((bounds[:, 2] - bounds[:, 0]).max())
        tallest = float((bounds[:, 3] - bounds[:, 1]).max())
        queries = {
            "bbox query (grid_bbox index) + shapely": (
                "SELECT id, geometry_wkb FROM bench_grid WHERE min_lng <= %(x)s"
                " AND max_lng >= %(x)s AND min_lat <= %(y)s AND max_lat >= %(y)s ORDER BY id",
                args.pg_points // 4,
            ),
            "bbox query bounded by the widest grid": (
                "SELECT id, geometry_wkb FROM bench_grid WHERE min_lng BETWEEN %(x0)s AND %(x)s"
                " AND max_lng >= %(x)s AND min_lat BETWEEN %(y0)s AND %(y)s AND max_lat >= %(y)s"
                " ORDER BY id",
                args.pg_points,
            ),
        }
        for label, (sql, n) in queries.items():
            answers = []
            start = time.perf_counter()
            with conn.cursor() as cur:
                for x, y in zip(xs[:n].tolist(), ys[:n].tolist(), strict=True):
                    cur.execute(
                        sql, {"x": x, "y": y, "x0": x - widest, "y0": y - tallest}, prepare=True
                    )
                    answer = -1
                    for grid_id, data in cur:
                        if shapely.intersects_xy(shapely.from_wkb(data), x, y):
                            answer = grid_id
                            break
                    answers.append(answer)
            per = (time.perf_counter() - start) / n
            one_by_one_row(
                report,
                f"PostgreSQL {label} ({n:,} points)",
                per,
                f"{per * 1e6:,.0f} µs/point",
                answers == positions[:n].tolist(),
                (batched_rate, single_us),
                f"PostgreSQL ({label}) disagrees with the index",
            )
        bench_postgis(report, conn, xs, ys, positions, args, batched_rate, single_us)
        conn.execute("DROP TABLE bench_grid")


def bench_postgis(report: Report, conn, xs, ys, positions, args, batched_rate, single_us) -> None:
    """The same lookups in PostGIS (GiST index, ST_Intersects), when the server has it."""
    available = conn.execute(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
    ).fetchone()
    if not available:
        report.row("PostGIS", "skipped", "extension not installed on the server")
        return
    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    conn.execute("DROP TABLE IF EXISTS bench_grid_gis")
    start = time.perf_counter()
    conn.execute(
        "CREATE TABLE bench_grid_gis AS"
        " SELECT id, ST_GeomFromWKB(geometry_wkb, 4326) AS geom FROM bench_grid"
    )
    conn.execute("CREATE INDEX bench_grid_gis_geom ON bench_grid_gis USING gist (geom)")
    conn.execute("ANALYZE bench_grid_gis")
    version = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
    report.row("PostGIS load (geometry + GiST)", f"{time.perf_counter() - start:.1f} s", version)

    n = args.pg_points
    one = (
        "SELECT id FROM bench_grid_gis WHERE ST_Intersects(geom,"
        " ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4326)) ORDER BY id LIMIT 1"
    )
    answers = []
    start = time.perf_counter()
    with conn.cursor() as cur:
        for x, y in zip(xs[:n].tolist(), ys[:n].tolist(), strict=True):
            row = cur.execute(one, {"x": x, "y": y}, prepare=True).fetchone()
            answers.append(row[0] if row else -1)
    per = (time.perf_counter() - start) / n
    agree = answers == positions[:n].tolist()
    report.row(
        f"PostGIS one query per point ({n:,} points)",
        f"{1 / per:,.0f} pts/s",
        f"{per * 1e6:,.0f} µs/point; index {per * 1e6 / single_us:,.0f}x faster single; "
        f"answers equal: {agree}",
    )

    m = min(len(xs), args.pg_points * 25)
    many = (
        "SELECT p.i, min(g.id) FROM unnest(%(x)s::float8[], %(y)s::float8[])"
        " WITH ORDINALITY AS p(x, y, i) LEFT JOIN bench_grid_gis g"
        " ON ST_Intersects(g.geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))"
        " GROUP BY p.i ORDER BY p.i"
    )
    start = time.perf_counter()
    rows = conn.execute(many, {"x": xs[:m].tolist(), "y": ys[:m].tolist()}).fetchall()
    per_batch = (time.perf_counter() - start) / m
    batch_answers = [-1 if grid is None else grid for _, grid in rows]
    agree_batch = batch_answers == positions[:m].tolist()
    report.row(
        f"PostGIS one query for {m:,} points",
        f"{1 / per_batch:,.0f} pts/s",
        f"index {batched_rate * per_batch:,.0f}x faster batched; answers equal: {agree_batch}",
    )
    conn.execute("DROP TABLE bench_grid_gis")
    if not (agree and agree_batch):
        raise SystemExit("PostGIS disagrees with the index")


def demo_grids() -> tuple[np.ndarray, list[str], np.ndarray] | None:
    from django.db import DatabaseError

    from regions.models import Grid

    try:
        rows = list(
            Grid.objects.current()
            .filter(geometry_wkb__isnull=False)
            .order_by("code")
            .values_list("id", "code", "geometry_wkb")
        )
    except DatabaseError:
        return None
    if not rows:
        return None
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    geoms = np.asarray(shapely.from_wkb([bytes(r[2]) for r in rows]), dtype=object)
    return ids, [r[1] for r in rows], geoms


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=100_000, help="synthetic grids")
    parser.add_argument("--points", type=int, default=1_000_000, help="random points")
    parser.add_argument("--single", type=int, default=200_000, help="single lookups timed")
    parser.add_argument("--naive", type=int, default=200, help="points for the naive test")
    parser.add_argument("--pg-points", type=int, default=8000, help="points for PostgreSQL")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/gridgov_bench"
        ),
        help="scratch PostgreSQL database (created if missing; its table is dropped after)",
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-demo", action="store_true")
    args = parser.parse_args(argv)

    report = Report()
    started = time.perf_counter()
    cpu = os.cpu_count()
    report.line(
        f"bench/locate.py --grids {args.grids} --points {args.points} "
        f"(python {sys.version.split()[0]}, shapely {shapely.__version__}, "
        f"GEOS {shapely.geos_version_string}, numpy {np.__version__}, {cpu} CPUs)"
    )

    start, before = time.perf_counter(), rss_mb()
    province = synthetic_province(args.grids)
    report.line(
        f"synthetic province: {len(province):,} Voronoi cells over {PROVINCE_BOX} "
        f"in {time.perf_counter() - start:.1f} s (seed {SEED}); "
        f"the polygons take {rss_mb() - before:.0f} MB"
    )
    ids = np.arange(1, len(province) + 1, dtype=np.int64)
    codes = [f"44{i:013d}" for i in range(len(province))]
    index, xs, ys, batched_rate, single_us = bench_dataset(
        report, "synthetic province", ids, codes, province, args
    )
    bench_alternatives(report, index, xs, ys, args, batched_rate, single_us)
    del index, xs, ys

    if args.no_demo:
        report.line("\n(demo grids skipped: --no-demo)")
    else:
        demo = demo_grids()
        if demo is None:
            report.line(
                "\n(no demo grids in the default database: run `make setup` first; skipped)"
            )
        else:
            ids, codes, geoms = demo
            demo_args = argparse.Namespace(**{**vars(args), "naive": 1000})
            index, xs, ys, _, _ = bench_dataset(
                report, "Jiangmen demo grids", ids, codes, geoms, demo_args
            )
            n = demo_args.naive
            naive = [naive_position(geoms, x, y) for x, y in zip(xs[:n], ys[:n], strict=True)]
            agree = naive == index.locate_many(xs[:n], ys[:n]).tolist()
            report.row(f"answers equal to the naive test ({n} points)", str(agree))
            if not agree:
                raise SystemExit("the index disagrees with the naive test on the demo grids")
    report.line(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=True)
    main()
