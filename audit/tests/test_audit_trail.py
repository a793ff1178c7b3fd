"""R28.1, R22.1: every change is attributable (actor, role, time, action, object, before/after,
request id, client address); auditors read and export the trail and the personal-data access
log of their jurisdiction; nobody can change or delete a record."""

from __future__ import annotations

import io

import pytest
from django.db import connection, transaction
from openpyxl import load_workbook

from audit.models import AuditImmutableError, AuditRecord, PersonalDataAccess
from gridgov.access import roles as R
from gridgov.testing.people import make_agency, make_user, make_worker
from people import services


@pytest.mark.django_db
def test_a_change_through_the_api_records_who_what_when_where(client):
    """R28.1: actor, role, time, action, object, before/after, request id, client IP."""
    agency = make_agency("440703002")
    admin = make_user(R.Role.AGENCY_ADMIN, "440703", username="pj_admin")
    client.force_login(admin)
    response = client.patch(
        f"/api/v1/agencies/{agency.pk}/",
        {"supervision_phone": "0750-3888888"},
        content_type="application/json",
        HTTP_X_REQUEST_ID="req-0000-audit-01",
        REMOTE_ADDR="192.168.10.7",
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-0000-audit-01"
    record = AuditRecord.objects.get(action="people.agency.update")
    assert record.actor == admin and record.actor_name == "pj_admin"
    assert record.role == "agency_admin"
    assert (record.object_type, record.object_id) == ("people.gridagency", str(agency.pk))
    assert record.before["supervision_phone"] == "0750-3270000"
    assert record.after["supervision_phone"] == "0750-3888888"
    assert record.region_code == "440703002"
    assert (record.request_id, record.client_ip, record.channel) == (
        "req-0000-audit-01",
        "192.168.10.7",
        "api",
    )


@pytest.mark.django_db
def test_a_refused_change_leaves_nothing_behind(client):
    agency = make_agency("440703002")
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    before = AuditRecord.objects.count()
    response = client.patch(
        f"/api/v1/agencies/{agency.pk}/",
        {"supervision_phone": "no"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert AuditRecord.objects.count() == before


@pytest.mark.django_db
def test_records_cannot_be_changed_or_deleted():
    """R28.1: not through the model, not through a queryset, not through SQL."""
    make_agency("440703")
    record = AuditRecord.objects.latest("pk")
    record.note = "rewritten"
    with pytest.raises(AuditImmutableError):
        record.save()
    with pytest.raises(AuditImmutableError):
        record.delete()
    with pytest.raises(AuditImmutableError):
        AuditRecord.objects.filter(pk=record.pk).update(note="x")
    with pytest.raises(AuditImmutableError):
        AuditRecord.objects.all().delete()
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditrecord SET note = 'x' WHERE id = %s", [record.pk])
    worker = make_worker("fulltime", grid_code="440703002101001")
    services.reveal("test", worker, "id_number", reason="核实身份信息")
    access = PersonalDataAccess.objects.get()
    with pytest.raises(AuditImmutableError):
        access.delete()
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_personaldataaccess SET reason = 'x'")


@pytest.mark.django_db
def test_no_interface_writes_the_trail(client):
    """R28.1: the API has no write route; the admin offers no add, change or delete."""
    auditor = make_user(R.Role.AUDITOR, "440703", username="auditor")
    make_agency("440703002")
    record = AuditRecord.objects.filter(region_code__startswith="440703").latest("pk")
    client.force_login(auditor)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(
            f"/api/v1/audit/{record.pk}/", {}, content_type="application/json"
        )
        assert response.status_code == 405, method
    created = client.post("/api/v1/audit/", {}, content_type="application/json")
    assert created.status_code in {403, 405}
    change = client.post(f"/admin/audit/auditrecord/{record.pk}/change/", {"note": "x"})
    assert change.status_code == 403
    assert client.get("/admin/audit/auditrecord/add/").status_code == 403
    assert client.post(f"/admin/audit/auditrecord/{record.pk}/delete/").status_code == 403


@pytest.mark.django_db
def test_only_auditors_read_the_trail(client):
    """R28.1: the auditor role reads the trail; administrators do not."""
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    assert client.get("/api/v1/audit/").status_code == 403
    assert client.get("/audit/").status_code == 403
    client.force_login(make_user(R.Role.AUDITOR, "440703"))
    assert client.get("/api/v1/audit/").status_code == 200
    assert client.get("/audit/").status_code == 200


@pytest.mark.django_db
def test_auditors_see_their_jurisdiction_only(client):
    make_agency("440703002", name="白沙街道网格化服务管理中心")
    make_agency("440784001", name="沙坪街道网格化服务管理中心")
    client.force_login(make_user(R.Role.AUDITOR, "440703"))
    shown = [r["object_repr"] for r in client.get("/api/v1/audit/").json()["results"]]
    assert "白沙街道网格化服务管理中心" in shown
    assert "沙坪街道网格化服务管理中心" not in shown


@pytest.mark.django_db
def test_web_filters_detail_and_exports(client):
    """R28.1: filters by action, actor, region, request and time; CSV and xlsx exports."""
    make_agency("440703002")
    worker = make_worker("fulltime", grid_code="440703002101001")
    admin = make_user(R.Role.AGENCY_ADMIN, "440703", username="pj_admin")
    services.update_worker(admin, worker, work_phone="0750-3999999")
    client.force_login(make_user(R.Role.AUDITOR, "440703", username="auditor"))
    page = client.get("/audit/", {"action": "people.worker", "actor": "pj_admin"}).content.decode()
    assert "people.worker.update" in page and "people.agency.create" not in page
    record = AuditRecord.objects.get(action="people.worker.update")
    detail = client.get(f"/audit/{record.pk}/").content.decode()
    assert "0750-3999999" in detail and "work_phone" in detail
    # Roles and channels by their names; the codes stay in the record and its exports.
    assert "网格化机构管理员" in page and "网格化机构管理员" in detail
    assert "<td>agency_admin</td>" not in page
    api = client.get(
        "/api/v1/audit/", {"action": "people.worker.update", "since_date": "2000-01-01"}
    )
    assert [r["id"] for r in api.json()["results"]] == [record.pk]
    csv = client.get("/audit/export/", {"action": "people.worker", "format": "csv"})
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("编号,时间,操作人")
    assert "people.worker.update" in text and "people.agency.create" not in text
    xlsx = client.get("/audit/export/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "时间", "操作人")
    assert any("people.worker.update" in row for row in rows[1:])
    # Exporting the trail is itself recorded.
    assert AuditRecord.objects.filter(action="audit.export.audit-trail").count() == 2


@pytest.mark.django_db
def test_personal_data_access_log_for_auditors(client):
    """R22.1: every reveal is visible to auditors: who, whose data, which field, why, when."""
    worker = make_worker("fulltime", grid_code="440703002101001", name="林网格员")
    admin = make_user(R.Role.AGENCY_ADMIN, "440703", username="pj_admin")
    services.reveal(admin, worker, "personal_phone", reason="联系本人核实住址")
    client.force_login(make_user(R.Role.AUDITOR, "440703"))
    (row,) = client.get("/api/v1/audit/personal-data/").json()["results"]
    assert (row["actor_name"], row["subject_repr"], row["field"], row["reason"]) == (
        "pj_admin",
        "林网格员(专职网格员)",
        "personal_phone",
        "联系本人核实住址",
    )
    page = client.get("/audit/personal-data/").content.decode()
    assert "联系本人核实住址" in page and "林网格员" in page
    export = client.get("/audit/personal-data/export/", {"format": "csv"})
    assert "联系本人核实住址" in b"".join(export.streaming_content).decode("utf-8-sig")


@pytest.mark.django_db
def test_logins_are_on_the_trail(client):
    from gridgov.testing.people import PASSWORD

    make_user(R.Role.DISPATCHER, "440703002", username="disp")
    client.post("/accounts/login/", {"username": "disp", "password": "nope"})
    client.post("/accounts/login/", {"username": "disp", "password": PASSWORD})
    actions = list(
        AuditRecord.objects.filter(action__startswith="people.login").values_list(
            "action", flat=True
        )
    )
    assert actions[-2:] in (["people.login", "people.login_failed"],
                            ["people.login_failed", "people.login"])  # fmt: skip


# --- searched numbers never stay in the trail in clear (R28.1, R22.1) -----------------------


def test_r28_1_numbers_in_text_and_query_strings_are_masked():
    from audit import personal_data as pd

    assert pd.mask_query_string("match=440703198501010019&q=%E5%BC%A0") == (
        "match=4407**********0019&q=%E5%BC%A0"
    )
    assert pd.mask_query_string("match=138-0000-0005&x=%2B86+13800000005") == (
        "match=138****0005&x=138****0005"
    )
    assert pd.mask_numbers_in_text("请回电 13800000005,证件 44070319850101001x") == (
        "请回电 138****0005,证件 4407**********001X"
    )
    assert pd.mask_query_string("region=440703002&page=2") == "region=440703002&page=2"


@pytest.mark.django_db
def test_r28_1_an_export_by_a_full_id_number_is_recorded_masked(client):
    """R28.1: the export's audit record keeps its query, with the searched number masked."""
    clear = "440703198501010019"
    admin = make_user(R.Role.AGENCY_ADMIN, "440703")
    client.force_login(admin)
    assert client.get("/people/workers/export/", {"match": clear, "q": "测试"}).status_code == 200
    auditor = make_user(R.Role.AUDITOR, "440703")
    client.force_login(auditor)
    assert client.get("/audit/export/", {"q": clear}).status_code == 200
    notes = list(
        AuditRecord.objects.filter(action__in=["people.worker.export", "audit.export.audit-trail"])
        .order_by("pk")
        .values_list("note", flat=True)
    )
    assert len(notes) == 2
    assert clear not in " ".join(notes)
    assert "4407**********0019" in notes[0] and "4407**********0019" in notes[1]
