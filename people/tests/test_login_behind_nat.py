"""R22.1: failures from one address (a township office behind one NAT) slow the password checks
from it instead of locking everyone out; the client address comes from a proxy header only
when that proxy is configured as trusted."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditRecord
from gridgov.access import roles as R
from gridgov.testing.people import PASSWORD, make_user
from people import auth

OFFICE = "10.20.30.40"


@pytest.fixture
def pauses(monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr(auth, "pause", waited.append)
    return waited


def _token(client: Client, username: str, password: str, **extra: str):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
        **extra,
    )


@pytest.mark.django_db
def test_r22_1_many_failures_from_one_address_do_not_lock_out_a_colleague(pauses, settings):
    """R22.1: 36 failures on nine accounts from the office address (none of them locked), then
    a colleague with the right password still logs in from that address, on the web and
    through the API; the checks from the busy address were slowed."""
    settings.GRIDGOV_LOGIN_ADDRESS_FAILURES = 30
    for n in range(9):
        make_user(R.Role.DISPATCHER, "440703", username=f"clerk{n}")
    make_user(R.Role.DISPATCHER, "440703", username="colleague")
    client = Client(REMOTE_ADDR=OFFICE)
    for n in range(9):
        for _ in range(settings.GRIDGOV_LOGIN_MAX_FAILURES - 1):
            assert _token(client, f"clerk{n}", "wrong-password").status_code == 400
    assert pauses == [settings.GRIDGOV_LOGIN_SLOWDOWN_SECONDS] * 6  # failures 31 to 36
    web = client.post("/accounts/login/", {"username": "colleague", "password": PASSWORD})
    assert web.status_code == 302, web.content.decode()
    api = _token(Client(REMOTE_ADDR=OFFICE), "colleague", PASSWORD)
    assert api.status_code == 200, api.content
    assert len(pauses) == 8  # the colleague's two checks waited too
    # Another address is not slowed at all.
    assert _token(Client(REMOTE_ADDR="10.9.9.9"), "colleague", PASSWORD).status_code == 200
    assert len(pauses) == 8
    # The per-account lock stays: a fifth failure of one clerk from the office locks that pair.
    assert _token(client, "clerk0", "wrong-password").status_code == 429
    assert _token(client, "clerk0", PASSWORD).status_code == 429
    assert "slowed=" in AuditRecord.objects.filter(action="people.login_failed").latest("pk").note


@pytest.mark.django_db
def test_r22_1_a_spoofed_forwarded_for_header_is_ignored(pauses, settings):
    """R22.1: without a trusted proxy, X-Forwarded-For changes nothing: failures with a new
    forged address each time still lock the account from the real address."""
    make_user(R.Role.DISPATCHER, "440703", username="disp")
    client = Client(REMOTE_ADDR=OFFICE)
    for n in range(settings.GRIDGOV_LOGIN_MAX_FAILURES):
        _token(client, "disp", "wrong-password", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    refused = _token(client, "disp", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert refused.status_code == 429
    ips = set(AuditRecord.objects.filter(action__startswith="people.login").values_list(
        "client_ip", flat=True))  # fmt: skip
    assert ips == {OFFICE}


@pytest.mark.django_db
def test_r22_1_behind_a_trusted_proxy_the_forwarded_client_is_the_address(pauses, settings):
    """R22.1: with the proxy configured as trusted, the client is the address the proxy
    forwarded (the rightmost untrusted one): failures of one client do not lock another, and
    the audit trail records the real client."""
    proxy = "10.0.0.2"
    settings.GRIDGOV_TRUSTED_PROXIES = ["10.0.0.0/24"]
    make_user(R.Role.DISPATCHER, "440703", username="disp")
    client = Client(REMOTE_ADDR=proxy)
    for _ in range(settings.GRIDGOV_LOGIN_MAX_FAILURES):
        # The client forged the left part; the proxy appended what it saw.
        _token(client, "disp", "wrong-password", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    locked = _token(client, "disp", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert locked.status_code == 429
    other = _token(client, "disp", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8, 10.0.0.3")
    assert other.status_code == 200
    login = AuditRecord.objects.get(action="people.login")
    assert login.client_ip == "203.0.113.8"
    # A request not from the proxy cannot claim a forwarded address.
    settings.GRIDGOV_TRUSTED_PROXIES = ["10.0.0.0/24"]
    direct = _token(Client(REMOTE_ADDR="192.0.2.1"), "disp", PASSWORD,
                    HTTP_X_FORWARDED_FOR="203.0.113.7")  # fmt: skip
    assert direct.status_code == 200
    assert AuditRecord.objects.filter(action="people.login").latest("pk").client_ip == "192.0.2.1"
