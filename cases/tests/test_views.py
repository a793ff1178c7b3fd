"""The agency console and the department workbench through the Django test client (issue 6;
R22.1, R24.1–R24.4, R25.1, R26.2, R27.1).

What a dispatcher, a supervisor and a department handler see and can do: role access, scoping
(a case outside the jurisdiction is a 404 on every page and form), every action form calling
its service (and showing the service's refusal in place), bulk actions, the map JSON.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from cases import machine, mapdata, services
from cases.inputs import ReportInput
from cases.models import (
    Assignment,
    AssignmentState,
    Case,
    DeadlineStatus,
    Extension,
    RequestStatus,
    State,
    Supervision,
    Suspension,
)
from cases.tests.conftest import photo
from gridgov.testing.regions import box
from people.models import User

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def report(world: Any, actor: Any = None, *, where: tuple[float, float] | None = None, **kw):
    lng, lat = where or world.point
    kw.setdefault("matter", world.entry_code)
    kw.setdefault("description", "小区门口路灯损坏,夜间有治安隐患")
    return services.intake(actor or world.worker, ReportInput(lng=lng, lat=lat, **kw)).case


def east_point() -> tuple[float, float]:
    """A point in the township's third grid (440703002102001)."""
    p = box(1.2, 0.5, 1.3, 0.6).centroid
    return p.x, p.y


def accepted(world: Any, **kw: Any) -> Case:
    case = report(world, **kw)
    return services.accept(world.dispatcher, case.pk)


def dispatched(world: Any, **kw: Any) -> Case:
    return services.dispatch(world.dispatcher, accepted(world, **kw).pk)


def in_progress(world: Any) -> Case:
    return services.sign(world.police_handler, dispatched(world).pk)


def handled(world: Any) -> Case:
    return services.feedback(world.police_handler, in_progress(world).pk, note="已加装路灯")


def returned(world: Any) -> Case:
    return services.return_case(world.police_handler, dispatched(world).pk, reason="不属本部门")


def act(client: Client, case: Case, action: str, htmx: bool = False, **data: Any):
    url = reverse("cases:act", args=[case.pk])
    extra = HTMX if htmx else {}
    return client.post(url, {"action": action, "next": "", **data}, **extra)


def text(response) -> str:
    return response.content.decode()


# --- access ----------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client, world):
    """R22.1: nothing of the workbenches without a login."""
    case = report(world)
    for url in (
        reverse("cases:console"),
        reverse("cases:inbox"),
        reverse("cases:map-grids"),
        reverse("cases:case", args=[case.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("cases:act", args=[case.pk]), {"action": "accept"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.VERIFIED


@pytest.mark.parametrize(
    ("who", "console", "inbox"),
    [
        ("dispatcher", 200, 403),
        ("county_dispatcher", 200, 403),
        ("supervisor", 200, 403),
        ("police_handler", 403, 200),
        ("worker", 403, 403),
        ("resident", 403, 403),
    ],
)
def test_each_workbench_is_for_its_roles(world, who, console, inbox):
    """R20.1: the console for agency staff, the inbox for departments."""
    client = client_for(getattr(world, who))
    assert client.get(reverse("cases:console")).status_code == console
    assert client.get(reverse("cases:inbox")).status_code == inbox


def test_dispatchers_land_on_the_console_and_departments_on_their_inbox(world):
    """After login "/" leads each role to its workbench; the menu lists it."""
    dispatcher = client_for(world.dispatcher)
    assert dispatcher.get("/")["Location"] == reverse("cases:console")
    page = text(dispatcher.get(reverse("cases:console")))
    assert f'href="{reverse("cases:console")}"' in page
    assert f'href="{reverse("cases:inbox")}"' not in page
    handler = client_for(world.police_handler)
    assert handler.get("/")["Location"] == reverse("cases:inbox")
    assert client_for(world.supervisor).get("/")["Location"] == reverse("cases:console")


def test_a_case_outside_the_jurisdiction_is_404_on_every_page_and_form(world):
    """R22.1: another county's dispatcher, or a department not on the case, finds nothing."""
    case = report(world)
    before = Case.objects.get(pk=case.pk).state
    for outsider in (world.foreign_dispatcher, world.housing_handler, world.worker):
        client = client_for(outsider)
        for name in ("cases:case", "cases:dept-case"):
            assert client.get(reverse(name, args=[case.pk])).status_code == 404
        for name in ("cases:act", "cases:dept-act"):
            response = client.post(reverse(name, args=[case.pk]), {"action": "accept"})
            assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).state == before
    foreign = client_for(world.foreign_dispatcher)
    assert case.tracking_code not in text(foreign.get(reverse("cases:console")))
    points = foreign.get(reverse("cases:map-cases")).json()
    assert points["cases"] == [] and points["counts"] == {}
    grids = foreign.get(reverse("cases:map-grids")).json()
    assert grids["features"] == [] and grids["counts"] == {}
    response = foreign.post(reverse("cases:bulk"), {"action": "accept", "ids": [case.pk]})
    assert Case.objects.get(pk=case.pk).state == before
    assert response.status_code == 302


# --- the console home ------------------------------------------------------------------------


def test_queues_count_and_list_the_cases_waiting_for_the_agency(world):
    """R24.2: to verify, to accept, to dispatch (with returns), to check, with counts."""
    reported = report(world, world.resident, description="居民反映:井盖缺失")
    verified = report(world, description="网格员上报:占道堆放杂物")
    disputed = returned(world)
    done = handled(world)
    client = client_for(world.dispatcher)
    page = text(client.get(reverse("cases:console")))
    for key, n in (("verify", 1), ("accept", 1), ("dispatch", 1), ("check", 1), ("open", 4)):
        assert f'id="count-{key}">{n}<' in page, key

    def queue(key: str) -> str:
        return text(client.get(reverse("cases:console"), {"queue": key}))

    assert reported.tracking_code in queue("verify")
    accept = queue("accept")
    assert verified.tracking_code in accept and reported.tracking_code not in accept
    assert "批量立案" in accept
    dispatch = queue("dispatch")
    assert disputed.tracking_code in dispatch and "不属本部门" in dispatch  # the dispute
    assert "按建议部门批量派遣" in dispatch
    assert done.tracking_code in queue("check")


def test_overdue_and_amber_queues_show_deadline_colours(world):
    """R27.1: red and amber cases have their own queues and badges."""
    late = dispatched(world)
    Case.objects.filter(pk=late.pk).update(deadline_status=DeadlineStatus.RED)
    soon = report(world)
    Case.objects.filter(pk=soon.pk).update(deadline_status=DeadlineStatus.AMBER)
    client = client_for(world.supervisor)
    page = text(client.get(reverse("cases:console")))
    assert 'id="count-overdue">1<' in page and 'id="count-amber">1<' in page
    overdue = text(client.get(reverse("cases:console"), {"queue": "overdue"}))
    assert late.tracking_code in overdue and soon.tracking_code not in overdue
    assert 'class="badge red"' in overdue
    amber = text(client.get(reverse("cases:console"), {"queue": "amber"}))
    assert soon.tracking_code in amber and 'class="badge amber"' in amber


def test_filters_narrow_the_list_and_htmx_gets_only_the_list(world):
    """Filters by matter, state and text; an htmx request gets the list and fresh counts."""
    a = report(world, description="路灯损坏")
    b = report(world, matter=world.settle_code, description="占道经营的摊档")
    client = client_for(world.dispatcher)
    url = reverse("cases:console")
    by_matter = text(client.get(url, {"matter": world.settle_code}))
    assert b.tracking_code in by_matter and a.tracking_code not in by_matter
    by_text = text(client.get(url, {"q": "路灯"}))
    assert a.tracking_code in by_text and b.tracking_code not in by_text
    assert a.tracking_code in text(client.get(url, {"q": a.tracking_code.lower()}))
    services.decline(world.dispatcher, b.pk, reason="不属网格事项")
    open_list = text(client.get(url))
    assert b.tracking_code not in open_list  # declined: no longer open
    assert b.tracking_code in text(client.get(url, {"state": "declined"}))
    partial = client.get(url, {"queue": "accept"}, HTTP_HX_TARGET="case-list", **HTMX)
    body = text(partial)
    assert "<html" not in body and a.tracking_code in body
    assert 'id="count-accept" hx-swap-oob="true">1<' in body


def test_the_list_is_paginated(world):
    for i in range(3):
        report(world, description=f"事件{i}")
    client = client_for(world.dispatcher)
    from cases import views

    original = views.PAGE_SIZE
    views.PAGE_SIZE = 2
    try:
        first = text(client.get(reverse("cases:console")))
        second = text(client.get(reverse("cases:console"), {"page": 2}))
    finally:
        views.PAGE_SIZE = original
    assert "第 1 / 2 页" in first and "下一页" in first
    assert "第 2 / 2 页" in second


def test_the_chart_panel_is_pre_aggregated_for_the_jurisdiction(
    world, django_assert_max_num_queries
):
    """R27.1: open cases by state and matter, overdue assignments by department."""
    report(world)
    report(world, matter=world.settle_code)
    late = dispatched(world)
    Assignment.objects.filter(case=late).update(deadline_status=DeadlineStatus.RED)
    client = client_for(world.supervisor)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("cases:console"))
    stats = response.context["stats"]
    assert {r["key"]: r["n"] for r in stats["by_state"]} == {"verified": 2, "dispatched": 1}
    assert {r["key"]: r["n"] for r in stats["by_matter"]} == {"ZA-01": 2, "ZA-02": 1}
    late_by_department = {r["name"]: r["n"] for r in stats["overdue_by_department"]}
    assert late_by_department == {world.police.name: 1, world.urban.name: 1}
    assert 'id="console-stats"' in text(response)


# --- map JSON --------------------------------------------------------------------------------


def test_the_grid_layer_has_the_jurisdictions_grids_with_open_case_counts(world):
    """The map: current grids of the jurisdiction, simplified, with open cases per grid."""
    report(world)
    report(world)
    report(world, world.dispatcher, where=east_point())
    client = client_for(world.dispatcher)
    data = client.get(reverse("cases:map-grids")).json()
    codes = sorted(f["properties"]["code"] for f in data["features"])
    assert codes == sorted(g.code for g in world.grids)
    assert data["counts"] == {world.grids[0].code: 2, world.grids[2].code: 1}
    ring = data["features"][0]["geometry"]["coordinates"][0]
    assert all(round(x, 5) == x and round(y, 5) == y for x, y in ring)


def test_the_grid_geometry_is_cached_per_jurisdiction_and_grid_generation(
    world, django_assert_num_queries
):
    from regions import index

    client = client_for(world.dispatcher)
    client.get(reverse("cases:map-grids"))
    key = mapdata._cache_key(("440703002",), index.current_generation())
    assert cache.get(key) is not None
    # the second request reads no geometry: session, user, open-case counts, and (without
    # Redis the shared cache is a database table) the generation tokens and the cached text
    with django_assert_num_queries(5):
        client.get(reverse("cases:map-grids"))

    index.invalidate()
    assert cache.get(mapdata._cache_key(("440703002",), index.current_generation())) is None
    client.get(reverse("cases:map-grids"))
    assert cache.get(mapdata._cache_key(("440703002",), index.current_generation())) is not None


def test_case_points_follow_the_filters(world):
    a = report(world)
    b = report(world, matter=world.settle_code)
    Case.objects.filter(pk=b.pk).update(deadline_status=DeadlineStatus.RED)
    client = client_for(world.dispatcher)
    url = reverse("cases:map-cases")
    every = client.get(url).json()
    assert {row[0] for row in every["cases"]} == {a.pk, b.pk}
    row = next(r for r in every["cases"] if r[0] == b.pk)
    assert dict(zip(every["fields"], row, strict=True))["deadline"] == "red"
    overdue = client.get(url, {"overdue": "1"}).json()
    assert [r[0] for r in overdue["cases"]] == [b.pk]
    assert overdue["counts"] == {world.grids[0].code: 1}
    by_matter = client.get(url, {"matter": world.entry_code}).json()
    assert [r[0] for r in by_matter["cases"]] == [a.pk]


# --- the case page ---------------------------------------------------------------------------


def test_the_case_page_shows_everything_known(world, django_assert_max_num_queries):
    """R26.2: description, place, matter and list version, reporter (masked), photos, the
    archive with who/role/what/when, deadlines per assignment, requests."""
    case = report(
        world,
        world.resident,
        photos=[photo()],
        reporter_phone="13800138000",
        address="白沙街道羊桥路 1 号",
    )
    services.verify(world.worker, case.pk, note="现场确认")
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk)
    services.sign(world.police_handler, case.pk)
    services.request_extension(
        world.police_handler, case.pk, amount=2, unit="workdays", reason="需要采购材料"
    )
    services.supervise(world.supervisor, case.pk, note="请加快办理")
    client = client_for(world.dispatcher)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("cases:case", args=[case.pk]))
    page = text(response)
    assert response.status_code == 200
    for expected in (
        case.tracking_code,
        "小区门口路灯损坏",
        "白沙街道羊桥路 1 号",
        "138****8000",
        "治安隐患排查",
        "准入清单第 1 版",
        world.grids[0].name,
        world.police.name,
        world.urban.name,
        "需要采购材料",
        "待审批",
        "请加快办理",
        "待答复",
        "现场确认",
        "export.json",
        "export.pdf",
        'id="case-location"',
    ):
        assert expected in page, expected
    assert "13800138000" not in page
    timeline = response.context["timeline"]
    assert [t["event"].action for t in timeline] == [
        "report",
        "verify",
        "accept",
        "dispatch",
        "sign",
        "extend",
        "supervise",
    ]
    assert timeline[2]["role"] == "网格化机构调度员"
    assert any("牵头" in d for d in timeline[3]["details"])
    assert case.attachments.get().url in page


def test_the_page_offers_exactly_the_actions_the_machine_allows(world):
    """Only what this user may do now: the township dispatcher accepts; the county
    dispatcher (the case is not held by the county) and the supervisor may not."""
    case = report(world)
    township = client_for(world.dispatcher).get(reverse("cases:case", args=[case.pk]))
    names = [f.name for f in township.context["forms"]]
    assert (
        names
        == machine.available_actions(world.dispatcher, case)
        == [
            "accept",
            "decline",
            "escalate",
        ]
    )
    for name in names:
        assert f'id="action-{name}"' in text(township)
    county = client_for(world.county_dispatcher).get(reverse("cases:case", args=[case.pk]))
    assert county.context["forms"] == []
    assert "没有可执行的操作" in text(county)
    dispatched_case = services.dispatch(
        world.dispatcher, services.accept(world.dispatcher, case.pk).pk
    )
    supervisor = client_for(world.supervisor).get(reverse("cases:case", args=[case.pk]))
    assert [f.name for f in supervisor.context["forms"]] == ["supervise"]
    handler = client_for(world.police_handler).get(reverse("cases:dept-case", args=[case.pk]))
    offered = [f.name for f in handler.context["forms"]]
    assert sorted(offered) == sorted(
        machine.available_actions(world.police_handler, dispatched_case)
    )
    assert offered[0] == "sign" and offered[-1] == "return"  # the way forward first


def test_the_dispatch_form_suggests_the_entrys_departments_and_lists_covering_ones(world):
    """R24.2: lead and co-departments pre-filled from the admission entry; every department
    whose region covers the case is listed."""
    case = accepted(world)
    page = client_for(world.dispatcher).get(reverse("cases:case", args=[case.pk]))
    body = text(page)
    assert f'<option value="{world.police.pk}" selected>' in body
    assert f'name="co_departments" value="{world.urban.pk}" checked' in body
    assert f'name="co_departments" value="{world.housing.pk}">' in body
    assert {d.pk for d in page.context["departments"]} >= {
        world.police.pk,
        world.urban.pk,
        world.housing.pk,
    }


# --- action forms ----------------------------------------------------------------------------


def test_accept_then_dispatch_with_chosen_departments(world):
    """R24.2, R25.1: the forms call the services; the chosen departments are dispatched."""
    case = report(world)
    client = client_for(world.dispatcher)
    response = act(client, case, "accept", note="属实")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case", args=[case.pk])
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED
    response = act(
        client,
        case,
        "dispatch",
        htmx=True,
        lead_department=world.urban.pk,
        co_departments=[world.housing.pk],
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("cases:case", args=[case.pk])
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.lead_department == world.urban
    live = set(case.assignments.values_list("department_id", "role"))
    assert live == {(world.urban.pk, "lead"), (world.housing.pk, "co")}
    page = text(client.get(reverse("cases:case", args=[case.pk])))
    assert "派遣完成" in page  # the message after the redirect


def test_a_refused_action_shows_the_reason_in_place_and_keeps_the_input(world):
    """Bad input: the service's message, nothing changed, what was typed still there."""
    case = report(world)
    client = client_for(world.dispatcher)
    response = act(client, case, "decline", reason="  ")
    assert response.status_code == 400
    body = text(response)
    assert "请填写原因" in body and 'class="form-error"' in body
    assert Case.objects.get(pk=case.pk).state == State.VERIFIED
    # htmx: only the form comes back, with the reason, for the form's own place
    response = act(client, case, "dispatch", htmx=True, lead_department="99999", note="请尽快")
    assert response.status_code == 400
    body = text(response)
    assert "<html" not in body and 'id="action-dispatch"' in body
    assert "没有这个部门" in body or "不能派遣" in body
    assert 'value="请尽快"' in body


def test_an_action_not_allowed_now_is_refused_with_the_machines_reason(world):
    """403 for an action that is not the user's; 400 for a wrong state; nothing changes."""
    case = report(world)
    county = client_for(world.county_dispatcher)
    response = act(county, case, "accept")
    assert response.status_code == 403 and "无权" in text(response)
    township = client_for(world.dispatcher)
    response = act(township, case, "check", htmx=True, passed="1")
    assert response.status_code in (400, 403)
    assert 'class="form-error"' in text(response)
    assert Case.objects.get(pk=case.pk).state == State.VERIFIED
    assert (
        township.post(reverse("cases:act", args=[case.pk]), {"action": "nope"}).status_code == 400
    )


def suspended(world: Any) -> Case:
    case = in_progress(world)
    services.request_suspension(world.police_handler, case.pk, reason="等待法院判决")
    return services.decide_suspension(
        world.dispatcher, case.pk, suspension=case.suspensions.get().pk, approve=True
    )


@pytest.mark.parametrize(
    ("stage", "actor", "action", "page"),
    [
        (report, "dispatcher", "accept", "cases:act"),
        (dispatched, "police_handler", "sign", "cases:dept-act"),
        (suspended, "dispatcher", "resume", "cases:act"),
    ],
)
def test_a_photo_sent_with_accept_sign_or_resume_is_kept_on_the_record(
    world, stage, actor, action, page
):
    """Issue 11, a defect fixed: the forms' photos were dropped for these actions."""
    case = stage(world)
    response = client_for(getattr(world, actor)).post(
        reverse(page, args=[case.pk]), {"action": action, "note": "附照片", "photos": [photo()]}
    )
    assert response.status_code == 302
    event = case.events.get(action=action)
    assert list(case.attachments.values_list("event", flat=True)) == [event.pk]


def test_verify_settle_and_escalate_forms(world):
    """R24.1, R24.2: the agency verifies a resident's report (with a photo) and escalates;
    on-the-spot settlement is the grid worker's (their phone app), so the console offers it to
    nobody but the superuser, through the same form."""
    resident_case = report(world, world.resident)
    dispatcher = client_for(world.dispatcher)
    response = dispatcher.post(
        reverse("cases:act", args=[resident_case.pk]),
        {"action": "verify", "valid": "1", "note": "电话核实属实", "photos": [photo()]},
    )
    assert response.status_code == 302
    resident_case.refresh_from_db()
    assert resident_case.state == State.VERIFIED and resident_case.attachments.count() == 1
    false_report = report(world, world.resident)
    response = act(dispatcher, false_report, "verify", valid="0")
    assert response.status_code == 400  # a false report needs the note saying why
    act(dispatcher, false_report, "verify", valid="0", note="现场无此情况")
    assert Case.objects.get(pk=false_report.pk).state == State.DECLINED
    stall = report(world, matter=world.settle_code)
    assert "settle" not in [
        f.name for f in dispatcher.get(reverse("cases:case", args=[stall.pk])).context["forms"]
    ]
    root = client_for(User.objects.create_superuser(username="root", password="x" * 12))
    assert act(root, stall, "settle", note="已劝离").status_code == 302
    assert Case.objects.get(pk=stall.pk).state == State.CLOSED
    other = report(world)
    act(dispatcher, other, "escalate", reason="涉及跨镇街")
    assert Case.objects.get(pk=other.pk).agency_code == "440703"


def test_a_department_signs_feeds_back_and_the_dispatcher_checks(world):
    """R24.3, R26.1: sign, feedback with photos, check passed."""
    case = dispatched(world)
    handler = client_for(world.police_handler)
    dept_act = reverse("cases:dept-act", args=[case.pk])
    assert handler.post(dept_act, {"action": "sign"}).status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS
    response = handler.post(
        dept_act,
        {"action": "feedback", "note": "已修复路灯", "photos": [photo(color="blue")]},
    )
    assert response["Location"] == reverse("cases:dept-case", args=[case.pk])
    case.refresh_from_db()
    assert case.state == State.HANDLED and case.attachments.count() == 1
    # the co-department reports its part too before the case closes (R25.1)
    urban = client_for(world.urban_handler)
    assert urban.post(dept_act, {"action": "sign"}).status_code == 302
    assert urban.post(dept_act, {"action": "feedback", "note": "协助清理"}).status_code == 302
    act(client_for(world.dispatcher), case, "check", passed="1", note="现场复核")
    assert Case.objects.get(pk=case.pk).state == State.CLOSED


def test_a_failed_check_sends_the_case_back_for_rework(world):
    case = handled(world)
    response = act(client_for(world.dispatcher), case, "check", passed="0", note="路灯仍不亮")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS and case.rework_count == 1


def test_a_department_returns_with_a_reason_and_the_dispatcher_rules(world):
    """R24.4: the return needs a reason; re-dispatching to the same department needs a
    ruling's reason."""
    case = dispatched(world)
    handler = client_for(world.police_handler)
    response = handler.post(reverse("cases:dept-act", args=[case.pk]), {"action": "return"})
    assert response.status_code == 400 and "请填写原因" in text(response)
    handler.post(
        reverse("cases:dept-act", args=[case.pk]), {"action": "return", "reason": "属城管职责"}
    )
    assert Case.objects.get(pk=case.pk).state == State.RETURNED
    dispatcher = client_for(world.dispatcher)
    page = text(dispatcher.get(reverse("cases:case", args=[case.pk])))
    assert "属城管职责" in page and 'name="ruling"' in page
    response = act(dispatcher, case, "dispatch", lead_department=world.police.pk)
    assert response.status_code == 400 and "裁定理由" in text(response)
    act(dispatcher, case, "dispatch", lead_department=world.police.pk, ruling="属公安职责")
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.rulings.get().reason == "属公安职责"


def test_extension_requested_and_decided(world):
    """R24.3: the department asks (amount, unit, reason); the agency approves; the new
    deadline and the status are shown."""
    case = in_progress(world)
    handler = client_for(world.police_handler)
    dept_act = reverse("cases:dept-act", args=[case.pk])
    response = handler.post(dept_act, {"action": "extend", "amount": "0", "unit": "workdays"})
    assert response.status_code == 400 and "延长量" in text(response)
    handler.post(
        dept_act, {"action": "extend", "amount": "2", "unit": "workdays", "reason": "等材料"}
    )
    extension = Extension.objects.get()
    page = text(handler.get(reverse("cases:dept-case", args=[case.pk])))
    assert "等材料" in page and "待审批" in page
    dispatcher = client_for(world.dispatcher)
    response = act(dispatcher, case, "decide_extension", approve="0")
    assert response.status_code == 400  # refusing needs a note
    act(dispatcher, case, "decide_extension", extension=extension.pk, approve="1")
    extension.refresh_from_db()
    assert extension.status == RequestStatus.APPROVED and extension.new_due_at
    assert "已批准" in text(handler.get(reverse("cases:dept-case", args=[case.pk])))


def test_suspension_requested_decided_and_resumed(world):
    case = in_progress(world)
    dispatcher = client_for(world.dispatcher)
    act(dispatcher, case, "suspend", reason="等待法院判决")
    suspension = Suspension.objects.get()
    act(dispatcher, case, "decide_suspension", suspension=suspension.pk, approve="1")
    assert Case.objects.get(pk=case.pk).state == State.SUSPENDED
    act(dispatcher, case, "resume", note="判决已出")
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS


def test_supervision_and_its_answer(world):
    """R27.1: the supervisor urges the lead department; the department answers."""
    case = in_progress(world)
    act(client_for(world.supervisor), case, "supervise", note="请三日内办结")
    supervision = Supervision.objects.get()
    assert supervision.assignment.department == world.police
    handler = client_for(world.police_handler)
    page = handler.get(reverse("cases:dept-case", args=[case.pk]))
    assert "answer" in [f.name for f in page.context["forms"]]
    response = handler.post(
        reverse("cases:dept-act", args=[case.pk]), {"action": "answer", "answer": "明日完成"}
    )
    assert response.status_code == 400  # which supervision: the radio was not sent
    handler.post(
        reverse("cases:dept-act", args=[case.pk]),
        {"action": "answer", "supervision": supervision.pk, "answer": "明日完成"},
    )
    supervision.refresh_from_db()
    assert supervision.answer == "明日完成"


def test_the_same_form_sent_twice_acts_once(world):
    """A double click resends the form with the same client id: one archive event."""
    case = report(world)
    client = client_for(world.dispatcher)
    act(client, case, "accept", client_id="form-1")
    response = act(client, case, "accept", client_id="form-1")
    assert response.status_code == 302
    assert case.events.filter(action="accept").count() == 1


def test_next_must_stay_on_this_site(world):
    case = report(world)
    response = act(client_for(world.dispatcher), case, "accept", next="https://evil.example/")
    assert response["Location"] == reverse("cases:case", args=[case.pk])


# --- bulk actions ----------------------------------------------------------------------------


def test_bulk_accept_reports_each_case_and_goes_on_after_a_refusal(world):
    """Each case through the service; one refusal does not stop the others."""
    first, second = report(world), report(world)
    unverified = report(world, world.resident)
    client = client_for(world.dispatcher)
    response = client.post(
        reverse("cases:bulk"),
        {"action": "accept", "ids": [first.pk, unverified.pk, second.pk]},
        **HTMX,
    )
    assert response.status_code == 200
    assert "casesChanged" in json.loads(response["HX-Trigger"])
    results = {r.pk: r for r in response.context["results"]}
    assert results[first.pk].ok and results[second.pk].ok
    assert not results[unverified.pk].ok and "不能立案" in results[unverified.pk].message
    assert "成功 2 件" in text(response) and "未成功 1 件" in text(response)
    states = dict(Case.objects.values_list("pk", "state"))
    assert states[first.pk] == states[second.pk] == State.ACCEPTED
    assert states[unverified.pk] == State.REPORTED


def test_bulk_dispatch_uses_the_suggested_departments(world):
    """R24.2: bulk dispatch to the entry's lead and co-departments; a returned case whose
    suggestion is the department that returned it needs a ruling and is refused alone."""
    fresh = accepted(world)
    disputed = returned(world)
    client = client_for(world.dispatcher)
    response = client.post(
        reverse("cases:bulk"), {"action": "dispatch", "ids": [disputed.pk, fresh.pk]}
    )
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert fresh.state == State.DISPATCHED and fresh.lead_department == world.police
    assert set(fresh.assignments.values_list("department_id", flat=True)) == {
        world.police.pk,
        world.urban.pk,
    }
    assert Case.objects.get(pk=disputed.pk).state == State.RETURNED
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("成功 1 件" in m for m in messages)
    assert any(disputed.tracking_code in m and "裁定理由" in m for m in messages)


def test_bulk_without_a_selection_says_so(world):
    client = client_for(world.dispatcher)
    response = client.post(reverse("cases:bulk"), {"action": "accept"}, **HTMX)
    assert response.status_code == 400 and "请先勾选事件" in text(response)
    response = client.post(reverse("cases:bulk"), {"action": "delete", "ids": ["1"]}, **HTMX)
    assert response.status_code == 400
    assert client_for(world.police_handler).post(reverse("cases:bulk")).status_code == 403


# --- the department inbox --------------------------------------------------------------------


def test_the_inbox_lists_the_departments_assignments_by_deadline(world):
    """R24.3: to sign, in progress, returned, fed back; soonest deadline first; the
    department's own only."""
    later = dispatched(world)
    sooner = dispatched(world)
    Assignment.objects.filter(case=sooner).update(due_at=later.due_at.replace(year=2020))
    signed = in_progress(world)
    back = returned(world)
    handler = client_for(world.police_handler)
    inbox = handler.get(reverse("cases:inbox"))
    assert inbox.context["counts"]["sign"] == 2
    assert inbox.context["counts"]["progress"] == 1
    assert inbox.context["counts"]["returned"] == 1
    assert [r["case"].pk for r in inbox.context["rows"]] == [sooner.pk, later.pk]
    assert "签收" in text(inbox)
    progress = text(handler.get(reverse("cases:inbox"), {"tab": "progress"}))
    assert signed.tracking_code in progress and "反馈结果" in progress
    assert back.tracking_code in text(handler.get(reverse("cases:inbox"), {"tab": "returned"}))
    housing = client_for(world.housing_handler).get(reverse("cases:inbox"))
    assert housing.context["rows"] == []


def test_signing_and_feeding_back_from_the_inbox(world):
    """The inbox's quick forms post to the same service; success returns to the inbox."""
    case = dispatched(world)
    handler = client_for(world.police_handler)
    inbox_url = reverse("cases:inbox") + "?tab=sign"
    response = handler.post(
        reverse("cases:dept-act", args=[case.pk]),
        {"action": "sign", "next": inbox_url},
        **HTMX,
    )
    assert response["HX-Redirect"] == inbox_url
    assert Assignment.objects.get(case=case, department=world.police).state == (
        AssignmentState.SIGNED
    )
    response = handler.post(
        reverse("cases:dept-act", args=[case.pk]),
        {"action": "feedback", "note": "", "dom_id": f"action-feedback-{case.pk}"},
        **HTMX,
    )
    assert response.status_code == 400 and f'id="action-feedback-{case.pk}"' in text(response)
    handler.post(reverse("cases:dept-act", args=[case.pk]), {"action": "feedback", "note": "已办"})
    assert Case.objects.get(pk=case.pk).state == State.HANDLED
    fed_back = handler.get(reverse("cases:inbox"), {"tab": "fed_back"})
    assert fed_back.context["counts"]["fed_back"] == 1 and "已办" in text(fed_back)


def test_the_inbox_shows_request_and_supervision_status(world):
    case = in_progress(world)
    services.request_extension(
        world.police_handler, case.pk, amount=1, unit="workdays", reason="等材料"
    )
    services.supervise(world.supervisor, case.pk, note="尽快")
    page = text(client_for(world.police_handler).get(reverse("cases:inbox"), {"tab": "progress"}))
    assert "延期申请" in page and "待审批" in page and "督办待答复" in page


def test_page_query_counts_stay_flat(world, django_assert_max_num_queries):
    """No query per row: the console and the inbox read 30 cases in a fixed number."""
    for _ in range(15):
        dispatched(world)
    for _ in range(15):
        report(world)
    dispatcher = client_for(world.dispatcher)
    with django_assert_max_num_queries(20):
        dispatcher.get(reverse("cases:console"))
    handler = client_for(world.police_handler)
    # fixed per page, whatever the number of rows: session, user, shared-cache tokens, grants,
    # the page's own reads, the header's notification badge
    with django_assert_max_num_queries(13):
        handler.get(reverse("cases:inbox"))
