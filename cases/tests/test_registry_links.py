"""Cases link the registry's residents, organisations, places and things they involve
(issue 12, R11.1, R22.1, ADR 0010): one input shape for every channel, each record checked
against the reporter's scope (a record elsewhere is "不存在或无权查看", never confirmed), the
resident's data shown masked and revealed only through the logged reveal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import PersonalDataAccess
from cases import archive, services
from cases.inputs import ReportInput
from cases.models import Case, CaseEvent, CaseLink, InvolvedPerson
from cases.tests.test_api import CASES, counts, login
from gridgov.errors import DomainError
from gridgov.testing import people
from registry import inputs as reg_inputs
from registry import services as registry
from registry.tests import world as reg_world

pytestmark = pytest.mark.django_db

PHONE = "13612345678"
ID_NUMBER = reg_world.id_number(901)
FOREIGN_GRID = "440784001001001"  # 鹤山: another county


def make_resident(grid_code: str, *, name: str = "陈大文", phone: str = PHONE, **kw: Any):
    return registry.register_resident(
        "test",
        reg_inputs.NewResident(
            kind="registered",
            name=name,
            id_type="resident_id",
            id_number=kw.pop("id_number", ID_NUMBER),
            phone=phone,
            where=reg_inputs.Where(grid_code=people.make_grid(grid_code).code),
            **kw,
        ),
    )


def make_organisation(grid_code: str, name: str = "白沙五金店"):
    return registry.create_organisation(
        "test",
        reg_inputs.NewOrganisation(
            kind="individual_business",
            name=name,
            where=reg_inputs.Where(grid_code=people.make_grid(grid_code).code),
            contact_name="李老板",
            contact_phone="13798765432",
        ),
    )


def make_place(grid_code: str, name: str = "羊桥小餐馆"):
    return registry.create_place(
        "test",
        reg_inputs.NewPlace(
            kind="small_restaurant",
            name=name,
            where=reg_inputs.Where(grid_code=people.make_grid(grid_code).code),
        ),
    )


def make_thing(world, code: str = "JG-001"):
    lng, lat = world.point  # a thing needs a point: placed in the worker's grid
    return registry.create_thing(
        "test",
        reg_inputs.NewThing(
            kind="manhole_cover",
            code=code,
            name="井盖",
            where=reg_inputs.Where(lng=lng, lat=lat),
        ),
    )


@pytest.fixture
def linked(world) -> dict[str, Any]:
    """Registry records in the worker's grid, and a resident of another county."""
    home = world.grids[0].code
    return {
        "resident": make_resident(home),
        "organisation": make_organisation(home),
        "place": make_place(home),
        "thing": make_thing(world),
        "foreign": make_resident(FOREIGN_GRID, name="何小明", id_number=reg_world.id_number(902)),
    }


def payload(world, **kw: Any) -> dict[str, Any]:
    lng, lat = world.point
    return {
        "lng": lng,
        "lat": lat,
        "matter": world.entry_code,
        "description": "五金店门口井盖松动,店主反映",
        "client_id": kw.pop("client_id", "links-1"),
        **kw,
    }


def link_all(linked: dict[str, Any]) -> dict[str, Any]:
    return {
        "involved": [
            {"resident": linked["resident"].pk, "role": "party"},
            {"name": "路人甲", "role": "witness"},
        ],
        "links": [
            {"kind": "organisation", "id": linked["organisation"].pk, "note": "店主反映"},
            {"kind": "place", "id": linked["place"].pk},
            {"kind": "thing", "id": linked["thing"].pk},
        ],
    }


def assert_no_clear(text: str, where: str) -> None:
    for number in (PHONE, ID_NUMBER, "13798765432"):
        assert number not in text, f"{number} in clear in {where}"


# --- intake ------------------------------------------------------------------------------------


def test_r22_1_a_report_links_a_resident_and_registry_records_answered_masked(world, linked):
    """R11.1, R22.1: a worker's report names a registry resident (no name or number typed)
    and the organisation, place and thing it involves; the answer shows the resident's name
    and masked numbers with its id, and each record's id and name; nothing is copied."""
    response = login(world.worker).post(CASES, payload(world, **link_all(linked)), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    resident = linked["resident"]
    first, second = body["involved"]
    assert first["resident"] == resident.pk and first["name"] == "陈大文"
    assert first["phone"] == "136****5678"
    assert first["id_number"] == resident.id_number_masked and first["id_number"]
    assert second["resident"] is None and second["name"] == "路人甲"
    assert [(x["kind"], x["id"], x["name"]) for x in body["links"]] == [
        ("organisation", linked["organisation"].pk, "白沙五金店"),
        ("place", linked["place"].pk, "羊桥小餐馆"),
        ("thing", linked["thing"].pk, str(linked["thing"])),
    ]
    assert body["links"][0]["contact_phone"] == "137****5432"
    assert body["links"][0]["note"] == "店主反映"
    assert_no_clear(response.content.decode(), "the intake answer")
    row = InvolvedPerson.objects.get(case_id=body["id"], resident=resident)
    assert (row.name, row.phone_encrypted, row.id_number_encrypted) == ("", "", "")
    detail = login(world.dispatcher).get(f"{CASES}{body['id']}/")
    assert detail.json()["involved"] == body["involved"]
    assert detail.json()["links"] == body["links"]


def test_r22_1_links_come_json_encoded_in_a_multipart_form(world, linked):
    """R22.1: the phone's outbox posts multipart: the lists JSON-encoded in one field each."""
    data = link_all(linked)
    form = payload(
        world,
        involved=json.dumps(data["involved"]),
        links=json.dumps(data["links"]),
    )
    response = login(world.worker).post(CASES, form, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["involved"][0]["resident"] == linked["resident"].pk
    assert len(response.json()["links"]) == 3


def test_r22_1_a_record_outside_the_reporters_scope_is_refused_and_nothing_stored(world, linked):
    """R22.1: a resident of another county (or of another grid than the worker's, or one that
    does not exist) is a 400 "不存在或无权查看" naming the item, in the same words whether the
    record exists or not; nothing is stored."""
    other_grid = make_place(world.grids[2].code, name="迦南小旅馆")
    cases = [
        ("involved", {"involved": [{"resident": linked["foreign"].pk}]}),
        ("involved", {"involved": [{"resident": 10**9}]}),
        ("links", {"links": [{"kind": "place", "id": other_grid.pk}]}),
        ("links", {"links": [{"kind": "organisation", "id": 10**9}]}),
    ]
    client = login(world.worker)
    before = counts()
    answers = []
    for field, extra in cases:
        response = client.post(CASES, payload(world, **extra), format="json")
        assert response.status_code == 400, response.content
        errors = response.json()["errors"][field]
        assert "不存在或无权查看" in json.dumps(errors, ensure_ascii=False)
        answers.append(json.dumps(errors, ensure_ascii=False))
        assert "何小明" not in response.content.decode()
    assert answers[0] == answers[1] and answers[2] == answers[3]  # existence not told
    assert counts() == before
    assert not CaseLink.objects.exists() and not InvolvedPerson.objects.exists()


def test_r22_1_another_countys_dispatcher_cannot_link_our_resident(world, linked):
    """R22.1: the hotline entered by a dispatcher of the case's township may link the
    township's resident; the resident of another county is refused (service level too)."""
    lng, lat = world.point
    report = dict(lng=lng, lat=lat, matter=world.entry_code, description="来电", channel="hotline")
    with pytest.raises(DomainError) as refused:
        services.intake(
            world.dispatcher,
            ReportInput(**report, involved=[{"resident": linked["foreign"].pk}]),
        )
    assert refused.value.field == "involved"
    case = services.intake(
        world.dispatcher, ReportInput(**report, involved=[{"resident": linked["resident"].pk}])
    ).case
    assert case.involved_persons.get().resident == linked["resident"]


BAD: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "a resident and a typed name",
        {"involved": [{"resident": 1, "name": "张三"}]},
        "involved",
        "name",
    ),
    (
        "a resident and a typed phone",
        {"involved": [{"resident": 1, "phone": PHONE}]},
        "involved",
        "phone",
    ),
    ("a resident id that is no id", {"involved": [{"resident": "abc"}]}, "involved", "resident"),
    ("a resident twice", {"involved": [{"resident": 1}, {"resident": 1}]}, "involved", "resident"),
    ("an unknown kind", {"links": [{"kind": "house", "id": 1}]}, "links", "kind"),
    ("no id", {"links": [{"kind": "place"}]}, "links", "id"),
    ("an unknown key", {"links": [{"kind": "place", "id": 1, "x": 1}]}, "links", "x"),
    ("a record twice", {"links": [{"kind": "place", "id": 1}] * 2}, "links", "id"),
    ("not a list", {"links": {"kind": "place", "id": 1}}, "links", ""),
    ("too many", {"links": [{"kind": "place", "id": n} for n in range(1, 22)]}, "links", ""),
]


@pytest.mark.parametrize(("name", "extra", "field", "key"), BAD, ids=[b[0] for b in BAD])
def test_r22_1_bad_link_input_is_400_naming_the_item_and_field(world, name, extra, field, key):
    """R22.1: the shapes are checked once for every channel: a 400 naming item and field."""
    before = counts()
    response = login(world.worker).post(CASES, payload(world, **extra), format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"][field]
    if key:
        assert any(key in item for item in errors), errors
    assert counts() == before


def test_r24_1_a_resend_with_links_is_the_stored_case(world, linked):
    """R24.1: the same report resent under its client_id is the stored case (no second
    link); the same client_id with other links is a conflict."""
    client = login(world.worker)
    first = client.post(CASES, payload(world, **link_all(linked)), format="json")
    again = client.post(CASES, payload(world, **link_all(linked)), format="json")
    assert first.status_code == 201 and again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["links"] == first.json()["links"]
    assert CaseLink.objects.count() == 3 and Case.objects.count() == 1
    other = link_all(linked)
    other["links"] = other["links"][:1]
    conflict = client.post(CASES, payload(world, **other), format="json")
    assert conflict.status_code == 409


# --- reveal --------------------------------------------------------------------------------------


def test_r22_1_a_linked_residents_phone_is_revealed_by_a_case_revealer_and_logged(world, linked):
    """R22.1, R18.1: a dispatcher (who may reveal a case's contact data) reveals the linked
    resident's phone through the case's reveal, logged on the resident's record; a grid worker
    is refused (logged), another county's dispatcher does not find the case."""
    case = login(world.worker).post(CASES, payload(world, **link_all(linked)), format="json")
    case_id = case.json()["id"]
    person = InvolvedPerson.objects.get(case_id=case_id, resident=linked["resident"])
    ask = {"field": "phone", "person": person.pk, "reason": "联系当事人核实"}
    answer = login(world.dispatcher).post(f"{CASES}{case_id}/reveal/", ask, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["value"] == PHONE
    ask_id = {"field": "id_number", "person": person.pk, "reason": "核实当事人身份"}
    answer = login(world.dispatcher).post(f"{CASES}{case_id}/reveal/", ask_id, format="json")
    assert answer.json()["value"] == ID_NUMBER
    log = PersonalDataAccess.objects.filter(granted=True).order_by("pk").first()
    assert log.actor == world.dispatcher and log.field == "phone"
    # Logged as the resident's record, so one person's log is one subject (not the proxy).
    assert (log.subject_type, log.subject_id) == ("registry.resident", str(linked["resident"].pk))
    assert log.region_code == world.grids[0].code and log.reason == "联系当事人核实"
    refused = login(world.worker).post(f"{CASES}{case_id}/reveal/", ask, format="json")
    assert refused.status_code == 403
    assert PersonalDataAccess.objects.filter(granted=False, actor=world.worker).count() == 1
    foreign = login(world.foreign_dispatcher).post(f"{CASES}{case_id}/reveal/", ask, format="json")
    assert foreign.status_code == 404
    for response in (refused, foreign):
        assert_no_clear(response.content.decode(), "a refused reveal")


# --- the archive and the case file -----------------------------------------------------------


def test_r26_2_the_archive_records_links_by_id_and_masked_values_and_verifies(world, linked):
    """R26.2, R22.1: the report's archive event records the linked resident and records by id
    with masked values only; the chain verifies; the case file JSON carries the same."""
    body = login(world.worker).post(CASES, payload(world, **link_all(linked)), format="json").json()
    events = list(CaseEvent.objects.filter(case_id=body["id"]).order_by("seq"))
    first = events[0].data
    assert first["involved"][0] == {
        "name": "陈大文",
        "role": "party",
        "phone": "136****5678",
        "id_number": linked["resident"].id_number_masked,
        "resident": linked["resident"].pk,
    }
    assert first["involved"][1] == {
        "name": "路人甲",
        "role": "witness",
        "phone": "",
        "id_number": "",
    }
    assert [(x["kind"], x["id"]) for x in first["links"]] == [
        ("organisation", linked["organisation"].pk),
        ("place", linked["place"].pk),
        ("thing", linked["thing"].pk),
    ]
    assert_no_clear(json.dumps([e.data for e in events], ensure_ascii=False), "the archive")
    assert archive.verify_events(body["id"], events, None) is None
    exported = login(world.dispatcher).get(f"{CASES}{body['id']}/export.json/")
    assert exported.status_code == 200
    assert_no_clear(exported.content.decode(), "the case file")
    assert "陈大文" in exported.content.decode()


# --- query counts -----------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def test_r22_1_case_list_and_detail_queries_do_not_grow_per_link(
    world, linked, django_assert_max_num_queries
):
    """R22.1 (performance): the case list, a case's detail and its page read the links in a
    fixed number of queries: as many for a case with five links as for a case with none,
    and a list of linked cases as many as a list of plain ones."""
    client = login(world.dispatcher)
    worker = login(world.worker)
    plain = worker.post(CASES, payload(world, client_id="a"), format="json").json()["id"]
    client.get(CASES)  # warm the caches (grants, generations)
    list_plain = _queries(client, CASES)
    many = worker.post(CASES, payload(world, client_id="b", **link_all(linked)), format="json")
    many_id = many.json()["id"]
    for n in range(3):
        extra = make_place(world.grids[0].code, name=f"场所{n}")
        more = {"links": [{"kind": "place", "id": extra.pk}]}
        more["involved"] = [{"resident": linked["resident"].pk}]
        worker.post(CASES, payload(world, client_id=f"c{n}", **more), format="json")
    with django_assert_max_num_queries(list_plain):
        assert client.get(CASES).status_code == 200
    assert _queries(client, f"{CASES}{many_id}/") == _queries(client, f"{CASES}{plain}/")
    page = web_client(world.dispatcher)
    page.get(f"/console/cases/{plain}/")
    with django_assert_max_num_queries(_queries(page, f"/console/cases/{plain}/")):
        assert page.get(f"/console/cases/{many_id}/").status_code == 200


def web_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
