"""The grid worker's phone app without JavaScript: every page and form through Django's test
client (R24.1, R26.1, R22.1)."""

from __future__ import annotations

import json

import pytest

from cases.models import Case, Channel, State
from fieldwork.tests.conftest import handled_case, photo, resident_report

pytestmark = pytest.mark.django_db


def report_data(world, **kw):
    lng, lat = world.point
    data = {
        "lng": f"{lng:.6f}",
        "lat": f"{lat:.6f}",
        "matter": world.entry_code,
        "description": "井盖缺失,行人易跌落",
        "client_id": "8c5d7a0e-4d0f-4a4c-9d6b-0f1c2b3a4d5e",
    }
    data.update(kw)
    return data


# --- who may use the app ----------------------------------------------------------------------


def test_signed_out_worker_is_sent_to_the_login_page_and_back(client, world):
    response = client.get("/m/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=/m/" in response["Location"]


def test_grid_worker_lands_on_the_phone_app_after_login(worker_client):
    """The menu entry of the app is the grid roles' landing page."""
    response = worker_client.get("/")
    assert response.status_code == 302 and response["Location"] == "/m/"


def test_someone_without_a_grid_is_told_the_app_is_for_grid_workers(client, world):
    client.force_login(world.dispatcher)
    response = client.get("/m/")
    assert response.status_code == 403
    assert "供网格长和网格员使用" in response.content.decode()
    assert client.get("/m/report/").status_code == 403


# --- today's tasks ----------------------------------------------------------------------------


def test_tasks_list_reports_to_verify_cases_to_check_and_my_reports(worker_client, world):
    """R24.1, R26.1: the worker sees what waits for them in their grid."""
    to_verify = resident_report(world, description="楼道堆放杂物")
    to_check = handled_case(world)
    elsewhere = resident_report(world, description="另一网格的问题")
    Case.objects.filter(pk=elsewhere.pk).update(grid_code=world.grids[1].code)
    mine = worker_client.post("/m/report/", report_data(world))
    assert mine.status_code == 302

    page = worker_client.get("/m/").content.decode()
    verify_part, rest = page.split("待核查", 1)
    check_part, recent_part = rest.split("我的上报", 1)
    assert to_verify.tracking_code in verify_part
    assert to_check.tracking_code in check_part and to_check.tracking_code not in verify_part
    assert "井盖缺失" in recent_part
    assert elsewhere.tracking_code not in page  # another grid's report is not my task
    assert 'rel="manifest"' in page and "/m/manifest.webmanifest" in page


def test_tasks_reload_as_an_htmx_fragment(worker_client, world):
    resident_report(world)
    response = worker_client.get("/m/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "待核实" in body and "楼道堆放杂物" in body


# --- report a case ----------------------------------------------------------------------------


def test_report_form_offers_the_county_list_in_force_and_my_grid(worker_client, world):
    """R9.2, R23.3: the matters offered are the county's entries in force, nothing else."""
    response = worker_client.get("/m/report/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="ZA-01"' in body and 'value="ZA-02" data-settle' in body
    assert 'value="ZA-03"' not in body  # in the catalogue, not on the list
    assert 'capture="environment"' in body and 'accept="image/*"' in body
    shapes = json.loads(body.split('id="grid-shapes" type="application/json">')[1].split("<")[0])
    assert [s["code"] for s in shapes] == [world.grids[0].code]
    assert shapes[0]["geometry"]["type"] == "Polygon"


def test_report_without_javascript_creates_one_case_however_often_sent(worker_client, world):
    """R24.1: a worker's report is verified at once; a resend with the same client_id is the
    same case (idempotent intake)."""
    data = report_data(world, urgent="true")
    first = worker_client.post("/m/report/", {**data, "photos": photo()})
    second = worker_client.post("/m/report/", {**data, "photos": photo()})
    assert first.status_code == second.status_code == 302
    case = Case.objects.get()
    assert (case.state, case.channel, case.urgency) == (State.VERIFIED, Channel.WORKER, "urgent")
    assert case.attachments.count() == 1
    assert case.reporter == world.worker
    page = worker_client.get("/m/").content.decode()
    assert case.tracking_code in page  # the message and "my reports"


def test_settled_on_the_spot_closes_the_case(worker_client, world):
    data = report_data(world, matter=world.settle_code, settled="true", settle_note="已劝离摊贩")
    assert worker_client.post("/m/report/", data).status_code == 302
    case = Case.objects.get()
    assert case.state == State.CLOSED and case.settled_on_spot


def test_settle_note_is_ignored_unless_settled_is_ticked(worker_client, world):
    data = report_data(world, matter=world.settle_code, settle_note="草稿")
    worker_client.post("/m/report/", data)
    assert Case.objects.get().state == State.VERIFIED


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"matter": ""}, "matter", "请选择事项"),
        ({"lng": "113.5", "lat": "22.9"}, "lng", "不在任何网格内"),
        ({"matter": "ZA-03"}, "matter", "ZA-03"),
        ({"description": " "}, "description", "请填写描述"),  # by its label, not its name
        ({"settled": "true", "settle_note": ""}, "settle_note", "处置情况"),
        ({"settled": "true", "settle_note": "已处理"}, "settle_note", "不允许现场处置"),
    ],
)
def test_a_refused_report_shows_why_and_keeps_what_was_typed(
    worker_client, world, change, field, message
):
    """Bad input: a clear error next to the field, nothing stored, the form as typed."""
    data = report_data(world, address="江华路 12 号", **change)
    response = worker_client.post("/m/report/", data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body.split(f'data-error-for="{field}"', 1)[1].split("</p>", 1)[0]
    assert 'value="江华路 12 号"' in body
    assert data["client_id"] in body  # the same key: a corrected resend is still one case
    assert not Case.objects.exists()


def test_r22_1_the_report_form_names_involved_persons_stored_protected(worker_client, world):
    """R22.1: the phone's form has rows for the people involved; a row left blank is no
    one; the numbers are stored encrypted and shown masked."""
    form = worker_client.get("/m/report/").content.decode()
    assert 'name="involved-0-phone"' in form and 'name="involved-2-id_number"' in form
    data = report_data(
        world,
        **{
            "involved-0-name": "张三",
            "involved-0-role": "party",
            "involved-0-phone": "138 0013 8000",
            "involved-1-name": "李四",
            "involved-1-role": "respondent",
            "involved-2-role": "party",  # nothing typed: no person
        },
    )
    assert worker_client.post("/m/report/", data).status_code == 302
    persons = list(Case.objects.get().involved_persons.order_by("position"))
    assert [(p.name, p.role, p.phone_masked) for p in persons] == [
        ("张三", "party", "138****8000"),
        ("李四", "respondent", ""),
    ]


def test_r22_1_a_bad_involved_number_is_shown_next_to_the_persons(worker_client, world):
    """R22.1: a malformed number is refused with the reason under the persons' rows, the
    rows kept as typed, nothing stored."""
    data = report_data(world, **{"involved-0-name": "张三", "involved-0-id_number": "4407"})
    response = worker_client.post("/m/report/", data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "身份证号码" in body.split('data-error-for="involved"', 1)[1].split("</p>", 1)[0]
    assert 'value="张三"' in body
    assert not Case.objects.exists()


# --- one case: verify, settle, check ----------------------------------------------------------


def test_case_page_offers_verification_of_a_resident_report(worker_client, world):
    case = resident_report(world)
    body = worker_client.get(f"/m/cases/{case.pk}/").content.decode()
    assert 'data-outbox-form="verify"' in body
    assert f'data-api="/api/v1/cases/{case.pk}/verify/"' in body
    assert 'data-outbox-form="check"' not in body
    assert "13800" not in body  # no reporter phone on the phone app


def test_verify_valid_and_invalid(worker_client, world):
    """R24.1: valid → verified (goes to the agency); not true → declined with the note."""
    real, false = resident_report(world), resident_report(world, description="假报")
    response = worker_client.post(
        f"/m/cases/{real.pk}/", {"action": "verify", "valid": "true", "photos": photo()}
    )
    assert response.status_code == 302
    real.refresh_from_db()
    assert real.state == State.VERIFIED and real.attachments.count() == 1

    response = worker_client.post(f"/m/cases/{false.pk}/", {"action": "verify", "valid": "false"})
    assert response.status_code == 400
    error = response.content.decode().split('data-error-for="note"')[1].split("</p>")[0]
    assert "请填写说明" in error  # the note, by its label
    worker_client.post(
        f"/m/cases/{false.pk}/", {"action": "verify", "valid": "false", "note": "现场无此情况"}
    )
    false.refresh_from_db()
    assert false.state == State.DECLINED and false.decline_reason == "现场无此情况"


def test_verify_needs_a_choice(worker_client, world):
    case = resident_report(world)
    response = worker_client.post(f"/m/cases/{case.pk}/", {"action": "verify"})
    assert response.status_code == 400 and "请选择核实结果" in response.content.decode()


def test_settle_a_reported_case_on_the_spot(worker_client, world):
    case = resident_report(world, matter=world.settle_code)
    body = worker_client.get(f"/m/cases/{case.pk}/").content.decode()
    assert 'data-outbox-form="settle"' in body
    worker_client.post(f"/m/cases/{case.pk}/", {"action": "settle", "note": "已清理"})
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.settled_on_spot


def test_check_a_handled_case_on_site(worker_client, world):
    """R26.1: the grid worker checks the department's result on site: pass closes."""
    case = handled_case(world)
    body = worker_client.get(f"/m/cases/{case.pk}/").content.decode()
    assert 'data-outbox-form="check"' in body
    worker_client.post(f"/m/cases/{case.pk}/", {"action": "check", "passed": "true"})
    case.refresh_from_db()
    assert case.state == State.CLOSED


def test_failed_check_needs_the_reasons(worker_client, world):
    case = handled_case(world)
    response = worker_client.post(f"/m/cases/{case.pk}/", {"action": "check", "passed": "false"})
    assert response.status_code == 400
    worker_client.post(
        f"/m/cases/{case.pk}/", {"action": "check", "passed": "false", "note": "灯仍不亮"}
    )
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS and case.rework_count == 1


def test_an_action_not_open_to_this_user_is_refused(worker_client, world):
    case = handled_case(world)
    response = worker_client.post(f"/m/cases/{case.pk}/", {"action": "verify", "valid": "true"})
    assert response.status_code == 400 and "不能核实" in response.content.decode()
    response = worker_client.post(f"/m/cases/{case.pk}/", {"action": "dispatch"})
    assert response.status_code == 400


def test_a_case_of_another_grid_is_not_found(client, world):
    """R22.1: the leader of grid 1 does not see grid 2's cases."""
    from gridgov.access import roles as R
    from gridgov.testing import people

    other = people.make_user(R.Role.GRID_WORKER_FULLTIME, world.grids[1].code, username="w2")
    case = resident_report(world)
    client.force_login(other)
    assert client.get(f"/m/cases/{case.pk}/").status_code == 404
    response = client.post(f"/m/cases/{case.pk}/", {"action": "verify", "valid": "true"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == State.REPORTED


def test_department_staff_may_open_a_case_page_but_get_no_phone_actions(client, world):
    case = handled_case(world)
    client.force_login(world.police_handler)
    body = client.get(f"/m/cases/{case.pk}/").content.decode()
    assert case.tracking_code in body and "data-outbox-form" not in body
