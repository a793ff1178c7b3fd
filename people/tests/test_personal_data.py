"""R22.1: ID-card numbers and personal phones are validated, encrypted at rest, searchable by
keyed hash, masked everywhere, and shown in full only through a logged reveal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from audit import personal_data as pd
from audit.models import AuditRecord, PersonalDataAccess
from gridgov.access import roles as R
from gridgov.errors import DomainError
from gridgov.testing.people import id_number, make_user, make_worker
from people.models import GridWorker

ROOT = Path(__file__).resolve().parents[2]


# --- validation ----------------------------------------------------------------------------


def test_valid_id_numbers_pass_and_lowercase_x_is_normalised():
    assert pd.normalize_id_number("11010519491231002X") == "11010519491231002X"
    assert pd.normalize_id_number("11010519491231002x") == "11010519491231002X"
    valid = id_number(1)
    spaced = f" {valid[:6]} {valid[6:14]} {valid[14:]} "
    assert pd.normalize_id_number(spaced) == valid


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("44070319850101001", "id_length"),
        ("4407031985010100199", "id_length"),
        ("44070319850101001A", "id_format"),
        ("99070319850101001" + pd.id_check_char("99070319850101001"), "id_region"),
        ("44070319850230001" + pd.id_check_char("44070319850230001"), "id_birth_date"),
        ("44070321990101001" + pd.id_check_char("44070321990101001"), "id_birth_date"),
        ("440703198501010018", "id_check_digit"),
    ],
)
def test_bad_id_numbers_are_refused_with_the_reason(value, code):
    """R22.1: 18 characters, a real province, a real birth date, the GB 11643 check digit."""
    with pytest.raises(DomainError) as refused:
        pd.normalize_id_number(value)
    assert refused.value.code == code
    assert refused.value.field == "id_number"


def test_check_digit_follows_gb_11643():
    # Published example from GB 11643-1999.
    assert pd.id_check_char("11010519491231002") == "X"


@pytest.mark.parametrize("value", ["13812345678", "+86 138-1234-5678", "008619912345678"])
def test_mobile_numbers_are_normalised(value):
    assert len(pd.normalize_mobile(value)) == 11


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "0750-3273605"])
def test_bad_mobile_numbers_are_refused(value):
    with pytest.raises(DomainError) as refused:
        pd.normalize_mobile(value)
    assert refused.value.field == "personal_phone"


def test_masks_show_only_the_ends():
    assert pd.mask_mobile("13812345678") == "138****5678"
    assert pd.mask_id_number("44070319900101123X") == "4407**********123X"


# --- at rest -------------------------------------------------------------------------------


def test_encryption_round_trip_and_binding_to_the_column():
    token = pd.encrypt("13812345678", purpose="people.gridworker.personal_phone")
    assert "13812345678" not in token
    assert pd.decrypt(token, purpose="people.gridworker.personal_phone") == "13812345678"
    # The same plaintext encrypts differently each time (random nonce).
    assert token != pd.encrypt("13812345678", purpose="people.gridworker.personal_phone")
    # Copied into another column, it no longer decrypts.
    with pytest.raises(pd.UndecryptableError):
        pd.decrypt(token, purpose="people.gridworker.id_number")


def test_keyed_hash_depends_on_the_key_and_the_kind():
    a = pd.digest("13812345678", kind="mobile")
    assert a == pd.digest("13812345678", kind="mobile")
    assert a != pd.digest("13812345678", kind="id_number")
    assert len(a) == 64


@pytest.mark.django_db
def test_the_database_never_holds_the_clear_values():
    """R22.1: no column of the worker row contains the ID number or the personal phone."""
    worker = make_worker("fulltime", grid_code="440703002101001", seed=5)
    clear_id, clear_phone = id_number(5), "13800000005"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_gridworker WHERE id = %s", [worker.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert clear_id not in row
    assert clear_phone not in row
    assert worker.id_number_masked == clear_id[:4] + "*" * 10 + clear_id[-4:]
    assert worker.personal_phone_masked == "138****0005"
    # ...nor does the audit trail of its creation.
    record = AuditRecord.objects.get(action="people.worker.create", object_id=str(worker.pk))
    assert clear_id not in str(record.after) and clear_phone not in str(record.after)


@pytest.mark.django_db
def test_exact_search_by_keyed_hash(client):
    """R22.1: staff find a worker by the exact ID number or phone, without decrypting."""
    make_worker("fulltime", grid_code="440703002101001", seed=5)
    make_worker("fulltime", grid_code="440703002101001", seed=6)
    admin = make_user(R.Role.AGENCY_ADMIN, "440703")
    client.force_login(admin)
    found = client.get("/api/v1/workers/", {"match": id_number(6)}).json()["results"]
    assert [w["name"] for w in found] == ["测试fulltime6"]
    found = client.get("/api/v1/workers/", {"match": "138-0000-0005"}).json()["results"]
    assert [w["name"] for w in found] == ["测试fulltime5"]
    assert client.get("/api/v1/workers/", {"match": "1380000"}).json()["results"] == []


# --- API: masked by default, 400 on bad values -----------------------------------------------


@pytest.mark.django_db
def test_api_shows_masked_values_only(client):
    worker = make_worker("fulltime", grid_code="440703002101001", seed=5)
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    body = client.get(f"/api/v1/workers/{worker.pk}/").json()
    assert body["id_number"] == worker.id_number_masked
    assert body["personal_phone"] == "138****0005"
    assert id_number(5) not in str(body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "reason_code"),
    [
        ("id_number", "440703198501010018", "校验位"),
        ("id_number", "4407031985", "18 位"),
        ("personal_phone", "1381234", "11 位"),
    ],
)
def test_api_refuses_bad_values_with_field_and_reason(client, field, value, reason_code):
    """R22.1: 400 naming the field and the reason; nothing stored."""
    from gridgov.testing.people import ensure_region

    ensure_region("440703002101")
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    payload = {
        "name": "新网格员",
        "kind": "fulltime",
        "village": "440703002101",
        "id_number": id_number(8),
        "personal_phone": "13800000008",
        field: value,
    }
    response = client.post("/api/v1/workers/", payload, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"]
    assert reason_code in body["errors"][field][0]
    assert not GridWorker.objects.filter(name="新网格员").exists()


# --- reveal --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reveal_shows_the_value_and_logs_it(client):
    """R22.1: an administrator reveals one value with a reason; the access log has it."""
    worker = make_worker("fulltime", grid_code="440703002101001", seed=5)
    admin = make_user(R.Role.AGENCY_ADMIN, "440703", username="pj_admin")
    client.force_login(admin)
    response = client.post(
        f"/api/v1/workers/{worker.pk}/reveal/",
        {"field": "personal_phone", "reason": "联系本人核实住址"},
        content_type="application/json",
        HTTP_X_REQUEST_ID="req-reveal-0001",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 200
    assert response.json() == {"field": "personal_phone", "value": "13800000005"}
    log = PersonalDataAccess.objects.get()
    assert (log.actor, log.field, log.reason, log.granted) == (
        admin,
        "personal_phone",
        "联系本人核实住址",
        True,
    )
    assert log.subject_id == str(worker.pk)
    assert log.role == "agency_admin"
    assert log.request_id == "req-reveal-0001"
    assert log.client_ip == "10.1.2.3"


@pytest.mark.django_db
def test_reveal_needs_a_reason(client):
    worker = make_worker("fulltime", grid_code="440703002101001", seed=5)
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    response = client.post(
        f"/api/v1/workers/{worker.pk}/reveal/",
        {"field": "id_number", "reason": "看"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


@pytest.mark.django_db
def test_roles_that_do_not_need_personal_data_cannot_reveal_and_the_attempt_is_logged(client):
    """R22.1: a dispatcher sees the worker (masked) but gets 403 on reveal; logged as refused."""
    worker = make_worker("fulltime", grid_code="440703002101001", seed=5)
    dispatcher = make_user(R.Role.DISPATCHER, "440703002")
    client.force_login(dispatcher)
    assert client.get(f"/api/v1/workers/{worker.pk}/").status_code == 200
    response = client.post(
        f"/api/v1/workers/{worker.pk}/reveal/",
        {"field": "id_number", "reason": "想看一下号码"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert id_number(5) not in response.content.decode()
    log = PersonalDataAccess.objects.get()
    assert log.granted is False and log.actor == dispatcher


@pytest.mark.django_db
def test_reveal_outside_the_jurisdiction_is_not_found(client):
    worker = make_worker("fulltime", grid_code="440784001001001", seed=5)
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    response = client.post(
        f"/api/v1/workers/{worker.pk}/reveal/",
        {"field": "id_number", "reason": "核实身份信息"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_web_reveal_shows_the_value_once(client):
    worker = make_worker("fulltime", grid_code="440703002101001", seed=5)
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    page = client.get(f"/people/workers/{worker.pk}/").content.decode()
    assert "138****0005" in page and "13800000005" not in page
    assert "查看完整" in page
    response = client.post(
        f"/people/workers/{worker.pk}/reveal/",
        {"field": "personal_phone", "reason": "联系本人核实住址"},
    )
    assert "13800000005" in response.content.decode()
    # The next visit is masked again.
    assert "13800000005" not in client.get(f"/people/workers/{worker.pk}/").content.decode()
    htmx = client.post(
        f"/people/workers/{worker.pk}/reveal/",
        {"field": "id_number", "reason": "核实身份信息"},
        HTTP_HX_REQUEST="true",
    )
    assert id_number(5) in htmx.content.decode()
    assert PersonalDataAccess.objects.count() == 2


@pytest.mark.django_db
def test_exports_are_masked(client):
    make_worker("fulltime", grid_code="440703002101001", seed=5)
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    response = client.get("/people/workers/export/?format=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "138****0005" in body
    assert "13800000005" not in body and id_number(5) not in body


# --- the key -------------------------------------------------------------------------------


def _settings_in(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDGOV_")}
    full_env.update({"DJANGO_SETTINGS_MODULE": "gridgov.settings", **env})
    full_env.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "GRIDGOV_ENV": "production",
    "GRIDGOV_SECRET_KEY": "x" * 50,
    "GRIDGOV_VAR_DIR": "/tmp/gridgov-test-var",
}


def test_production_refuses_to_start_without_the_data_key():
    """R22.1: a missing key in production is a start-up error, not a surprise later."""
    result = _settings_in(PRODUCTION, "import django; django.setup()")
    assert result.returncode != 0
    assert "GRIDGOV_DATA_KEY" in result.stderr


def test_production_refuses_a_malformed_data_key():
    result = _settings_in(
        {**PRODUCTION, "GRIDGOV_DATA_KEY": "too-short"}, "import django; django.setup()"
    )
    assert result.returncode != 0
    assert "GRIDGOV_DATA_KEY must be 32 random bytes" in result.stderr


def test_production_starts_with_a_key_and_hashes_passwords_with_argon2():
    """R22.1: strong password hashing in production (tests swap in MD5 for speed)."""
    code = (
        "import django; django.setup();"
        "from django.conf import settings;"
        "print(settings.PASSWORD_HASHERS[0]);"
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
    )
    result = _settings_in({**PRODUCTION, "GRIDGOV_DATA_KEY": "ab" * 32}, code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split()
    assert lines[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert lines[1:] == ["True", "True"]


@pytest.mark.django_db
def test_a_changed_data_key_is_reported_not_a_crash(client, settings):
    """R22.1: values encrypted under another key say so (503), they never come out garbled."""
    worker = make_worker("fulltime", grid_code="440703002101001", seed=5)
    admin = make_user(R.Role.AGENCY_ADMIN, "440703")
    settings.GRIDGOV_DATA_KEY = "cd" * 32
    pd.reset_keys()
    try:
        client.force_login(admin)
        response = client.post(
            f"/api/v1/workers/{worker.pk}/reveal/",
            {"field": "id_number", "reason": "核实身份信息"},
            content_type="application/json",
        )
        assert response.status_code == 503
        assert "GRIDGOV_DATA_KEY" in response.json()["detail"]
    finally:
        settings.GRIDGOV_DATA_KEY = ""
        pd.reset_keys()
