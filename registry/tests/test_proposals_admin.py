"""R11.1 (二), R22.1, R28.1: the Django admin of proposals: a scoped list with filters, a
read-only page with the fields before and after masked (never the stored payload), and the
actions 确认 and 退回 (with a reason) that go through the proposal services (audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from gridgov.testing import people as testing
from registry import inputs
from registry.models import Proposal
from registry.services import proposals
from registry.tests import world as w

pytestmark = pytest.mark.django_db

LIST = reverse("admin:registry_proposal_changelist")


@pytest.fixture
def reviewer(client):
    user = testing.make_user("agency_admin", w.VILLAGE[:9], username="pa_reviewer")
    client.force_login(user)
    return user


def _pending(seed: int = 81, **changes):
    worker = testing.make_user("grid_worker_fulltime", w.GRID, username=f"pa_worker{seed}")
    resident = w.resident(w.house(), phone=testing.mobile(seed), id_number=w.id_number(seed))
    changes = changes or {"phone": testing.mobile(seed + 1), "name": "张改"}
    proposal, _ = proposals.propose(
        worker, "resident_update", resident, inputs.ResidentChanges(**changes),
        gps=proposals.Gps(lng=113.0751, lat=22.6051), note="上门核实",
    )  # fmt: skip
    return resident, proposal


def _act(client, action: str, *proposals_: Proposal, reason: str = ""):
    data = {"action": action, "_selected_action": [p.pk for p in proposals_], "reason": reason}
    return client.post(LIST, data, follow=True)


def test_the_list_shows_my_jurisdictions_proposals_and_filters_them(client, reviewer):
    """R11.1: status, kind, grid, proposer and time listed; filters by status and kind."""
    _resident, proposal = _pending()
    page = client.get(LIST).content.decode()
    change_url = reverse("admin:registry_proposal_change", args=[proposal.pk])
    assert change_url in page and "更正人口信息" in page
    assert w.GRID in page and "pa_worker81" in page
    assert "确认所选采集信息" in page and "退回所选采集信息" in page and 'name="reason"' in page
    assert change_url in client.get(LIST, {"status__exact": "pending"}).content.decode()
    assert change_url not in client.get(LIST, {"status__exact": "confirmed"}).content.decode()
    assert change_url not in client.get(LIST, {"kind__exact": "tag"}).content.decode()


def test_the_page_is_read_only_and_masked(client, reviewer):
    """R22.1: the numbers before and after masked; no ciphertext, no editable field."""
    resident, proposal = _pending()
    page = client.get(reverse("admin:registry_proposal_change", args=[proposal.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert resident.phone_masked in text and "138****0082" in text and "张改" in text
    assert testing.mobile(81) not in text and testing.mobile(82) not in text
    assert proposal.payload["phone"]["encrypted"] not in text
    assert 'name="payload"' not in text and 'name="status"' not in text
    assert 'name="_save"' not in text


def test_confirm_applies_the_change_through_the_service(client, reviewer):
    """R11.1 (二): the action confirms; the resident changes; the confirmation is audited."""
    resident, proposal = _pending()
    answer = _act(client, "confirm", proposal)
    assert "已确认 1 条采集信息" in answer.content.decode()
    proposal.refresh_from_db()
    resident.refresh_from_db()
    assert proposal.status == "confirmed" and proposal.reviewer == reviewer
    assert resident.name == "张改" and resident.phone_masked == "138****0082"
    assert AuditRecord.objects.filter(action="registry.proposal.confirm").exists()


def test_reject_needs_a_reason_and_keeps_it_for_the_proposer(client, reviewer):
    """R11.1 (二): without a reason nothing changes; with one the proposal is sent back."""
    resident, proposal = _pending()
    refused = _act(client, "reject", proposal, reason="  ")
    assert "退回须填写理由" in refused.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    answer = _act(client, "reject", proposal, reason="电话号码与本人不符")
    assert "已退回 1 条采集信息" in answer.content.decode()
    proposal.refresh_from_db()
    resident.refresh_from_db()
    assert (proposal.status, proposal.reason) == ("rejected", "电话号码与本人不符")
    assert resident.name != "张改"
    record = AuditRecord.objects.filter(action="registry.proposal.reject").latest("pk")
    assert record.note == "电话号码与本人不符"


def test_a_decided_proposal_is_refused_by_the_service_with_its_message(client, reviewer):
    """The action never saves the model: a rejected proposal cannot be confirmed."""
    _resident, proposal = _pending()
    proposals.reject(w.ACTOR, proposal, "重复采集")
    answer = _act(client, "confirm", proposal).content.decode()
    assert "不能再确认" in answer and "已确认 1 条" not in answer
    proposal.refresh_from_db()
    assert proposal.status == "rejected"


def test_another_countys_reviewer_sees_nothing(client):
    """R22.1: scoped as every admin: not listed, its page not found, the action does nothing."""
    _resident, proposal = _pending()
    client.force_login(testing.make_user("agency_admin", "440704", username="pa_other"))
    assert (
        reverse("admin:registry_proposal_change", args=[proposal.pk])
        not in client.get(LIST).content.decode()
    )
    page = client.get(reverse("admin:registry_proposal_change", args=[proposal.pk]))
    assert page.status_code in {302, 404}
    _act(client, "confirm", proposal)
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_an_auditor_has_no_proposals_admin(client):
    """Only the roles that see proposals reach their admin (the auditor reads the audit)."""
    client.force_login(testing.make_user("auditor", "440703", username="pa_auditor"))
    assert client.get(LIST).status_code == 403
