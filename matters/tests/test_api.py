"""The matters API (R9.1–R9.3, R23.3): catalogue, lists and their workflow actions, versions,
entries in force, change requests with approve/reject, the gate check; scoped (R22.1)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from matters import services
from matters.models import AdmissionListVersion, ChangeRequest, ChangeStatus, VersionStatus
from matters.tests.conftest import HS, PJ, PJ_GRID
from matters.tests.factories import make_published_list

API = "/api/v1/matters"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def lists(people, catalogue):
    pj = make_published_list(PJ, ["0101", "0102"], filed=True)
    hs = make_published_list(HS, ["0201"])
    return pj, hs


def test_catalogue_lists_categories_with_items_and_searches_items(api, people, lists):
    api.force_authenticate(people.pj_dispatcher)
    data = api.get(f"{API}/catalogue/").json()
    assert [c["code"] for c in data] == ["01", "02"]
    assert [i["code"] for i in data[0]["items"]] == ["0101", "0102", "0103"]
    items = api.get(f"{API}/catalogue/items/", {"q": "纠纷"}).json()["results"]
    assert [i["code"] for i in items] == ["0201", "0202"]
    items = api.get(f"{API}/catalogue/items/", {"category": "01"}).json()["results"]
    assert len(items) == 3


def test_r9_2_catalogue_changes_are_the_citys(api, people, lists):
    api.force_authenticate(people.pj_admin)
    response = api.post(f"{API}/catalogue/", {"city": "4407", "code": "03", "name": "安全隐患"})
    assert response.status_code == 403
    assert "市网格化机构管理员" in response.json()["detail"]
    api.force_authenticate(people.city_admin)
    category = api.post(f"{API}/catalogue/", {"city": "4407", "code": "03", "name": "安全隐患"})
    assert category.status_code == 201
    item = api.post(
        f"{API}/catalogue/items/",
        {
            "category": category.json()["id"],
            "code": "0301",
            "name": "消防安全隐患",
            "keywords": "消防 通道",
            "settle_on_spot_allowed": True,
        },
        format="json",
    )
    assert item.status_code == 201, item.json()
    assert item.json()["keywords"] == ["消防", "通道"]
    patched = api.patch(f"{API}/catalogue/items/{item.json()['id']}/", {"name": "消防隐患"})
    assert patched.json()["name"] == "消防隐患" and patched.json()["code"] == "0301"


def test_r9_2_entries_in_force_for_a_county(api, people, lists):
    """What an intake form offers: code, name, lead department, limits (R9.2)."""
    api.force_authenticate(people.baisha_dispatcher)
    response = api.get(f"{API}/entries/", {"county": PJ})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["code"] for r in rows] == ["0101", "0102"]
    first = rows[0]
    assert first["name"] == "治安隐患排查"
    assert first["category"]["code"] == "01"
    assert first["lead_department"]["name"] == "蓬江区公安"
    assert (first["dispatch_limit_amount"], first["dispatch_limit_unit"]) == (2, "workhours")
    assert (first["handling_limit_amount"], first["handling_limit_unit"]) == (3, "workdays")
    assert first["settle_on_spot_allowed"] is True
    assert first["version"]["number"] == 1
    # Another county's entries are not there, even when asked for.
    assert api.get(f"{API}/entries/", {"county": HS}).json()["results"] == []
    assert [r["code"] for r in api.get(f"{API}/entries/", {"q": "可疑"}).json()["results"]] == [
        "0102"
    ]


def test_entries_in_force_follow_publication(api, people, lists):
    pj, _hs = lists
    draft = services.open_draft(people.pj_admin, pj.admission_list)
    services.remove_entry(people.pj_admin, draft.entries.get(item__code="0102"))
    api.force_authenticate(people.pj_admin)
    codes = [r["code"] for r in api.get(f"{API}/entries/", {"county": PJ}).json()["results"]]
    assert codes == ["0101", "0102"]  # the draft is not in force
    draft_rows = api.get(f"{API}/entries/", {"version": draft.pk}).json()["results"]
    assert [r["code"] for r in draft_rows] == ["0101"]
    api.post(f"{API}/lists/{pj.admission_list_id}/publish/", {}, format="json")
    codes = [r["code"] for r in api.get(f"{API}/entries/", {"county": PJ}).json()["results"]]
    assert codes == ["0101"]


def test_lists_and_workflow_actions(api, people, lists):
    pj, _hs = lists
    list_url = f"{API}/lists/{pj.admission_list_id}"
    api.force_authenticate(people.pj_admin)
    body = api.get(f"{API}/lists/").json()["results"]
    assert [b["county"]["code"] for b in body] == [PJ]
    assert body[0]["in_force"]["number"] == 1 and body[0]["draft"] is None

    draft = api.post(f"{list_url}/draft/", {}, format="json").json()
    assert (draft["number"], draft["status"], draft["based_on"]) == (2, "draft", 1)
    entry = AdmissionListVersion.objects.get(pk=draft["id"]).entries.get(item__code="0101")
    patched = api.patch(f"{API}/entries/{entry.pk}/", {"handling_limit_amount": 2}, format="json")
    assert patched.status_code == 200 and patched.json()["handling_limit_amount"] == 2
    added = api.post(
        f"{API}/entries/",
        {
            "version": draft["id"],
            "item": "0201",
            "lead_department": people.pj_justice.pk,
            "dispatch_limit_amount": 1,
            "dispatch_limit_unit": "workhours",
            "handling_limit_amount": 5,
            "handling_limit_unit": "workdays",
        },
        format="json",
    )
    assert added.status_code == 201, added.json()
    published = api.post(f"{list_url}/publish/", {"note": "第二版"}, format="json").json()
    assert published["status"] == "published" and published["in_force"] is True

    # Frozen: editing a published entry is a 400 naming the reason.
    frozen = api.patch(f"{API}/entries/{entry.pk}/", {"handling_limit_amount": 9}, format="json")
    assert frozen.status_code == 400 and frozen.json()["code"] == "frozen"
    assert api.delete(f"{API}/entries/{entry.pk}/").status_code == 400

    version = api.get(f"{API}/versions/{published['id']}/").json()
    assert version["changes"]["added"] == [{"code": "0201", "name": "邻里纠纷"}]
    assert version["changes"]["changed"][0]["fields"] == ["handling_limit_amount"]
    assert len(version["entries"]) == 3

    filed = api.post(f"{list_url}/file/", {}, format="json").json()
    assert filed["status"] == "filed" and filed["number"] == 2
    refused = api.post(f"{list_url}/acknowledge/", {}, format="json")
    assert refused.status_code == 403
    api.force_authenticate(people.city_admin)
    acked = api.post(f"{list_url}/acknowledge/", {"note": "同意备案"}, format="json").json()
    assert (
        acked["status"] == VersionStatus.ACKNOWLEDGED and acked["acknowledged_by"] == "city_admin"
    )
    # Version 1 was filed earlier and still waits: acknowledge it by number.
    acked1 = api.post(f"{list_url}/acknowledge/", {"version": 1}, format="json").json()
    assert acked1["number"] == 1 and acked1["status"] == "acknowledged"

    versions = api.get(f"{API}/versions/", {"county": PJ}).json()["results"]
    assert [(v["number"], v["in_force"]) for v in versions] == [(2, True), (1, False)]


def test_r9_3_township_cannot_publish_via_api(api, people, lists):
    pj, _hs = lists
    services.open_draft(people.pj_admin, pj.admission_list)
    api.force_authenticate(people.baisha_admin)
    response = api.post(f"{API}/lists/{pj.admission_list_id}/publish/", {}, format="json")
    assert response.status_code == 403
    assert "须由蓬江区网格化机构管理员办理" in response.json()["detail"]
    api.force_authenticate(people.pj_police_head)
    response = api.post(f"{API}/lists/{pj.admission_list_id}/publish/", {}, format="json")
    assert response.status_code == 403


def test_xlsx_downloads_and_upload(api, people, lists):
    pj, _hs = lists
    api.force_authenticate(people.pj_admin)
    response = api.get(f"{API}/lists/{pj.admission_list_id}/xlsx/")
    assert response.status_code == 200
    data = response.content
    assert load_workbook(io.BytesIO(data))["准入清单"].max_row == 3
    assert api.get(f"{API}/versions/{pj.pk}/xlsx/").status_code == 200
    upload = io.BytesIO(data)
    upload.name = "pj.xlsx"
    response = api.post(
        f"{API}/lists/{pj.admission_list_id}/upload/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "draft" and response.json()["entry_count"] == 2
    bad = io.BytesIO(b"not a workbook")
    bad.name = "bad.xlsx"
    response = api.post(
        f"{API}/lists/{pj.admission_list_id}/upload/", {"file": bad}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["errors"]["file"]


def test_upload_reports_rows(api, people, lists):
    from openpyxl import Workbook

    pj, _hs = lists
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["事项编码", "牵头部门", "派遣时限", "派遣时限单位", "办理时限", "办理时限单位"])
    sheet.append(["0101", "不存在的部门", 2, "工作小时", 3, "工作日"])
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "bad.xlsx"
    api.force_authenticate(people.pj_admin)
    response = api.post(
        f"{API}/lists/{pj.admission_list_id}/upload/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bad_rows"
    assert body["rows"] == [
        {
            "row": 2,
            "column": "牵头部门",
            "value": "不存在的部门",
            "message": body["rows"][0]["message"],
        }
    ]


def test_r9_3_change_requests_api(api, people, lists):
    api.force_authenticate(people.pj_justice_head)
    response = api.post(
        f"{API}/change-requests/",
        {
            "county": PJ,
            "kind": "add",
            "item": "0201",
            "reason": "邻里纠纷多发,纳入网格",
            "lead_department": people.pj_justice.pk,
            "co_departments": [people.pj_police.pk],
            "dispatch_limit_amount": 2,
            "dispatch_limit_unit": "workhours",
            "handling_limit_amount": 5,
            "handling_limit_unit": "workdays",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    change = response.json()
    assert change["status"] == "pending" and change["item"]["code"] == "0201"
    assert change["requesting_department"]["name"] == "蓬江区司法行政"
    assert [d["name"] for d in change["co_departments"]] == ["蓬江区公安"]
    url = f"{API}/change-requests/{change['id']}"

    # A department cannot approve.
    response = api.post(f"{url}/approve/", {"reason": "同意"}, format="json")
    assert response.status_code == 403
    api.force_authenticate(people.baisha_admin)
    assert api.post(f"{url}/approve/", {}, format="json").status_code == 403

    api.force_authenticate(people.pj_admin)
    pending = api.get(f"{API}/change-requests/", {"status": "pending"}).json()["results"]
    assert [p["id"] for p in pending] == [change["id"]]
    response = api.post(f"{url}/reject/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    approved = api.post(f"{url}/approve/", {"reason": "同意纳入"}, format="json").json()
    assert approved["status"] == "approved" and approved["applied_to"]["number"] == 2
    assert approved["reviewed_by"] == "pj_admin" and approved["review_reason"] == "同意纳入"


def test_change_request_reject_and_withdraw_api(api, people, lists):
    first = services.submit_change_request(
        people.pj_police_head, county_code=PJ, kind="remove", item="0102", reason="移出网格管理"
    )
    api.force_authenticate(people.pj_admin)
    rejected = api.post(
        f"{API}/change-requests/{first.pk}/reject/", {"reason": "仍需网格员排查"}, format="json"
    )
    assert rejected.json()["status"] == "rejected"
    second = services.submit_change_request(
        people.pj_police_head, county_code=PJ, kind="remove", item="0102", reason="再次申请移出"
    )
    api.force_authenticate(people.pj_police_head)
    withdrawn = api.post(f"{API}/change-requests/{second.pk}/withdraw/", {}, format="json")
    assert withdrawn.json()["status"] == ChangeStatus.WITHDRAWN


def test_r22_1_pengjiang_cannot_see_heshan_change_requests(api, people, lists):
    """R22.1, R9.3: a 蓬江区 user cannot see or act on 鹤山市's change requests."""
    hs_request = services.submit_change_request(
        people.hs_police_head, county_code=HS, kind="remove", item="0201", reason="鹤山市申请"
    )
    for user in (people.pj_admin, people.pj_police_head, people.baisha_admin):
        api.force_authenticate(user)
        assert api.get(f"{API}/change-requests/").json()["results"] == []
        assert api.get(f"{API}/change-requests/{hs_request.pk}/").status_code == 404
        response = api.post(f"{API}/change-requests/{hs_request.pk}/approve/", {}, format="json")
        assert response.status_code == 404
    response = api.post(
        f"{API}/change-requests/",
        {"county": HS, "kind": "remove", "item": "0201", "reason": "跨县申请"},
        format="json",
    )
    assert response.status_code == 403
    assert ChangeRequest.objects.count() == 1
    api.force_authenticate(people.hs_admin)
    assert len(api.get(f"{API}/change-requests/").json()["results"]) == 1


def test_r23_3_gate_check_endpoint(api, people, lists):
    api.force_authenticate(people.baisha_dispatcher)
    yes = api.get(f"{API}/entries/admit/", {"matter": "0101", "grid": PJ_GRID}).json()
    assert yes["admitted"] is True and yes["entry"]["code"] == "0101"
    assert yes["version"]["number"] == 1 and yes["county"] == PJ
    no = api.get(f"{API}/entries/admit/", {"matter": "0201", "grid": PJ_GRID}).json()
    assert no["admitted"] is False and no["reason"] == "not_on_list" and "0201" in no["detail"]
    foreign = api.get(f"{API}/entries/admit/", {"matter": "0201", "county": HS})
    assert foreign.status_code == 404


def test_grid_workers_and_anonymous_have_no_staff_api(api, people, lists):
    api.force_authenticate(people.leader)
    assert api.get(f"{API}/entries/").status_code == 403
    api.force_authenticate(None)
    assert api.get(f"{API}/lists/").status_code in {401, 403}


def test_openapi_schema_lists_the_matters_endpoints(api, people):
    api.force_authenticate(people.pj_admin)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/matters/catalogue/",
        "/api/v1/matters/catalogue/items/",
        "/api/v1/matters/lists/{id}/publish/",
        "/api/v1/matters/lists/{id}/file/",
        "/api/v1/matters/lists/{id}/acknowledge/",
        "/api/v1/matters/lists/{id}/upload/",
        "/api/v1/matters/versions/{id}/",
        "/api/v1/matters/entries/",
        "/api/v1/matters/entries/admit/",
        "/api/v1/matters/change-requests/{id}/approve/",
        "/api/v1/matters/change-requests/{id}/reject/",
    ):
        assert path in paths, path
