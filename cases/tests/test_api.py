"""The cases REST API as its clients use it: the phone app, the web UI, department systems
(R18.1, R22.1, R24.1–R24.4, R25.1, R26.1, R26.2, R27.1).

Everything goes through the real HTTP stack: a token from ``POST /api/v1/auth/token/`` sent as
``Authorization: Token …`` (session login where the web UI is meant), JSON or multipart bodies,
and the shared error format ``{"detail": …, "errors": {field: [messages]}}``.
"""

from __future__ import annotations

import io
import itertools
import json
import random
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
import shapely
from django.db import transaction
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from audit.models import AuditRecord
from cases import clock, co_departments, machine, primitives, reviews, services
from cases.inputs import ReportInput
from cases.models import (
    Assignment,
    Attachment,
    Case,
    CaseEvent,
    DutyRuling,
    Extension,
    Notification,
    Supervision,
    Suspension,
)
from cases.tests.conftest import Upload, photo, photo_bytes
from gridgov.errors import DomainError
from gridgov.testing import people
from gridgov.testing.regions import STEP, X0, Y0
from regions import geometry as geo

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
TOKEN_URL = "/api/v1/auth/token/"
STATE_NAMES = {
    "reported",
    "verified",
    "accepted",
    "declined",
    "dispatched",
    "in_progress",
    "returned",
    "handled",
    "closed",
    "evaluated",
    "suspended",
}
ROWS = (
    Case,
    CaseEvent,
    Assignment,
    Attachment,
    Extension,
    Suspension,
    Supervision,
    DutyRuling,
    Notification,
    AuditRecord,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- helpers -------------------------------------------------------------------------------


def login(user: Any) -> APIClient:
    """An API client holding a token obtained the way a phone gets one."""
    client = APIClient()
    response = client.post(
        TOKEN_URL, {"username": user.username, "password": people.PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def in_grid(index: int) -> tuple[float, float]:
    """The centre of the world's grid ``index`` (0, 1 in 羊桥社区; 2, 3 in 迦南社区)."""
    return X0 + (0.25 + 0.5 * index) * STEP, Y0 + 0.5 * STEP


def counts() -> dict[str, int]:
    """Rows of everything a case action may write (logins add their own audit records)."""
    found = {model.__name__: model.objects.count() for model in ROWS}
    found["AuditRecord"] = AuditRecord.objects.filter(action__startswith="cases.").count()
    return found


def url(case: Any, action: str = "") -> str:
    pk = getattr(case, "pk", case)
    return f"{CASES}{pk}/{action + '/' if action else ''}"


def report(world, actor=None, *, grid: int = 0, **kw) -> Case:
    lng, lat = in_grid(grid)
    kw.setdefault("matter", world.entry_code)
    kw.setdefault("description", "小区门口路灯损坏，夜间有治安隐患")
    return services.intake(actor or world.worker, ReportInput(lng=lng, lat=lat, **kw)).case


# Stages of the closed loop, reached through the services (each builds a new case).


def reported(world, **kw) -> Case:
    return report(world, world.resident, **kw)


def verified(world, **kw) -> Case:
    return report(world, **kw)


def accepted(world, **kw) -> Case:
    case = verified(world, **kw)
    return services.accept(world.dispatcher, case.pk)


def dispatched(world, **kw) -> Case:
    case = accepted(world, **kw)
    return services.dispatch(
        world.dispatcher, case.pk, lead_department=world.police.pk, co_departments=[world.urban.pk]
    )


def in_progress(world, **kw) -> Case:
    case = dispatched(world, **kw)
    return services.sign(world.police_handler, case.pk)


def handled(world, **kw) -> Case:
    case = in_progress(world, **kw)
    return services.feedback(world.police_handler, case.pk, note="已加装路灯")


def closed(world) -> Case:
    """A resident's case, checked and closed: the resident may rate it."""
    case = reported(world)
    services.verify(world.worker, case.pk)
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk, lead_department=world.police.pk, co_departments=[])
    services.sign(world.police_handler, case.pk)
    services.feedback(world.police_handler, case.pk, note="已处理")
    return services.check(world.dispatcher, case.pk, passed=True)


def handled_alone(world) -> Case:
    """Handled by the police alone (no co-department): a passed check closes it (R25.1)."""
    case = accepted(world)
    services.dispatch(world.dispatcher, case.pk, lead_department=world.police.pk, co_departments=[])
    services.sign(world.police_handler, case.pk)
    return services.feedback(world.police_handler, case.pk, note="已加装路灯")


def rated_unsatisfied(world) -> Case:
    """Closed and rated unsatisfied by the resident: waiting for the agency's review."""
    return services.evaluate(world.resident, closed(world).pk, rating="unsatisfied")


def open_co_assignment(case: Case) -> dict[str, Any]:
    found = case.assignments.filter(role="co", state__in=["dispatched", "signed"]).first()
    return {"assignment": found.pk if found else 0}


def with_extension(world) -> Case:
    case = in_progress(world)
    services.request_extension(
        world.police_handler, case.pk, amount=2, unit="workdays", reason="需采购灯具"
    )
    return case


def with_suspension(world) -> Case:
    case = in_progress(world)
    services.request_suspension(world.police_handler, case.pk, reason="等待供电局停电检修")
    return case


def suspended(world) -> Case:
    case = with_suspension(world)
    return services.decide_suspension(
        world.dispatcher, case.pk, suspension=case.suspensions.get().pk, approve=True
    )


def supervised(world) -> Case:
    case = in_progress(world)
    services.supervise(world.supervisor, case.pk, note="请加快办理")
    return case


def settleable(world) -> Case:
    return reported(world, matter=world.settle_code)


def pending_extension(case: Case) -> dict[str, Any]:
    return {"extension": Extension.objects.get(assignment__case=case, status="pending").pk}


def pending_suspension(case: Case) -> dict[str, Any]:
    return {"suspension": case.suspensions.get(status="pending").pk}


def open_supervision(case: Case) -> dict[str, Any]:
    return {"supervision": case.supervisions.get(answered_at__isnull=True).pk}


# --- intake (R24.1, R18.1) -----------------------------------------------------------------


def test_intake_answers_the_contract_fields(world):
    """R24.1: the phone posts lng/lat, matter, text, photos, urgency and a client id; the
    answer names the case, its state, its grid, its matter and the deadline it runs under."""
    client = login(world.worker)
    lng, lat = world.point
    response = client.post(
        CASES,
        {
            "lng": lng,
            "lat": lat,
            "matter": world.entry_code,
            "description": "羊桥路口井盖缺失",
            "client_id": "phone-0001",
            "photos": [photo("a.jpg"), Upload(photo_bytes("green", "PNG"), "b.png")],
            "urgent": "true",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert "Idempotent-Replayed" not in response
    body = response.json()
    assert body["state"] == "verified"  # the worker collected and verified it on site
    assert body["grid"] == world.grids[0].code
    assert body["matter"] == world.entry_code and body["matter_name"] == "治安隐患排查"
    assert body["urgent"] is True
    assert body["dispatch_due_at"] is not None  # 2 working hours to dispatch (R24.2)
    assert "due_at" in body and body["due_at"] is None  # no handling deadline before dispatch
    assert [a["content_type"] for a in body["attachments"]] == ["image/jpeg", "image/png"]
    assert all(len(a["sha256"]) == 64 for a in body["attachments"])
    case = Case.objects.get(pk=body["id"])
    assert case.reporter == world.worker and case.description == "羊桥路口井盖缺失"
    assert Notification.objects.filter(case=case, kind="urgent").exists()


def test_the_same_report_sent_ten_times_is_one_case_with_identical_answers(world):
    """R24.1: a phone resends when the network drops; the client id makes intake idempotent
    and every resend gets the first answer, marked as a replay."""
    client = login(world.worker)
    lng, lat = world.point
    payload = {
        "lng": lng,
        "lat": lat,
        "matter": world.entry_code,
        "description": "垃圾堆放",
        "client_id": "4f1c2a4e-resend",
    }
    answers = [client.post(CASES, payload, format="json") for _ in range(10)]
    assert {r.status_code for r in answers} == {201}
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1
    assert len({json.dumps(r.json(), sort_keys=True) for r in answers}) == 1
    assert "Idempotent-Replayed" not in answers[0]
    assert all(r["Idempotent-Replayed"] == "true" for r in answers[1:])


def test_gcj02_coordinates_are_converted_to_wgs84(world):
    """R24.1: phones with Chinese map SDKs send GCJ-02; the case is stored in WGS-84."""
    lng, lat = world.point
    gcj_lng, gcj_lat = geo.wgs84_to_gcj02(lng, lat)
    assert abs(gcj_lng - lng) > 1e-3  # the offset is hundreds of metres: it matters
    response = login(world.worker).post(
        CASES,
        {
            "lng": gcj_lng,
            "lat": gcj_lat,
            "coord": "gcj02",
            "matter": world.entry_code,
            "description": "x",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grid"] == world.grids[0].code
    assert abs(body["lng"] - lng) < 1e-5 and abs(body["lat"] - lat) < 1e-5


def test_resident_report_starts_reported_and_hotline_needs_agency_staff(world):
    """R18.1, R24.1: residents' and 12345 reports start unverified; only agency staff may
    enter a hotline report; the caller's phone comes back masked."""
    payload = {"lng": in_grid(1)[0], "lat": in_grid(1)[1], "matter": world.entry_code}
    response = login(world.resident).post(
        CASES, {**payload, "description": "楼下噪音扰民"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["state"], response.json()["channel"]) == ("reported", "portal")
    response = login(world.dispatcher).post(
        CASES,
        {
            **payload,
            "description": "来电反映路面塌陷",
            "channel": "hotline",
            "reporter_name": "李女士",
            "reporter_phone": "13912345678",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["channel"]) == ("reported", "hotline")
    assert body["reporter_phone"] == "139****5678"
    assert "13912345678" not in response.content.decode()
    before = counts()
    response = login(world.resident).post(
        CASES, {**payload, "description": "x", "channel": "hotline"}, format="json"
    )
    assert response.status_code == 403
    assert counts() == before


def test_settled_on_the_spot_at_intake(world):
    """R24.1: a settle-able matter settled on the spot closes with the worker's record."""
    response = login(world.worker).post(
        CASES,
        {
            "lng": world.point[0],
            "lat": world.point[1],
            "matter": world.settle_code,
            "description": "占道摆卖",
            "settle_note": "已劝离摊贩",
            "photos": [photo()],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "closed" and body["settled_on_spot"] is True
    assert body["status"] == "closed"


def test_session_login_works_for_the_web_ui_and_needs_the_csrf_token(world):
    """R22.1: the web UI posts with its session; without the CSRF token the post is refused."""
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {
            "username": "worker",
            "password": people.PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302
    payload = {
        "lng": world.point[0],
        "lat": world.point[1],
        "matter": world.entry_code,
        "description": "网页上报",
    }
    response = client.post(CASES, json.dumps(payload), content_type="application/json")
    assert response.status_code == 403 and Case.objects.count() == 0
    token = client.cookies["csrftoken"].value  # rotated at login
    response = client.post(
        CASES, json.dumps(payload), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.content
    listed = client.get(CASES).json()
    assert [c["id"] for c in listed["results"]] == [response.json()["id"]]


def test_anonymous_and_bad_tokens_are_refused(world):
    case = verified(world)
    assert APIClient().get(CASES).status_code in {401, 403}
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert bad.get(url(case)).status_code in {401, 403}
    assert APIClient().post(url(case, "accept"), {}, format="json").status_code in {401, 403}


# --- bad input at intake: 400 with the field, nothing stored ---------------------------------


def _intake_payload(world) -> dict[str, Any]:
    return {
        "lng": world.point[0],
        "lat": world.point[1],
        "matter": world.entry_code,
        "description": "井盖缺失",
        "client_id": "bad-input",
    }


BAD_INTAKE: list[tuple[str, dict[str, Any], str]] = [
    ("lng missing", {"lng": None}, "lng"),
    ("lng not a number", {"lng": "东经113度"}, "lng"),
    ("lng out of range", {"lng": 181}, "lng"),
    ("lat out of range", {"lat": -91}, "lat"),
    ("lng not finite", {"lng": "nan"}, "lng"),
    ("lat infinite", {"lat": "inf"}, "lat"),
    ("unknown coordinate system", {"coord": "bd09"}, "coord"),
    ("outside every grid", {"lng": 100.0, "lat": 30.0}, "lng"),
    ("matter missing", {"matter": None}, "matter"),
    ("matter unknown", {"matter": "ZZ-99"}, "matter"),
    ("matter not on the county list", {"matter": "ZA-03"}, "matter"),
    ("matter too long", {"matter": "Z" * 33}, "matter"),
    ("description missing", {"description": None}, "description"),
    ("description blank", {"description": "   "}, "description"),
    ("description too long", {"description": "长" * 4001}, "description"),
    ("client id too long", {"client_id": "x" * 65}, "client_id"),
    ("urgent not a boolean", {"urgent": "perhaps"}, "urgent"),
    ("unknown channel", {"channel": "fax"}, "channel"),
    ("phone malformed", {"reporter_phone": "12345"}, "reporter_phone"),
    ("involved not a list", {"involved": "张三"}, "involved"),
    ("address too long", {"address": "路" * 201}, "address"),
    ("settling what may not be settled", {"settle_note": "已处理"}, "settle_note"),
]


def test_bad_intake_is_400_naming_the_field_and_stores_nothing(world):
    """R24.1: a clear, specific error naming the field, and nothing changed."""
    client = login(world.worker)
    before = counts()
    failures = []
    for name, change, field in BAD_INTAKE:
        payload = {k: v for k, v in {**_intake_payload(world), **change}.items() if v is not None}
        response = client.post(CASES, payload, format="json")
        body = response.json()
        if response.status_code != 400 or field not in body.get("errors", {}) or not body["detail"]:
            failures.append(f"{name}: {response.status_code} {body}")
    assert not failures, "\n".join(failures)
    assert counts() == before


def test_malformed_bodies_are_400(world):
    client = login(world.worker)
    before = counts()
    response = client.post(CASES, "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]
    response = client.post(CASES, json.dumps([1, 2]), content_type="application/json")
    assert response.status_code == 400 and "non_field_errors" in response.json()["errors"]
    assert counts() == before


# --- uploads: images only, size-limited, content-checked, at most 9 ------------------------


def _image(fmt: str, size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, fmt)
    return buffer.getvalue()


def _post_photos(world, photos: list[Any]) -> Any:
    return login(world.worker).post(
        CASES, {**_intake_payload(world), "photos": photos}, format="multipart"
    )


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted(world, fmt):
    response = _post_photos(world, [Upload(_image(fmt), f"scene.{fmt.lower()}")])
    assert response.status_code == 201, response.content
    (attachment,) = response.json()["attachments"]
    assert attachment["content_type"] == f"image/{fmt.lower()}"
    assert (attachment["width"], attachment["height"]) == (40, 30)
    stored = Attachment.objects.get()
    assert stored.file.read() == _image(fmt)  # stored as sent, named by its hash
    assert stored.file.name.endswith(f"{stored.sha256}{stored.extension}")


BAD_PHOTOS: list[tuple[str, Callable[[], list[Any]]]] = [
    ("text named .jpg", lambda: [Upload(b"I am not a picture, honestly", "scene.jpg")]),
    ("html named .png", lambda: [Upload(b"<html><script>alert(1)</script>", "x.png")]),
    ("gif", lambda: [Upload(_image("GIF"), "anim.gif")]),
    ("bmp", lambda: [Upload(_image("BMP"), "scan.bmp")]),
    ("truncated jpeg", lambda: [Upload(_image("JPEG", (400, 300))[:300], "cut.jpg")]),
    ("empty file", lambda: [Upload(b"", "empty.jpg")]),
    ("ten photos", lambda: [photo(f"p{i}.jpg") for i in range(10)]),
    ("one good one bad", lambda: [photo("ok.jpg"), Upload(b"%PDF-1.4", "doc.jpg")]),
]


def test_bad_photos_are_400_on_the_photos_field_and_nothing_is_stored(world):
    """Images only (decoded by Pillow, whatever the name says), at most 9 (R24.1)."""
    before = counts()
    failures = []
    for name, make in BAD_PHOTOS:
        response = _post_photos(world, make())
        if response.status_code != 400 or "photos" not in response.json().get("errors", {}):
            failures.append(f"{name}: {response.status_code} {response.content[:200]!r}")
    assert not failures, "\n".join(failures)
    assert counts() == before


def test_photos_over_the_size_limit_are_refused(world, settings):
    settings.GRIDGOV_MAX_PHOTO_BYTES = 2000
    noise = random.Random(5).randbytes(60 * 60 * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (60, 60), noise).save(buffer, "PNG")
    big = buffer.getvalue()
    assert len(big) > 2000
    before = counts()
    response = _post_photos(world, [Upload(big, "big.png")])
    assert response.status_code == 400
    assert "photos" in response.json()["errors"]
    assert "MB" in response.json()["detail"] or "超过" in response.json()["detail"]
    assert counts() == before
    assert _post_photos(world, [photo()]).status_code == 201  # small ones still pass


def test_photos_on_actions_are_checked_too(world):
    case = handled(world)
    before = counts()
    response = login(world.dispatcher).post(
        url(case, "check"),
        {"passed": "true", "photos": [Upload(b"not an image", "ok.jpg")]},
        format="multipart",
    )
    assert response.status_code == 400 and "photos" in response.json()["errors"]
    assert counts() == before


@pytest.mark.parametrize(
    ("stage", "actor", "action"),
    [
        (verified, "dispatcher", "accept"),
        (dispatched, "police_handler", "sign"),
        (suspended, "dispatcher", "resume"),
    ],
)
def test_photos_sent_with_accept_sign_or_resume_are_kept_on_the_record(world, stage, actor, action):
    """Issue 11, a defect fixed: these actions took photos and dropped them; a photo now goes
    on the case's record with the step's archive event, as with verify or feedback."""
    case = stage(world)
    response = login(getattr(world, actor)).post(
        url(case, action), {"note": "现场照片", "photos": [photo()]}, format="multipart"
    )
    assert response.status_code == 200, response.content
    event = case.events.get(action=action)
    assert list(Attachment.objects.filter(case=case).values_list("event", flat=True)) == [event.pk]
    assert len(event.data["attachments"]) == 1
    assert len(response.json()["attachments"]) == 1


# --- every action: happy path ---------------------------------------------------------------

Setup = Callable[[Any], Case]
Payload = Callable[[Any, Case], dict[str, Any]]


def fixed(data: dict[str, Any]) -> Payload:
    return lambda world, case: data


# action → (stage, actor attribute, payload, state afterwards)
HAPPY: dict[str, tuple[Setup, str, Payload, str]] = {
    "verify": (reported, "worker", fixed({"note": "现场确认属实"}), "verified"),
    "settle": (settleable, "worker", fixed({"note": "已劝离摊贩"}), "closed"),
    "accept": (verified, "dispatcher", fixed({}), "accepted"),
    "decline": (verified, "dispatcher", fixed({"reason": "不属于网格事项"}), "declined"),
    "escalate": (verified, "dispatcher", fixed({"reason": "涉及跨镇街"}), "verified"),
    "dispatch": (
        accepted,
        "dispatcher",
        lambda w, c: {"lead_department": w.police.pk, "co_departments": [w.urban.pk]},
        "dispatched",
    ),
    "sign": (dispatched, "police_handler", fixed({}), "in_progress"),
    "return": (in_progress, "police_handler", fixed({"reason": "属住建部门职责"}), "returned"),
    "feedback": (in_progress, "police_handler", fixed({"note": "已加装路灯"}), "handled"),
    "end-assignment": (
        dispatched,
        "dispatcher",
        lambda w, c: {**open_co_assignment(c), "reason": "无需协办"},
        "dispatched",
    ),
    "check": (handled_alone, "dispatcher", fixed({"passed": True, "note": "核查通过"}), "closed"),
    "evaluate": (
        closed,
        "resident",
        fixed({"rating": "satisfied", "comment": "及时"}),
        "evaluated",
    ),
    "review": (
        rated_unsatisfied,
        "dispatcher",
        fixed({"reopen": True, "reason": "回访属实"}),
        "in_progress",
    ),
    "extend": (
        in_progress,
        "police_handler",
        fixed({"amount": 2, "unit": "workdays", "reason": "需采购灯具"}),
        "in_progress",
    ),
    "decide-extension": (
        with_extension,
        "dispatcher",
        lambda w, c: {**pending_extension(c), "approve": True},
        "in_progress",
    ),
    "suspend": (in_progress, "police_handler", fixed({"reason": "等待停电检修"}), "in_progress"),
    "decide-suspension": (
        with_suspension,
        "dispatcher",
        lambda w, c: {**pending_suspension(c), "approve": True},
        "suspended",
    ),
    "resume": (suspended, "dispatcher", fixed({"note": "检修完成"}), "in_progress"),
    "supervise": (in_progress, "supervisor", fixed({"note": "请加快办理"}), "in_progress"),
    "answer": (
        supervised,
        "police_handler",
        lambda w, c: {**open_supervision(c), "answer": "已安排人员今日处理"},
        "in_progress",
    ),
}


def test_every_action_happy_path(world):
    """R24–R27: each action is one POST; the answer is the case afterwards; the step is in
    the archive; the action was offered to this user beforehand."""
    failures = []
    for action, (stage, actor, payload, after) in HAPPY.items():
        case = stage(world)
        client = login(getattr(world, actor))
        offered = client.get(url(case)).json()["available_actions"]
        if action.replace("-", "_") not in offered:
            failures.append(f"{action}: not offered to {actor} ({offered})")
        events = case.events.count()
        response = client.post(url(case, action), payload(world, case), format="json")
        if response.status_code != 200:
            failures.append(f"{action}: {response.status_code} {response.content[:300]!r}")
            continue
        body = response.json()
        last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
        if (
            body["id"] != case.pk
            or body["state"] != after
            or body["state"] not in STATE_NAMES
            or case.events.count() != events + 1
            or last.action != action.replace("-", "_")
            or last.to_state != after
        ):
            failures.append(f"{action}: state {body['state']}, last event {last.action}")
    assert not failures, "\n".join(failures)


def test_escalation_moves_the_case_to_the_county_which_then_accepts(world):
    """R24.2: township → county → city; the township no longer acts on it."""
    case = verified(world)
    body = login(world.dispatcher).post(url(case, "escalate"), {"reason": "跨镇街"}).json()
    assert (body["level"], body["agency_code"]) == ("county", "440703")
    assert "accept" not in login(world.dispatcher).get(url(case)).json()["available_actions"]
    county = login(world.county_dispatcher)
    assert county.post(url(case, "accept"), {}).status_code == 200
    body = county.post(url(case, "escalate"), {"reason": "需市级协调"}).json()
    assert body["agency_code"] == "4407"


def test_check_failed_sends_it_back_for_rework(world):
    case = handled(world)
    response = login(world.worker).post(
        url(case, "check"), {"passed": False, "note": "路灯仍不亮"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "in_progress" and body["rework_count"] == 1
    assert "feedback" in login(world.police_handler).get(url(case)).json()["available_actions"]


def test_a_disputed_return_is_redispatched_with_a_recorded_ruling(world):
    """R24.4: the department returns with reasons; re-dispatching to it needs a ruling."""
    case = in_progress(world)
    police = login(world.police_handler)
    assert police.post(url(case, "return"), {"reason": "非本部门职责"}).status_code == 200
    agency = login(world.dispatcher)
    response = agency.post(
        url(case, "dispatch"), {"lead_department": world.police.pk}, format="json"
    )
    assert response.status_code == 400 and "ruling" in response.json()["errors"]
    response = agency.post(
        url(case, "dispatch"),
        {"lead_department": world.police.pk, "ruling": "经研究属公安职责"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "dispatched"
    assert response.json()["return_count"] == 1
    ruling = DutyRuling.objects.get(case=case)
    assert ruling.decided_by == world.dispatcher and not ruling.upheld_return


def test_extension_moves_the_deadline_only_when_approved(world):
    """R24.3: the department asks with a reason; the agency decides."""
    case = in_progress(world)
    due = login(world.dispatcher).get(url(case)).json()["due_at"]
    body = (
        login(world.police_handler)
        .post(url(case, "extend"), {"amount": 1, "unit": "workdays", "reason": "材料未到"})
        .json()
    )
    assert body["due_at"] == due and body["extensions"][0]["status"] == "pending"
    extension = body["extensions"][0]["id"]
    agency = login(world.dispatcher)
    response = agency.post(
        url(case, "decide-extension"), {"extension": extension, "approve": False}, format="json"
    )
    assert response.status_code == 400 and "note" in response.json()["errors"]
    body = agency.post(
        url(case, "decide-extension"),
        {"extension": extension, "approve": True, "note": "同意"},
        format="json",
    ).json()
    assert body["due_at"] > due and body["extensions"][0]["status"] == "approved"
    lead = next(a for a in body["assignments"] if a["role"] == "lead")
    assert lead["due_at"] == body["due_at"] and lead["original_due_at"] == due


# --- every action: wrong state (400 with the reason) ----------------------------------------

# action → (a stage in which it cannot be taken, a user who could take it in the right one)
WRONG_STATE: dict[str, tuple[Setup, str, Payload]] = {
    "verify": (verified, "worker", fixed({})),
    "settle": (lambda w: accepted(w, matter=w.settle_code), "worker", fixed({"note": "x"})),
    "accept": (reported, "dispatcher", fixed({})),
    "decline": (dispatched, "dispatcher", fixed({"reason": "x"})),
    "escalate": (dispatched, "dispatcher", fixed({"reason": "x"})),
    "dispatch": (verified, "dispatcher", lambda w, c: {"lead_department": w.police.pk}),
    "sign": (closed, "police_handler", fixed({})),
    "return": (handled, "police_handler", fixed({"reason": "x"})),
    "feedback": (dispatched, "police_handler", fixed({"note": "x"})),
    "end-assignment": (accepted, "dispatcher", fixed({"assignment": 1, "reason": "x"})),
    "check": (in_progress, "dispatcher", fixed({"passed": True})),
    "evaluate": (reported, "resident", fixed({"rating": "satisfied"})),
    "review": (closed, "dispatcher", fixed({"reopen": True, "reason": "x"})),
    "extend": (handled, "police_handler", fixed({"amount": 1, "unit": "workdays", "reason": "x"})),
    "decide-extension": (handled, "dispatcher", fixed({"extension": 1, "approve": True})),
    "suspend": (handled, "police_handler", fixed({"reason": "x"})),
    "decide-suspension": (handled, "dispatcher", fixed({"suspension": 1, "approve": True})),
    "resume": (in_progress, "dispatcher", fixed({})),
    "supervise": (verified, "supervisor", fixed({"note": "x"})),
    "answer": (
        lambda w: services.evaluate(w.resident, closed(w).pk, rating="satisfied"),
        "police_handler",
        fixed({"supervision": 1, "answer": "x"}),
    ),
}


def test_every_action_in_the_wrong_state_is_400_with_the_reason(world):
    """R24–R27: the machine refuses naming the state the case is in; nothing changes."""
    failures = []
    for action, (stage, actor, payload) in WRONG_STATE.items():
        case = stage(world)
        client = login(getattr(world, actor))
        before = counts()
        response = client.post(url(case, action), payload(world, case), format="json")
        body = response.json()
        if (
            response.status_code != 400
            or "state" not in body.get("errors", {})
            or str(case.get_state_display()) not in body["detail"]
        ):
            failures.append(f"{action}: {response.status_code} {body}")
        if counts() != before or Case.objects.get(pk=case.pk).state != case.state:
            failures.append(f"{action}: something changed")
    assert not failures, "\n".join(failures)


# --- every action: not the user's to take (403) ---------------------------------------------

# action → (stage, a user who sees the case but may not take the action, payload)
NOT_YOURS: dict[str, tuple[Setup, str, Payload]] = {
    "verify": (reported, "supervisor", fixed({})),
    "settle": (settleable, "dispatcher", fixed({"note": "x"})),
    "accept": (verified, "worker", fixed({})),
    "decline": (verified, "worker", fixed({"reason": "x"})),
    "escalate": (verified, "supervisor", fixed({"reason": "x"})),
    "dispatch": (accepted, "worker", lambda w, c: {"lead_department": w.police.pk}),
    "sign": (dispatched, "dispatcher", fixed({})),
    "return": (in_progress, "dispatcher", fixed({"reason": "x"})),
    "feedback": (in_progress, "worker", fixed({"note": "x"})),
    "end-assignment": (
        dispatched,
        "urban_handler",
        lambda w, c: {**open_co_assignment(c), "reason": "x"},
    ),
    "check": (handled, "police_handler", fixed({"passed": True})),
    "evaluate": (closed, "worker", fixed({"rating": "satisfied"})),
    "review": (rated_unsatisfied, "supervisor", fixed({"reopen": True, "reason": "x"})),
    "extend": (in_progress, "dispatcher", fixed({"amount": 1, "unit": "workdays", "reason": "x"})),
    "decide-extension": (
        with_extension,
        "police_handler",
        lambda w, c: {**pending_extension(c), "approve": True},
    ),
    "suspend": (in_progress, "urban_handler", fixed({"reason": "x"})),  # co-departments don't
    "decide-suspension": (
        with_suspension,
        "police_handler",
        lambda w, c: {**pending_suspension(c), "approve": True},
    ),
    "resume": (suspended, "police_handler", fixed({})),
    "supervise": (in_progress, "dispatcher", fixed({"note": "x"})),
    "answer": (supervised, "urban_handler", lambda w, c: {**open_supervision(c), "answer": "x"}),
}


def test_every_action_not_yours_is_403_and_changes_nothing(world):
    """R22.1: visible is not actionable; the action belongs to a role and a jurisdiction."""
    failures = []
    for action, (stage, actor, payload) in NOT_YOURS.items():
        case = stage(world)
        client = login(getattr(world, actor))
        shown = client.get(url(case))
        if shown.status_code != 200:  # the user does see the case
            failures.append(f"{action}: {actor} does not see the case ({shown.status_code})")
            continue
        if action.replace("-", "_") in shown.json()["available_actions"]:
            failures.append(f"{action}: offered to {actor}")
        before = counts()
        response = client.post(url(case, action), payload(world, case), format="json")
        if response.status_code != 403 or not response.json()["detail"]:
            failures.append(f"{action}: {response.status_code} {response.content[:200]!r}")
        if counts() != before:
            failures.append(f"{action}: something changed")
    assert not failures, "\n".join(failures)


def test_the_county_may_not_act_for_the_township_holding_the_case(world):
    """R24.2: the agency at the right level: the township's case is not the county's."""
    case = verified(world)
    response = login(world.county_dispatcher).post(url(case, "accept"), {})
    assert response.status_code == 403


# --- every action: outside the user's jurisdiction (404) ------------------------------------

ALL_ACTIONS = list(HAPPY)


@pytest.mark.parametrize("who", ["foreign_dispatcher", "housing_handler"])
def test_a_case_outside_the_jurisdiction_is_404_for_every_route(world, who):
    """R22.1: another county's dispatcher, or a department never assigned, cannot tell the
    case exists: detail, archive, exports and every action answer 404."""
    case = in_progress(world)
    services.request_extension(world.police_handler, case.pk, amount=1, unit="workdays", reason="x")
    services.supervise(world.supervisor, case.pk, note="x")
    services.request_suspension(world.police_handler, case.pk, reason="x")
    client = login(getattr(world, who))
    for path in ("", "archive", "export.json", "export.pdf"):
        assert client.get(url(case, path)).status_code == 404, path
    before = counts()
    payloads = {a: HAPPY[a][2](world, case) for a in ALL_ACTIONS if a not in ("evaluate",)}
    payloads["evaluate"] = {"rating": "satisfied"}
    for action, payload in payloads.items():
        response = client.post(url(case, action), payload, format="json")
        assert response.status_code == 404, (action, response.content)
    assert counts() == before
    assert case.pk not in [c["id"] for c in client.get(CASES).json()["results"]]


def test_unknown_case_ids_are_404(world):
    client = login(world.dispatcher)
    for pk in ("999999", "abc", "-1"):
        assert client.get(f"{CASES}{pk}/").status_code == 404
        assert client.post(f"{CASES}{pk}/accept/", {}).status_code == 404


# --- every action: bad input (400 with field messages, nothing stored) ----------------------

# action → (stage, actor, bad payload, the field the error must name)
BAD_INPUT: list[tuple[str, Setup, str, Payload, str]] = [
    ("verify", reported, "worker", fixed({"valid": "perhaps"}), "valid"),
    ("verify", reported, "worker", fixed({"valid": False}), "note"),
    ("verify", reported, "worker", fixed({"note": "长" * 4001}), "note"),
    ("settle", settleable, "worker", fixed({}), "note"),
    ("settle", settleable, "worker", fixed({"note": "   "}), "note"),
    ("settle", reported, "worker", fixed({"note": "不该现场处置"}), "note"),
    ("accept", verified, "dispatcher", fixed({"note": "x" * 4001}), "note"),
    ("decline", verified, "dispatcher", fixed({}), "reason"),
    ("decline", verified, "dispatcher", fixed({"reason": " "}), "reason"),
    ("escalate", verified, "dispatcher", fixed({}), "reason"),
    ("dispatch", accepted, "dispatcher", fixed({"lead_department": "公安"}), "lead_department"),
    ("dispatch", accepted, "dispatcher", fixed({"lead_department": 999999}), "lead_department"),
    ("dispatch", accepted, "dispatcher", fixed({"co_departments": "1,2"}), "co_departments"),
    ("dispatch", accepted, "dispatcher", fixed({"co_departments": [999999]}), "co_departments"),
    ("sign", dispatched, "police_handler", fixed({"note": "x" * 4001}), "note"),
    ("return", in_progress, "police_handler", fixed({}), "reason"),
    ("return", in_progress, "police_handler", fixed({"reason": ""}), "reason"),
    ("feedback", in_progress, "police_handler", fixed({}), "note"),
    ("feedback", in_progress, "police_handler", fixed({"note": "  "}), "note"),
    ("check", handled, "dispatcher", fixed({}), "passed"),
    ("check", handled, "dispatcher", fixed({"passed": "maybe"}), "passed"),
    ("check", handled, "dispatcher", fixed({"passed": False}), "note"),
    ("evaluate", closed, "resident", fixed({}), "rating"),
    ("evaluate", closed, "resident", fixed({"rating": "great"}), "rating"),
    (
        "evaluate",
        closed,
        "resident",
        fixed({"rating": "satisfied", "comment": "x" * 1001}),
        "comment",
    ),
    ("extend", in_progress, "police_handler", fixed({"unit": "workdays", "reason": "x"}), "amount"),
    (
        "extend",
        in_progress,
        "police_handler",
        fixed({"amount": 0, "unit": "workdays", "reason": "x"}),
        "amount",
    ),
    (
        "extend",
        in_progress,
        "police_handler",
        fixed({"amount": 61, "unit": "workdays", "reason": "x"}),
        "amount",
    ),
    (
        "extend",
        in_progress,
        "police_handler",
        fixed({"amount": 1, "unit": "weeks", "reason": "x"}),
        "unit",
    ),
    ("extend", in_progress, "police_handler", fixed({"amount": 1, "unit": "workdays"}), "reason"),
    ("decide-extension", with_extension, "dispatcher", fixed({"approve": True}), "extension"),
    (
        "decide-extension",
        with_extension,
        "dispatcher",
        fixed({"extension": "x", "approve": True}),
        "extension",
    ),
    (
        "decide-extension",
        with_extension,
        "dispatcher",
        fixed({"extension": 999999, "approve": True}),
        "extension",
    ),
    (
        "decide-extension",
        with_extension,
        "dispatcher",
        lambda w, c: pending_extension(c),
        "approve",
    ),
    ("suspend", in_progress, "police_handler", fixed({}), "reason"),
    ("decide-suspension", with_suspension, "dispatcher", fixed({"approve": True}), "suspension"),
    (
        "decide-suspension",
        with_suspension,
        "dispatcher",
        fixed({"suspension": 999999, "approve": True}),
        "suspension",
    ),
    (
        "decide-suspension",
        with_suspension,
        "dispatcher",
        lambda w, c: {**pending_suspension(c), "approve": False},
        "note",
    ),
    ("resume", suspended, "dispatcher", fixed({"note": "x" * 4001}), "note"),
    ("supervise", in_progress, "supervisor", fixed({}), "note"),
    (
        "supervise",
        in_progress,
        "supervisor",
        fixed({"note": "x", "department": 999999}),
        "department",
    ),
    ("answer", supervised, "police_handler", fixed({"answer": "x"}), "supervision"),
    ("answer", supervised, "police_handler", lambda w, c: open_supervision(c), "answer"),
    (
        "answer",
        supervised,
        "police_handler",
        fixed({"supervision": 999999, "answer": "x"}),
        "supervision",
    ),
]


def test_bad_action_input_is_400_naming_the_field_and_changes_nothing(world):
    """Bad input: a clear specific error naming the field, nothing changed."""
    failures = []
    for action, stage, actor, payload, field in BAD_INPUT:
        case = stage(world)
        client = login(getattr(world, actor))
        data = payload(world, case)
        before = counts()
        response = client.post(url(case, action), data, format="json")
        body = response.json()
        if response.status_code != 400 or field not in body.get("errors", {}) or not body["detail"]:
            failures.append(f"{action} {data}: {response.status_code} {body}")
        if counts() != before:
            failures.append(f"{action} {data}: something changed")
    assert not failures, "\n".join(failures)


def test_dispatch_to_a_department_of_another_county_is_refused(world):
    case = accepted(world)
    heshan = people.make_department("police", "440784")
    before = counts()
    response = login(world.dispatcher).post(
        url(case, "dispatch"), {"lead_department": heshan.pk}, format="json"
    )
    assert response.status_code == 400
    assert "lead_department" in response.json()["errors"]
    assert counts() == before


def test_resent_actions_answer_the_same_and_change_nothing(world):
    """A phone resends actions too: the same client id is taken once."""
    case = in_progress(world)
    police = login(world.police_handler)
    payload = {"note": "已处理完毕", "client_id": "fb-1"}
    first = police.post(url(case, "feedback"), payload, format="json")
    assert first.status_code == 200
    events = case.events.count()
    again = police.post(url(case, "feedback"), payload, format="json")
    assert again.status_code == 200 and again.json()["state"] == "handled"
    assert case.events.count() == events


# --- list, filters, pagination ----------------------------------------------------------------


@pytest.fixture
def many(world):
    """Five cases of the county, spread over states, grids, departments and deadlines."""
    lamp = report(world, description="路灯损坏", urgent=True)
    stall = report(world, matter=world.settle_code, description="占道摆卖", settle_note="已劝离")
    noise = report(world, world.resident, grid=2, description="夜间施工噪音")
    late = dispatched(world, description="井盖缺失")
    amber = accepted(world, description="违章搭建")
    amber = services.dispatch(
        world.dispatcher, amber.pk, lead_department=world.urban.pk, co_departments=[]
    )
    clock.refresh_deadline_status(late, now=late.due_at + timezone.timedelta(minutes=5))
    clock.refresh_deadline_status(amber, now=amber.due_at - timezone.timedelta(minutes=5))
    return {"lamp": lamp, "stall": stall, "noise": noise, "late": late, "amber": amber}


def _ids(client: APIClient, query: str) -> set[int]:
    response = client.get(f"{CASES}?{query}&page_size=100")
    assert response.status_code == 200, response.content
    return {c["id"] for c in response.json()["results"]}


def test_list_filters(world, many):
    """R24–R27 API: state, grid/region prefix, department, matter, overdue, deadline status,
    urgency, dates and text."""
    client = login(world.supervisor)
    ids = {k: v.pk for k, v in many.items()}
    assert _ids(client, "") == set(ids.values())
    assert _ids(client, "state=verified") == {ids["lamp"]}
    assert _ids(client, "state=verified&state=reported") == {ids["lamp"], ids["noise"]}
    assert _ids(client, "state=dispatched") == {ids["late"], ids["amber"]}
    assert _ids(client, "open=false") == {ids["stall"]}
    assert _ids(client, f"grid={world.grids[2].code}") == {ids["noise"]}
    assert _ids(client, "region=440703002102") == {ids["noise"]}
    assert _ids(client, "region=440703002101") == set(ids.values()) - {ids["noise"]}
    assert _ids(client, "region=440784") == set()
    assert _ids(client, f"department={world.urban.pk}") == {ids["late"], ids["amber"]}
    assert _ids(client, f"department={world.police.pk}") == {ids["late"]}
    assert _ids(client, f"matter={world.settle_code}") == {ids["stall"]}
    assert _ids(client, "overdue=true") == {ids["late"]}
    assert ids["late"] not in _ids(client, "overdue=false")
    assert _ids(client, "deadline_status=amber") == {ids["amber"]}
    assert _ids(client, "deadline_status=red&deadline_status=amber") == {ids["late"], ids["amber"]}
    assert _ids(client, "urgent=true") == {ids["lamp"]}
    assert _ids(client, "channel=portal") == {ids["noise"]}
    assert _ids(client, "q=噪音") == {ids["noise"]}
    assert _ids(client, f"q={many['stall'].tracking_code.lower()}") == {ids["stall"]}
    now = timezone.now()
    later = urlencode({"t": (now + timezone.timedelta(days=1)).isoformat()})[2:]
    earlier = urlencode({"t": (now - timezone.timedelta(days=1)).isoformat()})[2:]
    assert _ids(client, f"created_after={earlier}") == set(ids.values())
    assert _ids(client, f"created_after={later}") == set()
    assert _ids(client, f"created_before={earlier}") == set()
    assert _ids(client, f"created_before={later}") == set(ids.values())
    assert _ids(client, f"closed_after={earlier}") == {ids["stall"]}
    assert _ids(client, f"closed_before={earlier}") == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=bogus", "state"),
        ("deadline_status=purple", "deadline_status"),
        ("department=abc", "department"),
        ("created_after=yesterday", "created_after"),
    ],
)
def test_bad_filters_are_400_naming_the_filter(world, query, field):
    response = login(world.supervisor).get(f"{CASES}?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_list_is_paginated_newest_first(world, many):
    client = login(world.supervisor)
    page = client.get(f"{CASES}?page_size=2").json()
    assert page["count"] == 5 and len(page["results"]) == 2 and page["next"]
    assert page["results"][0]["id"] == many["amber"].pk  # the newest first
    last = client.get(f"{CASES}?page_size=2&page=3").json()
    assert len(last["results"]) == 1 and last["next"] is None
    assert client.get(f"{CASES}?page_size=2&page=4").status_code == 404
    seen = []
    for number in (1, 2, 3):
        seen += [
            c["id"] for c in client.get(f"{CASES}?page_size=2&page={number}").json()["results"]
        ]
    assert sorted(seen) == sorted(c.pk for c in many.values())


# --- detail: assignments, attachments, available actions, Open311 fields --------------------


def test_detail_shows_assignments_with_deadlines_and_attachments(world):
    """R24.2, R24.3, R25.1: each assignment carries its own deadline; photos carry hashes."""
    case = report(world, photos=[photo()])
    services.accept(world.dispatcher, case.pk)
    services.dispatch(
        world.dispatcher, case.pk, lead_department=world.police.pk, co_departments=[world.urban.pk]
    )
    body = login(world.dispatcher).get(url(case)).json()
    roles = {a["department"]["name"]: (a["role"], a["state"]) for a in body["assignments"]}
    assert roles == {
        world.police.name: ("lead", "dispatched"),
        world.urban.name: ("co", "dispatched"),
    }
    assert all(a["due_at"] and a["deadline_status"] == "normal" for a in body["assignments"])
    assert body["due_at"] == next(a["due_at"] for a in body["assignments"] if a["role"] == "lead")
    (attachment,) = body["attachments"]
    assert attachment["sha256"] == Attachment.objects.get().sha256 and attachment["url"]


def test_open311_fields_are_present(world):
    """Open311 GeoReport v2 later maps service_code = matter, status = open/closed,
    expected_datetime = due_at, agency_responsible = lead_department."""
    case = dispatched(world)
    body = login(world.dispatcher).get(url(case)).json()
    assert body["matter"] == world.entry_code
    assert body["status"] == "open"
    assert body["due_at"] is not None
    assert body["lead_department"] == {"id": world.police.pk, "name": world.police.name}
    assert {"lng", "lat", "description", "created_at", "updated_at", "address"} <= set(body)
    done = closed(world)
    assert login(world.dispatcher).get(url(done)).json()["status"] == "closed"


def test_case_flow_with_its_grid_geometry_and_archive(world):
    """R8.4, R26.2: the case names its grid; the grid endpoint gives the GeoJSON polygon the
    point lies in; the archive is the hash chain of every step."""
    case = handled(world)
    client = login(world.dispatcher)
    body = client.get(url(case)).json()
    grid = client.get(f"/api/v1/grids/{body['grid']}/")
    assert grid.status_code == 200
    geometry = grid.json()["geometry"]
    assert geometry["type"] in {"Polygon", "MultiPolygon"}
    assert geo.from_geojson(geometry).contains(shapely.Point(body["lng"], body["lat"]))
    chain = client.get(url(case, "archive")).json()
    assert [e["action"] for e in chain] == [
        "report",
        "accept",
        "dispatch",
        "sign",
        "feedback",
    ]
    assert chain[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(chain))
    exported = client.get(url(case, "export.json"))
    assert exported.status_code == 200
    pdf = client.get(url(case, "export.pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def _offered(world, case: Case) -> dict[str, list[str]]:
    names = [
        "worker",
        "leader",
        "resident",
        "dispatcher",
        "county_dispatcher",
        "supervisor",
        "police_handler",
        "urban_handler",
    ]
    return {n: machine.available_actions(getattr(world, n), case) for n in names}


def test_available_actions_per_role_on_a_case_in_progress(world):
    """Each role is offered exactly what it may do now (the web UI shows these buttons)."""
    case = in_progress(world)
    client = login(world.police_handler)
    assert client.get(url(case)).json()["available_actions"] == [
        "return",
        "feedback",
        "extend",
        "suspend",
    ]
    offered = _offered(world, Case.objects.get(pk=case.pk))
    assert offered["urban_handler"] == ["sign", "return", "extend"]  # co: signs, no suspend
    assert offered["dispatcher"] == ["end_assignment", "suspend"]  # urban's part is open
    assert offered["supervisor"] == ["supervise"]
    assert offered["worker"] == offered["leader"] == offered["resident"] == []
    assert offered["county_dispatcher"] == []


def test_available_actions_do_not_offer_what_the_service_would_refuse(world):
    """Signed already: no second "sign"; nothing pending: nothing to decide; not settle-able:
    no "settle"; a request pending: no second request."""
    case = verified(world)
    assert "settle" not in machine.available_actions(world.worker, case)
    stall = verified(world, matter=world.settle_code)
    assert "settle" in machine.available_actions(world.worker, stall)
    case = with_extension(world)
    case = Case.objects.get(pk=case.pk)
    police = machine.available_actions(world.police_handler, case)
    assert "sign" not in police and "extend" not in police and "feedback" in police
    assert "decide_extension" in machine.available_actions(world.dispatcher, case)
    services.feedback(world.police_handler, case.pk, note="已处理")
    case = Case.objects.get(pk=case.pk)
    assert machine.available_actions(world.police_handler, case) == []
    # urban (co) has not fed back: the agency may end its part; the check may only fail
    assert machine.available_actions(world.dispatcher, case) == ["end_assignment", "check"]
    assert machine.available_actions(world.worker, case) == ["check"]


# Every stage of the loop, for the exhaustive consistency check below.
STAGES: dict[str, Setup] = {
    "reported": reported,
    "reported_settleable": settleable,
    "verified": verified,
    "escalated": lambda w: services.escalate(w.dispatcher, verified(w).pk, reason="跨镇街"),
    "accepted": accepted,
    "dispatched": dispatched,
    "in_progress": in_progress,
    "co_signed": lambda w: services.sign(w.urban_handler, in_progress(w).pk),
    "with_extension": with_extension,
    "with_suspension": with_suspension,
    "suspended": suspended,
    "supervised": supervised,
    "returned": lambda w: services.return_case(w.police_handler, in_progress(w).pk, reason="x"),
    "handled": handled,
    "closed": closed,
    "evaluated": lambda w: services.evaluate(w.resident, closed(w).pk, rating="basically"),
    "unsatisfied": rated_unsatisfied,
    "declined": lambda w: services.decline(w.dispatcher, verified(w).pk, reason="x"),
}
SERVICE_CALLS: dict[str, Callable[..., Any]] = {
    "verify": lambda w, u, c: services.verify(u, c.pk, note="x"),
    "settle": lambda w, u, c: services.settle(u, c.pk, note="x"),
    "accept": lambda w, u, c: services.accept(u, c.pk),
    "decline": lambda w, u, c: services.decline(u, c.pk, reason="x"),
    "escalate": lambda w, u, c: services.escalate(u, c.pk, reason="x"),
    "dispatch": lambda w, u, c: services.dispatch(
        u, c.pk, lead_department=w.police.pk, ruling="经研究属公安职责"
    ),
    "sign": lambda w, u, c: services.sign(u, c.pk),
    "return": lambda w, u, c: services.return_case(u, c.pk, reason="x"),
    "feedback": lambda w, u, c: services.feedback(u, c.pk, note="x"),
    "end_assignment": lambda w, u, c: co_departments.end_assignment(
        u, c.pk, **open_co_assignment(c), reason="x"
    ),
    # with a co-department still open only a failed check is possible (R25.1): "check" is
    # offered as long as one of its outcomes is
    "check": lambda w, u, c: services.check(
        u, c.pk, passed=not machine.open_co_assignments(c), note="x"
    ),
    "evaluate": lambda w, u, c: services.evaluate(u, c.pk, rating="satisfied"),
    "review": lambda w, u, c: reviews.review(u, c.pk, reopen=True, reason="x"),
    "extend": lambda w, u, c: services.request_extension(
        u, c.pk, amount=1, unit="workdays", reason="x"
    ),
    "decide_extension": lambda w, u, c: services.decide_extension(
        u, c.pk, extension=_first(Extension.objects.filter(assignment__case=c)), approve=True
    ),
    "suspend": lambda w, u, c: services.request_suspension(u, c.pk, reason="x"),
    "decide_suspension": lambda w, u, c: services.decide_suspension(
        u, c.pk, suspension=_first(c.suspensions.filter(status="pending")), approve=True
    ),
    "resume": lambda w, u, c: services.resume(u, c.pk),
    "supervise": lambda w, u, c: services.supervise(u, c.pk, note="x"),
    "answer": lambda w, u, c: services.answer_supervision(
        u, c.pk, supervision=_first(c.supervisions.filter(answered_at__isnull=True)), answer="x"
    ),
}


def _first(qs: Any) -> Any:
    found = qs.filter(status="pending").first() if hasattr(qs.model, "status") else qs.first()
    return found.pk if found is not None else 0


class _Undo(Exception):
    pass


def _succeeds(call: Callable[[], Any]) -> bool:
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return True
    except DomainError:
        return False


def test_available_actions_are_exactly_what_the_services_allow(world):
    """For every stage of the loop and every role: each action offered succeeds, and each
    action not offered is refused (tried and rolled back)."""
    cases = {name: stage(world) for name, stage in STAGES.items()}
    users = [
        "worker",
        "resident",
        "dispatcher",
        "county_dispatcher",
        "supervisor",
        "police_handler",
        "urban_handler",
        "housing_handler",
    ]
    assert set(SERVICE_CALLS) == set(machine.ACTIONS)
    mismatches = []
    for stage, case in cases.items():
        for name in users:
            user = getattr(world, name)
            fresh = Case.objects.get(pk=case.pk)
            offered = set(machine.available_actions(user, fresh))
            for action, call in SERVICE_CALLS.items():
                if fresh.state not in machine.ACTIONS[action].sources:
                    if action in offered:
                        mismatches.append(f"{stage}: {name} {action} offered in {fresh.state}")
                    continue
                ok = _succeeds(
                    lambda call=call, user=user, pk=case.pk: call(
                        world, user, Case.objects.get(pk=pk)
                    )
                )
                if ok != (action in offered):
                    mismatches.append(f"{stage}: {name} {action}: offered={action in offered}")
    assert not mismatches, "\n".join(mismatches)


def test_steps_taken_at_a_past_moment_are_archived_then_and_the_chain_verifies(world):
    """R26.2: an import (or the demo) replays steps at their real times; the archive shows
    those times and its hashes still verify."""
    from cases import archive

    start = timezone.now() - timezone.timedelta(days=20)
    with primitives.acting_at(start):
        case = report(world, photos=[photo()])
    with primitives.acting_at(start + timezone.timedelta(hours=1)):
        services.accept(world.dispatcher, case.pk)
        services.dispatch(world.dispatcher, case.pk, lead_department=world.police.pk)
    case.refresh_from_db()
    assert case.created_at == start and case.verified_at == start
    assert case.dispatched_at == start + timezone.timedelta(hours=1)
    assert case.due_at < timezone.now()  # 3 working days from 20 days ago
    chain = login(world.dispatcher).get(url(case, "archive")).json()
    assert [e["at"][:16] for e in chain][:1] == [timezone.localtime(start).isoformat()[:16]]
    assert Attachment.objects.get().uploaded_at == start
    assert list(archive.verify([case.pk])) == []
    clock.refresh_deadline_status(case)
    assert Case.objects.get(pk=case.pk).deadline_status == "red"
