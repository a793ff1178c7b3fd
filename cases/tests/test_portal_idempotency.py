"""Anonymous portal reports (R18.1, R22.1): a ``client_id`` counts within its reporter's own
namespace (this browser's secret, or the account), so replaying someone else's ``client_id``
never answers with their case or its tracking code."""

from __future__ import annotations

import pytest
from django.test import Client

from cases import services
from cases.inputs import ReportInput
from cases.models import Case
from cases.tests.test_portal import report_data
from cases.views_public import REPORTER_COOKIE, reporter_key

pytestmark = pytest.mark.django_db

URL = "/public/report/"


def tracking_code(response) -> str:
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"].split("/public/track/")[1].split("/")[0]


def test_r18_1_replaying_anothers_client_id_never_returns_their_tracking_code(world):
    """R18.1, R22.1: a second visitor who sends the first visitor's client_id (same content,
    even) gets a case of their own, never the first one's tracking code; the first visitor's
    resend is still one case."""
    victim, attacker = Client(), Client()
    victim.get(URL)  # the form gives the browser its secret
    code = tracking_code(victim.post(URL, report_data(world)))
    stolen = attacker.post(URL, report_data(world))
    assert tracking_code(stolen) != code
    assert code not in stolen.content.decode()
    assert tracking_code(victim.post(URL, report_data(world))) == code  # the victim's resend
    assert Case.objects.count() == 2


def test_r18_1_the_browser_secret_is_a_signed_httponly_cookie_and_only_its_hash_is_kept(world):
    """R22.1: the secret travels in a signed, HttpOnly cookie; the case's key holds a hash of
    it; a tampered cookie is a new browser (its replay makes a new case)."""
    client = Client()
    form = client.get(URL)
    cookie = form.cookies[REPORTER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"]
    code = tracking_code(client.post(URL, report_data(world)))
    signed = client.cookies[REPORTER_COOKIE].value
    raw = signed.split(":")[0]
    case = Case.objects.get(tracking_code=code)
    assert raw not in case.idempotency_key
    assert case.idempotency_key == f"b{reporter_key(raw)}:{report_data(world)['client_id']}"
    forger = Client()
    forger.cookies[REPORTER_COOKIE] = raw  # the secret without the server's signature
    assert tracking_code(forger.post(URL, report_data(world))) != code


def test_r18_1_a_visitor_without_a_secret_gets_no_shared_namespace(world):
    """R18.1: the service never files anonymous reports under one shared namespace: without
    a reporter key an anonymous report is simply not idempotent."""
    from django.contrib.auth.models import AnonymousUser

    lng, lat = world.point
    report = dict(lng=lng, lat=lat, matter=world.entry_code, description="井盖缺失")
    visitor = AnonymousUser()
    first = services.intake(visitor, ReportInput(channel="portal", client_id="same", **report)).case
    second = services.intake(
        visitor, ReportInput(channel="portal", client_id="same", **report)
    ).case
    assert first.pk != second.pk and first.idempotency_key is None
    scoped = services.intake(
        visitor, ReportInput(channel="portal", client_id="same", **report), reporter_key="abc"
    ).case
    again = services.intake(
        visitor, ReportInput(channel="portal", client_id="same", **report), reporter_key="abc"
    )
    assert (again.created, again.case.pk) == (False, scoped.pk)
    other = services.intake(
        visitor, ReportInput(channel="portal", client_id="same", **report), reporter_key="def"
    )
    assert other.created and other.case.pk != scoped.pk


def test_r18_1_signed_in_reporters_are_scoped_to_their_account(world):
    """R18.1: an account's client_id is its own: the same id from another account or from an
    anonymous browser is another report."""
    resident = Client()
    resident.force_login(world.resident)
    code = tracking_code(resident.post(URL, report_data(world)))
    assert tracking_code(Client().post(URL, report_data(world))) != code
    assert tracking_code(resident.post(URL, report_data(world))) == code
