"""The demo step (R9.1–R9.3): a realistic catalogue, published and filed lists of at least 40
entries for 蓬江区 and 鹤山市 mapped to their departments, and pending change requests."""

from __future__ import annotations

import pytest

from demo import matters as demo_matters
from gridgov.testing.people import ensure_region, make_agency, make_user
from matters import gate, services
from matters.models import ChangeRequest, ChangeStatus, MatterCategory, MatterItem, VersionStatus

COUNTIES = {"440703": "蓬江区", "440784": "鹤山市", "440785": "恩平市"}


@pytest.fixture
def places(db):
    ensure_region("4407", "江门市")
    for code, name in COUNTIES.items():
        ensure_region(code, name)
    ensure_region("440784001", "沙坪街道")
    for code in ("4407", *COUNTIES, "440784001"):
        make_agency(code)
    make_user("agency_admin", "4407", username="city_admin")
    make_user("agency_admin", "440703", username="pengjiang_admin")
    make_user("agency_admin", "440784", username="heshan_admin")


def test_demo_catalogue_lists_and_requests(places):
    summary = demo_matters.load()
    assert "蓬江区" in summary and "鹤山市" in summary
    assert MatterCategory.objects.count() >= 12
    assert MatterItem.objects.count() >= 60
    for code in ("440703", "440784"):
        version = services.version_in_force(code)
        assert version is not None and version.entries.count() >= 40
        assert version.status == VersionStatus.ACKNOWLEDGED
        leads = {e.lead_department.region.code for e in version.entries.all()}
        assert leads == {code}  # mapped to the county's own departments
    assert services.version_in_force("440785").status == VersionStatus.FILED

    # The examples of the brief: 治安隐患 2 working hours / 3 working days, 占道经营 1 / 1.
    entry = gate.admit("0101", county_code="440703").entry
    assert (entry.dispatch_limit_amount, entry.dispatch_limit_unit) == (2, "workhours")
    assert (entry.handling_limit_amount, entry.handling_limit_unit) == (3, "workdays")
    entry = gate.admit("0701", county_code="440784").entry
    assert (entry.dispatch_limit_amount, entry.handling_limit_amount) == (1, 1)

    # 蓬江区: version 2 took 0104 out (dynamic exit); one pending request in each county.
    assert services.version_in_force("440703").number == 2
    with pytest.raises(gate.NotAdmitted) as err:
        gate.admit("0104", county_code="440703")
    assert err.value.extra["reason"] == "removed"
    pending = ChangeRequest.objects.filter(status=ChangeStatus.PENDING)
    assert {p.admission_list.county.code for p in pending} == {"440703", "440784"}
    assert ChangeRequest.objects.filter(status=ChangeStatus.REJECTED).count() == 1
    shaping = pending.get(admission_list__county__code="440784")
    assert shaping.requesting_agency.region.code == "440784001"
    assert shaping.requested_by.username == "shaping_admin"

    # Run again: nothing new.
    before = (MatterItem.objects.count(), ChangeRequest.objects.count())
    demo_matters.load()
    assert (MatterItem.objects.count(), ChangeRequest.objects.count()) == before
    assert demo_matters.info()
