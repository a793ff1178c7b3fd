"""Staff pages for lists and change requests (R9.2, R9.3): the workflow through the web, role
refusals shown as messages, scoping (another county's objects are not found)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from matters import services
from matters.models import ChangeRequest, ChangeStatus, VersionStatus
from matters.tests.conftest import HS, PJ
from matters.tests.factories import make_published_list


@pytest.fixture
def lists(people, catalogue):
    pj = make_published_list(PJ, ["0101", "0102"])
    hs = make_published_list(HS, ["0201"])
    return pj, hs


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_overview_and_detail_are_scoped(client, people, lists):
    pj, hs = lists
    client.force_login(people.pj_admin)
    html = client.get("/matters/").content.decode()
    assert "蓬江区" in html and "鹤山市" not in html
    assert client.get(f"/matters/lists/{pj.admission_list_id}/").status_code == 200
    assert client.get(f"/matters/lists/{hs.admission_list_id}/").status_code == 404
    assert client.get(f"/matters/versions/{hs.pk}/").status_code == 404
    assert client.get(f"/matters/versions/{pj.pk}/xlsx/").status_code == 200


def test_r9_2_workflow_through_the_web(client, people, lists):
    """Open a draft, add an item, publish, file; the city acknowledges (R9.2)."""
    pj, _hs = lists
    list_id = pj.admission_list_id
    client.force_login(people.pj_admin)
    response = client.post(f"/matters/lists/{list_id}/step/", {"step": "draft"})
    draft = pj.admission_list.draft()
    assert response.status_code == 302 and response["Location"] == f"/matters/versions/{draft.pk}/"
    page = client.get(f"/matters/versions/{draft.pk}/").content.decode()
    assert "加入草稿" in page
    response = client.post(
        f"/matters/versions/{draft.pk}/entries/add/",
        {
            "item": "0201",
            "lead_department": people.pj_justice.pk,
            "co_departments": [people.pj_police.pk],
            "dispatch_limit_amount": 1,
            "dispatch_limit_unit": "workhours",
            "handling_limit_amount": 5,
            "handling_limit_unit": "workdays",
            "amber_threshold_percent": 80,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert draft.entries.filter(item__code="0201").exists()
    response = client.post(
        f"/matters/versions/{draft.pk}/entries/add/",
        {
            "item": "0201",
            "lead_department": people.pj_justice.pk,
            "dispatch_limit_amount": 1,
            "dispatch_limit_unit": "workhours",
            "handling_limit_amount": 5,
            "handling_limit_unit": "workdays",
        },
    )
    assert response.status_code == 400 and "已在第 2 版清单中" in response.content.decode()
    client.post(
        f"/matters/lists/{list_id}/step/", {"step": "publish", "version": 2, "note": "第二版"}
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED and draft.note == "第二版"
    client.post(f"/matters/lists/{list_id}/step/", {"step": "file", "version": 2})
    draft.refresh_from_db()
    assert draft.status == VersionStatus.FILED

    client.force_login(people.city_admin)
    page = client.get(f"/matters/lists/{list_id}/").content.decode()
    assert "确认备案" in page
    client.post(
        f"/matters/lists/{list_id}/step/",
        {"step": "acknowledge", "version": 2, "note": "同意备案"},
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.ACKNOWLEDGED


def test_r9_3_township_cannot_publish_through_the_web(client, people, lists):
    pj, _hs = lists
    services.open_draft(people.pj_admin, pj.admission_list)
    client.force_login(people.baisha_admin)
    page = client.get(f"/matters/lists/{pj.admission_list_id}/").content.decode()
    assert "发布第" not in page  # no button for a township
    response = client.post(
        f"/matters/lists/{pj.admission_list_id}/step/",
        {"step": "publish", "version": 2},
        follow=True,
    )
    assert "须由蓬江区网格化机构管理员办理" in _messages(response)
    assert pj.admission_list.draft() is not None


def test_r9_2_upload_errors_are_listed_on_the_page(client, people, lists):
    pj, _hs = lists
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "准入清单"
    sheet.append(["事项编码", "牵头部门", "派遣时限", "派遣时限单位", "办理时限", "办理时限单位"])
    sheet.append(["0101", "蓬江区公安", 2, "工作小时", 3, "工作日"])
    sheet.append(["0XYZ", "蓬江区水务局", "两", "工作小时", 3, "工作日"])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "list.xlsx"
    client.force_login(people.pj_admin)
    response = client.post(f"/matters/lists/{pj.admission_list_id}/upload/", {"file": data})
    assert response.status_code == 400
    html = response.content.decode()
    assert "上传未保存" in html
    assert "0XYZ" in html and "蓬江区水务局" in html and "派遣时限" in html
    assert pj.admission_list.draft() is None  # nothing saved, not even a draft


def test_r9_3_change_request_through_the_web(client, people, lists):
    """A department head requests; the county agency approves with reasons."""
    _pj, _hs = lists
    client.force_login(people.pj_justice_head)
    assert "提出调整申请" in client.get("/matters/change-requests/").content.decode()
    response = client.post(
        "/matters/change-requests/new/",
        {
            "county": PJ,
            "kind": "add",
            "item": "0201",
            "reason": "邻里纠纷多发,纳入网格排查",
            "lead_department": people.pj_justice.pk,
            "dispatch_limit_amount": 2,
            "dispatch_limit_unit": "workhours",
            "handling_limit_amount": 5,
            "handling_limit_unit": "workdays",
        },
    )
    change = ChangeRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == (
        f"/matters/change-requests/{change.pk}/"
    )
    # The department cannot approve its own request.
    response = client.post(
        f"/matters/change-requests/{change.pk}/review/", {"decision": "approve"}, follow=True
    )
    assert "须由蓬江区网格化机构管理员办理" in _messages(response)
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING

    client.force_login(people.pj_admin)
    page = client.get(f"/matters/change-requests/{change.pk}/").content.decode()
    assert "批准并编入草稿" in page and "邻里纠纷多发" in page
    client.post(
        f"/matters/change-requests/{change.pk}/review/",
        {"decision": "approve", "reason": "同意"},
    )
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and change.applied_to.number == 2


def test_change_request_form_shows_refusals(client, people, lists):
    client.force_login(people.pj_police_head)
    response = client.post(
        "/matters/change-requests/new/",
        {"county": PJ, "kind": "add", "item": "0101", "reason": "重复新增的申请"},
    )
    assert response.status_code == 400
    assert "已在现行清单中" in response.content.decode()


def test_r22_1_a_pengjiang_user_cannot_see_heshan_change_requests(client, people, lists):
    """R22.1/R9.3: change requests are scoped to the county."""
    hs_request = services.submit_change_request(
        people.hs_police_head,
        county_code=HS,
        kind="remove",
        item="0201",
        reason="鹤山市的申请内容",
    )
    client.force_login(people.pj_admin)
    assert "鹤山市的申请内容" not in client.get("/matters/change-requests/").content.decode()
    assert client.get(f"/matters/change-requests/{hs_request.pk}/").status_code == 404
    response = client.post(
        f"/matters/change-requests/{hs_request.pk}/review/", {"decision": "approve"}
    )
    assert response.status_code == 404
    hs_request.refresh_from_db()
    assert hs_request.status == ChangeStatus.PENDING


def test_grid_workers_use_the_public_list(client, people, lists):
    """Grid workers have no staff list pages; the list in force is public (R9.2)."""
    client.force_login(people.leader)
    assert client.get("/matters/").status_code == 403
    assert client.get(f"/public/matters/{PJ}/entries.json").status_code == 200


def test_catalogue_page(client, people, lists):
    client.force_login(people.pj_police_handler)
    html = client.get("/matters/catalogue/").content.decode()
    assert "治安隐患排查" in html and "邻里纠纷" in html
