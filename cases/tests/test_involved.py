"""Personal data in cases (R22.1): the people involved in a report and the reporter's phone
are stored encrypted, shown masked on every door (API, case page, case file JSON and PDF),
revealed in full only to a role that may reveal over the case's region, each reveal logged;
no clear number reaches the audit trail or the archive."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from audit import personal_data as pd
from audit.models import AuditRecord, PersonalDataAccess
from cases import services
from cases.inputs import ReportInput
from cases.models import Case, CaseEvent, InvolvedPerson
from cases.tests.test_api import CASES, counts, login
from cases.tests.test_archive import pdf_text
from gridgov.access import roles as R
from gridgov.testing import people

pytestmark = pytest.mark.django_db

# Valid numbers (GB 11643 check digits computed below) that must never appear in clear.
ID_A = "44070319850101" + "123"
ID_A += pd.id_check_char(ID_A)
ID_B = "44078419900315" + "456"
ID_B += pd.id_check_char(ID_B)
PHONE_A = "13800138000"
PHONE_B = "13912345678"
REPORTER = "13712340000"
CLEAR = (ID_A, ID_B, PHONE_A, PHONE_B, REPORTER)

WRONG_CHECK = ID_A[:-1] + ("1" if ID_A[-1] != "1" else "2")

PERSONS = [
    {"name": "张三", "role": "party", "phone": PHONE_A, "id_number": ID_A},
    {"name": "李四", "role": "respondent", "phone": PHONE_B},
    {"name": "王五", "role": "witness", "id_number": ID_B},
]


@pytest.fixture
def admin(world):
    """An agency administrator of 白沙街道: may reveal personal data there (R22.1)."""
    return people.make_user(R.Role.AGENCY_ADMIN, "440703002", username="baisha_admin")


def report_payload(world, **kw: Any) -> dict[str, Any]:
    lng, lat = world.point
    return {
        "lng": lng,
        "lat": lat,
        "matter": world.entry_code,
        "description": "邻里纠纷,双方在楼道争吵",
        "client_id": kw.pop("client_id", "involved-1"),
        "involved": PERSONS,
        **kw,
    }


def hotline_case(world, **kw: Any) -> Case:
    lng, lat = world.point
    return services.intake(
        world.dispatcher,
        ReportInput(
            lng=lng,
            lat=lat,
            matter=world.entry_code,
            description=kw.pop("description", "来电反映邻里纠纷"),
            channel="hotline",
            reporter_name="陈女士",
            reporter_phone=REPORTER,
            involved=kw.pop("involved", PERSONS),
            **kw,
        ),
    ).case


def assert_no_clear_number(text: str, where: str) -> None:
    for number in CLEAR:
        assert number not in text, f"{number} in clear in {where}"


# --- intake: one shape, validated, protected ---------------------------------------------------


def test_r22_1_involved_persons_are_encrypted_and_answered_masked(world):
    """R22.1: a report's involved persons are rows with their numbers encrypted, a keyed
    digest and the masked form; the API answer shows them masked."""
    response = login(world.worker).post(CASES, report_payload(world), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(p["name"], p["role"], p["phone"], p["id_number"]) for p in body["involved"]] == [
        ("张三", "party", "138****8000", pd.mask_id_number(ID_A)),
        ("李四", "respondent", "139****5678", ""),
        ("王五", "witness", "", pd.mask_id_number(ID_B)),
    ]
    assert_no_clear_number(response.content.decode(), "the intake answer")
    rows = list(InvolvedPerson.objects.filter(case_id=body["id"]).order_by("position"))
    first = rows[0]
    assert first.phone_encrypted and PHONE_A not in first.phone_encrypted
    assert first.id_number_digest == pd.search_digest(ID_A, kind="id_number")
    assert pd.decrypt(first.id_number_encrypted, purpose="cases.involvedperson.id_number") == ID_A
    detail = login(world.worker).get(f"{CASES}{body['id']}/")
    assert detail.json()["involved"] == body["involved"]
    assert_no_clear_number(detail.content.decode(), "the case detail")


def test_r22_1_involved_persons_come_as_a_json_string_in_a_multipart_form(world):
    """R22.1: the phone's outbox posts multipart: the same list, JSON-encoded in one field."""
    payload = report_payload(world, involved=json.dumps(PERSONS[:1], ensure_ascii=False))
    response = login(world.worker).post(CASES, payload, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["involved"][0]["phone"] == "138****8000"


BAD_INVOLVED: list[tuple[str, Any, int, str]] = [
    ("not a list", {"name": "张三"}, -1, ""),
    ("a string that is not JSON", "张三 13800138000", -1, ""),
    ("an item that is not an object", ["张三"], 0, "non_field_errors"),
    ("an unknown key", [{"name": "张三", "身份证": ID_A}], 0, "身份证"),
    ("no name", [{"phone": PHONE_A}], 0, "name"),
    ("an unknown role", [{"name": "张三", "role": "boss"}], 0, "role"),
    ("a malformed phone", [{"name": "张三", "phone": "12345"}], 0, "phone"),
    ("a wrong ID check digit", [{"name": "张三", "id_number": WRONG_CHECK}], 0, "id_number"),
    ("a number given as a number", [{"name": "张三", "phone": 13800138000}], 0, "phone"),
    ("the second item bad", [PERSONS[0], {"name": "李四", "phone": "1"}], 1, "phone"),
    ("too many", [{"name": f"人{n}"} for n in range(21)], -1, ""),
]


@pytest.mark.parametrize(
    ("name", "value", "item", "field"), BAD_INVOLVED, ids=[b[0] for b in BAD_INVOLVED]
)
def test_r22_1_anything_but_the_person_shape_is_400_naming_item_and_field(
    world, name, value, item, field
):
    """R22.1: the field takes involved persons only; anything else is refused with a 400
    whose errors name the item and the field, and nothing is stored."""
    client = login(world.worker)
    before = counts()
    response = client.post(CASES, report_payload(world, involved=value), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] and "involved" in body["errors"]
    if item >= 0:
        assert field in body["errors"]["involved"][item], body
    assert_no_clear_number(json.dumps(body, ensure_ascii=False), "the error")
    assert counts() == before and InvolvedPerson.objects.count() == 0


def test_r22_1_the_services_parse_the_same_shape_for_every_channel(world):
    """R22.1: the web forms and the API go through one parser: a bad item is a DomainError
    naming ``involved``, a good list becomes rows."""
    from gridgov.errors import DomainError

    with pytest.raises(DomainError) as refused:
        hotline_case(world, involved=[{"name": "张三", "phone": "110"}])
    assert refused.value.field == "involved"
    case = hotline_case(world)
    assert case.involved_persons.count() == 3


# --- shown masked everywhere ------------------------------------------------------------------


def test_r22_1_case_page_and_case_files_show_masked_values_only(world):
    """R22.1: the case page, the case file JSON and its PDF carry masked numbers only."""
    case = hotline_case(world)
    web = Client()
    web.force_login(world.dispatcher)
    page = web.get(f"/console/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "张三" in html and "138****8000" in html and pd.mask_id_number(ID_A) in html
    assert "137****0000" in html
    assert_no_clear_number(html, "the case page")
    assert "reveal-form" in html  # offered to a dispatcher, who calls back (R18.1, R22.1)
    api = login(world.dispatcher)
    exported = api.get(f"{CASES}{case.pk}/export.json/")
    assert exported.status_code == 200
    assert exported.json()["involved"][0]["phone"] == "138****8000"
    assert_no_clear_number(exported.content.decode(), "the case file")
    pdf = api.get(f"{CASES}{case.pk}/export.pdf/")
    text = pdf_text(pdf.content)
    assert "138****8000" in text
    assert_no_clear_number(text, "the PDF")


# --- reveal ------------------------------------------------------------------------------------


def test_r22_1_a_revealer_reveals_an_involved_persons_number_and_it_is_logged(world, admin):
    """R22.1: an agency administrator over the case's region reveals one number with a
    reason; the personal-data access log has who, what, why."""
    case = hotline_case(world)
    person = case.involved_persons.get(name="张三")
    response = login(admin).post(
        f"{CASES}{case.pk}/reveal/",
        {"field": "id_number", "person": person.pk, "reason": "核实当事人身份"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["value"] == ID_A
    log = PersonalDataAccess.objects.get(granted=True)
    assert (log.actor, log.field, log.subject_type) == (admin, "id_number", "cases.involvedperson")
    assert log.subject_id == str(person.pk) and log.reason == "核实当事人身份"
    assert log.region_code == case.grid_code


def test_r22_1_the_reporters_phone_is_revealed_for_a_call_back_and_logged(world, admin):
    """R22.1, R18.1: staff who may reveal can call the reporter back; the reveal is logged."""
    case = hotline_case(world)
    response = login(admin).post(
        f"{CASES}{case.pk}/reveal/",
        {"field": "reporter_phone", "reason": "回访反映人"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["value"] == REPORTER
    log = PersonalDataAccess.objects.get()
    assert (log.subject_type, log.subject_id, log.field, log.granted) == (
        "cases.case",
        str(case.pk),
        "reporter_phone",
        True,
    )


def test_r18_1_dispatchers_and_the_handling_department_call_the_reporter_back(world):
    """R18.1, R22.1: the agency's dispatcher and the department handling the case may reveal
    the reporter's phone to call back, each reveal logged; a department that does not handle
    the case does not even find it."""
    case = hotline_case(world)
    for user in (world.dispatcher, world.supervisor):
        answer = login(user).post(
            f"{CASES}{case.pk}/reveal/",
            {"field": "reporter_phone", "reason": "回访反映人"},
            format="json",
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["value"] == REPORTER
    services.verify(world.worker, case.pk)
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk)
    lead = case.assignments.get(role="lead").department
    handler = world.police_handler if lead == world.police else world.urban_handler
    answer = login(handler).post(
        f"{CASES}{case.pk}/reveal/", {"field": "reporter_phone", "reason": "联系反映人"}
    )
    assert answer.status_code == 200 and answer.json()["value"] == REPORTER
    outsider = login(world.housing_handler).post(
        f"{CASES}{case.pk}/reveal/", {"field": "reporter_phone", "reason": "联系反映人"}
    )
    assert outsider.status_code == 404
    logged = PersonalDataAccess.objects.filter(granted=True, field="reporter_phone")
    assert set(logged.values_list("actor", flat=True)) == {
        world.dispatcher.pk,
        world.supervisor.pk,
        handler.pk,
    }


def test_r22_1_roles_that_may_not_reveal_are_refused_and_the_attempt_is_logged(world, admin):
    """R22.1: a grid worker reads the case (masked) but gets 403 on reveal, logged as refused;
    another county's staff get 404; a reveal without a reason or of another case's person is
    a 400 and shows nothing."""
    case = hotline_case(world)
    person = case.involved_persons.get(name="张三")
    refused = login(world.worker).post(
        f"{CASES}{case.pk}/reveal/",
        {"field": "phone", "person": person.pk, "reason": "想看一下完整号码"},
        format="json",
    )
    assert refused.status_code == 403
    assert PersonalDataAccess.objects.filter(granted=False, actor=world.worker).count() == 1
    foreign = login(world.foreign_dispatcher).post(
        f"{CASES}{case.pk}/reveal/", {"field": "reporter_phone", "reason": "回访"}, format="json"
    )
    assert foreign.status_code == 404
    client = login(admin)
    no_reason = client.post(
        f"{CASES}{case.pk}/reveal/", {"field": "phone", "person": person.pk, "reason": "看"}
    )
    assert no_reason.status_code == 400
    other = hotline_case(world, involved=[{"name": "赵六", "phone": PHONE_B}])
    stranger = other.involved_persons.get()
    wrong_case = client.post(
        f"{CASES}{case.pk}/reveal/",
        {"field": "phone", "person": stranger.pk, "reason": "核实身份"},
        format="json",
    )
    assert wrong_case.status_code == 400 and "person" in wrong_case.json()["errors"]
    not_protected = client.post(
        f"{CASES}{case.pk}/reveal/",
        {"field": "description", "reason": "核实身份"},
        format="json",
    )
    assert not_protected.status_code == 400
    for answer in (refused, foreign, no_reason, wrong_case, not_protected):
        assert_no_clear_number(answer.content.decode(), "a refused reveal")
    assert not PersonalDataAccess.objects.filter(granted=True).exists()


def test_r22_1_case_page_reveals_in_place_for_a_revealer(world, admin):
    """R22.1: the case page offers the reveal to a revealer; with JavaScript the value comes
    back in place (the cell), without it the page shows it once; both are logged."""
    case = hotline_case(world)
    person = case.involved_persons.get(name="张三")
    web = Client()
    web.force_login(admin)
    page = web.get(f"/console/cases/{case.pk}/").content.decode()
    assert page.count('class="reveal-form"') == 5  # the reporter, 2 phones, 2 ID numbers
    assert_no_clear_number(page, "the revealer's case page")
    cell = web.post(
        f"/console/cases/{case.pk}/reveal/",
        {"field": "phone", "person": person.pk, "reason": "联系当事人"},
        HTTP_HX_REQUEST="true",
    )
    assert cell.status_code == 200
    assert PHONE_A in cell.content.decode() and f'id="reveal-{person.pk}-phone"' in (
        cell.content.decode()
    )
    whole = web.post(
        f"/console/cases/{case.pk}/reveal/", {"field": "reporter_phone", "reason": "回访反映人"}
    )
    assert whole.status_code == 200 and REPORTER in whole.content.decode()
    assert PHONE_A not in whole.content.decode()  # only what was asked for, once
    refused = web.post(
        f"/console/cases/{case.pk}/reveal/",
        {"field": "phone", "person": person.pk, "reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 400 and PHONE_A not in refused.content.decode()
    assert PersonalDataAccess.objects.filter(granted=True).count() == 2


# --- the audit trail and the archive ------------------------------------------------------------


def test_r22_1_no_clear_number_in_the_audit_trail_or_the_archive(world):
    """R22.1, R26.2: intake and the steps after it write no clear phone or ID number into the
    audit records (before, after, note) or the archive events (note, data), not even one a
    person typed into a note."""
    case = hotline_case(world, description=f"来电人称对方电话 {PHONE_A},身份证 {ID_A}")
    services.verify(world.worker, case.pk, note=f"现场核实,当事人电话 {PHONE_A}")
    services.accept(world.dispatcher, case.pk, note=f"已联系当事人 {PHONE_B}")
    services.dispatch(world.dispatcher, case.pk, note=f"请联系 {ID_B} 本人")
    services.return_case(world.police_handler, case.pk, reason=f"非本部门职责,见 {PHONE_A}")
    services.dispatch(
        world.dispatcher, case.pk, lead_department=world.police.pk, ruling=f"属公安职责 {ID_A}"
    )
    services.sign(world.police_handler, case.pk)
    services.feedback(world.police_handler, case.pk, note=f"已调解,回访 {REPORTER}")
    case.refresh_from_db()
    assert case.state == "handled"
    records = AuditRecord.objects.filter(object_type="cases.case", object_id=str(case.pk))
    assert records.count() >= 5
    for record in records:
        text = json.dumps([record.before, record.after, record.note], ensure_ascii=False)
        assert_no_clear_number(text, f"audit record {record.action}")
    events = CaseEvent.objects.filter(case=case)
    for event in events:
        text = json.dumps([event.note, event.data], ensure_ascii=False)
        assert_no_clear_number(text, f"archive event {event.action}")
    first = events.get(seq=1)
    assert "138****8000" in first.note
    assert first.data["involved"][0] == {
        "name": "张三",
        "role": "party",
        "phone": "138****8000",
        "id_number": pd.mask_id_number(ID_A),
    }
    from cases import archive

    assert archive.verify_events(case.pk, list(events.order_by("seq")), None) is None


def test_r22_1_numbers_in_free_text_are_masked():
    """R22.1: the masking of notes finds mobiles (with +86 or separators) and ID numbers,
    and leaves other numbers alone."""
    text = f"电话 +86 138-0013-8000、{PHONE_B},证件 {ID_A.lower()};"
    text += "工单 2024001 网格 440703002101001"
    masked = pd.mask_numbers_in_text(text)
    assert "138****8000" in masked and "139****5678" in masked
    assert pd.mask_id_number(ID_A) in masked
    assert "2024001" in masked and "440703002101001" in masked
    assert_no_clear_number(masked, "masked text")
