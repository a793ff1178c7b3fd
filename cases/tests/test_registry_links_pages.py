"""The registry links on the pages (issue 12, R11.1, R22.1, ADR 0010): the phone's report form
names a registry resident by its number, the case page shows the linked resident and records
masked, with a logged reveal for the roles that may reveal a case's contact data."""

from __future__ import annotations

import json

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


# --- linking on an open case: the API and the console form ---------------------------------


def links_url(case_id: int) -> str:
    return f"{CASES}{case_id}/links/"


def test_r22_1_staff_link_and_unlink_registry_records_on_an_open_case(world, linked):
    """R11.1, R22.1, R24.1: the case's grid worker and the agency link a resident and an
    organisation to an open case; a resend with the same client_id changes nothing; unlinking
    removes the link; each change is a step of the archive, which still verifies."""
    from cases import archive
    from cases.models import CaseEvent, CaseLink

    case_id = login(world.worker).post(CASES, payload(world), format="json").json()["id"]
    api = login(world.dispatcher)
    ask = {"op": "link", "kind": "organisation", "record": linked["organisation"].pk}
    first = api.post(links_url(case_id), {**ask, "client_id": "L1"}, format="json")
    assert first.status_code == 200, first.content
    assert [x["id"] for x in first.json()["links"]] == [linked["organisation"].pk]
    again = api.post(links_url(case_id), {**ask, "client_id": "L1"}, format="json")
    assert again.status_code == 200 and len(again.json()["links"]) == 1
    twice = api.post(links_url(case_id), {**ask, "client_id": "L2"}, format="json")
    assert twice.status_code == 400 and "record" in twice.json()["errors"]
    resident = {"op": "link", "kind": "resident", "record": linked["resident"].pk}
    answer = login(world.worker).post(
        links_url(case_id), {**resident, "role": "respondent"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    person = answer.json()["involved"][0]
    assert (person["resident"], person["role"], person["phone"]) == (
        linked["resident"].pk,
        "respondent",
        "136****5678",
    )
    assert_no_clear(answer.content.decode(), "the link answer")
    gone = api.post(links_url(case_id), {**ask, "op": "unlink"}, format="json")
    assert gone.status_code == 200 and gone.json()["links"] == []
    assert not CaseLink.objects.exists()
    events = list(CaseEvent.objects.filter(case_id=case_id).order_by("seq"))
    assert [e.action for e in events][-3:] == ["link", "link", "unlink"]
    assert events[-2].data["shown"]["resident"] == linked["resident"].pk
    assert_no_clear(json.dumps([e.data for e in events], ensure_ascii=False), "the archive")
    assert archive.verify_events(case_id, events, None) is None


def test_r22_1_linking_is_refused_outside_the_scope_and_after_closing(world, linked):
    """R22.1: a record of another county is "不存在或无权查看" (as one that does not exist),
    nothing stored; the reporter (a resident account) may not link; another county's staff do
    not find the case; a closed case's links no longer change."""
    from cases.models import CaseEvent, CaseLink

    case_id = login(world.worker).post(CASES, payload(world), format="json").json()["id"]
    events = CaseEvent.objects.filter(case_id=case_id).count()
    api = login(world.dispatcher)
    foreign = {"op": "link", "kind": "resident", "record": linked["foreign"].pk}
    refused = api.post(links_url(case_id), foreign, format="json")
    missing = api.post(links_url(case_id), {**foreign, "record": 10**9}, format="json")
    assert refused.status_code == missing.status_code == 400
    assert refused.json()["errors"] == missing.json()["errors"]
    assert (
        "不存在或无权查看" in refused.content.decode() and "何小明" not in refused.content.decode()
    )
    unlinked = api.post(
        links_url(case_id), {"op": "unlink", "kind": "place", "record": 1}, format="json"
    )
    assert unlinked.status_code == 400
    bad = api.post(links_url(case_id), {"op": "link", "kind": "house", "record": 1}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]
    outsider = login(world.foreign_dispatcher).post(
        links_url(case_id),
        {"op": "link", "kind": "place", "record": linked["place"].pk},
        format="json",
    )
    assert outsider.status_code == 404
    assert CaseEvent.objects.filter(case_id=case_id).count() == events
    assert not InvolvedPerson.objects.exists() and not CaseLink.objects.exists()
    lng, lat = world.point
    from cases import services
    from cases.inputs import ReportInput

    own = services.intake(
        world.resident, ReportInput(lng=lng, lat=lat, matter=world.entry_code, description="占道")
    ).case
    by_reporter = login(world.resident).post(
        links_url(own.pk),
        {"op": "link", "kind": "place", "record": linked["place"].pk},
        format="json",
    )
    assert by_reporter.status_code in (403, 404)
    settled = services.intake(
        world.worker,
        ReportInput(
            lng=lng, lat=lat, matter=world.settle_code, description="占道", settle_note="已劝离"
        ),
    ).case
    closed = api.post(
        links_url(settled.pk),
        {"op": "link", "kind": "place", "record": linked["place"].pk},
        format="json",
    )
    assert closed.status_code == 400 and not CaseLink.objects.exists()


def test_r22_1_the_case_page_links_and_unlinks_with_its_form(world, linked):
    """R22.1: the case page offers the link form to staff who may change the links; a link
    made there shows on the page; unlinking removes it; a refused record is said on the page."""
    case_id = login(world.worker).post(CASES, payload(world), format="json").json()["id"]
    client = web(world.dispatcher)
    page = client.get(f"/console/cases/{case_id}/").content.decode()
    assert 'class="link-form"' in page
    url = f"/console/cases/{case_id}/links/"
    done = client.post(
        url,
        {"op": "link", "kind": "place", "record": linked["place"].pk, "client_id": "F1"},
    )
    assert done.status_code == 302
    page = client.get(f"/console/cases/{case_id}/").content.decode()
    assert "羊桥小餐馆" in page and 'class="unlink-form"' in page
    refused = client.post(url, {"op": "link", "kind": "resident", "record": linked["foreign"].pk})
    assert refused.status_code == 400 and "不存在或无权查看" in refused.content.decode()
    gone = client.post(url, {"op": "unlink", "kind": "place", "record": linked["place"].pk})
    assert gone.status_code == 302
    assert "羊桥小餐馆" not in client.get(f"/console/cases/{case_id}/").content.decode()
