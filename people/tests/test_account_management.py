"""R20.1, R22.1: whoever manages an account covers every place the account acts in, and an
administrator cannot revoke their own last administrator role."""

from __future__ import annotations

import pytest
from django.test import Client

from gridgov.errors import DomainError
from people import roles as R
from people import services
from people.models import RoleAssignment
from people.testing import make_agency, make_user

ACTOR = "test"


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
