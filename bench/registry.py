"""Benchmark: the registry at city scale on PostgreSQL (issue 12, R11.1, R22.1).

    .venv/bin/python bench/registry.py [--residents 1000000] [--townships 10] [--villages 20]
                                        [--grids 10] [--lookups 200] [--database NAME]
                                        [--redis URL] [--modes old,sequential,new]
                                        [--profile N]

What it does (deterministic: fixed seeds, a fresh database ``gridgov_bench_registry``):

1. builds 蓬江区 (440703) with ``--townships`` townships × ``--villages`` villages ×
   ``--grids`` grids (generated polygons) and a county agency administrator;
2. writes a residents CSV of ``--residents`` rows in the import layout (valid, unique,
   fictitious ID numbers and mobiles; each resident in a grid) and imports it with
   ``registry.services.imports.import_file`` (the console's and the command's path: checks,
   encryption + blind index, set-based writer, one transaction), timing the rows per second,
   the share of the time in the row checks (with encryption) and in the writer, and sampling
   the importer's RSS as the rows go by (bounded: it must not grow with the file); with
   ``--modes`` the same file is imported once per mode (the registry emptied between them)
   and the figures printed side by side: ``old`` (the writer before "Faster import"),
   ``sequential`` (the new writer, check then write), ``new`` (the next batch checked while
   this one is written);
3. tags about 8 % of the residents (set-based SQL) and ANALYZEs;
4. times an exact lookup by ID number through ``people.exact_search`` (a logged reveal
   search, as the console and API do it), a grid's statistics through
   ``registry.stats.grid_statistics`` (when merged), and the due-visit list of a township
   (``registry.due``, the first page and its count) as the agency administrator.

Goals (issue 12): import ≥ 20,000 residents/s, lookup ≤ 5 ms, grid statistics ≤ 100 ms, due
list ≤ 200 ms, importer RSS bounded. Figures and the command: docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import itertools
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "gridgov_bench_registry"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/2"
COUNTY = "440703"  # the county bench/county.py generates
WORK_DIR = ROOT / "var" / "bench"
SEED = 20261204
FIRST_DAY = dt.date(1930, 1, 1)
DAYS = 32_000  # birth dates 1930–2017: 32,000 days × 500 sequence numbers per gender


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--townships", type=int, default=10)
    parser.add_argument("--villages", type=int, default=20, help="villages per township")
    parser.add_argument("--grids", type=int, default=10, help="grids per village")
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--database", default=DB_NAME, help="scratch database (dropped first)")
    parser.add_argument("--redis", default=REDIS_URL, help="Redis database (flushed first)")
    parser.add_argument(
        "--modes",
        default="old,new",
        help="import modes run one after the other on the same file, the table side by side: "
        "old (the first unnest writer: a dict per row, SQL literals, check then write), "
        "sequential (the new writer, check then write), new (the new writer, the next batch "
        "checked while this one is written)",
    )
    parser.add_argument(
        "--profile", type=int, default=0, help="print the top N of cProfile (the main thread)"
    )
    return parser.parse_args()


def fresh_database(name: str = DB_NAME) -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def setup_django(database_url: str, redis_url: str = REDIS_URL) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "gridgov.settings",
            "DATABASE_URL": database_url,
            "GRIDGOV_DATA_KEY": hashlib.sha256(f"bench-data-{SEED}".encode()).hexdigest(),
            "GRIDGOV_LOG_LEVEL": "WARNING",
            # the shared state (rate-limit counters of exact search) in Redis, as deployed
            "REDIS_URL": redis_url,
        }
    )
    import django
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log growing with the import (a deployment's setting)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def backend_cpu() -> float:
    """CPU seconds of this process's PostgreSQL backend (same machine), or 0 when unreadable."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def build_world(args: argparse.Namespace) -> dict[str, Any]:
    """The county, its townships, villages and grids, and its agency administrator."""
    from county import build_county

    from gridgov.testing import people

    townships = build_county(
        "bench",
        rng=random.Random(SEED),
        townships=args.townships,
        villages=args.villages,
        grids=args.grids,
    )
    from regions.models import Grid

    admin = people.make_user("agency_admin", COUNTY, username="bench_admin")
    codes = list(Grid.objects.current().order_by("code").values_list("code", flat=True))
    return {"admin": admin, "grids": codes, "townships": townships}


def id_number(i: int) -> str:
    from audit import personal_data as pd

    day = FIRST_DAY + dt.timedelta(days=i % DAYS)
    first17 = f"{COUNTY}{day:%Y%m%d}{(i // DAYS) % 1000:03d}"
    return first17 + pd.id_check_char(first17)


def write_csv(path: Path, n: int, grids: list[str]) -> None:
    surnames = "陈李黄张梁林何吴刘郑谢罗冯叶邓钟杨麦余卢许周赖曾苏胡关朱马伍谭潘"
    given = "伟志明华建国俊杰嘉欣晓红秀英丽芳海燕文涛子豪家乐静怡婉婷永强锦荣少华美玲"
    rng = random.Random(SEED)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["姓名", "人口类别", "证件号码", "联系电话", "网格编码"])
        for i in range(n):
            name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
            kind = "流动人口" if i % 5 == 0 else "户籍人口"
            writer.writerow([name, kind, id_number(i), f"138{i:08d}", grids[i % len(grids)]])


def old_insert_rows(model, columns: dict[str, list[Any]]) -> list[int]:  # type: ignore[no-untyped-def]
    """The writer before "Faster import" (main at f38c973), for the side-by-side figures: a
    dict per row, every column an array through Django's cursor (SQL literals built on the
    client), the statement built per call."""
    from django.db import connection, models
    from django.utils import timezone

    from registry.importing.write import BATCH, TIMESTAMPS

    by_row = zip(*columns.values(), strict=True)
    rows = [dict(zip(columns, values, strict=True)) for values in by_row]
    if not rows:
        return []
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {
        f.attname: now if isinstance(f, models.DateTimeField) and f.name in TIMESTAMPS
        else f.get_default()
        for f in fields
    }  # fmt: skip
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT * FROM unnest({', '.join(f'%s::{f.db_type(connection)}[]' for f in fields)}) "
        f"RETURNING {quote(model._meta.pk.column)}"
    )
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            values = [[row.get(f.attname, defaults[f.attname]) for row in chunk] for f in fields]
            cursor.execute(sql, values)
            ids.extend(pk for (pk,) in cursor.fetchall())
    return ids


def clear_residents() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE registry_resident, registry_household CASCADE")
        cursor.execute("ANALYZE")


def run_import(path: Path, rows: int, mode: str = "new", profile: int = 0) -> dict[str, Any]:
    import cProfile
    import pstats

    from registry.importing import check, write
    from registry.services import imports
    from registry.services.imports import import_file

    spent = {"check": 0.0, "write": 0.0}
    real_check, real_batch = check.Checker.__init__, write.Writer.batch

    def timed_batch(self, typed):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return real_batch(self, typed)
        finally:
            spent["write"] += time.perf_counter() - started

    def timed_init(self, *a, **k):  # type: ignore[no-untyped-def]
        real_check(self, *a, **k)
        inner = self.check

        def checked(number, values):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return inner(number, values)
            finally:
                spent["check"] += time.perf_counter() - started

        self.check = checked

    samples: list[tuple[int, float]] = []
    step = max(1, rows // 10)

    def progress(result) -> None:  # type: ignore[no-untyped-def]
        if not samples or result.rows_checked - samples[-1][0] >= step:
            samples.append((result.rows_checked, rss_mb()))

    check.Checker.__init__, write.Writer.batch = timed_init, timed_batch
    real_insert, real_overlap = write.insert_rows, imports.OVERLAP
    if mode == "old":
        write.insert_rows = old_insert_rows
    imports.OVERLAP = mode == "new"
    profiler = cProfile.Profile() if profile else None
    before = rss_mb()
    cpu, db_cpu = time.process_time(), backend_cpu()
    started = time.perf_counter()
    try:
        if profiler is not None:
            profiler.enable()
        result = import_file(
            "bench", "residents", path, dry_run=False, region_code=COUNTY, progress=progress
        )
    finally:
        if profiler is not None:
            profiler.disable()
        check.Checker.__init__, write.Writer.batch = real_check, real_batch
        write.insert_rows, imports.OVERLAP = real_insert, real_overlap
    seconds = time.perf_counter() - started
    cpu, db_cpu = time.process_time() - cpu, backend_cpu() - db_cpu
    samples.append((result.rows_checked, rss_mb()))
    assert result.ok, result.problems[:5]
    if profiler is not None:
        print(f"--- cProfile, mode {mode} (main thread), top {profile} by own time")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(profile)
    return {"seconds": seconds, "rows": result.records_written, "rss_before": before,
            "samples": samples, "cpu": cpu, "db_cpu": db_cpu, **spent}  # fmt: skip


def protect_rate(n: int = 20_000) -> float:
    """Residents per second that the encryption + blind index alone allow (2 values each)."""
    from audit import personal_data as pd

    numbers = [id_number(i) for i in range(n)]
    started = time.perf_counter()
    for i, number in enumerate(numbers):
        pd.protect_clean(number, kind="id_number", purpose="registry.resident.id_number")
        pd.protect_clean(f"139{i:08d}", kind="mobile", purpose="registry.resident.phone")
    return n / (time.perf_counter() - started)


def tag_residents() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO registry_specialgrouptag
              (resident_id, kind, started_on, end_reason, department_kind, care_level,
               visit_days, next_visit_on, client_id, note, region_code, grid_code,
               created_at, updated_at)
            SELECT id,
                   (ARRAY['elderly_alone','disabled','subsistence_allowance','left_behind_child',
                          'released_prisoner'])[1 + (id / 12) % 5],
                   DATE '2025-01-01', '', 'civil_affairs', 'low', 30,
                   CURRENT_DATE - 60 + (id % 120)::int, '', '', region_code, grid_code, now(),
                   now()
            FROM registry_resident WHERE id % 12 = 0
            """
        )
        count = cursor.rowcount
        cursor.execute("ANALYZE")
    return count


def timed(fn, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(median, 95th percentile) in ms."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def queries(world: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from django.conf import settings

    from gridgov.access.scoping import scope_queryset
    from people.exact_search import exact_search
    from registry import due
    from registry.models import Resident, SpecialGroupTag

    settings.GRIDGOV_PERSONAL_SEARCH_LIMIT = 10**9  # the bench searches more than a person
    admin = world["admin"]
    rng = random.Random(SEED + 1)
    numbers = iter([id_number(rng.randrange(args.residents)) for _ in range(args.lookups + 5)])

    def lookup() -> None:
        found = list(exact_search(admin, Resident.objects.all(), next(numbers)))
        assert len(found) == 1

    out: dict[str, Any] = {"lookup": timed(lookup, args.lookups)}
    try:
        from registry.stats import grid_statistics
    except ImportError:
        out["stats"] = None
    else:
        grids = itertools.cycle(world["grids"])  # a small world has fewer grids than calls
        out["stats"] = timed(lambda: grid_statistics(admin, next(grids)), 50)
    townships = itertools.cycle(world["townships"])

    def due_list() -> None:
        tags = scope_queryset(admin, SpecialGroupTag.objects.all())
        listed = due.in_grid(due.due(tags, within=7), next(townships))
        page = list(listed.select_related("resident")[:50])
        assert page and listed.count() >= len(page)

    out["due"] = timed(due_list, 30)
    return out


def machine() -> str:
    cpus = os.cpu_count() or 0
    return f"{platform.python_implementation()} {platform.python_version()}, {cpus} CPUs"


def main() -> None:
    args = parse_args()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    setup_django(fresh_database(args.database), args.redis)
    started = time.perf_counter()
    world = build_world(args)
    print(f"world: {len(world['grids'])} grids in {time.perf_counter() - started:.1f} s")
    path = WORK_DIR / f"registry-residents-{args.residents}.csv"
    started = time.perf_counter()
    write_csv(path, args.residents, world["grids"])
    size = path.stat().st_size / 1024 / 1024
    print(f"csv: {args.residents} rows, {size:.0f} MB in {time.perf_counter() - started:.1f} s")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    runs: dict[str, dict[str, Any]] = {}
    for i, mode in enumerate(modes):
        if i:
            clear_residents()  # the same file again into an empty registry
        runs[mode] = run_import(path, args.residents, mode, args.profile)
        print(f"import, mode {mode}: {runs[mode]['rows'] / runs[mode]['seconds']:,.0f} /s")
    tags = tag_residents()
    figures = queries(world, args)
    print()
    print(f"registry bench: {args.residents} residents, {len(world['grids'])} grids, {machine()}")
    print(f"load average before the imports: {load}")
    width = 14

    def line(label: str, cells: list[str], goal: str = "") -> None:
        print(f"{label:<38}{''.join(f'{c:>{width}}' for c in cells)}  {goal}")

    line("measure (import mode →)", modes, "goal")
    line("import rate (CSV, encrypted + index)",
         [f"{r['rows'] / r['seconds']:,.0f} /s" for r in runs.values()], "≥ 20,000 /s")  # fmt: skip
    line("  import wall time", [f"{r['seconds']:.1f} s" for r in runs.values()])
    line("  importer CPU", [f"{r['cpu']:.1f} s" for r in runs.values()])
    line("  database backend CPU", [f"{r['db_cpu']:.1f} s" for r in runs.values()])
    line("  rate per CPU second (both)",
         [f"{r['rows'] / (r['cpu'] + r['db_cpu']):,.0f} /s" if r["cpu"] + r["db_cpu"] else "-"
          for r in runs.values()])  # fmt: skip
    line("  in row checks (incl. encryption)",
         [f"{r['check'] / r['seconds'] * 100:.0f} %" for r in runs.values()])  # fmt: skip
    line("  in the set-based writer",
         [f"{r['write'] / r['seconds'] * 100:.0f} %" for r in runs.values()])  # fmt: skip
    line("importer RSS before → end (MB)",
         [f"{r['rss_before']:.0f} → {r['samples'][-1][1]:.0f}" for r in runs.values()])  # fmt: skip
    for mode, r in runs.items():
        rss_text = " ".join(f"{rows // 1000}k:{mb:.0f}" for rows, mb in r["samples"])
        print(f"  RSS along the file, {mode} (rows:MB) {rss_text}")
    print(f"{'  encryption + index alone':<38}{protect_rate():>14,.0f} /s")
    print(f"{'special-group tags':<38}{tags:>16,}")
    p50, p95 = figures["lookup"]
    print(f"{'exact lookup by ID (exact_search)':<38}{p50:>10.2f} / {p95:.2f} ms  ≤ 5 ms (p50/p95)")
    if figures["stats"] is None:
        print("grid statistics: registry.stats not merged yet")
    else:
        p50, p95 = figures["stats"]
        print(f"{'grid statistics':<38}{p50:>10.2f} / {p95:.2f} ms  ≤ 100 ms")
    p50, p95 = figures["due"]
    print(f"{'due-visit list of a township':<38}{p50:>10.2f} / {p95:.2f} ms  ≤ 200 ms")


if __name__ == "__main__":
    main()
