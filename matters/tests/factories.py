"""Helpers for the matters tests: a catalogue and published admission lists in a few lines.

    from matters.tests.factories import make_item, make_published_list
    make_published_list("440703", ["0101", "0102"])          # items made on the way
    admission = gate.admit("0101", grid_code="440703002101001")

Everything goes through the services with the system as actor, like
:mod:`gridgov.testing.people`. (Only the matters tests use these; move them to
``gridgov/testing/`` when another app's tests need them.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gridgov.testing.people import ensure_region, make_agency, make_department
from matters import services
from matters.models import AdmissionList, AdmissionListVersion, MatterCategory, MatterItem

ACTOR = "test"
CITY = "4407"


def make_category(code: str = "01", name: str = "", *, city_code: str = CITY) -> MatterCategory:
    found = MatterCategory.objects.filter(city__code=city_code, code=code).first()
    if found is not None:
        return found
    ensure_region(city_code)
    return services.create_category(
        ACTOR, city_code=city_code, code=code, name=name or f"测试分类{code}"
    )


def make_item(
    code: str,
    name: str = "",
    *,
    city_code: str = CITY,
    category_code: str | None = None,
    settle_on_spot_allowed: bool = False,
    **kwargs: Any,
) -> MatterItem:
    """A catalogue item (its category is the first two characters of the code by default)."""
    found = MatterItem.objects.filter(city__code=city_code, code=code).first()
    if found is not None:
        return found
    category = make_category(category_code or code[:2], city_code=city_code)
    return services.create_item(
        ACTOR,
        category=category,
        code=code,
        name=name or f"测试事项{code}",
        settle_on_spot_allowed=settle_on_spot_allowed,
        **kwargs,
    )


def default_terms(county_code: str, department_kind: str = "police") -> dict[str, Any]:
    return {
        "lead_department": make_department(department_kind, county_code),
        "dispatch_limit_amount": 2,
        "dispatch_limit_unit": "workhours",
        "handling_limit_amount": 3,
        "handling_limit_unit": "workdays",
        "amber_threshold_percent": 80,
    }


def make_list(county_code: str) -> AdmissionList:
    ensure_region(county_code)
    make_agency(county_code)
    return services.create_list(ACTOR, county_code=county_code)


def make_draft(
    county_code: str,
    codes: Iterable[str] = (),
    *,
    department_kind: str = "police",
    **terms: Any,
) -> AdmissionListVersion:
    """The county's draft (opened on its version in force) with ``codes`` added."""
    admission_list = make_list(county_code)
    draft = services.open_draft(ACTOR, admission_list)
    base = {**default_terms(county_code, department_kind), **terms}
    for code in codes:
        item = make_item(code)
        if not draft.entries.filter(item=item).exists():
            services.add_entry(ACTOR, draft, item=item, **base)
    return draft


def make_published_list(
    county_code: str,
    codes: Iterable[str] = ("0101",),
    *,
    filed: bool = False,
    acknowledged: bool = False,
    department_kind: str = "police",
    **terms: Any,
) -> AdmissionListVersion:
    """A published version of the county's list holding exactly ``codes``."""
    codes = list(codes)
    draft = make_draft(county_code, codes, department_kind=department_kind, **terms)
    for entry in list(draft.entries.select_related("item")):
        if entry.item.code not in codes:
            services.remove_entry(ACTOR, entry)
    version = services.publish_version(ACTOR, draft)
    if filed or acknowledged:
        version = services.file_version(ACTOR, version)
    if acknowledged:
        version = services.acknowledge_version(ACTOR, version)
    return version
