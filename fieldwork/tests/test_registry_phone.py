"""R11.1 (二), R22.1: the phone's basic-information pages: a grid worker finds a house of
their grid, sees its residents masked, and proposes changes through forms that post with a
client_id (and, with JavaScript, go through the outbox to the proposals API)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.testing import people as testing
from registry import inputs, services
from registry.models import Proposal, Resident, Thing
from registry.tests import world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(client):
    user = testing.make_user("grid_worker_fulltime", w.GRID, username="m_worker")
    client.force_login(user)
    return user


def _house_with_resident():
    house = w.house()
    resident = w.resident(house, phone=testing.mobile(61), id_number=w.id_number(61))
    return house, resident


def test_home_has_a_basic_information_entry_and_finds_houses_by_address(client, worker):
    house, _resident = _house_with_resident()
    assert "/m/registry/" in client.get("/m/").content.decode()
    page = client.get("/m/registry/", {"q": "白沙大道"}).content.decode()
    assert f"/m/registry/houses/{house.pk}/" in page
    other = client.get("/m/registry/", {"q": "不存在的路"}).content.decode()
    assert f"/m/registry/houses/{house.pk}/" not in other


def test_the_house_shows_residents_masked_and_forms_with_a_client_id(client, worker):
    """R22.1: masked numbers only; every form is an outbox form with its resend key."""
    house, resident = _house_with_resident()
    page = client.get(f"/m/registry/houses/{house.pk}/").content.decode()
    assert resident.name in page and resident.phone_masked in page
    assert testing.mobile(61) not in page and w.id_number(61) not in page
    assert (
        'data-outbox-form="proposal"' in page and 'data-api="/api/v1/registry/proposals/"' in page
    )
    for change in ("resident_add", "resident_update", "move_out", "tag"):
        assert f'name="change" value="{change}"' in page
    assert 'name="client_id"' in page and "data-gps-lng" in page


def test_adding_a_resident_without_javascript_waits_for_review(client, worker):
    house, _resident = _house_with_resident()
    data = {"change": "resident_add", "subject": house.pk, "client_id": "m-add-1",
            "name": "周九", "kind": "floating", "id_number": w.id_number(62),
            "house_relation": "tenant", "gps_lng": "113.075", "gps_lat": "22.605"}  # fmt: skip
    first = client.post(f"/m/registry/houses/{house.pk}/", data)
    again = client.post(f"/m/registry/houses/{house.pk}/", data)
    assert first.status_code == again.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.status, proposal.kind, proposal.lng) == ("pending", "resident_add", 113.075)
    assert not Resident.objects.filter(name="周九").exists()
    followed = client.get(f"/m/registry/houses/{house.pk}/").content.decode()
    assert "已提交,待审核" in followed
    mine = client.get("/m/registry/proposals/").content.decode()
    assert "新增人口" in mine and "待审核" in mine


def test_a_refused_form_shows_the_reason_and_changes_nothing(client, worker):
    house, resident = _house_with_resident()
    data = {"change": "move_out", "subject": resident.pk, "client_id": "m-out-1"}
    answer = client.post(f"/m/registry/houses/{house.pk}/", data)
    assert answer.status_code == 400
    assert not Proposal.objects.exists()


def test_a_thing_state_takes_effect_at_once(client, worker):
    lng, lat = w.located_grid()
    thing = services.create_thing(
        w.ACTOR, inputs.NewThing(kind="manhole_cover", where=inputs.Where(lng=lng, lat=lat))
    )
    page = client.get(f"/m/registry/things/{thing.pk}/").content.decode()
    assert 'value="thing_state"' in page
    data = {"change": "thing_state", "subject": thing.pk, "client_id": "m-t-1", "state": "missing"}
    assert client.post(f"/m/registry/things/{thing.pk}/", data).status_code == 302
    assert Thing.objects.get(pk=thing.pk).state == "missing"
    assert "已生效" in client.get(f"/m/registry/things/{thing.pk}/").content.decode()


def test_a_place_photo_takes_effect_and_shows_on_the_place(client, worker):
    place = services.create_place(
        w.ACTOR, inputs.NewPlace(kind="small_shop", name="白沙小卖部", address=w.street())
    )
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "#c04040").save(image, "JPEG")
    data = {"change": "place_update", "subject": place.pk, "client_id": "m-p-1",
            "photo": SimpleUploadedFile("shop.jpg", image.getvalue(), "image/jpeg")}  # fmt: skip
    assert client.post(f"/m/registry/places/{place.pk}/", data).status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.status == "confirmed" and proposal.photo
    page = client.get(f"/m/registry/places/{place.pk}/").content.decode()
    assert f"/registry/proposals/{proposal.pk}/photo/" in page
    photo = client.get(f"/registry/proposals/{proposal.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


def test_a_worker_of_another_grid_does_not_find_the_house(client):
    house, _resident = _house_with_resident()
    client.force_login(testing.make_user("grid_worker_fulltime", w.OTHER_GRID, username="m_o"))
    assert client.get(f"/m/registry/houses/{house.pk}/").status_code == 404
    data = {"change": "resident_add", "subject": house.pk, "name": "x", "kind": "floating",
            "id_number": w.id_number(63), "house_relation": "tenant"}  # fmt: skip
    assert client.post(f"/m/registry/houses/{house.pk}/", data).status_code == 404
    assert not Proposal.objects.exists()


def test_a_new_place_with_its_photo_waits_and_then_shows_it(client, worker):
    """R11.1: a place found on the round, photographed: reviewed, then on the place's page."""
    from registry.services import proposals

    lng, lat = w.located_grid()
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "#40c040").save(image, "PNG")
    data = {"change": "place_add", "client_id": "m-pa-1", "name": "白沙网吧",
            "kind": "small_internet_cafe", "risk_level": "medium", "grid_code": w.GRID,
            "lng": str(lng), "lat": str(lat),
            "photo": SimpleUploadedFile("cafe.png", image.getvalue(), "image/png")}  # fmt: skip
    assert "data-photo-input" in client.get("/m/registry/places/new/").content.decode()
    assert client.post("/m/registry/places/new/", data).status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.status, proposal.grid_code) == ("pending", w.GRID) and proposal.photo
    proposals.confirm(w.ACTOR, proposal)
    proposal.refresh_from_db()
    page = client.get(f"/m/registry/places/{proposal.result_id}/").content.decode()
    assert "白沙网吧" in page and f"/registry/proposals/{proposal.pk}/photo/" in page


def _correction(resident, client_id: str, **fields) -> dict:
    """The phone's correction form as sent: every field, the untouched ones blank."""
    blank = dict.fromkeys(
        ("name", "gender", "birth_date", "kind", "id_type", "id_number", "phone", "relation",
         "note", "proposal_note", "gps_lng", "gps_lat", "gps_accuracy", "device_time"),
        "",
    )  # fmt: skip
    return {**blank, "change": "resident_update", "subject": resident.pk,
            "client_id": client_id, **fields}  # fmt: skip


def test_the_correction_form_offers_every_fact_with_the_numbers_masked(client, worker):
    """R11.1, R22.1: one form per resident for name, gender, birth date, kind, ID type and
    number, phone, relation and note; the current numbers only as masked placeholders."""
    house, resident = _house_with_resident()
    page = client.get(f"/m/registry/houses/{house.pk}/").content.decode()
    assert "更正信息" in page
    for name in ("name", "gender", "birth_date", "kind", "id_type", "id_number", "phone",
                 "relation", "note"):  # fmt: skip
        assert f'name="{name}"' in page, name
        assert f'data-error-for="{name}"' in page, name
    assert f'placeholder="{resident.id_number_masked}"' in page
    assert f'placeholder="{resident.phone_masked}"' in page
    assert testing.mobile(61) not in page and w.id_number(61) not in page


def test_a_phone_only_correction_from_the_form_takes_effect_at_once(client, worker):
    """R11.1 (二): the rule table: a phone correction alone is confirmed at once."""
    house, resident = _house_with_resident()
    data = _correction(resident, "m-ru-1", phone=testing.mobile(64))
    assert client.post(f"/m/registry/houses/{house.pk}/", data).status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.status, proposal.auto) == ("resident_update", "confirmed", True)
    before = resident.phone_masked
    resident.refresh_from_db()
    assert resident.phone_masked != before
    assert resident.phone_masked.endswith(testing.mobile(64)[-4:])
    assert "已生效" in client.get(f"/m/registry/houses/{house.pk}/").content.decode()


def test_correcting_other_facts_waits_for_the_township(client, worker):
    """R11.1 (二): name, birth date, kind and a new ID number wait for review; nothing changes
    before the township confirms, and the stored payload keeps the number masked (R22.1)."""
    from registry.services import proposals

    house, resident = _house_with_resident()
    new_number = w.id_number(65, birth="19900505")
    data = _correction(resident, "m-ru-2", name="张三丰", birth_date="1990-05-05",
                       kind="floating", id_number=new_number, note="身份证换领")  # fmt: skip
    assert client.post(f"/m/registry/houses/{house.pk}/", data).status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.status) == ("resident_update", "pending")
    assert new_number not in str(proposal.payload)
    resident.refresh_from_db()
    assert (resident.name, resident.kind) == ("张三", "registered")
    followed = client.get(f"/m/registry/houses/{house.pk}/").content.decode()
    assert "已提交,待审核" in followed and new_number not in followed
    proposals.confirm(w.ACTOR, proposal)
    resident.refresh_from_db()
    assert (resident.name, resident.kind) == ("张三丰", "floating")
    assert resident.id_number_masked == f"{new_number[:4]}**********{new_number[-4:]}"
    assert resident.birth_date.isoformat() == "1990-05-05"


def test_a_wrong_id_number_is_refused_on_its_field_and_not_echoed(client, worker):
    """R22.1: a bad ID number: 400, its message beside the field of this resident's form, the
    number typed not written back into the page, nothing proposed or changed."""
    house, resident = _house_with_resident()
    other = w.resident(house, name="李四", id_number=w.id_number(66))
    wrong = w.id_number(67)[:-1] + ("0" if w.id_number(67)[-1] != "0" else "1")
    data = _correction(resident, "m-ru-3", id_number=wrong, name="张三改")
    answer = client.post(f"/m/registry/houses/{house.pk}/", data)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert wrong not in page
    assert 'value="张三改"' in page  # the rest of the form as typed
    forms = {  # each resident's correction form, by the resident it is about
        int(part.split('name="subject" value="', 1)[1].split('"', 1)[0]): part.split("</form>")[0]
        for part in page.split('name="change" value="resident_update">')[1:]
    }
    mine = forms[resident.pk].split('data-error-for="id_number"')[1].split("</p>")[0]
    theirs = forms[other.pk].split('data-error-for="id_number"')[1].split("</p>")[0]
    assert not mine.startswith(" hidden") and "身份证号码校验位错误" in mine
    assert theirs.startswith(" hidden")
    assert not Proposal.objects.exists()
    resident.refresh_from_db()
    assert resident.name == "张三"


def test_the_api_takes_the_same_correction_the_form_sends(client, worker):
    """R11.1: the outbox posts the form's fields to the proposals API: one parser, the same
    outcome (pending for a name), the wrong number a 400 naming its field."""
    _house, resident = _house_with_resident()
    body = _correction(resident, "m-ru-4", name="王五")
    answer = client.post("/api/v1/registry/proposals/", body)
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "pending"
    bad = _correction(resident, "m-ru-5", id_number="44070319800101001X")
    refused = client.post("/api/v1/registry/proposals/", bad)
    assert refused.status_code == 400 and "id_number" in refused.json()["errors"]
    assert "44070319800101001X" not in refused.content.decode()
