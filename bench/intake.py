"""Benchmark: the real HTTP intake of cases (R24.1, R18.1) against a minimal Django endpoint.

Over 600 lines: one self-contained script (world, server, load, checks) that runs on its own.

    .venv/bin/python bench/intake.py [--seconds 20] [--connections 32] [--workers 5]

What it does, start to end (deterministic: fixed seeds, a fresh database every run):

1. creates the scratch PostgreSQL database ``gridgov_bench_intake`` (dropped first if it
   exists) and migrates it; the cache is Redis database 13 (flushed), as in production;
2. builds a world through the services: 蓬江区 with townships, villages and a few thousand
   generated grids, the township/county/city agencies, county departments, an admission list
   in force with 40 matters, the working-day calendar, and grid workers with API tokens;
3. serves the project with gunicorn (``GRIDGOV_ENV=production``, DEBUG off) and the settings
   module ``bench.intake_site.settings``, which adds one minimal endpoint (token auth, one
   INSERT) that a deployment never has;
4. drives both with ``wrk`` (``bench/intake.lua``: every request a new ``client_id``, a random
   worker's token, a random point inside a grid and a random listed matter): a warm-up, then
   the minimal endpoint and intake for ``--seconds`` each, then a short replay phase that
   resends a small set of client ids from every connection at once;
5. prints requests/s, p50/p99 latency, errors, the ratio, and checks the database: every
   answered report stored exactly once, with one archive event and one audit record, the
   archive chains intact, and the replays stored once per client id.

The figures and the command line are recorded in docs/performance.md ("Intake").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "gridgov_bench_intake"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/13"
ACTOR = "bench"
COUNTY = "440703"  # the county bench/county.py generates (its box: ~14 km x 15 km of 蓬江区)
LUA = ROOT / "bench" / "intake.lua"
WORK_DIR = ROOT / "var" / "bench"
SEED = 20241125
POINTS_PER_WORKER = 40
REPLAY_IDS = 10  # client ids per wrk thread in the replay phase, each sent many times at once
DESCRIPTIONS = [
    "小区门口井盖缺失,存在安全隐患",
    "路边占道经营,影响通行",
    "楼道堆放杂物,堵塞消防通道",
    "绿化带内有建筑垃圾未清理",
    "夜间施工噪音扰民",
    "路灯不亮,行人夜间出行不便",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20, help="length of each measured run")
    parser.add_argument("--warmup", type=int, default=15, help="seconds of warm-up per endpoint")
    parser.add_argument("--replay-seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument(
        "--worker-class", default="sync", choices=["sync", "gthread"], help="gunicorn workers"
    )
    parser.add_argument("--townships", type=int, default=10)
    parser.add_argument("--villages", type=int, default=25, help="villages per township")
    parser.add_argument("--grids", type=int, default=12, help="grids per village")
    parser.add_argument("--accounts", type=int, default=100, help="grid workers with tokens")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--only", choices=["minimal", "intake"], help="measure one endpoint only")
    parser.add_argument(
        "--reuse-world",
        action="store_true",
        help="reuse the previous run's database and world (for tuning; not for the record)",
    )
    return parser.parse_args()


def need_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        sys.exit(
            "bench/intake.py needs the HTTP load generator wrk, which is not installed.\n"
            "On Debian/Ubuntu: apt-get install -y wrk   (the bench is not part of CI)"
        )
    return found


# --- database, cache and Django --------------------------------------------------------------


def fresh_database() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return f"{PG_SERVER}/{DB_NAME}"


def server_environment(database_url: str) -> dict[str, str]:
    """The environment of a production deployment (plus the bench's settings module)."""
    return {
        "GRIDGOV_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "bench.intake_site.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "GRIDGOV_SECRET_KEY": hashlib.sha256(f"bench-secret-{SEED}".encode()).hexdigest(),
        "GRIDGOV_DATA_KEY": hashlib.sha256(f"bench-data-{SEED}".encode()).hexdigest(),
        "GRIDGOV_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "GRIDGOV_LOG_LEVEL": "WARNING",
        # Plain HTTP on the loopback, as behind the TLS proxy of a deployment: without this the
        # production default answers every request with a redirect to https.
        "GRIDGOV_SSL_REDIRECT": "0",
    }


def flush_cache() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.intake_site.models import Ping

    call_command("migrate", verbosity=0, interactive=False)
    with connection.schema_editor() as editor:  # the bench app has no migrations
        editor.create_model(Ping)


# --- the world -------------------------------------------------------------------------------


def build_world(args: argparse.Namespace) -> dict[str, Any]:
    """The county, its grids, agencies, departments, list, calendar and workers (services)."""
    from county import build_county
    from django.test import override_settings
    from django.utils import timezone

    from gridgov.access import roles as R
    from gridgov.testing import people
    from matters import services as matters
    from matters.models import MatterCategory
    from people.auth import issue_token
    from regions import index as grid_index
    from workdays import services as calendar

    started = time.perf_counter()
    rng = random.Random(SEED)
    townships = build_county(
        ACTOR, rng=rng, townships=args.townships, villages=args.villages, grids=args.grids
    )

    for code in ["4407", COUNTY, *townships]:
        people.make_agency(code)
    kinds = ["police", "urban_management", "housing", "ecology", "emergency", "health"]
    departments = [people.make_department(kind, COUNTY) for kind in kinds]

    year = timezone.localdate().year
    available = set(calendar.available_years())
    calendar.seed_years([y for y in (year, year + 1) if y in available], ACTOR)
    for y in (year, year + 1):
        calendar.open_year(ACTOR, y)

    matter_codes = []
    admission_list = matters.create_list(ACTOR, county_code=COUNTY)
    draft = matters.open_draft(ACTOR, admission_list)
    for c in range(4):
        matters.create_category(ACTOR, city_code="4407", code=f"BZ{c}", name=f"基准分类{c}")
        category = MatterCategory.objects.get(city__code="4407", code=f"BZ{c}")
        for i in range(10):
            code = f"BZ{c}-{i:02d}"
            matters.create_item(
                ACTOR, category=category, code=code, name=f"基准事项{c}-{i}", sort_order=i
            )
            lead = departments[(c * 10 + i) % len(departments)]
            co = departments[(c * 10 + i + 1) % len(departments)]
            matters.add_entry(
                ACTOR,
                draft,
                item=code,
                lead_department=lead.pk,
                co_departments=[co.pk],
                dispatch_limit_amount=2,
                dispatch_limit_unit="workhours",
                handling_limit_amount=3 + i % 5,
                handling_limit_unit="workdays",
            )
            matter_codes.append(code)
    matters.publish_version(ACTOR, draft)

    from regions.models import Grid

    current = list(Grid.objects.current().order_by("code").values_list("code", flat=True))
    index = grid_index.get_index()
    position = {code: n for n, code in enumerate(index.codes)}
    tokens, points = [], []
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        step = max(1, len(current) // args.accounts)
        for n in range(args.accounts):
            grid_code = current[(n * step) % len(current)]
            user = people.make_user(
                R.Role.GRID_WORKER_FULLTIME, grid_code, username=f"bench-worker-{n:04d}"
            )
            key, _token = issue_token(user, label="bench")
            tokens.append(key)
            # Workers report where they work: points inside their own grid (the index's answer).
            polygon = index.geoms[position[grid_code]]
            gx0, gy0, gx1, gy1 = polygon.bounds
            mine: list[tuple[float, float]] = []
            while len(mine) < POINTS_PER_WORKER:
                lng, lat = round(rng.uniform(gx0, gx1), 7), round(rng.uniform(gy0, gy1), 7)
                found = index.locate(lng, lat)
                if found is not None and found.code == grid_code:
                    mine.append((lng, lat))
            points.append(mine)
    return {
        "grids": len(current),
        "villages": args.townships * args.villages,
        "townships": len(townships),
        "departments": len(departments),
        "matters": matter_codes,
        "tokens": tokens,
        "points": points,
        "seconds": time.perf_counter() - started,
    }


def write_lua_data(world: dict[str, Any], path: Path) -> None:
    def lua_str(s: str) -> str:
        return json.dumps(s, ensure_ascii=False)

    lines = ["return {"]
    lines.append("tokens = {" + ",".join(lua_str(t) for t in world["tokens"]) + "},")
    lines.append("matters = {" + ",".join(lua_str(m) for m in world["matters"]) + "},")
    lines.append("descriptions = {" + ",".join(lua_str(d) for d in DESCRIPTIONS) + "},")
    lines.append("points = {")  # points[i]: inside the grid of the worker holding tokens[i]
    for mine in world["points"]:
        lines.append("{" + ",".join(f"{{{x:.7f},{y:.7f}}}" for x, y in mine) + "},")
    lines.append("},")
    lines.append("}")
    path.write_text("\n".join(lines), encoding="utf-8")


def queries_per_request(world: dict[str, Any], run: str) -> dict[str, int]:
    """SQL statements of one intake, one replay and one minimal request in a warm process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {world['tokens'][0]}")
    lng, lat = world["points"][0][0]

    def intake(client_id: str) -> int:
        body = {
            "lng": lng,
            "lat": lat,
            "matter": world["matters"][0],
            "description": DESCRIPTIONS[0],
            "client_id": client_id,
        }
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/api/v1/cases/", body, content_type="application/json")
        assert response.status_code == 201, response.content
        return len(captured)

    def minimal(client_id: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                "/bench/minimal/", {"client_id": client_id}, content_type="application/json"
            )
        assert response.status_code == 201, response.content
        return len(captured)

    intake(f"{run}-warm")
    minimal(f"{run}-warm")
    return {
        "intake": intake(f"{run}-1"),
        "replay": intake(f"{run}-1"),
        "minimal": minimal(f"{run}-2"),
    }


# --- serving and load ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen:
    if not args.port:
        args.port = free_port()
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:
            sys.exit(f"port {args.port} is in use by another server: choose another with --port")
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "bench.intake_site.wsgi:application",
        "--preload",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    log = open(WORK_DIR / "gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    # A deployment has compiled bytecode; without it every worker start compiles everything.
    server_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    server = subprocess.Popen(
        command, env={**server_env, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited: see {WORK_DIR / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2):
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- CPU accounting --------------------------------------------------------------------------
# Other work on the machine slows every wall-clock figure; the CPU time that the server and the
# database spend per request does not depend on it, and says what two idle cores could serve.

TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                continue
    return found


def _database_backends() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    text = cmdline.read().decode(errors="replace")
            except OSError:
                continue
            if text.startswith("postgres: ") and f" {DB_NAME} " in text:
                found.append(int(entry))
    return found


def cpu_snapshot(server: subprocess.Popen) -> dict[str, dict[int, float]]:
    workers = [server.pid, *_children(server.pid)]
    return {
        "server": {pid: _proc_cpu(pid) for pid in workers},
        "database": {pid: _proc_cpu(pid) for pid in _database_backends()},
    }


def cpu_used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict:
    """CPU seconds per part between two snapshots (processes started meanwhile count whole)."""
    return {
        part: sum(cpu - before[part].get(pid, 0.0) for pid, cpu in after[part].items())
        for part in after
    }


def run_wrk(
    wrk: str,
    args: argparse.Namespace,
    mode: str,
    seconds: int,
    run: str,
    data: Path,
    server: subprocess.Popen | None = None,
) -> dict[str, Any]:
    path = "/bench/minimal/" if mode == "minimal" else "/api/v1/cases/"
    command = [
        wrk,
        "-t",
        str(args.wrk_threads),
        "-c",
        str(args.connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{args.port}{path}",
    ]
    env = {
        **os.environ,
        "BENCH_DATA": str(data),
        "BENCH_MODE": mode,
        "BENCH_RUN": run,
        "BENCH_REPLAY_IDS": str(REPLAY_IDS),
    }
    before = cpu_snapshot(server) if server else None
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    used = cpu_used(before, cpu_snapshot(server)) if server and before else {}
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used["wrk"] = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            result = json.loads(line.removeprefix("BENCH_RESULT "))
            result["rate"] = result["ok"] / (result["duration_us"] / 1e6)
            result["cpu"] = used
            return result
    sys.exit(f"wrk gave no result (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")


# --- checking what was stored ----------------------------------------------------------------


def stored(run: str, mode: str) -> dict[str, int]:
    """Rows a run left: cases, their archive events and audit records (or minimal rows)."""
    from django.db.models import Count, Max, Min

    from audit.models import AuditRecord
    from bench.intake_site.models import Ping
    from cases import archive
    from cases.models import Case, CaseEvent

    if mode == "minimal":
        rows = Ping.objects.filter(client_id__startswith=f"{run}-minimal-")
        return {"rows": rows.count(), "distinct": rows.values("client_id").distinct().count()}
    cases = Case.objects.filter(idempotency_key__contains=f":{run}-{mode}-")
    ids = list(cases.values_list("pk", flat=True))
    per_case = (
        CaseEvent.objects.filter(case_id__in=ids)
        .values("case_id")
        .annotate(n=Count("pk"))
        .aggregate(lo=Min("n"), hi=Max("n"))
    )
    return {
        "rows": len(ids),
        "distinct": cases.values("idempotency_key").distinct().count(),
        "events": CaseEvent.objects.filter(case_id__in=ids).count(),
        "events_per_case": (per_case["lo"] or 0, per_case["hi"] or 0),
        "audit": AuditRecord.objects.filter(
            action="cases.report", object_id__in=[str(i) for i in ids]
        ).count(),
        "broken_chains": sum(1 for _ in archive.verify(ids)),
        **planned_checks(cases),
    }


def planned_checks(cases: Any) -> dict[str, int]:
    """Cases whose next deadline check has no job waiting for its minute in RQ's scheduled
    registry (R27.1: every report's amber moment must be checked), and the jobs waiting."""
    import django_rq
    from rq.registry import ScheduledJobRegistry

    from cases import tasks

    registry = ScheduledJobRegistry(queue=django_rq.get_queue("default"))
    waiting = {
        int(score) for _, score in registry.connection.zrange(registry.key, 0, -1, withscores=True)
    }
    moments = cases.exclude(next_check_at=None).values_list("next_check_at", flat=True)
    missing = sum(1 for m in moments if int(tasks.minute_of(m).timestamp()) not in waiting)
    return {
        "unplanned": missing + cases.filter(next_check_at=None).count(),
        "jobs_waiting": len(waiting),
    }


def machine() -> dict[str, str]:
    from django.db import connection

    cpu = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    import django

    return {
        "cpu": f"{os.cpu_count()} x {cpu}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1],
    }


def ms(us: float) -> str:
    return f"{us / 1000:.1f} ms"


def main() -> None:
    args = parse_args()
    wrk = need_wrk()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    print(f"load average before set-up: {os.getloadavg()[0]:.2f}", flush=True)
    saved = WORK_DIR / "intake-world.json"
    if args.reuse_world and saved.exists():
        # Tuning the server: the database and world of the previous run, its rows included.
        env = server_environment(f"{PG_SERVER}/{DB_NAME}")
        os.environ.update(env)
        import django

        django.setup()
        world = json.loads(saved.read_text(encoding="utf-8"))
    else:
        env = server_environment(fresh_database())
        flush_cache()
        setup_django(env)
        world = build_world(args)
        saved.write_text(json.dumps(world), encoding="utf-8")
    print(
        f"world: {world['grids']} grids in {world['villages']} villages, "
        f"{world['townships']} townships of {COUNTY}; {len(world['matters'])} listed matters; "
        f"{len(world['tokens'])} grid workers with tokens (built in {world['seconds']:.0f} s)",
        flush=True,
    )
    data = WORK_DIR / "intake-data.lua"
    write_lua_data(world, data)
    queries = queries_per_request(world, run=f"q{int(time.time())}")
    print(
        f"SQL statements per request (warm process): intake {queries['intake']}, "
        f"replay {queries['replay']}, minimal {queries['minimal']}",
        flush=True,
    )

    from django.db import connections

    connections.close_all()
    server = start_server(args, env)
    run = f"r{int(time.time())}"
    results: dict[str, dict[str, Any]] = {}
    modes = [args.only] if args.only else ["minimal", "intake"]
    try:
        for mode in modes:
            run_wrk(wrk, args, mode, args.warmup, f"{run}w", data)
        load = os.getloadavg()[0]
        for mode in modes:
            results[mode] = run_wrk(wrk, args, mode, args.seconds, run, data, server)
            print(
                f"{mode:8} {results[mode]['rate']:8.0f} req/s  p50 {ms(results[mode]['p50_us'])}"
                f"  p99 {ms(results[mode]['p99_us'])}",
                flush=True,
            )
        if "intake" in modes:
            results["replay"] = run_wrk(wrk, args, "replay", args.replay_seconds, run, data, server)
    finally:
        stop_server(server)
    load_after = os.getloadavg()[0]

    info = machine()
    print()
    print(
        f"machine: {info['cpu']}; Python {info['python']}, Django {info['django']}, "
        f"PostgreSQL {info['postgresql']}, wrk {info['wrk']}"
    )
    print(
        f"server: gunicorn {args.workers} x {args.worker_class}"
        + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
        + f", GRIDGOV_ENV=production, Redis cache; load: wrk -t{args.wrk_threads} "
        f"-c{args.connections} -d{args.seconds}s"
    )
    print(
        f"load average (1 min): {load:.2f} at the start of the measured runs, "
        f"{load_after:.2f} at the end"
    )
    print()
    print(
        f"{'':9}{'req/s':>9}{'p50':>10}{'p90':>10}{'p99':>10}{'2xx':>9}{'4xx':>6}{'5xx':>6}"
        f"{'sock':>6}"
    )
    for mode, r in results.items():
        socket_errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
        print(
            f"{mode:9}{r['rate']:9.0f}{ms(r['p50_us']):>10}{ms(r['p90_us']):>10}"
            f"{ms(r['p99_us']):>10}{r['ok']:9}{r['client_errors']:6}{r['server_errors']:6}"
            f"{socket_errors:6}"
        )
        if r["first_error"]:
            print(f"          first error: {r['first_error']}")
    print(
        "\nCPU time per answered request (gunicorn workers, their PostgreSQL backends, wrk),"
        "\nand what two cores could answer if they served nothing else (server + database):"
    )
    capacity = {}
    for mode, r in results.items():
        n = max(r["ok"], 1)
        server_ms = 1000 * r["cpu"].get("server", 0.0) / n
        database_ms = 1000 * r["cpu"].get("database", 0.0) / n
        wrk_ms = 1000 * r["cpu"]["wrk"] / n
        capacity[mode] = 2000 / (server_ms + database_ms) if server_ms + database_ms else 0.0
        print(
            f"  {mode:8} server {server_ms:5.2f} ms  database {database_ms:5.2f} ms  "
            f"wrk {wrk_ms:5.2f} ms  -> {capacity[mode]:6.0f} req/s on 2 cores"
        )
    if results.get("minimal", {}).get("rate") and "intake" in results:
        ratio = results["intake"]["rate"] / results["minimal"]["rate"]
        print(f"\nintake / minimal = {ratio:.0%} measured  (goal: >= 50 % and >= 1,000 cases/s)")
        if capacity.get("minimal"):
            print(f"intake / minimal = {capacity['intake'] / capacity['minimal']:.0%} by CPU time")

    print("\nstored:")
    problems = []
    for mode, r in results.items():
        rows = stored(run, mode)
        print(f"  {mode:8} {rows}")
        if rows["rows"] != rows["distinct"]:
            problems.append(f"{mode}: a client id stored twice")
        if mode in ("minimal", "intake"):
            # wrk stops with up to one request per connection in flight: the server still
            # stores those, but wrk never counts their answers.
            if not r["ok"] <= rows["rows"] <= r["ok"] + args.connections:
                problems.append(f"{mode}: {rows['rows']} rows for {r['ok']} answers")
        else:
            sent = args.wrk_threads * REPLAY_IDS
            if rows["rows"] > sent:
                problems.append(f"replay: {rows['rows']} cases for {sent} client ids")
        if mode != "minimal":
            if rows["events"] != rows["rows"] or rows["events_per_case"] not in ((1, 1), (0, 0)):
                problems.append(f"{mode}: archive events {rows['events']} for {rows['rows']}")
            if rows["audit"] != rows["rows"]:
                problems.append(f"{mode}: audit records {rows['audit']} for {rows['rows']}")
            if rows["broken_chains"]:
                problems.append(f"{mode}: {rows['broken_chains']} broken archive chains")
            if rows["unplanned"]:
                problems.append(f"{mode}: {rows['unplanned']} cases without a planned check")
        if r["server_errors"] or r["client_errors"]:
            problems.append(f"{mode}: {r['client_errors']} 4xx, {r['server_errors']} 5xx")
    if problems:
        print("\nPROBLEMS:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print(
        "every answered request stored exactly once; archive chains and audit complete; "
        "every case's next deadline check planned"
    )


if __name__ == "__main__":
    main()
