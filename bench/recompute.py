"""Benchmark: entering the State Council's notice with many open deadlines in its year (R24.2).

    .venv/bin/python bench/recompute.py [--cases 20000]

1. creates the scratch PostgreSQL database ``gridgov_bench_recompute`` (dropped first if it
   exists) and migrates it;
2. builds the small test world (``cases.tests.conftest.build_world``: last year and this year
   from the packages, next year provisional) and dispatches one case through the services on
   the Wednesday before next year's Spring Festival, to the police (lead) and urban management;
3. copies it into ``--cases`` open cases (bulk inserts: the same deadlines, bases and flags,
   each with an archive of its own), so that every one of them has two deadlines the notice
   moves;
4. enters a notice for next year (the breaks of the test notice, moved to that year) and
   reports the time, the deadlines moved, the queries, and checks a sample of archive chains.

The figures are recorded in docs/performance.md ("Entering the holiday notice").
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "gridgov_bench_recompute"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def _database(action: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        if action == "create":
            connection.execute(f"CREATE DATABASE {DB_NAME}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the notice's entry")
    args = parser.parse_args()

    _database("create")
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    os.environ.setdefault("GRIDGOV_TASKS_BACKEND", "database")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        run(args.cases, profile=args.profile)
    finally:
        from django.db import connections

        connections.close_all()
        _database("drop")


def run(count: int, *, profile: bool = False) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cases import archive, services
    from cases.inputs import ReportInput
    from cases.models import Assignment, Case, CaseEvent
    from cases.tests.conftest import build_world
    from workdays import notices
    from workdays.tests.test_notices import NOTICE_2027

    world = build_world()
    year = timezone.localdate().year + 1
    shift = year - 2027
    tz = timezone.get_default_timezone()
    start = dt.datetime(2027 + shift, 2, 3, 9, tzinfo=tz)
    lng, lat = world.point
    with mock.patch("django.utils.timezone.now", return_value=start):
        case = services.intake(
            world.worker,
            ReportInput(lng=lng, lat=lat, matter=world.entry_code, description="bench"),
        ).case
        services.accept(world.dispatcher, case.pk)
        services.dispatch(
            world.dispatcher,
            case.pk,
            lead_department=world.police.pk,
            co_departments=[world.urban.pk],
        )
    template = Case.objects.get(pk=case.pk)
    assignments = list(Assignment.objects.filter(case=template))

    began = time.perf_counter()
    batch = 1000
    for first in range(0, count, batch):
        copies = []
        for i in range(first, min(count, first + batch)):
            copy = Case.objects.get(pk=template.pk)
            copy.pk = None
            copy.tracking_code = f"B{i:09d}"
            copy.idempotency_key = None
            copy.archive_seq, copy.archive_head = 0, ""
            copies.append(copy)
        Case.objects.bulk_create(copies)
        rows = []
        for copy in copies:
            for a in assignments:
                clone = Assignment.objects.get(pk=a.pk)
                clone.pk, clone.case = None, copy
                rows.append(clone)
        Assignment.objects.bulk_create(rows)
    print(
        f"{count} open cases with {count * len(assignments)} deadlines in {year}: "
        f"{time.perf_counter() - began:.1f} s to insert"
    )

    data = NOTICE_2027
    if shift:

        def moved(day: str) -> str:
            return str(int(day[:4]) + shift) + day[4:]

        data = {
            **NOTICE_2027,
            "year": year,
            "holidays": [
                {**h, "start": moved(h["start"]), "end": moved(h["end"])}
                for h in NOTICE_2027["holidays"]
            ],
            "workdays": [
                moved(d["date"] if isinstance(d, dict) else d) for d in NOTICE_2027["workdays"]
            ],
        }
    notice = notices.parse(data)  # the test notice, checked against that year's law
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        profiler = cProfile.Profile() if profile else None
        began = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        result = notices.enter_notice("bench", notice)
        seconds = time.perf_counter() - began
        if profiler is not None:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    events = CaseEvent.objects.filter(action="deadline_change").count()
    print(
        f"notice entered: {result.deadlines_moved} deadlines moved in {events} cases, "
        f"{seconds:.1f} s ({seconds / max(1, events) * 1000:.2f} ms per case), "
        f"{len(queries)} queries"
    )
    sample = list(Case.objects.order_by("?").values_list("pk", flat=True)[:200])
    broken = list(archive.verify(sample))
    print(f"archive chains of 200 sampled cases: {'intact' if not broken else broken[:3]}")


if __name__ == "__main__":
    main()
