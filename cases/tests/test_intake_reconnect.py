"""Intake after the database dropped the connection (R24.1): PostgreSQL restarted, a pooler or
a firewall closed an idle connection. The next report is stored (201), not refused with a 500
until the kept connection ages out: intake writes through Django's connection only, and
Django checks a kept connection before its first use in a request (``CONN_HEALTH_CHECKS``)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import close_old_connections, connection

from cases.models import Case
from cases.tests.test_intake_queries import CASES, body, client_for

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ending a backend is PostgreSQL's"
)


def next_request() -> None:
    """What the WSGI handler does between two requests (Django's test client leaves it out):
    Django decides whether to keep the connection and checks it before its next use."""
    close_old_connections()


def terminate_this_backend() -> None:
    """End this process's database session from a second connection, as a restart does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    settings = connection.settings_dict
    params = {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as other:
        # Waits (up to 5 s) until the session is gone: a signal alone does not end it at once.
        (ended,) = other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()
    assert ended


def test_r24_1_a_report_after_the_connection_was_closed_is_stored(live_world):
    """R24.1: a report after the connection was closed between two requests is stored."""
    client = client_for(live_world.worker)
    assert client.post(CASES, body(live_world), format="json").status_code == 201
    connection.close()
    next_request()
    second = client.post(CASES, body(live_world), format="json")
    assert second.status_code == 201, second.data
    assert Case.objects.filter(pk=second.json()["id"]).exists()


@on_postgres
def test_r24_1_a_report_after_the_database_ended_the_session_is_stored(live_world):
    """R24.1: after PostgreSQL ended the session of a kept connection (a restart), the next
    report is stored with 201, not a 500 (it was: for the minute the connection was kept)."""
    client = client_for(live_world.worker)
    assert client.post(CASES, body(live_world), format="json").status_code == 201
    next_request()
    terminate_this_backend()
    next_request()
    second = client.post(CASES, body(live_world), format="json")
    assert second.status_code == 201, second.data
    stored = Case.objects.get(pk=second.json()["id"])
    assert stored.events.count() == 1 and stored.archive_seq == 1
