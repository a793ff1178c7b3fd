"""A draft comes into force and is filed (R9.1, R9.2, R9.3): publishing (after the checks that
stop it), filing with the city agency, the city's acknowledgement.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError
from gridgov.text import clean_text
from matters.actions import MatterAction
from matters.models import (
    AdmissionListVersion,
    VersionStatus,
)
from matters.services.authority import (
    require_city_admin,
    require_county_admin,
)
from matters.services.reading import compare_versions
from matters.services.shared import (
    acting_user,
    ensure_draft,
    lock_list,
    lock_version,
)


def publication_problems(version: AdmissionListVersion) -> list[str]:
    """What stops a draft from being published (empty, retired items, closed departments)."""
    problems = []
    entries = list(
        version.entries.select_related("item", "lead_department").prefetch_related("co_departments")
    )
    if not entries:
        problems.append(_("清单没有任何事项"))
    for entry in entries:
        if not entry.item.is_active:
            problems.append(
                _("事项 %(code)s %(name)s 已在目录中停用,请移出清单")
                % {"code": entry.item.code, "name": entry.item.name}
            )
        departments = [entry.lead_department, *entry.co_departments.all()]
        for department in departments:
            if not department.is_active:
                problems.append(
                    _("事项 %(code)s 的部门 %(name)s 已停用")
                    % {"code": entry.item.code, "name": department.name}
                )
    return problems


@transaction.atomic
def publish_version(
    actor: Actor, version: AdmissionListVersion, *, note: str | None = None
) -> AdmissionListVersion:
    """Publish a draft: it comes into force at once and is frozen (R9.2, R9.1 动态调整)."""
    lock_list(version.admission_list)
    version = lock_version(version)
    county = version.admission_list.county
    grant = require_county_admin(actor, county, what=_("发布准入清单"))
    if version.status != VersionStatus.DRAFT:
        if version.is_published:
            return version  # a resent publish changes nothing
        ensure_draft(version)
    problems = publication_problems(version)
    if problems:
        raise DomainError(
            _("第 %(n)d 版不能发布:%(first)s") % {"n": version.number, "first": problems[0]},
            field="version",
            code="not_publishable",
            extra={"problems": problems},
        )
    if note is not None:
        version.note = clean_text(note, "note", max_length=2000)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = acting_user(actor)
    version.save()
    previous = version.based_on
    audit.record(
        actor,
        MatterAction.VERSION_PUBLISH,
        version,
        after={
            "number": version.number,
            "entries": version.entries.count(),
            "replaces": previous.number if previous else None,
            "changes": compare_versions(previous, version).summary() if previous else None,
        },
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
    )
    return version


@transaction.atomic
def file_version(actor: Actor, version: AdmissionListVersion) -> AdmissionListVersion:
    """File a published version with the city agency (报市网格化机构备案, R9.2, R9.3)."""
    version = lock_version(version)
    county = version.admission_list.county
    grant = require_county_admin(actor, county, what=_("报市网格化机构备案"))
    if version.status in (VersionStatus.FILED, VersionStatus.ACKNOWLEDGED):
        return version
    if version.status != VersionStatus.PUBLISHED:
        raise DomainError(
            _("第 %(n)d 版尚未发布,发布后才能报备") % {"n": version.number},
            field="version",
            code="not_published",
        )
    version.status = VersionStatus.FILED
    version.filed_at = timezone.now()
    version.filed_by = acting_user(actor)
    version.save()
    audit.record(
        actor,
        MatterAction.VERSION_FILE,
        version,
        after={"number": version.number, "status": version.status},
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
    )
    return version


@transaction.atomic
def acknowledge_version(
    actor: Actor, version: AdmissionListVersion, *, note: str = ""
) -> AdmissionListVersion:
    """The city agency confirms the filing of a county's version (备案确认, R9.2)."""
    version = lock_version(version)
    county = version.admission_list.county
    grant = require_city_admin(actor, county.code[:4], what=_("确认准入清单备案"))
    if version.status == VersionStatus.ACKNOWLEDGED:
        return version
    if version.status != VersionStatus.FILED:
        raise DomainError(
            _("第 %(n)d 版尚未报备,不能确认备案") % {"n": version.number},
            field="version",
            code="not_filed",
        )
    version.status = VersionStatus.ACKNOWLEDGED
    version.acknowledged_at = timezone.now()
    version.acknowledged_by = acting_user(actor)
    version.acknowledgement_note = clean_text(note, "note", max_length=2000)
    version.save()
    audit.record(
        actor,
        MatterAction.VERSION_ACKNOWLEDGE,
        version,
        after={"number": version.number, "note": version.acknowledgement_note},
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
    )
    return version
