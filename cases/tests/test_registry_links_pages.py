"""The registry links on the pages (issue 12, R11.1, R22.1, ADR 0010): the phone's report form
names a registry resident by its number, the case page shows the linked resident and records
masked, with a logged reveal for the roles that may reveal a case's contact data."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import PersonalDataAccess
from cases.models import Case, InvolvedPerson
from cases.tests.test_api import CASES, login
from cases.tests.test_registry_links import (
    ID_NUMBER,
    PHONE,
    assert_no_clear,
    link_all,
    linked,
    payload,
)
from fieldwork.tests.test_views import report_data

pytestmark = pytest.mark.django_db
__all__ = ["linked"]  # the fixture, shared


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_r22_1_the_phone_form_links_a_resident_by_its_number(world, linked):
    """R22.1, R24.1: the phone's report form takes a registry resident's number in a person's
    row instead of a name and numbers; the case's person is that resident (nothing typed is
    stored); a resident the worker may not see is refused next to the rows, nothing stored."""
    client = web(world.worker)
    form = client.get("/m/report/").content.decode()
    assert 'name="involved-0-resident"' in form
    refused = client.post(
        "/m/report/",
        report_data(world, **{"involved-0-resident": str(linked["foreign"].pk)}),
    )
    assert refused.status_code == 400
    error = refused.content.decode().split('data-error-for="involved"', 1)[1].split("</p>")[0]
    assert "不存在或无权查看" in error and "何小明" not in refused.content.decode()
    assert not Case.objects.exists()
    sent = client.post(
        "/m/report/",
        report_data(
            world,
            **{"involved-0-resident": str(linked["resident"].pk), "involved-0-role": "party"},
        ),
    )
    assert sent.status_code == 302, sent.content.decode()[:500]
    person = InvolvedPerson.objects.get()
    assert person.resident == linked["resident"] and person.name == ""
    assert person.phone_encrypted == "" and person.id_number_encrypted == ""


def test_r22_1_the_case_page_shows_the_links_masked_with_a_logged_reveal(world, linked):
    """R22.1: the case page lists the linked resident (name, masked phone and ID number, its
    registry number) and the organisation, place and thing (kind, name, number, the
    organisation's masked contact phone); a dispatcher gets the reveal form for the
    resident's numbers and the reveal is logged; a grid worker sees no reveal form."""
    body = login(world.worker).post(CASES, payload(world, **link_all(linked)), format="json")
    case_id = body.json()["id"]
    page = web(world.dispatcher).get(f"/console/cases/{case_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "陈大文" in html and "136****5678" in html
    assert linked["resident"].id_number_masked in html
    assert f"#{linked['resident'].pk}" in html
    for name in ("白沙五金店", "羊桥小餐馆", str(linked["thing"])):
        assert name in html
    assert "137****5432" in html and "店主反映" in html
    assert_no_clear(html, "the case page")
    person = InvolvedPerson.objects.get(case_id=case_id, resident=linked["resident"])
    assert f'id="reveal-{person.pk}-phone"' in html
    assert html.count('class="reveal-form"') == 2  # the resident's phone and ID number
    cell = web(world.dispatcher).post(
        f"/console/cases/{case_id}/reveal/",
        {"field": "phone", "person": person.pk, "reason": "联系当事人"},
        HTTP_HX_REQUEST="true",
    )
    assert cell.status_code == 200 and PHONE in cell.content.decode()
    log = PersonalDataAccess.objects.get(granted=True)
    assert (log.actor, log.field, log.subject_id) == (
        world.dispatcher,
        "phone",
        str(linked["resident"].pk),
    )
    worker_page = web(world.worker).get(f"/m/cases/{case_id}/")
    console = web(world.worker).get(f"/console/cases/{case_id}/")
    for response in (worker_page, console):
        if response.status_code == 200:
            assert_no_clear(response.content.decode(), "the worker's page")
            assert ID_NUMBER not in response.content.decode()
    if console.status_code == 200:
        assert 'class="reveal-form"' not in console.content.decode()
