"""R20.1: the people and audit endpoints are described in the OpenAPI schema (docs offline)."""

import pytest

ENDPOINTS = [
    "/api/v1/auth/token/",
    "/api/v1/me/",
    "/api/v1/agencies/",
    "/api/v1/departments/",
    "/api/v1/department-kinds/",
    "/api/v1/committees/",
    "/api/v1/workers/",
    "/api/v1/workers/{id}/reveal/",
    "/api/v1/assignments/",
    "/api/v1/trainings/",
    "/api/v1/equipment/",
    "/api/v1/vacant-grids/",
    "/api/v1/accounts/",
    "/api/v1/role-assignments/",
    "/api/v1/audit/",
    "/api/v1/audit/personal-data/",
]


@pytest.mark.django_db
def test_people_and_audit_endpoints_are_in_the_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    missing = [path for path in ENDPOINTS if path not in schema["paths"]]
    assert not missing
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert "post" not in schema["paths"]["/api/v1/audit/"]  # the trail is read-only


@pytest.mark.django_db
def test_the_whole_schema_generates_without_warnings_or_errors():
    """API clients get one stable, valid OpenAPI document: drf-spectacular's warnings (an
    undescribed field, two choice sets under one enum name) would show up as vague types or
    generated names like ``Role1ccEnum`` in client code."""
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=io.StringIO())
    assert "openapi:" in out.getvalue()
