"""R4.1, R5.1, R6.1: grid agencies, linkage departments of the Art. 5 kinds and more,
village/community committees."""

from __future__ import annotations

import pytest

from gridgov.access import roles as R
from gridgov.errors import DomainError, Forbidden
from gridgov.testing.people import ensure_region, make_agency, make_user
from people import services
from people.models import DepartmentKind, GridAgency

ACTOR = "test"
TAX = {"code": "tax", "name": "税务"}
ARTICLE_5 = [
    "公安", "民政", "司法行政", "人力资源社会保障", "生态环境", "住房城乡建设", "农业农村",
    "文化广电旅游体育", "卫生健康", "应急管理", "城市管理综合执法", "信访", "政务服务数据管理",
    "消防救援",
]  # fmt: skip


@pytest.mark.django_db
def test_the_fourteen_kinds_of_article_5_are_seeded():
    """R5.1: the 14 linkage departments of Art. 5, in the order of the article."""
    builtin = list(DepartmentKind.objects.filter(builtin=True).values_list("name", flat=True))
    assert builtin == ARTICLE_5


@pytest.mark.django_db
def test_only_the_system_administrator_adds_kinds_and_builtins_keep_their_names(client):
    """R5.1 "等部门": an administrator adds kinds beyond the 14."""
    sysadmin = make_user(R.Role.SYSADMIN, "4407")
    county_admin = make_user(R.Role.AGENCY_ADMIN, "440703")
    client.force_login(county_admin)
    refused = client.post(
        "/api/v1/department-kinds/",
        {"code": "tax", "name": "税务"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    client.force_login(sysadmin)
    created = client.post(
        "/api/v1/department-kinds/",
        {"code": "tax", "name": "税务"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["builtin"] is False
    police = DepartmentKind.objects.get(code="police")
    with pytest.raises(DomainError):
        services.update_department_kind(sysadmin, police, name="警察")
    services.update_department_kind(sysadmin, police, sort_order=1)


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "level"), [("4407", "city"), ("440703", "county"),
                                             ("440703002", "township")])  # fmt: skip
def test_agencies_at_city_county_and_township_level(code, level):
    """R4.1: one agency per city, county and township."""
    ensure_region(code)
    agency = services.create_agency(ACTOR, region_code=code, supervision_phone="0750-3212345")
    assert agency.level == level
    with pytest.raises(DomainError) as refused:
        services.create_agency(ACTOR, region_code=code)
    assert refused.value.code == "exists"


@pytest.mark.django_db
def test_no_agency_for_a_village():
    ensure_region("440703002101")
    with pytest.raises(DomainError) as refused:
        services.create_agency(ACTOR, region_code="440703002101")
    assert refused.value.code == "wrong_level"


@pytest.mark.django_db
def test_county_administrator_sets_up_its_townships_only(client):
    """R4.1, R22.1: a county administrator creates township agencies in its county only."""
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    ensure_region("440703005")
    ensure_region("440784001")
    ok = client.post(
        "/api/v1/agencies/",
        {"region": "440703005", "supervision_phone": "0750-3300000"},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["name"].endswith("网格化服务管理中心")
    refused = client.post(
        "/api/v1/agencies/", {"region": "440784001"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert not GridAgency.objects.filter(region__code="440784001").exists()


@pytest.mark.django_db
def test_departments_of_a_kind_at_a_level(client):
    """R5.1: e.g. 蓬江区公安 at county level."""
    make_agency("440703")
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    response = client.post(
        "/api/v1/departments/", {"kind": "police", "region": "440703"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["level"], body["kind"]["name"]) == ("蓬江区公安", "county", "公安")
    bad = client.post(
        "/api/v1/departments/", {"kind": "nope", "region": "440703"},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]


@pytest.mark.django_db
def test_village_committees_and_members():
    """R6.1: 村民委员会 for rural villages, 居民委员会 for communities."""
    ensure_region("440703002101", kind="urban")
    ensure_region("440784001001", kind="rural")
    urban = services.create_committee(ACTOR, region_code="440703002101")
    rural = services.create_committee(ACTOR, region_code="440784001001")
    assert (urban.kind, rural.kind) == ("residents", "villagers")
    member = services.add_committee_member(
        ACTOR, urban, name="周主任", position="director", is_party_member=True
    )
    services.end_committee_member(ACTOR, member)
    member.refresh_from_db()
    assert member.ended_on is not None
    township_admin = make_user(R.Role.AGENCY_ADMIN, "440703002")
    with pytest.raises(Forbidden):
        services.add_committee_member(township_admin, rural, name="x", position="member")


@pytest.mark.django_db
def test_organisation_lists_are_readable_by_staff_of_the_jurisdiction(client):
    make_agency("440703002")
    make_agency("440784001")
    client.force_login(make_user(R.Role.DEPT_HANDLER, "440703"))
    names = [a["region"]["code"] for a in client.get("/api/v1/agencies/").json()["results"]]
    assert "440703002" in names and "440784001" not in names
    page = client.get("/people/agencies/").content.decode()
    assert "白沙街道" in page and "沙坪街道" not in page
