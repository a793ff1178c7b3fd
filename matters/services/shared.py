"""What several of the matters services use (R9.1–R9.3): the acting account, a region or a
catalogue item named by its code, the list locked for a step, a new draft, and the checks that a
version is still a draft and that an item may be admitted to it.

The lowest of the service modules with :mod:`~matters.services.terms`: it imports no other.
"""

from __future__ import annotations

import re
from typing import TypeAlias

from django.utils.translation import gettext as _

from audit import services as audit
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError
from gridgov.text import clean_text
from matters.actions import MatterAction
from matters.models import (
    ITEM_CODE_PATTERN,
    AdmissionList,
    AdmissionListVersion,
    MatterItem,
    VersionStatus,
)
from people.models import User
from people.services.common import region_by_code
from regions.models import Level, Region

ItemRef: TypeAlias = MatterItem | str  # an item of the catalogue, or its code


def acting_user(actor: Actor) -> User | None:
    """The account acting, or None for the system or a string naming it (R28.1)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def find_region(code: str | None, level: str, field: str) -> Region:
    """The region of ``level`` with this code; a field error when missing, unknown or of another
    level."""
    region = region_by_code(code, field)
    if region.level != level:
        raise DomainError(
            _("%(name)s(%(code)s)不是%(level)s")
            % {"name": region.name, "code": region.code, "level": Level(level).label},
            field=field,
            code="wrong_level",
        )
    return region


def item_code(value: str | None, field: str = "code") -> str:
    """A catalogue code, upper-cased; a field error when empty or not of the catalogue's form
    (R9.2)."""
    code = str(value or "").strip().upper()
    if not code:
        raise DomainError(_("请填写编码"), field=field, code="required")
    if not re.match(ITEM_CODE_PATTERN, code):
        raise DomainError(
            _("编码 %(code)s 格式不对:只能由大写字母、数字和连字符组成,最长 16 位")
            % {"code": code},
            field=field,
            code="bad_code",
        )
    return code


def catalogue_item(city_code: str, value: ItemRef, field: str = "item") -> MatterItem:
    """The item of the city's catalogue (准入分类目录, R9.2): a MatterItem, or its code."""
    if isinstance(value, MatterItem):
        item = value
        if item.city.code != city_code:
            raise DomainError(_("该事项不属于本市目录"), field=field, code="unknown_item")
        return item
    code = item_code(value, field)
    item = (
        MatterItem.objects.select_related("category", "city")
        .filter(city__code=city_code, code=code)
        .first()
    )
    if item is None:
        raise DomainError(
            _("准入分类目录中没有编码为 %(code)s 的事项") % {"code": code},
            field=field,
            code="unknown_item",
        )
    return item


def lock_list(admission_list: AdmissionList) -> AdmissionList:
    """The admission list locked for the transaction (R9.1)."""
    # Serialises version numbering and the one-draft rule between concurrent requests.
    return (
        AdmissionList.objects.select_for_update().select_related("county").get(pk=admission_list.pk)
    )


def lock_version(version: AdmissionListVersion) -> AdmissionListVersion:
    """The version locked for the transaction, with its list's county (R9.2)."""
    return (
        AdmissionListVersion.objects.select_for_update()
        .select_related("admission_list__county")
        .get(pk=version.pk)
    )


def ensure_draft(version: AdmissionListVersion) -> None:
    """Refuse to edit a version that is no longer a draft: published versions are frozen."""
    if version.status != VersionStatus.DRAFT:
        raise DomainError(
            _("第 %(n)d 版已发布,不能再修改;请在新草稿中调整") % {"n": version.number},
            field="version",
            code="frozen",
        )


def new_draft(
    actor: Actor, admission_list: AdmissionList, grant: scoping.Grant | None, *, note: str = ""
) -> AdmissionListVersion:
    """A new draft copying the version in force, with its audit record (R9.3, R28.1).

    The caller has locked the list (:func:`lock_list`) and checked ``actor`` may edit it."""
    base = admission_list.versions.in_force().first()
    last = admission_list.versions.order_by("-number").values_list("number", flat=True).first()
    draft = AdmissionListVersion.objects.create(
        admission_list=admission_list,
        number=(last or 0) + 1,
        based_on=base,
        note=clean_text(note, "note", max_length=2000),
        created_by=acting_user(actor),
    )
    copied = 0
    if base is not None:
        for entry in base.entries.select_related("item").prefetch_related("co_departments"):
            co = list(entry.co_departments.all())
            entry.pk = None
            entry.version = draft
            entry.save()
            entry.co_departments.set(co)
            copied += 1
    audit.record(
        actor,
        MatterAction.VERSION_OPEN_DRAFT,
        draft,
        after={
            "number": draft.number,
            "based_on": base.number if base else None,
            "entries": copied,
        },
        region_code=admission_list.county.code,
        role=scoping.acting_role(actor, grant),
    )
    return draft


def addable_item(version: AdmissionListVersion, county: Region, value: ItemRef) -> MatterItem:
    """The catalogue item ``value`` if a draft may admit it: active and not yet on ``version``
    (R9.2)."""
    item = catalogue_item(county.code[:4], value)
    if not item.is_active:
        raise DomainError(
            _("事项 %(code)s %(name)s 已在目录中停用,不能编入清单")
            % {"code": item.code, "name": item.name},
            field="item",
            code="inactive_item",
        )
    if version.entries.filter(item=item).exists():
        raise DomainError(
            _("事项 %(code)s %(name)s 已在第 %(n)d 版清单中")
            % {"code": item.code, "name": item.name, "n": version.number},
            field="item",
            code="exists",
        )
    return item
