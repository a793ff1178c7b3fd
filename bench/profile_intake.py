"""Where a report's CPU time goes: intake and the minimal endpoint in one process, profiled.

    .venv/bin/python bench/profile_intake.py [--requests 400] [--top 30] [--sort tottime]

Runs after ``bench/intake.py`` (it uses that run's database and world: ``var/bench/``), with
the same production settings, through Django's test client (no HTTP server, no wrk): first
``--requests`` minimal requests and reports unprofiled, timing CPU per request, then the same
again under cProfile, printing the functions with the most time. The figures are a guide to
what to change; the rates that count are those of ``bench/intake.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake import DB_NAME, DESCRIPTIONS, PG_SERVER, WORK_DIR, server_environment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument("--only", choices=["minimal", "intake"])
    parser.add_argument(
        "--wall", action="store_true", help="profile wall time (default: CPU time, no waiting)"
    )
    parser.add_argument(
        "--timers",
        action="store_true",
        help="instead of cProfile: thread CPU time of the parts of a report, per request "
        "(no profiler overhead; nested parts are included in their callers)",
    )
    args = parser.parse_args()

    saved = WORK_DIR / "intake-world.json"
    if not saved.exists():
        sys.exit("run bench/intake.py first: it builds the database and world this script uses")
    world = json.loads(saved.read_text(encoding="utf-8"))
    import os

    os.environ.update(server_environment(f"{PG_SERVER}/{DB_NAME}"))
    import django

    django.setup()
    from django.test import Client

    rng = random.Random(7)
    run = f"p{int(time.time())}"
    clients = [Client(HTTP_AUTHORIZATION=f"Token {t}") for t in world["tokens"]]

    def intake(i: int) -> None:
        w = rng.randrange(len(clients))
        lng, lat = rng.choice(world["points"][w])
        body = {
            "lng": lng,
            "lat": lat,
            "matter": rng.choice(world["matters"]),
            "description": rng.choice(DESCRIPTIONS),
            "client_id": f"{run}-{i}",
        }
        response = clients[w].post("/api/v1/cases/", body, content_type="application/json")
        assert response.status_code == 201, response.content

    def minimal(i: int) -> None:
        client = clients[rng.randrange(len(clients))]
        response = client.post(
            "/bench/minimal/", {"client_id": f"{run}-{i}"}, content_type="application/json"
        )
        assert response.status_code == 201, response.content

    modes = {"minimal": minimal, "intake": intake}
    if args.only:
        modes = {args.only: modes[args.only]}
    for name, call in modes.items():
        for i in range(len(clients)):  # every account's token and grants cached
            call(-1 - i + -1000 * ord(name[0]))
        start_cpu, start = time.process_time(), time.perf_counter()
        for i in range(args.requests):
            call(i)
        cpu = (time.process_time() - start_cpu) / args.requests * 1000
        wall = (time.perf_counter() - start) / args.requests * 1000
        print(f"{name:8} CPU {cpu:6.2f} ms  wall {wall:6.2f} ms per request (in process)")
    if args.timers:
        spent = _timers()
        for i in range(args.requests):
            intake(2 * args.requests + i)
        print(f"\nthread CPU per report, by part ({args.requests} reports):")
        for _module, _path, part in PARTS:
            print(f"  {part:40} {spent[part] / args.requests * 1000:6.3f} ms")
        return
    for name, call in modes.items():
        profile = cProfile.Profile(time.perf_counter if args.wall else time.process_time)
        profile.enable()
        for i in range(args.requests):
            call(args.requests + i)
        profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats(args.sort)
        stats.print_stats(args.top)
        print(f"\n=== {name}: {args.requests} requests, sorted by {args.sort}")
        print(out.getvalue())


# The parts of a report timed by --timers: (module, attribute, label).
PARTS = [
    ("django.core.handlers.base", "BaseHandler.get_response", "whole request"),
    ("people.auth", "TokenAuthentication.authenticate", "authentication"),
    ("cases.api.views", "_data", "input validation"),
    ("cases.services", "intake", "intake service"),
    ("gridgov.rows", "insert_together", "  the rows' statement"),
    ("cases.steps", "step_rows", "  archive event + audit record built"),
    ("gridgov.rows", "reserve_id", "  the case's id"),
    ("cases.clock", "schedule_checks", "  next deadline check planned"),
    ("cases.clock", "deadline", "  dispatch deadline"),
    ("cases.primitives", "terms", "  entry's terms"),
    ("matters.gate", "admit", "  the gate"),
    ("cases.services.reports", "_within_reach", "  jurisdiction"),
    ("cases.api.views", "_intake_answer", "the answer"),
    ("cases.api.views", "prefetch_related_objects", "  its relations read"),
    ("cases.api.serializers", "CaseDetailSerializer.get_fields", "  its fields built"),
]


def _timers() -> dict[str, float]:
    """Wrap each part with a thread-CPU timer; returns the totals, filled as reports run."""
    import collections
    import functools
    import importlib

    spent: dict[str, float] = collections.defaultdict(float)
    for module_name, path, label in PARTS:
        owner: Any = importlib.import_module(module_name)
        *outer, name = path.split(".")
        for attribute in outer:
            owner = getattr(owner, attribute)
        original = getattr(owner, name)

        def timed(*args: Any, _original: Any = original, _label: str = label, **kw: Any) -> Any:
            start = time.thread_time()
            try:
                return _original(*args, **kw)
            finally:
                spent[_label] += time.thread_time() - start

        setattr(owner, name, functools.wraps(original)(timed))
    return spent


if __name__ == "__main__":
    main()
