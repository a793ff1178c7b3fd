"""R11.1, R22.1: the registry API creates through the services, answers masked, reveals with a
logged reason, searches by a full number only for roles that may reveal, and answers bad input
with 400 naming the field, never 500."""

from __future__ import annotations

import pytest

from audit.models import PersonalDataAccess
from gridgov.testing import people as testing
from registry.models import Organisation, Resident
from registry.tests import world as w

pytestmark = pytest.mark.django_db
API = "/api/v1/registry"


@pytest.fixture
def admin(client):
    user = testing.make_user("agency_admin", "440703", username="reg_admin")
    client.force_login(user)
    return user


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_register_a_resident_in_a_house_through_the_api(client, admin):
    house = w.house()
    number, phone = w.id_number(71), testing.mobile(71)
    answer = _post(
        client,
        f"{API}/residents/",
        {"kind": "floating", "name": "王五", "id_number": number, "phone": phone,
         "house": house.pk, "house_relation": "tenant", "client_id": "c-71"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert number not in answer.content.decode() and phone not in answer.content.decode()
    assert body["id_number_masked"].endswith(number[-4:]) and body["grid_code"] == w.GRID
    shown = client.get(f"{API}/houses/{house.pk}/").json()
    assert [(r["name"], r["house_relation"]) for r in shown["residents"]] == [("王五", "tenant")]
    revealed = _post(
        client,
        f"{API}/residents/{body['id']}/reveal/",
        {"field": "id_number", "reason": "核实身份"},
    )
    assert revealed.json() == {"field": "id_number", "value": number}
    assert PersonalDataAccess.objects.filter(subject_id=str(body["id"]), granted=True).exists()
    found = client.get(f"{API}/residents/", {"match": number}).json()
    assert [r["id"] for r in found["results"]] == [body["id"]]


def test_a_worker_may_not_search_by_full_number(client):
    w.resident(id_number=w.id_number(72))
    client.force_login(testing.make_user("grid_worker_fulltime", w.GRID, username="reg_worker"))
    assert client.get(f"{API}/residents/", {"match": w.id_number(72)}).status_code == 403
    assert client.get(f"{API}/residents/").status_code == 200


def test_organisation_with_credit_code_and_masked_contact(client, admin):
    address = w.street()
    answer = _post(
        client,
        f"{API}/organisations/",
        {"kind": "enterprise", "name": "江门测试公司", "credit_code": "91440300708461136T",
         "address": address.pk, "contact_phone": testing.mobile(5)},
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    assert answer.json()["contact_phone_masked"] == "138****0005"
    again = _post(
        client,
        f"{API}/organisations/",
        {"kind": "enterprise", "name": "重复", "credit_code": "91440300708461136T",
         "address": address.pk},
    )  # fmt: skip
    assert again.status_code == 400 and "credit_code" in again.json()["errors"]
    assert Organisation.objects.count() == 1


BAD = [
    ("residents", {"kind": "registered", "name": "x", "id_number": "440703198501010018",
                   "grid_code": w.GRID}, "id_number"),
    ("residents", {"kind": "registered", "name": "x", "id_number": "E1", "id_type": "passport",
                   "grid_code": w.GRID}, "id_number"),
    ("residents", {"kind": "martian", "name": "x", "id_number": "1"}, "kind"),
    ("residents", {"kind": "registered", "name": "x", "id_number": w.id_number(80),
                   "phone": "12345", "grid_code": w.GRID}, "phone"),
    ("residents", {"kind": "registered", "name": "x", "id_number": w.id_number(81),
                   "house": 10**18}, "house"),
    ("addresses", {"level": "street_number", "road": "r", "number": "1", "lng": 200.0,
                   "lat": 0}, "lng"),
    ("addresses", {"level": "street_number", "road": "r", "number": "1", "lng": 113.0},
     "lng"),
    ("addresses", {"level": "room", "name": "1室", "grid_code": w.GRID}, "parent"),
    ("addresses", {"level": "street_number", "road": "r", "number": "1",
                   "grid_code": "440703002101999"}, "grid_code"),
    ("organisations", {"kind": "school", "name": "x", "credit_code": "91350100M000100Y44",
                       "grid_code": w.GRID}, "credit_code"),
    ("places", {"kind": "small_shop", "name": "x", "inspection_days": 0,
                "grid_code": w.GRID}, "inspection_days"),
    ("things", {"kind": "camera", "grid_code": w.GRID}, "lng"),
    ("tags", {"resident": 10**6, "kind": "disabled", "started_on": "2024-01-01"}, "resident"),
    ("tags", {"kind": "disabled", "started_on": "2024-13-01"}, "started_on"),
]  # fmt: skip


@pytest.mark.parametrize(("endpoint", "payload", "field"), BAD)
def test_bad_input_is_a_400_naming_the_field_never_a_500(client, admin, endpoint, payload, field):
    testing.make_grid(w.GRID)
    answer = _post(client, f"{API}/{endpoint}/", payload)
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["errors"], answer.json()


def test_moving_and_merging_through_the_api(client, admin):
    first = w.resident(w.house(), id_number=w.id_number(91))
    second = w.resident(id_type="passport", id_number="E55667788", name="张三")
    other_house = w.house(w.room(name="202室"))
    moved = _post(
        client,
        f"{API}/residents/{second.pk}/move-in/",
        {"house": other_house.pk, "house_relation": "tenant", "on": "2024-03-01"},
    )
    assert moved.status_code == 200 and moved.json()["house"] == other_house.pk
    duplicates = client.get(f"{API}/residents/{first.pk}/duplicates/").json()
    assert duplicates["results"] == []  # another house: not the same person by address
    merged = _post(
        client, f"{API}/residents/{first.pk}/merge/", {"merged": second.pk, "reason": "同一人"}
    )
    assert merged.status_code == 200
    assert Resident.objects.get(pk=second.pk).merged_into_id == first.pk
    assert client.get(f"{API}/residents/{second.pk}/").status_code == 404  # hidden by default
    assert client.get(f"{API}/residents/", {"merged": "1"}).json()["count"] == 2
