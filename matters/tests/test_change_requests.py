"""Change requests (R9.3): requested by a county department or a township agency, reviewed by
the county agency, applied to the next draft, published, filed with the city."""

from __future__ import annotations

import pytest

from audit.models import AuditRecord
from gridgov.errors import DomainError, Forbidden
from matters import gate, services
from matters.models import ChangeRequest, ChangeStatus, VersionStatus
from matters.tests.conftest import HS, PJ, PJ_GRID
from matters.tests.factories import make_published_list


@pytest.fixture
def pj_list(people, catalogue):
    return make_published_list(PJ, ["0101", "0102"], filed=True, acknowledged=True)


def _add_request(user, **kwargs):
    data = {
        "county_code": PJ,
        "kind": "add",
        "item": "0201",
        "reason": "邻里纠纷多发,需纳入网格排查化解",
        "lead_department": "司法行政",
        "dispatch_limit_amount": 2,
        "dispatch_limit_unit": "workhours",
        "handling_limit_amount": 5,
        "handling_limit_unit": "workdays",
    }
    data.update(kwargs)
    return services.submit_change_request(user, **data)


def test_r9_3_department_head_requests_and_county_approves_into_next_version(people, pj_list):
    """R9.3: department request → county approval → next draft → published → filed → city."""
    request = _add_request(people.pj_justice_head)
    assert request.status == ChangeStatus.PENDING
    assert request.requesting_department == people.pj_justice
    assert request.lead_department == people.pj_justice

    with pytest.raises(gate.NotAdmitted):
        gate.admit("0201", grid_code=PJ_GRID)  # not in force before publication

    request = services.approve_change_request(people.pj_admin, request, reason="同意纳入")
    assert request.status == ChangeStatus.APPROVED
    assert request.reviewed_by == people.pj_admin and request.review_reason == "同意纳入"
    draft = request.applied_to
    assert draft.status == VersionStatus.DRAFT and draft.number == 2
    entry = draft.entries.get(item__code="0201")
    assert (entry.handling_limit_amount, entry.handling_limit_unit) == (5, "workdays")

    with pytest.raises(gate.NotAdmitted):
        gate.admit("0201", grid_code=PJ_GRID)  # still the draft
    version = services.publish_version(people.pj_admin, draft)
    assert gate.admit("0201", grid_code=PJ_GRID).version == version
    version = services.file_version(people.pj_admin, version)
    version = services.acknowledge_version(people.city_admin, version)
    assert version.status == VersionStatus.ACKNOWLEDGED
    actions = set(
        AuditRecord.objects.filter(object_type="matters.changerequest").values_list(
            "action", flat=True
        )
    )
    assert actions == {"matters.change_request.submit", "matters.change_request.approve"}


def test_r9_3_township_agency_may_request(people, pj_list):
    """R9.3: a township agency requests a change of its county's list."""
    request = services.submit_change_request(
        people.baisha_admin,
        county_code=PJ,
        kind="change",
        item="0101",
        reason="辖区治安隐患处置需加快",
        handling_limit_amount=2,
        handling_limit_unit="workdays",
    )
    assert request.requesting_agency.region.code == "440703002"
    request = services.approve_change_request(people.pj_admin, request)
    entry = request.applied_to.entries.get(item__code="0101")
    assert entry.handling_limit_amount == 2
    assert entry.dispatch_limit_amount == 2  # unchanged terms kept
    assert entry.lead_department == people.pj_police


def test_r9_3_who_may_request(people, pj_list):
    """R9.3: only a county department head or a township agency; not a handler, a
    dispatcher, a grid worker, another county's department, or the county agency itself."""
    for user in (
        people.pj_police_handler,
        people.baisha_dispatcher,
        people.pj_dispatcher,
        people.leader,
        people.hs_police_head,
        people.pj_admin,
    ):
        with pytest.raises(Forbidden) as err:
            _add_request(user)
        assert "联动部门负责人或乡镇(街道)网格化机构管理员" in err.value.message
    assert not ChangeRequest.objects.exists()


def test_r9_3_a_department_cannot_approve_and_a_township_cannot_decide(people, pj_list):
    """R9.3: approval is the county agency's; departments, townships, dispatchers, the city
    and other counties are refused, and nothing changes."""
    request = _add_request(people.pj_justice_head)
    for user in (
        people.pj_justice_head,
        people.pj_police_head,
        people.baisha_admin,
        people.pj_dispatcher,
        people.city_admin,
        people.hs_admin,
    ):
        with pytest.raises(Forbidden) as err:
            services.approve_change_request(user, request)
        assert "蓬江区网格化机构管理员" in err.value.message
        with pytest.raises(Forbidden):
            services.reject_change_request(user, request, reason="不同意这个申请")
    request.refresh_from_db()
    assert request.status == ChangeStatus.PENDING and request.applied_to is None
    assert pj_list.admission_list.draft() is None


def test_r9_3_reject_needs_reasons(people, pj_list):
    request = _add_request(people.pj_justice_head)
    with pytest.raises(DomainError) as err:
        services.reject_change_request(people.pj_admin, request, reason="")
    assert err.value.field == "reason"
    request = services.reject_change_request(
        people.pj_admin, request, reason="属于部门法定职责,不宜纳入网格"
    )
    assert request.status == ChangeStatus.REJECTED
    with pytest.raises(DomainError) as err:
        services.approve_change_request(people.pj_admin, request)
    assert err.value.code == "not_pending"
    assert services.reject_change_request(people.pj_admin, request, reason="重复提交") == request


def test_request_validation(people, pj_list):
    """Requests that could not be applied are refused with the field named."""
    with pytest.raises(DomainError) as err:
        _add_request(people.pj_police_head, item="0101")
    assert (err.value.field, err.value.code) == ("item", "exists")
    with pytest.raises(DomainError) as err:
        _add_request(people.pj_police_head, kind="remove", item="0201")
    assert err.value.code == "not_on_list"
    with pytest.raises(DomainError) as err:
        _add_request(people.pj_police_head, reason="")
    assert err.value.field == "reason"
    with pytest.raises(DomainError) as err:
        _add_request(people.pj_police_head, county_code=HS)
    assert err.value.code in {"no_list", "forbidden"}
    with pytest.raises(DomainError) as err:
        services.submit_change_request(
            people.pj_police_head,
            county_code=PJ,
            kind="change",
            item="0101",
            reason="保持不变的申请",
            dispatch_limit_amount=2,
            dispatch_limit_unit="workhours",
        )
    assert err.value.code == "no_change"
    first = _add_request(people.pj_justice_head)
    with pytest.raises(DomainError) as err:
        _add_request(people.pj_police_head)
    assert err.value.code == "pending_exists"
    assert err.value.extra["pending_request"] == first.pk


def test_r9_1_remove_request_is_a_dynamic_exit(people, pj_list):
    """R9.1: an approved removal, once published, stops new intake at once; the entry of the
    old version stays for cases admitted under it."""
    old = gate.admit("0102", grid_code=PJ_GRID)
    request = services.submit_change_request(
        people.pj_police_head,
        county_code=PJ,
        kind="remove",
        item="0102",
        reason="该事项已由部门专项处置,退出网格",
    )
    request = services.approve_change_request(people.pj_admin, request, reason="同意退出")
    assert gate.admit("0102", grid_code=PJ_GRID).entry == old.entry  # until published
    services.publish_version(people.pj_admin, request.applied_to)
    with pytest.raises(gate.NotAdmitted) as err:
        gate.admit("0102", grid_code=PJ_GRID)
    assert err.value.extra["reason"] == "removed"
    assert "第 2 版移出" in err.value.message
    old.entry.refresh_from_db()
    assert old.entry.version.number == 1  # the old terms are still there


def test_approval_refused_when_the_draft_no_longer_allows_it(people, pj_list):
    """Two requests on one item: the second cannot be applied once the first removed it."""
    remove = services.submit_change_request(
        people.pj_police_head, county_code=PJ, kind="remove", item="0102", reason="退出网格管理"
    )
    services.approve_change_request(people.pj_admin, remove)
    change = services.submit_change_request(
        people.baisha_admin,
        county_code=PJ,
        kind="change",
        item="0102",
        reason="延长办理时限",
        handling_limit_amount=5,
        handling_limit_unit="workdays",
    )
    with pytest.raises(DomainError) as err:
        services.approve_change_request(people.pj_admin, change)
    assert err.value.code == "not_on_list"
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


def test_withdraw_by_the_requester_only(people, pj_list):
    request = _add_request(people.pj_justice_head)
    with pytest.raises(Forbidden):
        services.withdraw_change_request(people.pj_police_head, request)
    request = services.withdraw_change_request(people.pj_justice_head, request)
    assert request.status == ChangeStatus.WITHDRAWN
    with pytest.raises(DomainError):
        services.approve_change_request(people.pj_admin, request)
