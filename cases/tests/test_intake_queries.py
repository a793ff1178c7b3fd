"""Intake's hot path (R24.1, R18.1): a bounded number of SQL statements per report, and the
per-process caches behind it (tokens, grants, the lists in force) never answer with what a
change has replaced. Speed itself is measured by ``bench/intake.py``, not here."""

from __future__ import annotations

import itertools

import pytest
from rest_framework.test import APIClient

from cases import services
from cases.inputs import ReportInput
from cases.models import Case, CaseEvent
from gridgov import generations
from gridgov.access import roles as R
from gridgov.access import scoping
from matters import services as matters
from matters.models import AdmissionEntry, MatterItem
from people import services as people_services
from people.auth import issue_token, revoke_token

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
SYSTEM = "test"
_ids = itertools.count(1)

# A report in a warm process: the case, its first archive event and its audit record (on
# PostgreSQL one statement after reserving the case's id, elsewhere three inserts and the
# archive head on the case), the minute's deadline-check job when the task backend is the
# database (as in tests; RQ gets it after commit: a look-up and at most one insert), and a
# savepoint in tests. No look-up precedes it: a resend is caught by the unique idempotency key
# on the case's insert, which then costs the failed insert (and its id reserved), a savepoint
# and its rollback and the read of the stored case with what its answer shows (and, with the
# database task backend, the look-up for its minute's job).
MAX_QUERIES_PER_INTAKE = 8
MAX_QUERIES_PER_REPLAY = 7


def body(world, **kw):
    lng, lat = world.point
    return {
        "lng": lng,
        "lat": lat,
        "matter": world.entry_code,
        "description": "楼道堆放杂物,堵塞消防通道",
        "client_id": f"phone-{next(_ids)}",
        **kw,
    }


def client_for(user) -> APIClient:
    key, _token = issue_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_report_costs_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    """R24.1: once a process is warm (token, grants, list in force, grid index and calendar
    cached), a report over HTTP is a handful of statements, all of them writes but one."""
    client = client_for(world.worker)
    assert client.post(CASES, body(world), format="json").status_code == 201  # warms up
    with django_assert_max_num_queries(MAX_QUERIES_PER_INTAKE):
        response = client.post(CASES, body(world), format="json")
    assert response.status_code == 201, response.data
    case = Case.objects.get(pk=response.data["id"])
    assert case.events.count() == 1 and case.archive_seq == 1


def test_a_resend_costs_a_handful_of_queries(world, django_assert_max_num_queries):
    """R24.1: a phone's resend is answered from the stored case, changing nothing."""
    lng, lat = world.point
    report = dict(lng=lng, lat=lat, matter=world.entry_code, description="路灯不亮")
    first = services.intake(world.worker, ReportInput(client_id="resend-1", **report))
    # As in a request: the generation tokens are read once (one query without Redis, where
    # the shared cache is a database table), not at every use.
    with generations.per_request(), django_assert_max_num_queries(MAX_QUERIES_PER_REPLAY + 1):
        again = services.intake(world.worker, ReportInput(client_id="resend-1", **report))
    assert (again.created, again.case.pk) == (False, first.case.pk)
    assert CaseEvent.objects.filter(case=first.case).count() == 1


def test_the_first_answer_and_a_resend_answer_alike(world):
    """R24.1: the answer built from the new case in hand equals the stored case's answer."""
    client = client_for(world.worker)
    report = body(world, urgent=True, address="江门市蓬江区白沙街道")
    first = client.post(CASES, report, format="json")
    again = client.post(CASES, report, format="json")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    assert first.json()["dispatch_due_at"] is not None


def test_a_settled_report_answers_like_its_resend(world):
    """R24.1 settled on the spot: the case closes at intake; the answer shows it either way."""
    client = client_for(world.worker)
    report = body(world, matter=world.settle_code, settle_note="已劝离占道摊贩")
    first = client.post(CASES, report, format="json")
    again = client.post(CASES, report, format="json")
    assert first.status_code == 201 and first.json()["state"] == "closed"
    assert first.json() == again.json()


# --- the caches give way to changes ------------------------------------------------------------


def test_a_revoked_token_is_refused_at_once(world):
    """R22.1: a cached token stops working the moment it is revoked."""
    key, token = issue_token(world.worker)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.post(CASES, body(world), format="json").status_code == 201
    revoke_token(world.worker, token)
    assert client.post(CASES, body(world), format="json").status_code == 401


def test_a_deactivated_account_is_refused_at_once(world):
    """R22.1: deactivating an account stops its cached token."""
    client = client_for(world.worker)
    assert client.post(CASES, body(world), format="json").status_code == 201
    people_services.set_account_active(SYSTEM, world.worker, False)
    assert client.post(CASES, body(world), format="json").status_code == 401


def test_cached_grants_follow_a_change_of_roles(world):
    """R22.1: grants cached per process change with the roles behind them."""
    before = {g.role for g in scoping.cached_grants(world.resident)}
    assert before == {R.Role.RESIDENT}
    people_services.grant_role(SYSTEM, world.resident, R.Role.DISPATCHER, region_code="440703002")
    after = {g.role for g in scoping.cached_grants(world.resident)}
    assert after == {R.Role.RESIDENT, R.Role.DISPATCHER}


def test_a_report_under_a_new_role_takes_the_new_channel(world):
    """R24.1: the channel follows the roles the user holds now, not those cached earlier."""
    client = client_for(world.resident)
    first = client.post(CASES, body(world), format="json")
    assert (first.status_code, first.json()["channel"]) == (201, "portal")
    people_services.grant_role(SYSTEM, world.resident, R.Role.DISPATCHER, region_code="440703002")
    second = client.post(CASES, body(world), format="json")
    assert (second.status_code, second.json()["channel"]) == (201, "agency")


def test_a_matter_removed_from_the_list_is_refused_after_it_was_admitted(world):
    """R9.1, R23.3: once a new version without the matter is published, the cached list in
    force no longer admits it."""
    client = client_for(world.worker)
    assert client.post(CASES, body(world), format="json").status_code == 201
    draft = matters.open_draft(SYSTEM, matters.version_in_force("440703").admission_list)
    matters.remove_entry(SYSTEM, AdmissionEntry.objects.get(version=draft, item__code="ZA-01"))
    matters.publish_version(SYSTEM, draft)
    refused = client.post(CASES, body(world), format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["matter"]


def test_a_renamed_matter_shows_its_new_name(world):
    """R9.2: the catalogue's wording reaches new reports at once."""
    client = client_for(world.worker)
    first = client.post(CASES, body(world), format="json").json()
    matters.update_item(SYSTEM, MatterItem.objects.get(code="ZA-01"), name="治安隐患排查整治")
    second = client.post(CASES, body(world), format="json").json()
    assert (first["matter_name"], second["matter_name"]) == ("治安隐患排查", "治安隐患排查整治")


def test_a_resend_after_the_matter_left_the_list_gets_the_first_answer(world):
    """R24.1, R9.1: a phone that resends a report after its matter was removed from the list
    (or its photos arrive again) gets the stored case, not a refusal, and nothing new."""
    client = client_for(world.worker)
    report = body(world)
    first = client.post(CASES, report, format="json")
    assert first.status_code == 201
    draft = matters.open_draft(SYSTEM, matters.version_in_force("440703").admission_list)
    matters.remove_entry(SYSTEM, AdmissionEntry.objects.get(version=draft, item__code="ZA-01"))
    matters.publish_version(SYSTEM, draft)
    again = client.post(CASES, report, format="json")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Case.objects.filter(pk=first.json()["id"]).count() == 1
    assert CaseEvent.objects.filter(case_id=first.json()["id"]).count() == 1
    # A new report of that matter is refused.
    assert client.post(CASES, body(world), format="json").status_code == 400
