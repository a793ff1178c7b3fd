"""R11.1 (二), R22.1: the township agency's queue of proposals and each proposal's page:
before and after (masked), the GPS point, confirm or reject with a reason."""

from __future__ import annotations

import pytest

from gridgov.testing import people as testing
from registry import inputs
from registry.models import Proposal, Resident
from registry.services import proposals
from registry.tests import world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client):
    user = testing.make_user("agency_admin", w.VILLAGE[:9], username="pp_reviewer")
    client.force_login(user)
    return user


def _pending_phone_change():
    worker = testing.make_user("grid_worker_fulltime", w.GRID, username="pp_worker")
    resident = w.resident(w.house(), phone=testing.mobile(91))
    proposal, _ = proposals.propose(
        worker,
        "resident_update",
        resident,
        inputs.ResidentChanges(phone=testing.mobile(92), name="张新"),
        gps=proposals.Gps(lng=113.0751, lat=22.6051, accuracy_m=9),
        note="上门核实",
    )
    return worker, resident, proposal


def test_the_queue_lists_pending_proposals_of_my_township(client, reviewer):
    _worker, _resident, proposal = _pending_phone_change()
    page = client.get("/registry/proposals/").content.decode()
    assert f"/registry/proposals/{proposal.pk}/" in page and "更正人口信息" in page
    assert "采集审核" in client.get("/registry/proposals/", {"kind": "tag"}).content.decode()
    assert (
        f"/registry/proposals/{proposal.pk}/"
        not in client.get("/registry/proposals/", {"kind": "tag"}).content.decode()
    )


def test_the_page_shows_before_and_after_masked_and_confirms(client, reviewer):
    """R22.1: both phones masked; confirming applies the change."""
    _worker, resident, proposal = _pending_phone_change()
    page = client.get(f"/registry/proposals/{proposal.pk}/").content.decode()
    assert "138****0091" in page and "138****0092" in page
    assert testing.mobile(92) not in page and testing.mobile(91) not in page
    assert "张三" in page and "张新" in page and 'id="proposal-location"' in page
    answer = client.post(f"/registry/proposals/{proposal.pk}/", {"decision": "confirm"})
    assert answer.status_code == 302
    resident.refresh_from_db()
    assert (resident.name, resident.phone_masked) == ("张新", "138****0092")


def test_rejecting_without_a_reason_is_refused_on_the_page(client, reviewer):
    _worker, _resident, proposal = _pending_phone_change()
    answer = client.post(f"/registry/proposals/{proposal.pk}/", {"decision": "reject"})
    assert answer.status_code == 400 and "退回理由" in answer.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    client.post(f"/registry/proposals/{proposal.pk}/", {"decision": "reject", "reason": "重复"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reason) == ("rejected", "重复")


def test_a_worker_sees_the_page_without_review_and_cannot_confirm(client):
    worker, resident, proposal = _pending_phone_change()
    client.force_login(worker)
    page = client.get(f"/registry/proposals/{proposal.pk}/").content.decode()
    assert 'value="confirm"' not in page
    answer = client.post(f"/registry/proposals/{proposal.pk}/", {"decision": "confirm"})
    assert answer.status_code == 403
    assert Resident.objects.get(pk=resident.pk).name == "张三"


def test_another_township_does_not_find_it(client):
    _worker, _resident, proposal = _pending_phone_change()
    client.force_login(testing.make_user("agency_admin", "440703001", username="pp_other"))
    assert client.get(f"/registry/proposals/{proposal.pk}/").status_code == 404
    assert (
        f"/registry/proposals/{proposal.pk}/"
        not in client.get("/registry/proposals/").content.decode()
    )
    assert Proposal.objects.get().status == "pending"
