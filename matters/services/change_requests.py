"""Requests to change a county's list (R9.3): a county department or a township agency submits
or withdraws one; the county agency approves it into the list's draft or rejects it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError, Forbidden
from gridgov.parsing import Scalar
from gridgov.text import clean_text
from matters.actions import MatterAction
from matters.models import (
    AdmissionEntry,
    AdmissionList,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    MatterItem,
    VersionStatus,
)
from matters.services.authority import (
    requester_for,
    require_county_admin,
)
from matters.services.shared import (
    ItemRef,
    acting_user,
    addable_item,
    catalogue_item,
    find_region,
    lock_list,
    new_draft,
)
from matters.services.terms import (
    ENTRY_TERMS,
    apply_terms,
    check_limit,
    clean_co_departments,
    clean_terms,
    county_department,
    create_entry,
    parse_amber,
)
from people.models import Department, GridAgency
from people.services.common import DepartmentRef
from regions.models import Level, Region

REASON_MIN = 4


def _reason(value: str, field: str = "reason") -> str:
    text = clean_text(value, field, max_length=2000)
    if len(text) < REASON_MIN:
        raise DomainError(
            _("请写明理由(至少 %(n)d 个字)") % {"n": REASON_MIN}, field=field, code="required"
        )
    return text


def _list_for_county(county: Region) -> AdmissionList:
    found = AdmissionList.objects.filter(county=county).first()
    if found is None:
        raise DomainError(
            _("%(county)s尚未编制准入清单") % {"county": county.name},
            field="county",
            code="no_list",
        )
    return found


def _pending_duplicate(admission_list: AdmissionList, item: MatterItem) -> ChangeRequest | None:
    return ChangeRequest.objects.filter(
        admission_list=admission_list, item=item, status=ChangeStatus.PENDING
    ).first()


@transaction.atomic
def submit_change_request(
    actor: Actor,
    *,
    county_code: str,
    kind: str,
    item: ItemRef,
    reason: str,
    lead_department: DepartmentRef = None,
    co_departments: Iterable[DepartmentRef] | None = None,
    dispatch_limit_amount: Scalar = None,
    dispatch_limit_unit: Scalar = "",
    handling_limit_amount: Scalar = None,
    handling_limit_unit: Scalar = "",
    amber_threshold_percent: Scalar = None,
    notes: str = "",
    department: DepartmentRef = None,
    agency: GridAgency | int | str | None = None,
) -> ChangeRequest:
    """A county department or a township agency asks to add, change or remove an entry (R9.3).

    ``add`` needs the full terms; ``change`` names only what changes (``co_departments=None``
    keeps them, a list replaces them); ``remove`` needs only the item and the reason.
    """
    county = find_region(county_code, Level.COUNTY, "county")
    requester = requester_for(actor, county, department=department, agency=agency)
    admission_list = _list_for_county(county)
    kind = str(kind or "")
    if kind not in ChangeKind.values:
        raise DomainError(
            _("申请类型须为 add(新增)、change(调整)或 remove(移出)"),
            field="kind",
            code="invalid_choice",
        )
    matter = catalogue_item(county.code[:4], item)
    reason = _reason(reason)
    in_force = admission_list.versions.in_force().first()
    current = in_force.entries.filter(item=matter).first() if in_force else None
    duplicate = _pending_duplicate(admission_list, matter)
    if duplicate is not None:
        raise DomainError(
            _("事项 %(code)s 已有待审核的调整申请 #%(id)d")
            % {"code": matter.code, "id": duplicate.pk},
            field="item",
            code="pending_exists",
            extra={"pending_request": duplicate.pk},
        )
    proposal: dict[str, Any] = {"notes": clean_text(notes, "notes", max_length=2000)}
    co: list[Department] | None = None
    if kind == ChangeKind.ADD:
        if current is not None:
            raise DomainError(
                _("事项 %(code)s 已在现行清单中,如需调整请选择“调整事项”") % {"code": matter.code},
                field="item",
                code="exists",
            )
        if not matter.is_active:
            raise DomainError(
                _("事项 %(code)s 已在目录中停用") % {"code": matter.code},
                field="item",
                code="inactive_item",
            )
        terms = clean_terms(
            county,
            lead_department=lead_department,
            co_departments=co_departments,
            dispatch_limit_amount=dispatch_limit_amount,
            dispatch_limit_unit=dispatch_limit_unit,
            handling_limit_amount=handling_limit_amount,
            handling_limit_unit=handling_limit_unit,
            amber_threshold_percent=amber_threshold_percent,
            notes=notes,
        )
        proposal.update({name: getattr(terms, name) for name in ENTRY_TERMS})
        co = terms.co_departments
    elif kind == ChangeKind.CHANGE:
        if current is None:
            raise DomainError(
                _("事项 %(code)s 不在现行清单中,不能调整") % {"code": matter.code},
                field="item",
                code="not_on_list",
            )
        proposal.update(
            _proposed_changes(
                county,
                lead_department=lead_department,
                dispatch=(dispatch_limit_amount, dispatch_limit_unit),
                handling=(handling_limit_amount, handling_limit_unit),
                amber=amber_threshold_percent,
            )
        )
        if co_departments is not None:
            lead = proposal.get("lead_department") or current.lead_department
            co = clean_co_departments(co_departments, county, lead)
        if not _changes_anything(current, proposal, co):
            raise DomainError(
                _("申请内容与现行清单相同,没有需要调整的内容"),
                field="kind",
                code="no_change",
            )
    else:
        if current is None:
            raise DomainError(
                _("事项 %(code)s 不在现行清单中,无需移出") % {"code": matter.code},
                field="item",
                code="not_on_list",
            )
    request = ChangeRequest.objects.create(
        admission_list=admission_list,
        kind=kind,
        item=matter,
        reason=reason,
        replace_co_departments=co is not None,
        requesting_department=requester.department,
        requesting_agency=requester.agency,
        requested_by=acting_user(actor),
        **{k: v for k, v in proposal.items() if v is not None},
    )
    if co:
        request.co_departments.set(co)
    audit.record(
        actor,
        MatterAction.CHANGE_REQUEST_SUBMIT,
        request,
        after=_snapshot_request(request),
        region_code=county.code,
        role=scoping.acting_role(actor, requester.grant),
    )
    return request


def _proposed_changes(
    county: Region,
    *,
    lead_department: DepartmentRef,
    dispatch: tuple[Scalar, Scalar],
    handling: tuple[Scalar, Scalar],
    amber: Scalar,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if lead_department not in (None, ""):
        out["lead_department"] = county_department(lead_department, county, "lead_department")
    for kind, (amount, unit) in (("dispatch", dispatch), ("handling", handling)):
        if amount in (None, "") and unit in (None, ""):
            continue
        if amount in (None, "") or unit in (None, ""):
            missing = f"{kind}_limit_amount" if amount in (None, "") else f"{kind}_limit_unit"
            raise DomainError(_("调整时限须同时填写时限和单位"), field=missing, code="required")
        out[f"{kind}_limit_amount"], out[f"{kind}_limit_unit"] = check_limit(amount, unit, kind)
    if amber not in (None, ""):
        out["amber_threshold_percent"] = parse_amber(amber)
    return out


def _changes_anything(
    entry: AdmissionEntry, proposal: dict[str, Any], co: list[Department] | None
) -> bool:
    for name, value in proposal.items():
        if name == "notes":
            if value and value != entry.notes:
                return True
            continue
        if value is not None and getattr(entry, name) != value:
            return True
    if co is not None:
        return sorted(d.pk for d in co) != sorted(entry.co_departments.values_list("pk", flat=True))
    return False


def _snapshot_request(request: ChangeRequest) -> dict[str, Any]:
    out = audit.snapshot(
        request,
        [
            "kind",
            "item",
            "reason",
            "status",
            "requesting_department",
            "requesting_agency",
            "review_reason",
            "applied_to",
            *ENTRY_TERMS,
        ],
    )
    out["code"] = request.item.code
    out["co_departments"] = (
        sorted(request.co_departments.values_list("pk", flat=True))
        if request.replace_co_departments
        else None
    )
    return out


def _lock_request(request: ChangeRequest) -> ChangeRequest:
    return (
        ChangeRequest.objects.select_for_update()
        .select_related("admission_list__county", "item")
        .get(pk=request.pk)
    )


@transaction.atomic
def withdraw_change_request(actor: Actor, request: ChangeRequest) -> ChangeRequest:
    """The requesting department or agency withdraws a pending request."""
    request = _lock_request(request)
    county = request.admission_list.county
    requester = requester_for(
        actor,
        county,
        department=request.requesting_department_id,
        agency=request.requesting_agency_id,
    )
    if (requester.department and requester.department.pk != request.requesting_department_id) or (
        requester.agency and requester.agency.pk != request.requesting_agency_id
    ):
        raise Forbidden(_("只有申请单位可以撤回调整申请"))
    if request.status == ChangeStatus.WITHDRAWN:
        return request
    if request.status != ChangeStatus.PENDING:
        raise DomainError(
            _("申请已%(status)s,不能撤回") % {"status": request.get_status_display()},
            field="status",
            code="not_pending",
        )
    request.status = ChangeStatus.WITHDRAWN
    request.save(update_fields=["status"])
    audit.record(
        actor,
        MatterAction.CHANGE_REQUEST_WITHDRAW,
        request,
        after={"status": request.status},
        region_code=county.code,
        role=scoping.acting_role(actor, requester.grant),
    )
    return request


@transaction.atomic
def approve_change_request(
    actor: Actor, request: ChangeRequest, *, reason: str = ""
) -> ChangeRequest:
    """The county agency approves: the change goes into the list's draft at once (R9.3).

    It takes effect for intake when that draft is published; filing with the city follows.
    Refused (nothing changed) when the draft no longer allows it, e.g. the item was already
    removed there.
    """
    request = _lock_request(request)
    county = request.admission_list.county
    grant = require_county_admin(actor, county, what=_("审核准入清单调整申请"))
    if request.status == ChangeStatus.APPROVED:
        return request
    _ensure_pending(request)
    admission_list = lock_list(request.admission_list)
    draft = admission_list.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        draft = new_draft(actor, admission_list, grant)
    entry = draft.entries.filter(item=request.item).first()
    if request.kind == ChangeKind.ADD:
        addable_item(draft, county, request.item)
        terms = clean_terms(
            county,
            **{name: getattr(request, name) for name in ENTRY_TERMS},
            co_departments=list(request.co_departments.all()),
        )
        create_entry(draft, request.item, terms)
    elif entry is None:
        raise DomainError(
            _("事项 %(code)s 已不在第 %(n)d 版草稿中,无法%(kind)s")
            % {"code": request.item.code, "n": draft.number, "kind": request.get_kind_display()},
            field="item",
            code="not_on_list",
        )
    elif request.kind == ChangeKind.CHANGE:
        current: dict[str, Any] = {name: getattr(entry, name) for name in ENTRY_TERMS}
        for name in ENTRY_TERMS:
            value = getattr(request, name)
            if value not in (None, ""):
                current[name] = value
        co = (
            list(request.co_departments.all())
            if request.replace_co_departments
            else list(entry.co_departments.all())
        )
        apply_terms(entry, clean_terms(county, **current, co_departments=co))
    else:
        entry.co_departments.clear()
        entry.delete()
    request.status = ChangeStatus.APPROVED
    request.reviewed_by = acting_user(actor)
    request.reviewed_at = timezone.now()
    request.review_reason = clean_text(reason, "reason", max_length=2000)
    request.applied_to = draft
    request.save()
    audit.record(
        actor,
        MatterAction.CHANGE_REQUEST_APPROVE,
        request,
        after={
            "status": request.status,
            "reason": request.review_reason,
            "applied_to": draft.number,
        },
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
    )
    return request


def _ensure_pending(request: ChangeRequest) -> None:
    if request.status != ChangeStatus.PENDING:
        raise DomainError(
            _("申请已%(status)s,不能再审核") % {"status": request.get_status_display()},
            field="status",
            code="not_pending",
        )


@transaction.atomic
def reject_change_request(actor: Actor, request: ChangeRequest, *, reason: str) -> ChangeRequest:
    """The county agency rejects a request, with its reasons (R9.3)."""
    request = _lock_request(request)
    county = request.admission_list.county
    grant = require_county_admin(actor, county, what=_("审核准入清单调整申请"))
    if request.status == ChangeStatus.REJECTED:
        return request
    _ensure_pending(request)
    request.status = ChangeStatus.REJECTED
    request.reviewed_by = acting_user(actor)
    request.reviewed_at = timezone.now()
    request.review_reason = _reason(reason)
    request.save()
    audit.record(
        actor,
        MatterAction.CHANGE_REQUEST_REJECT,
        request,
        after={"status": request.status, "reason": request.review_reason},
        region_code=county.code,
        role=scoping.acting_role(actor, grant),
    )
    return request
