"""Schemathesis over the whole OpenAPI schema (R22.1 API, issue 10): no server error, and every
response is one the schema documents (status code and body).

The schema is the one drf-spectacular serves at ``/api/schema/``, loaded from the Django WSGI
application in-process (no network); every operation is called through the same application,
authenticated with an API token as

- a dispatcher (调度员) of 白沙街道, and
- a system administrator (系统管理员) of 江门市,

in the three-jurisdiction test world of ``gridgov.testing.world`` (regions, grids, workers,
agencies, departments, cases, matter lists …). Path parameters are aimed at zone A's real
object of the operation's model for three quarters of the examples (deterministically, from
the generated value), so that actions and reads answer from real data and not only 404.

Destructive operations (token deletion, password reset, deactivation, ending assignments …)
are kept meaningful by running every example inside a savepoint that is rolled back after
its checks: each example sees the same world, and no operation needs excluding. What a
savepoint cannot undo is reset by hand: the per-process grid index (``regions.index``).

Bounded and reproducible: derandomized generation (Hypothesis' fixed seed from the test
function), ``MAX_EXAMPLES`` per operation and mode (positive, negative), no coverage or
stateful phase, no example database.

Measured (2 cores shared with other test runs, one process, MAX_EXAMPLES = 4, positive and
negative generation): 138 operations a role (140 less the known list below), 1,078 examples
a role. SQLite: 20-35 s a role, plus 2-13 s to build the world; PostgreSQL (with Redis): 21 s
(dispatcher) and 53 s (administrator), world 2-26 s; 65-105 s for the file in one process,
about half that under ``-n auto`` (the two roles go to two workers).
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from gridgov.access import roles as R
from gridgov.testing import world as tw
from regions import index

MAX_EXAMPLES = 4
SCHEMA_PATH = "/api/schema/?format=json"

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.response_schema_conformance,
]

ROLES = {
    "dispatcher": R.Role.DISPATCHER,
    "administrator": R.Role.SYSADMIN,
}


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "output": {"truncation": {"enabled": False}},
            "phases": {
                "coverage": {"enabled": False},
                "stateful": {"enabled": False},
            },
        }
    )


def _real_targets(paths: list[str], world: tw.World) -> dict[tuple[str, str], Any]:
    """For each templated path, the value of zone A's object of the view's model."""
    targets: dict[tuple[str, str], Any] = {}
    for template in paths:
        if "{" not in template:
            continue
        probe = template.replace("{id}", "1").replace("{code}", "440703002101001")
        try:
            match = resolve(probe.split("?")[0])
        except Resolver404:
            continue
        view = getattr(match.func, "cls", None)
        if view is None:
            continue
        model = view.scoped_model() if hasattr(view, "scoped_model") else None
        if model is None:
            queryset = getattr(view, "queryset", None)
            model = queryset.model if queryset is not None else None
        if model is None:
            continue
        label = model._meta.label_lower
        if label not in tw.FACTORIES:
            continue
        obj = world.get(label, tw.HOME)
        lookup = getattr(view, "lookup_field", "pk") or "pk"
        for name in ("id", "code"):
            if "{" + name + "}" in template:
                value = getattr(obj, lookup if lookup != "pk" else "pk")
                targets[(template, name)] = value
    return targets


@pytest.fixture
def no_request_connection_closing() -> Iterator[None]:
    """Django's test client stops request_started/finished from closing the connection (it
    would end the test's transaction); calling the WSGI handler directly needs the same."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=sorted(ROLES))
def fuzz_world(request, db, monkeypatch, no_request_connection_closing) -> dict[str, Any]:
    """The world, and the token of the role under test."""
    from people import auth

    # Wrong passwords from one address slow later checks by seconds (R20.1); not the subject.
    monkeypatch.setattr(auth, "pause", lambda seconds: None)
    tw.load_app_factories()
    world = tw.World().build()
    user = tw.person_with_role(ROLES[request.param])
    key, _token = auth.issue_token(user, label="fuzz")
    return {"world": world, "headers": {"Authorization": f"Token {key}"}, "targets": {}}


@pytest.fixture
def api_schema(fuzz_world: dict[str, Any]) -> schemathesis.BaseSchema:
    """The schema drf-spectacular serves, loaded through the WSGI application."""
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, WSGIHandler(), config=_config())
    fuzz_world["targets"] = _real_targets(list(schema.raw_schema["paths"]), fuzz_world["world"])
    return schema


def _aim(case: schemathesis.Case, targets: dict[tuple[str, str], Any]) -> None:
    """Point three examples in four at a real object (deterministic: from the drawn value)."""
    for name, value in list((case.path_parameters or {}).items()):
        real = targets.get((case.operation.path, name))
        if real is not None and zlib.crc32(repr(value).encode()) % 4:
            case.path_parameters[name] = real


def _run_operation(
    operation: schemathesis.APIOperation, fuzz_world: dict[str, Any], mode: Any
) -> int:
    """Hypothesis over one operation; returns the number of examples run."""
    calls = 0

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        nonlocal calls
        calls += 1
        _aim(case, fuzz_world["targets"])
        with transaction.atomic():
            response = case.call(headers=fuzz_world["headers"])
            transaction.set_rollback(True)
        index.reset()
        case.validate_response(response, checks=CHECKS)

    run()
    return calls


def _summary(exc: BaseException) -> str:
    """The failure's text, with the server's traceback when it answered 5xx."""
    text = str(exc)
    if isinstance(exc, BaseExceptionGroup):
        text += "\n" + "\n".join(str(e) for e in exc.exceptions)
    return text


@pytest.mark.fuzz
def test_every_operation_answers_as_documented(api_schema, fuzz_world, caplog) -> None:
    """R22.1: no operation answers 5xx, and status code and body are the documented ones."""
    from schemathesis import GenerationMode

    # Thousands of refused requests: django.request's warnings would bury the failures.
    caplog.set_level(logging.ERROR, logger="django.request")

    failures: list[str] = []
    operations = examples = 0
    started = time.monotonic()
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                examples += _run_operation(operation, fuzz_world, mode)
            except Unsatisfiable:
                pass  # nothing to make invalid (no parameters, no body): negative has no case
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label} ({mode.value}): {_summary(exc)}")
    elapsed = time.monotonic() - started
    print(f"fuzz: {operations} operations, {examples} examples, {elapsed:.1f} s")
    assert operations > 100
    assert not failures, f"{len(failures)} failing operations:\n" + "\n\n".join(failures)
