"""R20.1, R22.1: whoever manages an account covers every place the account acts in, and an
administrator cannot revoke their own last administrator role."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditRecord
from gridgov.access import roles as R
from gridgov.errors import DomainError, Forbidden
from gridgov.testing.people import PASSWORD, make_agency, make_user, make_worker
from people import services
from people.actions import PeopleAction
from people.auth import issue_token
from people.models import ApiToken, RoleAssignment

ACTOR = "test"


@pytest.fixture
def world(db):
    """heshan_admin administers 鹤山 and also dispatches in 白沙 (granted by the city)."""
    city_admin = make_user(R.Role.AGENCY_ADMIN, "4407", username="city_admin")
    pengjiang_admin = make_user(R.Role.AGENCY_ADMIN, "440703", username="pengjiang_admin")
    heshan_admin = make_user(R.Role.AGENCY_ADMIN, "440784", username="heshan_admin")
    make_agency("440703002")
    services.grant_role(city_admin, heshan_admin, R.Role.DISPATCHER, region_code="440703002")
    return city_admin, pengjiang_admin, heshan_admin


def test_r22_1_a_county_admin_cannot_reset_the_password_of_an_account_acting_elsewhere(world):
    """R22.1: pengjiang_admin sees heshan_admin (he dispatches in 白沙) but may not take over
    the account: its administrator role in 鹤山 lies outside pengjiang_admin's jurisdiction."""
    city_admin, pengjiang_admin, heshan_admin = world
    client = Client()
    client.force_login(pengjiang_admin)
    url = f"/api/v1/accounts/{heshan_admin.pk}/"
    assert client.get(url).status_code == 200  # visible: one of its roles is in 蓬江
    response = client.post(
        f"{url}set-password/", {"password": "taken-over-2024!"}, content_type="application/json"
    )
    assert response.status_code == 403, response.content
    assert "440784" in response.json()["detail"]
    heshan_admin.refresh_from_db()
    assert heshan_admin.check_password(PASSWORD)
    for action in ("deactivate", "activate"):
        refused = client.post(f"{url}{action}/", {"reason": "x"}, content_type="application/json")
        assert refused.status_code == 403
    heshan_admin.refresh_from_db()
    assert heshan_admin.is_active
    with pytest.raises(Forbidden):
        services.update_account(pengjiang_admin, heshan_admin, full_name="冒名")
    # The city administrator covers both places and may.
    services.set_password(city_admin, heshan_admin, "a-new-password-2024")
    services.update_account(city_admin, heshan_admin, full_name="鹤山管理员")


def test_r22_1_grid_roles_count_as_places_of_the_account(db):
    """R22.1: a grid worker's role in a 鹤山 grid puts the account out of 蓬江's reach."""
    pengjiang_admin = make_user(R.Role.AGENCY_ADMIN, "440703", username="pengjiang_admin")
    account = make_user(R.Role.VILLAGE_COMMITTEE, "440703002101", username="two_places")
    worker = make_worker("fulltime", grid_code="440784001001001", user=account)
    with pytest.raises(Forbidden) as refused:
        services.set_password(pengjiang_admin, account, "a-new-password-2024")
    assert "440784001001001" in refused.value.message
    # Once the grid assignment ends, 蓬江 covers everything the account does.
    services.end_assignment(ACTOR, worker.assignments.get(), reason="调离")
    services.set_password(pengjiang_admin, account, "a-new-password-2024")


def test_r22_1_an_auditor_account_is_managed_by_a_system_administrator_only(db):
    """R22.1: auditors are granted by the system administrator; an agency administrator of
    the same place cannot reset an auditor's password (and read the trail as them)."""
    pengjiang_admin = make_user(R.Role.AGENCY_ADMIN, "440703")
    auditor = make_user(R.Role.AUDITOR, "440703")
    make_agency("440703002")
    services.grant_role(ACTOR, auditor, R.Role.DISPATCHER, region_code="440703002")
    with pytest.raises(Forbidden):
        services.set_password(pengjiang_admin, auditor, "a-new-password-2024")


def test_r22_1_the_admin_site_refuses_the_same_way(world):
    """R22.1: the Django admin's deactivate action and token revocation go through the check."""
    _city_admin, pengjiang_admin, heshan_admin = world
    client = Client()
    client.force_login(pengjiang_admin)
    response = client.post(
        "/admin/people/user/",
        {"action": "deactivate", "_selected_action": [heshan_admin.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "440784" in response.content.decode()
    heshan_admin.refresh_from_db()
    assert heshan_admin.is_active
    _key, token = issue_token(heshan_admin)
    client.post(
        "/admin/people/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_r22_1_an_administrator_cannot_revoke_their_own_last_admin_role(db):
    """R22.1: like deactivating oneself, revoking one's own last administrator role is
    refused (400 naming the rule); with another admin role left, it is allowed."""
    admin = make_user(R.Role.AGENCY_ADMIN, "440703", username="pj_admin")
    (own,) = RoleAssignment.objects.filter(user=admin)
    client = Client()
    client.force_login(admin)
    response = client.post(
        f"/api/v1/role-assignments/{own.pk}/revoke/", {}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "self"
    own.refresh_from_db()
    assert own.is_active
    make_agency("440703002")
    second = services.grant_role(ACTOR, admin, R.Role.AGENCY_ADMIN, region_code="440703002")
    services.revoke_role(admin, second)
    with pytest.raises(DomainError) as refused:
        services.revoke_role(admin, own)
    assert refused.value.code == "self"
    # Another administrator may revoke it.
    services.revoke_role(make_user(R.Role.AGENCY_ADMIN, "4407"), own)


def test_r28_1_deactivating_an_account_files_the_record_under_its_place(world):
    """R28.1, R22.1: the audit records of deactivating and reactivating an account are filed
    under the account's place (the one code covering its roles), where that place's auditors
    find them, not under "" because a deactivated account acts nowhere."""
    _city_admin, pengjiang_admin, _heshan_admin = world
    dispatcher = make_user(R.Role.DISPATCHER, "440703002", username="baisha_dispatcher")
    services.set_account_active(pengjiang_admin, dispatcher, False, reason="调离")
    services.set_account_active(pengjiang_admin, dispatcher, True, reason="返岗")
    records = AuditRecord.objects.filter(
        action__in=[PeopleAction.ACCOUNT_DEACTIVATE, PeopleAction.ACCOUNT_ACTIVATE],
        object_id=str(dispatcher.pk),
    ).order_by("pk")
    assert [(r.action, r.region_code) for r in records] == [
        (PeopleAction.ACCOUNT_DEACTIVATE, "440703002"),
        (PeopleAction.ACCOUNT_ACTIVATE, "440703002"),
    ]
