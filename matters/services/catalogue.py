"""The city's classification catalogue (准入分类目录, R9.2): its categories and items, each with a
stable code. Kept by the city agency's administrator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit import services as audit
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError
from gridgov.text import clean_text
from matters.actions import MatterAction
from matters.models import (
    MatterCategory,
    MatterItem,
)
from matters.services.authority import (
    require_city_admin,
)
from matters.services.shared import (
    find_region,
    item_code,
)
from people.services.common import refuse_read_only
from regions.models import Level

CATEGORY_FIELDS = ["city", "code", "name", "description", "sort_order", "is_active"]


# What the city's administrator edits of an item (the admin form shows the same); its city is
# the category's.
ITEM_EDITABLE_FIELDS = [
    "category",
    "code",
    "name",
    "description",
    "keywords",
    "settle_on_spot_allowed",
    "sort_order",
    "is_active",
]


ITEM_FIELDS = ["city", *ITEM_EDITABLE_FIELDS]


@transaction.atomic
def create_category(
    actor: Actor,
    *,
    city_code: str,
    code: str,
    name: str,
    description: str = "",
    sort_order: int = 100,
) -> MatterCategory:
    """A category of the city's classification catalogue (准入分类目录, R9.2)."""
    city = find_region(city_code, Level.CITY, "city")
    grant = require_city_admin(actor, city.code, what=_("维护准入分类目录"))
    code = item_code(code)
    name = clean_text(name, "name", required=True, max_length=60)
    if MatterCategory.objects.filter(city=city, code=code).exists():
        raise DomainError(
            _("分类编码 %(code)s 已存在") % {"code": code}, field="code", code="exists"
        )
    if MatterCategory.objects.filter(city=city, name=name).exists():
        raise DomainError(_("分类 %(name)s 已存在") % {"name": name}, field="name", code="exists")
    category = MatterCategory.objects.create(
        city=city,
        code=code,
        name=name,
        description=clean_text(description, "description", max_length=2000),
        sort_order=int(sort_order),
    )
    audit.record_created(
        actor,
        MatterAction.CATEGORY_CREATE,
        category,
        CATEGORY_FIELDS,
        region_code=city.code,
        grant=grant,
    )
    return category


@transaction.atomic
def update_category(actor: Actor, category: MatterCategory, **changes: Any) -> MatterCategory:
    """Rename, describe, reorder or (de)activate a category; its code never changes."""
    category = MatterCategory.objects.select_for_update().select_related("city").get(pk=category.pk)
    grant = require_city_admin(actor, category.city.code, what=_("维护准入分类目录"))
    clean = _clean_changes(
        changes,
        {
            "name": lambda v: clean_text(v, "name", required=True, max_length=60),
            "description": lambda v: clean_text(v, "description", max_length=2000),
            "sort_order": int,
            "is_active": bool,
        },
    )
    if (
        "name" in clean
        and MatterCategory.objects.filter(city=category.city, name=clean["name"])
        .exclude(pk=category.pk)
        .exists()
    ):
        raise DomainError(
            _("分类 %(name)s 已存在") % {"name": clean["name"]}, field="name", code="exists"
        )
    audit.audited_update(
        actor,
        MatterAction.CATEGORY_UPDATE,
        category,
        clean,
        fields=CATEGORY_FIELDS,
        region_code=category.city.code,
        role=scoping.acting_role(actor, grant),
    )
    return category


def _clean_changes(changes: dict[str, Any], cleaners: dict[str, Any]) -> dict[str, Any]:
    refuse_read_only(changes, list(cleaners))
    return {key: cleaners[key](value) for key, value in changes.items()}


def _keywords(value: str | Sequence[str] | None) -> str:
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    words = str(value or "").replace(",", " ").replace(",", " ").replace("、", " ").split()
    text = " ".join(dict.fromkeys(words))
    return clean_text(text, "keywords", max_length=300)


@transaction.atomic
def create_item(
    actor: Actor,
    *,
    category: MatterCategory,
    code: str,
    name: str,
    description: str = "",
    keywords: str | Sequence[str] | None = "",
    settle_on_spot_allowed: bool = False,
    sort_order: int = 100,
) -> MatterItem:
    """A matter of the catalogue with a stable code (R9.2)."""
    category = MatterCategory.objects.select_related("city").get(pk=category.pk)
    grant = require_city_admin(actor, category.city.code, what=_("维护准入分类目录"))
    if not category.is_active:
        raise DomainError(_("该分类已停用"), field="category", code="inactive")
    code = item_code(code)
    if MatterItem.objects.filter(city=category.city, code=code).exists():
        raise DomainError(
            _("事项编码 %(code)s 已存在") % {"code": code}, field="code", code="exists"
        )
    item = MatterItem.objects.create(
        city=category.city,
        category=category,
        code=code,
        name=clean_text(name, "name", required=True, max_length=100),
        description=clean_text(description, "description", max_length=4000),
        keywords=_keywords(keywords),
        settle_on_spot_allowed=bool(settle_on_spot_allowed),
        sort_order=int(sort_order),
    )
    audit.record_created(
        actor,
        MatterAction.ITEM_CREATE,
        item,
        ITEM_FIELDS,
        region_code=category.city.code,
        grant=grant,
    )
    return item


@transaction.atomic
def update_item(actor: Actor, item: MatterItem, **changes: Any) -> MatterItem:
    """Change an item's wording, keywords, category or status; its code never changes.

    Deactivating an item keeps it on the lists in force (the county decides its exit, R9.1),
    but no draft may add it and no version containing it can be published.
    """
    item = MatterItem.objects.select_for_update().select_related("city").get(pk=item.pk)
    grant = require_city_admin(actor, item.city.code, what=_("维护准入分类目录"))

    def category(value: MatterCategory | int | str) -> MatterCategory:
        found = MatterCategory.objects.filter(
            pk=getattr(value, "pk", value), city=item.city
        ).first()
        if found is None:
            raise DomainError(_("分类不存在"), field="category", code="unknown_category")
        return found

    clean = _clean_changes(
        changes,
        {
            "name": lambda v: clean_text(v, "name", required=True, max_length=100),
            "description": lambda v: clean_text(v, "description", max_length=4000),
            "keywords": _keywords,
            "settle_on_spot_allowed": bool,
            "sort_order": int,
            "is_active": bool,
            "category": category,
        },
    )
    audit.audited_update(
        actor,
        MatterAction.ITEM_UPDATE,
        item,
        clean,
        fields=ITEM_FIELDS,
        region_code=item.city.code,
        role=scoping.acting_role(actor, grant),
    )
    return item
