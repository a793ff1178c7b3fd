"""R11.1 (二), R22.1: the registry's staff console. The search over residents, addresses,
organisations and places; the exact search by a full number as a logged reveal (and its
refusal); a house page with its residents masked; the reveal form; the history of a field
change; the lists in keyset pages; masked, logged, streaming exports; visibility of special
groups on every page and export; scoping across counties."""

from __future__ import annotations

import base64
import csv
import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditRecord, PersonalDataAccess
from gridgov.testing import people as testing
from registry import inputs, services
from registry.tests import world as w

pytestmark = pytest.mark.django_db
REG = "/registry"


@pytest.fixture
def admin(client):
    """A county agency administrator (may reveal personal data)."""
    user = testing.make_user("agency_admin", "440703", username="console_admin")
    client.force_login(user)
    return user


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_search_finds_residents_addresses_organisations_and_places(client, admin):
    """R11.1: one box over residents (name), addresses (text), organisations, places."""
    address = w.street(road="白沙大道", number="18号")
    home = w.house(w.room(address, "301室"))
    w.resident(home, name="陈白沙")
    services.create_organisation(
        w.ACTOR,
        inputs.NewOrganisation(
            kind="enterprise",
            name="白沙五金厂",
            address=address,
            credit_code="91440300708461136T",
        ),
    )
    services.create_place(
        w.ACTOR, inputs.NewPlace(kind="small_shop", name="白沙小卖部", address=address)
    )
    page = client.get(f"{REG}/", {"q": "白沙"})
    body = _text(page)
    assert page.status_code == 200
    for expected in ("陈白沙", "白沙大道18号", "白沙五金厂", "白沙小卖部"):
        assert expected in body
    by_code = client.get(f"{REG}/", {"q": "91440300708461136t"}).context["sections"]
    assert [o.name for o in next(s for s in by_code if s["key"] == "organisations")["rows"]] == [
        "白沙五金厂"
    ]
    narrowed = _text(client.get(f"{REG}/", {"q": "白沙", "kind": "floating"}))
    assert "陈白沙" not in narrowed.split("results-addresses")[0]


def test_exact_search_by_full_id_number_is_a_logged_reveal(client, admin):
    """R22.1: a full ID number in the box finds the person and is logged as a reveal."""
    number = w.id_number(801)
    person = w.resident(w.house(), name="李精确", id_number=number)
    page = client.get(f"{REG}/", {"q": number})
    body = _text(page)
    results = body.split('id="results-residents"')[1]
    assert page.status_code == 200 and "李精确" in results and number not in results
    log = PersonalDataAccess.objects.get(subject_type="registry.resident", subject_id="search")
    assert log.granted and number not in log.subject_repr
    assert f"{REG}/residents/{person.pk}/" in body


def test_exact_search_is_refused_for_a_role_that_may_not_reveal(client):
    """R22.1: a grid worker gets a clear message (403), the attempt is logged, nothing found."""
    number = w.id_number(802)
    w.resident(w.house(), name="王拒绝", id_number=number)
    client.force_login(testing.make_user("grid_worker_fulltime", w.GRID, username="c_worker"))
    page = client.get(f"{REG}/", {"q": number})
    assert page.status_code == 403
    assert "王拒绝" not in _text(page)
    assert PersonalDataAccess.objects.filter(subject_id="search", granted=False).exists()
    assert "王拒绝" in _text(client.get(f"{REG}/", {"q": "王拒绝"}))


def test_house_page_shows_everyone_in_it_masked_with_the_tenants(client, admin):
    """R11.1: a house with its use, owner, rental status and residents, numbers masked."""
    home = w.house(use="rental", rental_status="whole", owner_name="房东甲")
    number, phone = w.id_number(803), testing.mobile(803)
    w.resident(home, name="租客乙", id_number=number, phone=phone, house_relation="tenant")
    w.resident(home, name="家人丙", house_relation="family")
    body = _text(client.get(f"{REG}/houses/{home.pk}/"))
    assert "租客乙" in body and "家人丙" in body and "房东甲" in body
    assert number not in body and phone not in body
    assert number[-4:] in body  # the masked form
    tree = _text(client.get(f"{REG}/addresses/{home.address.parent_id}/"))
    assert "101室" in tree and "租客乙" in tree


def test_reveal_form_shows_the_number_once_and_logs_it(client, admin):
    """R22.1: the resident page is masked; the reveal form (a reason) shows it, logged."""
    number = w.id_number(804)
    person = w.resident(w.house(), name="赵揭示", id_number=number)
    assert number not in _text(client.get(f"{REG}/residents/{person.pk}/"))
    short = client.post(
        f"{REG}/residents/{person.pk}/reveal/", {"field": "id_number", "reason": "x"}
    )
    assert short.status_code == 400 and number not in _text(short)
    shown = client.post(
        f"{REG}/residents/{person.pk}/reveal/", {"field": "id_number", "reason": "核实身份信息"}
    )
    assert shown.status_code == 200 and number in _text(shown)
    log = PersonalDataAccess.objects.get(subject_id=str(person.pk), granted=True)
    assert log.field == "id_number" and log.reason == "核实身份信息"


def test_a_worker_sees_no_reveal_form_and_may_not_reveal(client):
    """R22.1: roles that may not reveal see the masked form only; a posted reveal is 403."""
    number = w.id_number(805)
    person = w.resident(w.house(), name="钱遮蔽", id_number=number)
    client.force_login(testing.make_user("grid_worker_fulltime", w.GRID, username="c_worker2"))
    page = _text(client.get(f"{REG}/residents/{person.pk}/"))
    assert "reveal-form" not in page and number not in page
    refused = client.post(
        f"{REG}/residents/{person.pk}/reveal/", {"field": "id_number", "reason": "想看一下号码"}
    )
    assert refused.status_code == 403 and number not in _text(refused)


def test_field_history_shows_a_change_with_before_and_after(client, admin):
    """R11.1: the history of every field change, from the audit records, no clear number."""
    person = w.resident(w.house(), name="孙旧名")
    new_phone = testing.mobile(806)
    services.update_resident(
        w.ACTOR, person, inputs.ResidentChanges(name="孙新名", phone=new_phone)
    )
    body = _text(client.get(f"{REG}/residents/{person.pk}/"))
    history = body.split("变更历史")[1]
    assert "孙旧名" in history and "孙新名" in history
    assert new_phone not in body and new_phone[-4:] in history
    services.move_in(
        w.ACTOR,
        person,
        inputs.MoveIn(
            house=w.house(w.room(name="707室")), house_relation="family", on=timezone.localdate()
        ),
    )
    history = _text(client.get(f"{REG}/residents/{person.pk}/")).split("变更历史")[1]
    assert "707室" in history  # the house it refers to, named


def test_lists_page_by_keyset_with_a_bounded_count(client, admin):
    """R11.1: lists are keyset pages (no COUNT over the whole table: capped at 1000+)."""
    home = w.house()
    for i in range(55):
        w.resident(home, name=f"名单{i:02d}")
    first = client.get(f"{REG}/residents/", {"q": "名单"})
    body = _text(first)
    assert "名单00" in body and "名单49" in body and "名单50" not in body
    assert "共 55 条" in body
    cursor = first.context["page"].next_cursor
    second = _text(client.get(f"{REG}/residents/", {"q": "名单", "after": cursor}))
    assert "名单50" in second and "名单54" in second and "名单49" not in second
    assert client.get(f"{REG}/residents/", {"after": "not-a-cursor!"}).status_code == 200
    tampered = base64.urlsafe_b64encode(json.dumps(["名单", "x"]).encode()).decode()
    assert client.get(f"{REG}/residents/", {"after": tampered}).status_code == 200
    bad_day = base64.urlsafe_b64encode(json.dumps(["2024-13-99", 1]).encode()).decode()
    assert client.get(f"{REG}/due-visits/", {"after": bad_day}).status_code == 200
    for params in ({"area": "abc"}, {"worker": "x"}, {"kind": "nope"}, {"q": "x" * 500},
                   {"format": "pdf"}):  # fmt: skip
        assert client.get(f"{REG}/due-visits/", params).status_code == 200
        assert client.get(f"{REG}/residents/export/", params).status_code == 200


def test_exports_are_masked_logged_and_streamed(client, admin):
    """R22.1: the export holds the filtered rows masked, streams CSV, writes xlsx, is logged
    with its query and row count."""
    number, phone = w.id_number(807), testing.mobile(807)
    w.resident(w.house(), name="导出甲", id_number=number, phone=phone)
    w.resident(w.house(w.room(name="102室")), name="别人乙")
    response = client.get(f"{REG}/residents/export/", {"q": "导出", "format": "csv"})
    assert response.streaming
    rows = list(csv.reader(io.StringIO(_text(response))))
    assert [r[1] for r in rows[1:]] == ["导出甲"]
    flat = " ".join(" ".join(r) for r in rows)
    assert number not in flat and phone not in flat and number[-4:] in flat
    record = AuditRecord.objects.get(action="registry.export")
    assert "rows=1" in record.note and "q=" in record.note
    xlsx = client.get(f"{REG}/residents/export/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row]
    assert "导出甲" in cells and number not in cells
    for key in ("houses", "organisations", "places", "things", "groups", "due-visits",
                "inspections"):  # fmt: skip
        assert client.get(f"{REG}/{key}/export/").status_code == 200
        assert client.get(f"{REG}/{key}/").status_code == 200
    assert AuditRecord.objects.filter(action="registry.export").count() == 9


def test_an_exact_search_export_is_refused_for_a_worker(client):
    """R22.1: an export by a full number is a search too: refused for a role that may not."""
    client.force_login(testing.make_user("grid_worker_fulltime", w.GRID, username="c_worker3"))
    response = client.get(f"{REG}/residents/export/", {"q": w.id_number(808)})
    assert response.status_code == 302
    assert not AuditRecord.objects.filter(action="registry.export").exists()


def test_a_department_of_another_kind_never_sees_a_drug_related_tag(client):
    """R22.1, R11.1 (二): a health department sees the mental-health tag but not the
    drug-related one, on the resident page, the group list, the due list, the statistics
    and the exports; the police see the drug-related one."""
    person = w.resident(w.house(), name="周标记")
    w.tag(person, "drug_related", visit_days=5)
    w.tag(person, "severe_mental_disorder", visit_days=5)
    pages = [f"/residents/{person.pk}/", "/groups/", "/due-visits/", f"/grids/{w.GRID}/",
             "/groups/export/", "/due-visits/export/", "/statistics/?area=440703"]  # fmt: skip
    client.force_login(
        testing.make_user("dept_handler", "440703", department_kind="health", username="c_h")
    )
    for url in pages:
        body = _text(client.get(REG + url))
        assert "吸毒人员" not in body, url
    assert "严重精神障碍患者" in _text(client.get(f"{REG}/groups/"))
    client.force_login(
        testing.make_user("dept_handler", "440703", department_kind="police", username="c_p")
    )
    assert "吸毒人员" in _text(client.get(f"{REG}/groups/"))
    assert "吸毒人员" in _text(client.get(f"{REG}/residents/{person.pk}/"))


def test_scoping_across_counties(client):
    """R22.1: another county's staff find nothing of this county: lists, search, pages 404."""
    person = w.resident(w.house(), name="吴本县")
    client.force_login(testing.make_user("agency_admin", "440704", username="c_other"))
    found = client.get(f"{REG}/", {"q": "吴本县"}).context["sections"]
    assert not any(section["rows"] for section in found)
    assert "吴本县" not in _text(client.get(f"{REG}/residents/"))
    assert "吴本县" not in _text(client.get(f"{REG}/residents/export/"))
    assert client.get(f"{REG}/residents/{person.pk}/").status_code == 404
    assert client.get(f"{REG}/houses/{person.house_id}/").status_code == 404
    assert client.get(f"{REG}/grids/{w.GRID}/").status_code == 404


def test_exact_searches_are_rate_limited_on_the_search_page(client, admin, settings):
    """R22.1: past the per-user limit the search answers 429 with Retry-After, logged."""
    settings.GRIDGOV_PERSONAL_SEARCH_LIMIT = 2
    number = w.id_number(809)
    w.resident(w.house(), name="限频甲", id_number=number)
    for _ in range(2):
        assert client.get(f"{REG}/", {"q": number}).status_code == 200
    limited = client.get(f"{REG}/", {"q": number})
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert PersonalDataAccess.objects.filter(subject_id="search", granted=False).count() == 1


def test_every_console_page_renders_in_english(client, admin):
    """The console speaks English on request (docs/i18n.md): no page breaks."""
    person = w.resident(w.house(), name="英文甲")
    w.tag(person, "elderly_alone")
    client.cookies["django_language"] = "en"
    urls = ["/", "/?q=英文", "/residents/", "/houses/", "/organisations/", "/places/",
            "/things/", "/groups/", "/due-visits/", "/inspections/", "/statistics/?area=440703",
            f"/grids/{w.GRID}/", f"/residents/{person.pk}/", f"/houses/{person.house_id}/",
            f"/addresses/{person.house.address_id}/"]  # fmt: skip
    for url in urls:
        response = client.get(REG + url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
    assert "History of changes" in _text(client.get(f"{REG}/residents/{person.pk}/"))
