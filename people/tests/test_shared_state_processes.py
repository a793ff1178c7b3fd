"""R22.1: a logout, a role revocation, a deactivation and failed logins reach every process of
a deployment at once, also without Redis (the shared state then lives in the database).

Two real servers (gunicorn, one worker each, no REDIS_URL) run on the test database; what is
done through one is seen by the very next request to the other.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.access import roles as R
from gridgov.testing.people import PASSWORD, make_agency, make_user
from people.models import RoleAssignment

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(tmp: Path) -> str:
    """A URL the servers can open: the test database itself (PostgreSQL), or a file copy of
    the in-memory SQLite test database (taken after the test's data is committed)."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings["USER"] or "postgres"
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    path = tmp / "shared.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


@contextmanager
def _servers(database_url: str, count: int = 2) -> Iterator[list[str]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GRIDGOV_ENV": "test",
        "GRIDGOV_DEBUG": "0",
        "GRIDGOV_TASKS_BACKEND": "database",
        "DJANGO_SETTINGS_MODULE": "people.tests.server_settings",
    }
    env.pop("REDIS_URL", None)  # the point: no shared cache but the database
    ports = [_free_port() for _ in range(count)]
    gunicorn = [sys.executable, "-m", "gunicorn", "gridgov.wsgi", "--workers", "1",
                "--threads", "1", "--log-level", "warning"]  # fmt: skip
    processes = [
        subprocess.Popen(
            [*gunicorn, "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        for url, process in zip(urls, processes, strict=True):
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:]}")
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _call(method: str, url: str, *, key: str = "", body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Token {key}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode(errors="replace")


def _token(server: str, username: str, password: str = PASSWORD) -> tuple[int, Any]:
    return _call(
        "POST", f"{server}/api/v1/auth/token/", body={"username": username, "password": password}
    )


@pytest.mark.django_db(transaction=True)
def test_r22_1_revocations_and_lockouts_reach_the_other_process_at_once(tmp_path):
    """R22.1: with REDIS_URL unset, the next request to process B after a logout, a role
    revocation or a deactivation done through process A is refused; failed logins counted
    by A and B lock the account together."""
    admin = make_user(R.Role.AGENCY_ADMIN, "440703", username="pj_admin")
    make_agency("440703002")
    dispatcher = make_user(R.Role.DISPATCHER, "440703002", username="disp")
    leaver = make_user(R.Role.DISPATCHER, "440703002", username="leaver")
    make_user(R.Role.DISPATCHER, "440703002", username="target")
    role = RoleAssignment.objects.get(user=dispatcher)
    del admin

    with _servers(_database_url(Path(tempfile.mkdtemp(dir=tmp_path)))) as (a, b):
        admin_key = _token(a, "pj_admin")[1]["token"]

        # Logout (token revoked) through A: B refuses the token on its very next request.
        key = _token(a, "disp")[1]["token"]
        assert _call("GET", f"{b}/api/v1/me/", key=key)[0] == 200  # B has it cached now
        assert _call("DELETE", f"{a}/api/v1/auth/token/", key=key)[0] == 204
        assert _call("GET", f"{b}/api/v1/me/", key=key)[0] == 401

        # Role revocation through A: B's cached grants are dropped at once.
        key = _token(b, "disp")[1]["token"]
        assert _call("GET", f"{b}/api/v1/workers/", key=key)[0] == 200
        revoked = _call(
            "POST", f"{a}/api/v1/role-assignments/{role.pk}/revoke/", key=admin_key, body={}
        )
        assert revoked[0] == 200, revoked
        assert _call("GET", f"{b}/api/v1/workers/", key=key)[0] == 403

        # Deactivation through A: B refuses the account's token at once.
        key = _token(b, "leaver")[1]["token"]
        assert _call("GET", f"{b}/api/v1/me/", key=key)[0] == 200
        deactivated = _call(
            "POST",
            f"{a}/api/v1/accounts/{leaver.pk}/deactivate/",
            key=admin_key,
            body={"reason": "离职"},
        )
        assert deactivated[0] == 200, deactivated
        assert _call("GET", f"{b}/api/v1/me/", key=key)[0] == 401

        # Failed logins are counted together (GRIDGOV_LOGIN_MAX_FAILURES = 5): two through
        # A, two through B, and the fifth, through A, locks the account on both.
        for server in (a, a, b, b):
            assert _token(server, "target", "wrong-password")[0] == 400
        assert _token(a, "target", "wrong-password")[0] == 429
        assert _token(b, "target")[0] == 429  # even the right password, on the other process
        assert _token(a, "target")[0] == 429


@pytest.mark.django_db
def test_r22_1_a_request_reads_the_shared_state_in_one_query(client):
    """R22.1: without Redis, the generation tokens (access, grids, calendar, lists in force)
    of a request cost one query on the cache table, as they cost one round trip to Redis."""
    user = make_user(R.Role.DISPATCHER, "440703002")
    client.force_login(user)
    assert client.get("/api/v1/me/").status_code == 200  # warm: grants cached in the process
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me/").status_code == 200
    on_cache = [q["sql"] for q in queries.captured_queries if "gridgov_cache" in q["sql"]]
    assert len(on_cache) == 1, on_cache
