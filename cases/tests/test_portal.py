"""The resident portal (R18.1): report without an account, get a tracking code, follow the
public progress (no one's personal data), rate the result; signed-in residents' own list."""

from __future__ import annotations

import pytest

from cases import services
from cases.inputs import ReportInput
from cases.models import Case, Channel, State
from cases.tests.conftest import photo
from matters import services as matters
from matters.models import AdmissionList, MatterCategory

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def report_data(world, **kw):
    lng, lat = world.point
    data = {
        "lng": f"{lng:.6f}",
        "lat": f"{lat:.6f}",
        "matter": world.entry_code,
        "description": "小区门口路灯坏了一周",
        "address": "羊桥路 3 号",
        "reporter_phone": PHONE,
        "reporter_name": "陈女士",
        "client_id": "0f9e8d7c-6b5a-4c3d-8e1f-123456789abc",
    }
    data.update(kw)
    return data


def closed_case(world, case):
    """Drive a resident's case through the loop to closed (the agency checks it)."""
    services.verify(world.worker, case.pk)
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk)
    services.sign(world.police_handler, case.pk)
    services.sign(world.urban_handler, case.pk)
    services.feedback(world.urban_handler, case.pk, note="协助清理现场")
    services.feedback(world.police_handler, case.pk, note="已由张三师傅更换灯具,电话13700000000")
    return services.check(world.dispatcher, case.pk, passed=True, note="李四核查通过")


# --- home -------------------------------------------------------------------------------------


def test_public_home_offers_report_track_grids_and_the_counties_lists(client, world):
    body = client.get("/").content.decode()
    for text in ("我要反映", "查询办理进度", "网格公示", "网格事项准入清单"):
        assert text in body
    assert 'href="/public/report/"' in body and 'href="/public/track/"' in body
    assert 'href="/public/matters/440703/"' in body and "蓬江区" in body


# --- report -----------------------------------------------------------------------------------


def test_report_form_lists_the_entries_in_force_and_the_county_outline(client, world):
    body = client.get("/public/report/").content.decode()
    assert 'value="ZA-01"' in body and 'value="ZA-02"' in body and 'value="ZA-03"' not in body
    assert 'id="county-outlines"' in body and '"440703"' in body
    assert 'name="client_id" value="' in body and 'name="reporter_phone"' in body
    assert "data-unsure hidden" in body  # no catch-all entry on this list


def test_anonymous_report_gets_a_tracking_code_and_a_double_submit_is_one_case(client, world):
    """R18.1: a resident reports through the portal without an account; the phone is stored
    encrypted and masked; the hidden client_id makes a double submit one case."""
    data = report_data(world)
    first = client.post("/public/report/", {**data, "photos": photo()})
    second = client.post("/public/report/", {**data, "photos": photo()})
    case = Case.objects.get()
    assert (case.state, case.channel, case.reporter) == (State.REPORTED, Channel.PORTAL, None)
    assert case.reporter_phone_masked == "139****5678"
    assert PHONE not in case.reporter_phone_encrypted
    assert case.attachments.count() == 1
    expected = f"/public/track/{case.tracking_code}/?new=1"
    assert first["Location"] == second["Location"] == expected
    page = client.get(expected).content.decode()
    assert "请记下查询码" in page and f"data-tracking-code>{case.tracking_code}<" in page


def test_a_signed_in_resident_reports_as_themselves(client, world):
    client.force_login(world.resident)
    client.post("/public/report/", report_data(world))
    case = Case.objects.get()
    assert case.reporter == world.resident and case.channel == Channel.PORTAL


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"reporter_phone": ""}, "reporter_phone", "请填写手机号码"),
        ({"reporter_phone": "12345"}, "reporter_phone", "手机号码"),
        ({"matter": ""}, "matter", "请选择事项"),
        ({"matter": "unsure"}, "matter", "不确定"),
        ({"lng": "113.5", "lat": "23.5"}, "lng", "不在任何网格内"),
        ({"description": ""}, "description", "description"),
    ],
)
def test_a_refused_report_says_why_and_keeps_the_input(client, world, change, field, message):
    response = client.post("/public/report/", report_data(world, **change))
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert 'value="羊桥路 3 号"' in body and 'value="陈女士"' in body  # kept as typed
    assert not Case.objects.exists()


def test_unsure_uses_the_countys_catch_all_entry(client, world):
    """R18.1: the choice 不确定 appears when the list has a catch-all entry and maps to it."""
    category = MatterCategory.objects.get(code="ZA")
    matters.create_item("test", category=category, code="ZA-99", name="其他", keywords="不确定")
    version = AdmissionList.objects.get().versions.get()
    draft = matters.open_draft("test", version.admission_list)
    matters.add_entry(
        "test",
        draft,
        item="ZA-99",
        lead_department=world.police.pk,
        dispatch_limit_amount=1,
        dispatch_limit_unit="workdays",
        handling_limit_amount=5,
        handling_limit_unit="workdays",
    )
    matters.publish_version("test", draft)
    body = client.get("/public/report/").content.decode()
    assert "data-unsure hidden" not in body and '"generic": "ZA-99"' in body
    client.post("/public/report/", report_data(world, matter="unsure"))
    assert Case.objects.get().matter_code == "ZA-99"


# --- track and rate ---------------------------------------------------------------------------


def test_tracking_shows_the_public_progress_without_anyones_personal_data(client, world):
    """R18.1, R22.1: states, dates, agency and department names; no names or phones of
    workers or the reporter, no free-text notes."""
    client.post("/public/report/", report_data(world))
    case = closed_case(world, Case.objects.get())
    body = client.get(f"/public/track/{case.tracking_code.lower()}/").content.decode()
    for text in ("收到反映", "网格员现场核实属实", "立案", "派遣至", "签收", "反馈办理结果"):
        assert text in body
    assert "核查通过,结案" in body and world.police.name in body and world.urban.name in body
    for private in ("陈女士", PHONE, "139****5678", "张三", "13700000000", "李四"):
        assert private not in body
    for user in (world.worker, world.dispatcher, world.police_handler):
        assert user.username not in body
        if user.get_full_name():
            assert user.get_full_name() not in body


def test_tracking_code_form_and_unknown_codes(client, world):
    assert client.get("/public/track/").status_code == 200
    response = client.get("/public/track/", {"code": " ab cd2345ef "})
    assert response["Location"] == "/public/track/ABCD2345EF/"
    response = client.get("/public/track/ABCD2345EF/")
    assert response.status_code == 404
    assert "没有查询码为 ABCD2345EF 的事件" in response.content.decode()


def test_anonymous_reports_per_address_are_bounded_but_resends_are_free(client, world):
    """R18.1 for everyone, but one address cannot flood the agencies' queues."""
    from cases.models import Case
    from cases.views_public import REPORTS_ALLOWED

    for n in range(REPORTS_ALLOWED):
        data = report_data(world, client_id=f"flood-{n}")
        assert client.post("/public/report/", data).status_code == 302
        assert client.post("/public/report/", data).status_code == 302  # a resend: free
    refused = client.post("/public/report/", report_data(world, client_id="one-too-many"))
    assert refused.status_code == 429 and "提交过于频繁" in refused.content.decode()
    assert Case.objects.count() == REPORTS_ALLOWED


def test_guessing_codes_is_slowed_down(client, world, settings):
    for _ in range(30):
        client.get("/public/track/ZZZZZZZZZZ/")
    assert client.get("/public/track/ZZZZZZZZZZ/").status_code == 429


def test_an_anonymous_reporter_rates_a_closed_case_with_the_code(client, world):
    """R18.1, R27.1: once closed, the reporter without an account rates it via the code."""
    client.post("/public/report/", report_data(world))
    case = Case.objects.get()
    url = f"/public/track/{case.tracking_code}/"
    assert "提交评价" not in client.get(url).content.decode()  # not closed yet
    assert client.post(url, {"rating": "satisfied"}).status_code == 400
    closed_case(world, case)
    assert "提交评价" in client.get(url).content.decode()
    response = client.post(url, {"rating": "nope"})
    assert response.status_code == 400 and "评价须为" in response.content.decode()
    response = client.post(url, {"rating": "basically", "comment": "还行", "client_id": "r1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.rating, case.rating_comment) == (State.EVALUATED, "basically", "还行")
    page = client.get(url).content.decode()
    assert "基本满意" in page and "提交评价" not in page


def test_a_case_reported_with_an_account_is_rated_from_my_reports_only(client, world):
    client.force_login(world.resident)
    client.post("/public/report/", report_data(world))
    case = closed_case(world, Case.objects.get())
    client.logout()
    url = f"/public/track/{case.tracking_code}/"
    assert "我反映的问题" in client.get(url).content.decode()
    assert client.post(url, {"rating": "satisfied"}).status_code == 403
    case.refresh_from_db()
    assert case.state == State.CLOSED


def test_my_reports_lists_only_my_own_and_rates_them(client, world):
    other = services.intake(
        world.worker,
        ReportInput(lng=world.point[0], lat=world.point[1], matter="ZA-01", description="别人的"),
    ).case
    client.force_login(world.resident)
    client.post("/public/report/", report_data(world))
    mine = closed_case(world, Case.objects.get(reporter=world.resident))
    body = client.get("/public/my/").content.decode()
    assert mine.tracking_code in body and other.tracking_code not in body
    assert client.post("/public/my/", {"case": other.pk, "rating": "satisfied"}).status_code == 404
    response = client.post("/public/my/", {"case": mine.pk, "rating": "satisfied"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.state == State.EVALUATED and mine.rating == "satisfied"


def test_my_reports_needs_a_login(client, world):
    response = client.get("/public/my/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
