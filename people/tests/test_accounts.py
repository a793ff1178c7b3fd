"""R20.1, R22.1: one account for web and API, roles bound to jurisdictions, throttled login,
sessions and CSRF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from audit.models import AuditRecord
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.errors import DomainError, Forbidden
from gridgov.testing.people import PASSWORD, make_agency, make_department, make_user
from people import services
from people.models import ApiToken, RoleAssignment

ACTOR = "test"


def _token(client: Client, username: str, password: str = PASSWORD, **extra: str):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
        **extra,
    )


@pytest.mark.django_db
def test_token_login_me_and_logout(client):
    """R20.1: the same account logs in to the API with a token; /me tells roles and places."""
    make_user(R.Role.DEPT_HANDLER, "440703", username="pj_police", department_kind="police")
    response = _token(client, "pj_police")
    assert response.status_code == 200
    key = response.json()["token"]
    assert not ApiToken.objects.filter(key_digest=key).exists()  # only its hash is stored
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "pj_police"
    assert me["jurisdictions"] == ["440703"]
    (grant,) = me["roles"]
    assert (grant["role"], grant["role_name"], grant["department_name"]) == (
        "dept_handler",
        "联动部门经办人",
        "蓬江区公安",
    )
    assert api.delete("/api/v1/auth/token/").status_code == 204
    assert api.get("/api/v1/me/").status_code in {401, 403}


@pytest.mark.django_db
def test_expired_tokens_are_refused(client):
    make_user(R.Role.DISPATCHER, "440703002", username="disp")
    key = _token(client, "disp").json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me/")
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]


@pytest.mark.django_db
def test_wrong_password_is_a_400_with_a_reason(client):
    make_user(R.Role.DISPATCHER, "440703002", username="disp")
    response = _token(client, "disp", "wrong")
    assert response.status_code == 400
    assert response.json()["errors"]["password"]


@pytest.mark.django_db
def test_five_failures_lock_the_account_from_that_address_for_web_and_api(client):
    """R22.1: after 5 failures per account+IP, even the right password is refused for a while;
    another address is not locked; the lock is shared by the web login and the API."""
    make_user(R.Role.DISPATCHER, "440703002", username="disp")
    for _ in range(settings.GRIDGOV_LOGIN_MAX_FAILURES):
        client.post("/accounts/login/", {"username": "disp", "password": "wrong"})
    page = client.post("/accounts/login/", {"username": "disp", "password": PASSWORD})
    assert page.status_code == 200  # the form again, not a redirect
    assert "锁定" in page.content.decode()
    locked = _token(client, "disp")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    elsewhere = _token(client, "disp", REMOTE_ADDR="10.9.9.9")
    assert elsewhere.status_code == 200
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"people.login_failed", "people.login_locked", "people.login_refused_locked"} <= actions


@pytest.mark.django_db
def test_a_successful_login_resets_the_count(client):
    make_user(R.Role.DISPATCHER, "440703002", username="disp")
    for _ in range(settings.GRIDGOV_LOGIN_MAX_FAILURES - 1):
        _token(client, "disp", "wrong")
    assert _token(client, "disp").status_code == 200
    for _ in range(settings.GRIDGOV_LOGIN_MAX_FAILURES - 1):
        _token(client, "disp", "wrong")
    assert _token(client, "disp").status_code == 200


@pytest.mark.django_db
def test_admin_login_is_throttled_too(client):
    make_user(R.Role.AGENCY_ADMIN, "440703", username="pj_admin")
    for _ in range(settings.GRIDGOV_LOGIN_MAX_FAILURES):
        client.post("/admin/login/", {"username": "pj_admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "pj_admin", "password": PASSWORD})
    assert response.status_code == 200 and "锁定" in response.content.decode()


@pytest.mark.django_db
def test_web_login_needs_csrf_and_sessions_expire():
    """R22.1: CSRF is on for the login form; the session cookie expires and is HttpOnly."""
    make_user(R.Role.DISPATCHER, "440703002", username="disp")
    strict = Client(enforce_csrf_checks=True)
    assert (
        strict.post("/accounts/login/", {"username": "disp", "password": PASSWORD}).status_code
        == 403
    )
    page = strict.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    ok = strict.post(
        "/accounts/login/",
        {"username": "disp", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert ok.status_code == 302
    cookie = ok.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert strict.session.get_expire_at_browser_close()


@pytest.mark.django_db
def test_web_pages_need_a_login(client):
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL)


@pytest.mark.django_db
def test_role_rules():
    """R20.1: roles bound to places; department roles to a department; agency roles need an
    agency; administrators grant inside their jurisdiction only, auditors come from the top."""
    user = services.create_account(ACTOR, username="u1", full_name="某人", password=PASSWORD)[0]
    from gridgov.testing.people import ensure_region

    ensure_region("440703002")
    with pytest.raises(DomainError) as refused:
        services.grant_role(ACTOR, user, R.Role.DISPATCHER, region_code="440703002")
    assert refused.value.code == "no_agency"
    with pytest.raises(DomainError) as refused:
        services.grant_role(ACTOR, user, R.Role.DEPT_HANDLER, region_code="440703")
    assert refused.value.field == "department"
    county_admin = make_user(R.Role.AGENCY_ADMIN, "440703")
    make_agency("440703002")
    make_agency("440784")
    services.grant_role(county_admin, user, R.Role.DISPATCHER, region_code="440703002")
    with pytest.raises(Forbidden):
        services.grant_role(county_admin, user, R.Role.DISPATCHER, region_code="440784")
    with pytest.raises(Forbidden):
        services.grant_role(county_admin, user, R.Role.AUDITOR, region_code="440703")
    with pytest.raises(Forbidden):
        services.grant_role(county_admin, user, R.Role.SYSADMIN, region_code="4407")
    again = services.grant_role(county_admin, user, R.Role.DISPATCHER, region_code="440703002")
    assert RoleAssignment.objects.filter(user=user).count() == 1 and again.is_active


@pytest.mark.django_db
def test_admin_site_access_follows_roles():
    user = make_user(R.Role.DISPATCHER, "440703002")
    assert not user.is_staff
    assignment = services.grant_role(ACTOR, user, R.Role.AUDITOR, region_code="440703")
    user.refresh_from_db()
    assert user.is_staff
    services.revoke_role(ACTOR, assignment)
    user.refresh_from_db()
    assert not user.is_staff


@pytest.mark.django_db
def test_helpers_for_later_features():
    """The API later issues use: user_roles, jurisdictions, has_role."""
    department = make_department("urban_management", "440703")
    handler = make_user(R.Role.DEPT_HANDLER, "440703", department_kind="urban_management")
    from gridgov.testing.people import ensure_region

    ensure_region("440703002")
    services.grant_role(ACTOR, handler, R.Role.AUDITOR, region_code="440703002")
    assert {g.role for g in scoping.user_roles(handler)} == {"dept_handler", "auditor"}
    assert scoping.jurisdictions(handler, R.DEPARTMENT_ROLES) == ("440703",)
    assert scoping.has_role(handler, R.Role.DEPT_HANDLER, region_code="440703002101001")
    assert scoping.has_role(handler, R.DEPARTMENT_ROLES, department=department)
    assert not scoping.has_role(handler, R.Role.DEPT_HANDLER, region_code="440784")
    assert not scoping.has_role(handler, R.Role.DISPATCHER)


@pytest.mark.django_db
def test_accounts_api_creates_with_a_role_and_a_one_time_password(client):
    make_agency("440703002")
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    response = client.post(
        "/api/v1/accounts/",
        {
            "username": "new_disp",
            "full_name": "新调度员",
            "role": "dispatcher",
            "region": "440703002",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["generated_password"]
    assert body["roles"][0]["code"] == "440703002"
    fresh = Client()
    assert _token(fresh, "new_disp", body["generated_password"]).status_code == 200
    account = body["id"]
    deactivated = client.post(f"/api/v1/accounts/{account}/deactivate/", {"reason": "离职"},
                              content_type="application/json")  # fmt: skip
    assert deactivated.status_code == 200 and deactivated.json()["is_active"] is False
    assert not ApiToken.objects.filter(user_id=account, revoked_at__isnull=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["two words", "a/b", "1\u00bc"])
def test_r20_1_a_username_outside_the_documented_characters_is_refused(client, username):
    """R20.1: an account's username has only the characters the API documents (letters,
    digits, @.+-_), also after Django's NFKC normalisation ("1¼" would become "11⁄4"); any
    other is a 400 naming the field, and no account is created."""
    make_agency("440703002")
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    created_before = AuditRecord.objects.filter(action="people.account.create").count()
    response = client.post(
        "/api/v1/accounts/",
        {"username": username, "full_name": "新调度员", "role": "dispatcher",
         "region": "440703002"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400, response.content
    assert "username" in response.json()["errors"]
    assert AuditRecord.objects.filter(action="people.account.create").count() == created_before


@pytest.mark.django_db
def test_r20_1_a_chinese_username_is_kept(client):
    """R20.1: letters of any script are letters: 张三 is a username."""
    make_agency("440703002")
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    response = client.post(
        "/api/v1/accounts/",
        {"username": "张三", "full_name": "张三", "role": "dispatcher", "region": "440703002"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["username"] == "张三"


@pytest.mark.django_db
def test_me_works_for_every_role_including_residents(client):
    resident = make_user(R.Role.RESIDENT)
    client.force_login(resident)
    me = client.get("/api/v1/me/").json()
    assert [g["role"] for g in me["roles"]] == ["resident"]
    assert me["jurisdictions"] == []


@pytest.mark.django_db
def test_a_password_reset_by_an_administrator_logs_out_the_devices(client):
    """R22.1: after a reset, tokens issued with the old password stop working."""
    make_agency("440703002")
    admin = make_user(R.Role.AGENCY_ADMIN, "440703")
    user = make_user(R.Role.DISPATCHER, "440703002", username="disp")
    key = _token(client, "disp").json()["token"]
    services.set_password(admin, user, "a-new-password-2024")
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me/").status_code == 401
    assert _token(client, "disp", "a-new-password-2024").status_code == 200
