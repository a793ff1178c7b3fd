"""A resent ``client_id`` (R24.1, R18.1): the same report is the stored case (201, marked as
a replay); a different report under the same key is 409 naming the stored case, and the new
report is neither stored nor silently answered with the old one."""

from __future__ import annotations

import json

import pytest

from cases import services
from cases.inputs import ReportInput
from cases.models import Case, InvolvedPerson
from cases.tests.conftest import photo
from cases.tests.test_api import CASES, counts, login
from gridgov.errors import Conflict

pytestmark = pytest.mark.django_db


def payload(world, **kw):
    lng, lat = world.point
    return {
        "lng": lng,
        "lat": lat,
        "matter": world.entry_code,
        "description": "楼道堆放杂物,堵塞消防通道",
        "address": "白沙街道江华路 12 号",
        "client_id": "phone-resend-1",
        "involved": [{"name": "张三", "phone": "13800138000"}],
        **kw,
    }


CHANGES = [
    ("another description", {"description": "路灯不亮"}),
    ("another point", {"lng_shift": 0.0001}),
    ("another address", {"address": "江华路 14 号"}),
    ("urgent now", {"urgent": True}),
    ("another person", {"involved": [{"name": "李四", "phone": "13800138000"}]}),
    ("another phone", {"involved": [{"name": "张三", "phone": "13800138001"}]}),
    ("no persons", {"involved": []}),
]


@pytest.mark.parametrize(("name", "change"), CHANGES, ids=[c[0] for c in CHANGES])
def test_r24_1_a_resend_with_other_content_is_409_naming_the_stored_case(world, name, change):
    """R24.1, R18.1: the key is taken by another report: 409 with the stored case's id and
    tracking code, nothing stored, the stored case unchanged."""
    client = login(world.worker)
    first = client.post(CASES, payload(world), format="json")
    assert first.status_code == 201, first.content
    before = counts()
    change = dict(change)
    body = payload(world, **{k: v for k, v in change.items() if k != "lng_shift"})
    body["lng"] += change.get("lng_shift", 0)
    again = client.post(CASES, body, format="json")
    assert again.status_code == 409, again.content
    answer = again.json()
    assert answer["code"] == "client_id_conflict" and "client_id" in answer["errors"]
    assert answer["case"] == {
        "id": first.json()["id"],
        "tracking_code": first.json()["tracking_code"],
    }
    assert first.json()["tracking_code"] in answer["detail"]
    assert "Idempotent-Replayed" not in again
    assert counts() == before and InvolvedPerson.objects.count() == 1
    assert Case.objects.get().description == "楼道堆放杂物,堵塞消防通道"


def test_r24_1_a_resend_that_does_not_parse_is_refused_as_bad_input(world):
    """R24.1: bad input is a 400 naming the field, whether or not its key is taken."""
    client = login(world.worker)
    assert client.post(CASES, payload(world), format="json").status_code == 201
    for change in ({"lng": 181}, {"description": ""}, {"involved": [{"name": "张三", "x": 1}]}):
        again = client.post(CASES, payload(world, **change), format="json")
        assert again.status_code == 400 and next(iter(change)) in again.json()["errors"]
    assert Case.objects.count() == 1


def test_r24_1_the_same_report_in_another_encoding_is_the_same_content(world):
    """R24.1: content is the parsed report: numbers as text or JSON, a phone with spaces,
    the persons as a JSON string (multipart) are the same report; the resend is a replay."""
    client = login(world.worker)
    first = client.post(CASES, payload(world), format="json")
    body = payload(world)
    body["lng"], body["lat"] = f"{body['lng']}", f"{body['lat']}"
    body["involved"] = json.dumps([{"name": "张三", "role": "party", "phone": "138 0013 8000"}])
    body["description"] = f"  {body['description']}  "
    again = client.post(CASES, body, format="multipart")
    assert again.status_code == 201, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == client.get(f"{CASES}{first.json()['id']}/").json()


def test_r24_1_photos_are_part_of_the_content(world):
    """R24.1: the same photos (by SHA-256) resend as the same report; another photo is
    another report."""
    client = login(world.worker)
    body = payload(world, involved=[])
    first = client.post(CASES, {**body, "photos": [photo()]}, format="multipart")
    assert first.status_code == 201, first.content
    same = client.post(CASES, {**body, "photos": [photo()]}, format="multipart")
    assert same.status_code == 201 and same["Idempotent-Replayed"] == "true"
    other = client.post(CASES, {**body, "photos": [photo(color="blue")]}, format="multipart")
    assert other.status_code == 409
    assert Case.objects.get().attachments.count() == 1


def test_r24_1_a_resend_after_the_list_changed_still_gets_the_stored_case_or_409(world):
    """R24.1, R9.1: the server's state (list, grids, roles) is not content: a resend refused
    by it now is still the stored case, and a different report then is still 409."""
    lng, lat = world.point
    report = dict(lng=lng, lat=lat, matter=world.entry_code, description="井盖缺失")
    first = services.intake(world.worker, ReportInput(client_id="svc-1", **report)).case
    from matters import services as matters
    from matters.models import AdmissionEntry

    draft = matters.open_draft("test", matters.version_in_force("440703").admission_list)
    matters.remove_entry("test", AdmissionEntry.objects.get(version=draft, item__code="ZA-01"))
    matters.publish_version("test", draft)
    again = services.intake(world.worker, ReportInput(client_id="svc-1", **report))
    assert (again.created, again.case.pk) == (False, first.pk)
    with pytest.raises(Conflict):
        services.intake(
            world.worker, ReportInput(client_id="svc-1", **{**report, "description": "x"})
        )


def test_r24_1_a_case_stored_without_a_digest_answers_resends_as_before(world):
    """R24.1: cases stored before content digests existed cannot be compared: a resend gets
    the stored case, as it always did."""
    lng, lat = world.point
    report = dict(lng=lng, lat=lat, matter=world.entry_code, description="井盖缺失")
    first = services.intake(world.worker, ReportInput(client_id="old-1", **report)).case
    Case.objects.filter(pk=first.pk).update(content_digest="")
    again = services.intake(
        world.worker, ReportInput(client_id="old-1", **{**report, "description": "x"})
    )
    assert (again.created, again.case.pk) == (False, first.pk)


def test_r24_1_the_digest_is_keyed_and_stored_by_the_one_insert(world):
    """R22.1, R24.1: the content digest is an HMAC (it covers phone numbers), 64 hex
    characters on the case, and never in the answer."""
    response = login(world.worker).post(CASES, payload(world), format="json")
    case = Case.objects.get()
    assert len(case.content_digest) == 64
    assert case.content_digest not in response.content.decode()
    assert "content_digest" not in response.json()


def test_r24_1_the_phone_form_without_javascript_shows_the_conflict_with_a_new_key(world):
    """R24.1: the phone's form posted again under a key that holds another report: 409, the
    stored case named, the form kept with a fresh key (sending it again is a new report)."""
    from django.test import Client

    web = Client()
    web.force_login(world.worker)
    lng, lat = world.point
    form = {
        "lng": f"{lng:.6f}",
        "lat": f"{lat:.6f}",
        "matter": world.entry_code,
        "description": "井盖缺失",
        "client_id": "form-key-1",
    }
    assert web.post("/m/report/", form).status_code == 302
    stored = Case.objects.get()
    again = web.post("/m/report/", {**form, "description": "井盖缺失,已有人受伤"})
    body = again.content.decode()
    assert again.status_code == 409 and stored.tracking_code in body
    assert 'value="form-key-1"' not in body and "已有人受伤" in body
    assert Case.objects.count() == 1
