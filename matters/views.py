"""Staff pages for admission lists and change requests (R9.1–R9.3), all scoped.

Simple server-rendered pages: overview of the lists in my jurisdiction, a list with its
versions and workflow buttons (draft, upload, publish, file, acknowledge), a version with its
entries and its changes, and the change requests with their review. Every button posts to a
view that calls one service; a refusal comes back as a message naming the role needed.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.access.web import ScopedDetailView, ScopedListView, ScopedView
from gridgov.errors import DomainError
from matters import excel, forms, services
from matters.models import (
    LIST_MANAGERS,
    AdmissionEntry,
    AdmissionList,
    AdmissionListVersion,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    MatterCategory,
    MatterItem,
    VersionStatus,
)
from regions.models import Level, Region


def _refused(request: HttpRequest, exc: DomainError) -> None:
    field = f"{exc.field}: " if exc.field and exc.field not in {"version", "matter"} else ""
    messages.error(request, f"{field}{exc.message}")


def _counties_i_administer(user: Any) -> list[Region]:
    """Counties whose list this user may compile (county agency admins, covering sysadmins)."""
    if scoping.is_unrestricted(user):
        return list(Region.objects.filter(level=Level.COUNTY).order_by("code"))
    codes = scoping.jurisdictions(user, LIST_MANAGERS)
    if not codes:
        return []
    return list(
        Region.objects.filter(level=Level.COUNTY)
        .filter(scoping.prefix_q(["code"], codes))
        .order_by("code")
    )


def _catalogue_items(city_code: str) -> QuerySet[MatterItem]:
    return MatterItem.objects.filter(city__code=city_code, is_active=True).order_by("code")


# --- lists ---------------------------------------------------------------------------------


class ListOverviewView(ScopedListView):
    """The lists of my jurisdiction: version in force, draft, pending requests (R9.2)."""

    model = AdmissionList
    template_name = "matters/list_overview.html"
    context_object_name = "lists"

    def get_queryset(self) -> QuerySet[AdmissionList]:
        return (
            super()
            .get_queryset()
            .select_related("county")
            .prefetch_related(Prefetch("versions", queryset=AdmissionListVersion.objects.all()))
            .annotate(pending=Count("change_requests", filter=Q(change_requests__status="pending")))
            .order_by("county__code")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        have = {lst.county_id for lst in context["lists"]}
        context["counties_without_list"] = [
            c for c in _counties_i_administer(self.request.user) if c.pk not in have
        ]
        for admission_list in context["lists"]:
            versions = sorted(admission_list.versions.all(), key=lambda v: -v.number)
            admission_list.in_force = next((v for v in versions if v.is_published), None)
            admission_list.open_draft = next((v for v in versions if v.is_draft), None)
        return context


class ListCreateView(ScopedView):
    """Start a county's list (the county agency administrator)."""

    scope_model = AdmissionList
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            admission_list = services.create_list(
                request.user, county_code=request.POST.get("county")
            )
        except DomainError as exc:
            _refused(request, exc)
            return HttpResponseRedirect(reverse("matters:lists"))
        return HttpResponseRedirect(reverse("matters:list", args=[admission_list.pk]))


class ListDetailView(ScopedDetailView):
    """A list with every version, the workflow buttons and the Excel upload (R9.2, R9.3)."""

    model = AdmissionList
    template_name = "matters/list_detail.html"
    context_object_name = "admission_list"

    def get_queryset(self) -> QuerySet[AdmissionList]:
        return super().get_queryset().select_related("county")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        admission_list: AdmissionList = self.object
        user = self.request.user
        county = admission_list.county
        versions = list(
            admission_list.versions.select_related(
                "published_by", "filed_by", "acknowledged_by", "created_by"
            )
            .annotate(entry_count=Count("entries"))
            .order_by("-number")
        )
        in_force = next((v for v in versions if v.is_published), None)
        county_admin = _can(services.require_county_admin, user, county)
        city_admin = _can(services.require_city_admin, user, county.code[:4])
        context.update(
            county=county,
            versions=versions,
            in_force=in_force,
            draft=next((v for v in versions if v.is_draft), None),
            to_file=[v for v in versions if v.status == VersionStatus.PUBLISHED],
            to_acknowledge=[v for v in versions if v.status == VersionStatus.FILED],
            county_admin=county_admin,
            city_admin=city_admin,
            pending=scoping.scope_queryset(
                user,
                admission_list.change_requests.filter(status=ChangeStatus.PENDING).select_related(
                    "item", "requesting_department", "requesting_agency"
                ),
            ),
            upload_form=kwargs.get("upload_form") or forms.UploadForm(),
            upload_errors=kwargs.get("upload_errors"),
        )
        return context


def _can(check: Any, user: Any, place: Any) -> bool:
    try:
        check(user, place, what="")
    except DomainError:
        return False
    return True


class ListActionView(ScopedView):
    """One workflow step on a list: open the draft, publish, file, acknowledge."""

    scope_model = AdmissionList
    http_method_names = ["post"]
    ACTIONS = ("draft", "publish", "file", "acknowledge")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        admission_list = get_object_or_404(self.get_queryset().select_related("county"), pk=pk)
        step = request.POST.get("step", "")
        note = request.POST.get("note", "")
        target = reverse("matters:list", args=[admission_list.pk])
        try:
            if step not in self.ACTIONS:
                raise DomainError(_("未知的操作"), field="step")
            if step == "draft":
                version = services.open_draft(request.user, admission_list, note=note)
                messages.success(request, _("第 %(n)d 版草稿已打开") % {"n": version.number})
                return HttpResponseRedirect(reverse("matters:version", args=[version.pk]))
            version = services.get_version(admission_list, request.POST.get("version"))
            if step == "publish":
                services.publish_version(request.user, version, note=note or None)
                messages.success(
                    request,
                    _("第 %(n)d 版已发布,即时生效;请报市网格化机构备案") % {"n": version.number},
                )
            elif step == "file":
                services.file_version(request.user, version)
                messages.success(
                    request, _("第 %(n)d 版已报市网格化机构备案") % {"n": version.number}
                )
            else:
                services.acknowledge_version(request.user, version, note=note)
                messages.success(request, _("已确认第 %(n)d 版备案") % {"n": version.number})
        except DomainError as exc:
            _refused(request, exc)
        return HttpResponseRedirect(target)


class ListUploadView(ScopedView):
    """Upload an .xlsx into the draft: all rows or none, every bad cell listed (R9.2)."""

    scope_model = AdmissionList
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        admission_list = get_object_or_404(self.get_queryset().select_related("county"), pk=pk)
        form = forms.UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                draft = excel.import_draft(
                    request.user, admission_list, upload.read(), filename=upload.name
                )
            except excel.UploadRejected as exc:
                return self._again(request, admission_list, form, exc.errors, exc.message)
            except DomainError as exc:
                _refused(request, exc)
                return HttpResponseRedirect(reverse("matters:list", args=[admission_list.pk]))
            messages.success(
                request,
                _("已导入 %(n)d 项到第 %(v)d 版草稿")
                % {"n": draft.entries.count(), "v": draft.number},
            )
            return HttpResponseRedirect(reverse("matters:version", args=[draft.pk]))
        return self._again(request, admission_list, form, None, _("请选择要上传的 Excel 文件"))

    def _again(self, request, admission_list, form, errors, message) -> HttpResponse:
        messages.error(request, message)
        view = ListDetailView()
        view.setup(request, pk=admission_list.pk)
        view.object = admission_list
        context = view.get_context_data(object=admission_list, upload_form=form,
                                        upload_errors=errors)  # fmt: skip
        return render(request, ListDetailView.template_name, context, status=400)


# --- versions and entries -----------------------------------------------------------------


class VersionDetailView(ScopedDetailView):
    """A version's entries by category and its changes against the version it was based on;
    a draft can be edited here by the county agency administrator."""

    model = AdmissionListVersion
    template_name = "matters/version_detail.html"
    context_object_name = "version"

    def get_queryset(self) -> QuerySet[AdmissionListVersion]:
        return super().get_queryset().select_related("admission_list__county", "based_on")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        version: AdmissionListVersion = self.object
        county = version.admission_list.county
        entries = list(services.entries_of(version))
        editable = version.is_draft and _can(
            services.require_county_admin, self.request.user, county
        )
        form = kwargs.get("entry_form")
        if editable and form is None:
            form = forms.EntryForm()
        if form is not None:
            form.set_departments(forms.county_departments([county.code]))
        context.update(
            county=county,
            groups=[(c, list(rows)) for c, rows in groupby(entries, key=lambda e: e.item.category)],
            entry_count=len(entries),
            changes=services.compare_versions(version.based_on, version)
            if version.based_on
            else None,
            editable=editable,
            entry_form=form,
            catalogue=_catalogue_items(county.code[:4]) if editable else [],
            problems=services.publication_problems(version) if version.is_draft else [],
            applied_requests=version.applied_requests.select_related("item"),
        )
        return context


class VersionXlsxView(ScopedView):
    """Any version (drafts too, for staff) as an Excel workbook."""

    scope_model = AdmissionListVersion

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(
            self.get_queryset().select_related("admission_list__county"), pk=pk
        )
        response = HttpResponse(excel.export_version(version), content_type=excel.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{excel.filename_for(version)}"'
        return response


class EntryAddView(ScopedView):
    """Add a catalogue item to a draft."""

    scope_model = AdmissionListVersion
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(
            self.get_queryset().select_related("admission_list__county"), pk=pk
        )
        county = version.admission_list.county
        form = forms.EntryForm(request.POST)
        form.set_departments(forms.county_departments([county.code]))
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                entry = services.add_entry(request.user, version, item=data.pop("item"), **data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("已加入 %(entry)s") % {"entry": entry})
                return HttpResponseRedirect(reverse("matters:version", args=[version.pk]))
        view = VersionDetailView()
        view.setup(request, pk=version.pk)
        view.object = version
        context = view.get_context_data(object=version, entry_form=form)
        return render(request, VersionDetailView.template_name, context, status=400)


class EntryEditView(ScopedView):
    """Change the department or limits of a draft's entry."""

    scope_model = AdmissionEntry
    http_method_names = ["get", "post"]

    def _entry(self, pk: int) -> AdmissionEntry:
        return get_object_or_404(
            self.get_queryset().select_related("item", "version__admission_list__county"), pk=pk
        )

    def _render(self, request: HttpRequest, entry: AdmissionEntry, form: Any, status: int = 200):
        return render(
            request, "matters/entry_edit.html", {"entry": entry, "form": form}, status=status
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        entry = self._entry(pk)
        initial = {name: getattr(entry, name) for name in services.ENTRY_TERMS}
        initial["co_departments"] = list(entry.co_departments.all())
        form = forms.EntryEditForm(initial=initial)
        form.set_departments(forms.county_departments([entry.version.county_code]))
        return self._render(request, entry, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        entry = self._entry(pk)
        form = forms.EntryEditForm(request.POST)
        form.set_departments(forms.county_departments([entry.version.county_code]))
        if form.is_valid():
            try:
                services.update_entry(request.user, entry, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("已保存 %(entry)s") % {"entry": entry})
                return HttpResponseRedirect(reverse("matters:version", args=[entry.version_id]))
        return self._render(request, entry, form, status=400)


class EntryRemoveView(ScopedView):
    """Take an item out of a draft (it leaves intake when the draft is published, R9.1)."""

    scope_model = AdmissionEntry
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        entry = get_object_or_404(self.get_queryset().select_related("item"), pk=pk)
        version_pk = entry.version_id
        try:
            services.remove_entry(request.user, entry)
            messages.success(request, _("已移出 %(entry)s") % {"entry": entry})
        except DomainError as exc:
            _refused(request, exc)
        return HttpResponseRedirect(reverse("matters:version", args=[version_pk]))


# --- change requests ------------------------------------------------------------------------


class ChangeRequestListView(ScopedListView):
    """Change requests of my jurisdiction (R9.3), pending first."""

    model = ChangeRequest
    template_name = "matters/change_request_list.html"
    context_object_name = "requests"

    def get_queryset(self) -> QuerySet[ChangeRequest]:
        qs = (
            super()
            .get_queryset()
            .select_related(
                "admission_list__county",
                "item",
                "requesting_department",
                "requesting_agency",
                "applied_to",
            )
        )
        params = self.request.GET
        if status := params.get("status"):
            qs = qs.filter(status=status)
        if county := params.get("county", "").strip():
            qs = qs.filter(admission_list__county__code__startswith=county)
        return qs.order_by("-requested_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            statuses=ChangeStatus.choices,
            filters=self.request.GET,
            query=params.urlencode(),
            may_request=may_request(self.request.user),
        )
        return context


def may_request(user: Any) -> bool:
    """Does the user hold a role that may request changes (R9.3)?"""
    if scoping.is_unrestricted(user):
        return True
    if scoping.has_role(user, R.Role.DEPT_HEAD):
        return True
    return any(len(g.code) == 9 for g in scoping.grants_for(user, R.Role.AGENCY_ADMIN))


class ChangeRequestCreateView(ScopedView):
    """Request to add, change or remove an entry (a county department head or a township
    agency administrator, R9.3)."""

    scope_model = ChangeRequest
    http_method_names = ["get", "post"]

    def _counties(self) -> list[tuple[str, str]]:
        lists = scoping.scope_queryset(
            self.request.user, AdmissionList.objects.select_related("county")
        ).order_by("county__code")
        return [(lst.county.code, lst.county.name) for lst in lists]

    def _form(self, data: Any = None) -> forms.ChangeRequestForm:
        counties = self._counties()
        form = forms.ChangeRequestForm(data, counties=counties)
        form.set_departments(forms.county_departments([code for code, _name in counties]))
        return form

    def _render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        cities = {code[:4] for code, _n in self._counties()}
        items = MatterItem.objects.filter(city__code__in=cities, is_active=True).order_by("code")
        return render(
            request,
            "matters/change_request_form.html",
            {"form": form, "catalogue": items, "may_request": may_request(request.user)},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        form = self._form()
        if item := request.GET.get("item"):
            form.initial["item"] = item
        if kind := request.GET.get("kind"):
            form.initial["kind"] = kind if kind in ChangeKind.values else ""
        if county := request.GET.get("county"):
            form.initial["county"] = county
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if data["kind"] == ChangeKind.CHANGE and not data["co_departments"]:
                data["co_departments"] = None  # unchanged
            try:
                change = services.submit_change_request(
                    request.user, county_code=data.pop("county"), **data
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("调整申请已提交,等待县级网格化机构审核"))
                return HttpResponseRedirect(reverse("matters:change-request", args=[change.pk]))
        return self._render(request, form, status=400)


class ChangeRequestDetailView(ScopedDetailView):
    """A request with the current terms beside the proposed ones, and the review form."""

    model = ChangeRequest
    template_name = "matters/change_request_detail.html"
    context_object_name = "change"

    def get_queryset(self) -> QuerySet[ChangeRequest]:
        return (
            super()
            .get_queryset()
            .select_related(
                "admission_list__county",
                "item__category",
                "lead_department",
                "requesting_department",
                "requesting_agency",
                "requested_by",
                "reviewed_by",
                "applied_to",
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        change: ChangeRequest = self.object
        county = change.admission_list.county
        in_force = services.version_in_force(county.code)
        context.update(
            county=county,
            current=in_force.entries.filter(item=change.item)
            .select_related("lead_department")
            .first()
            if in_force
            else None,
            in_force=in_force,
            can_review=change.status == ChangeStatus.PENDING
            and _can(services.require_county_admin, self.request.user, county),
            review_form=forms.ReviewForm(),
        )
        return context


class ChangeRequestReviewView(ScopedView):
    """Approve, reject (county agency administrator) or withdraw (the requester)."""

    scope_model = ChangeRequest
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        change = get_object_or_404(self.get_queryset(), pk=pk)
        decision = request.POST.get("decision", "")
        reason = request.POST.get("reason", "")
        try:
            if decision == "approve":
                change = services.approve_change_request(request.user, change, reason=reason)
                messages.success(
                    request,
                    _("已批准,已编入第 %(n)d 版草稿;发布后生效") % {"n": change.applied_to.number},
                )
            elif decision == "reject":
                services.reject_change_request(request.user, change, reason=reason)
                messages.success(request, _("已驳回"))
            elif decision == "withdraw":
                services.withdraw_change_request(request.user, change)
                messages.success(request, _("已撤回"))
            else:
                raise DomainError(_("未知的操作"), field="decision")
        except DomainError as exc:
            _refused(request, exc)
        return HttpResponseRedirect(reverse("matters:change-request", args=[pk]))


# --- catalogue ------------------------------------------------------------------------------


class CatalogueView(ScopedListView):
    """The city's classification catalogue (R9.2), read-only here (edited in the admin/API)."""

    model = MatterCategory
    template_name = "matters/catalogue.html"
    context_object_name = "categories"
    paginate_by = None

    def get_queryset(self) -> QuerySet[MatterCategory]:
        return (
            super()
            .get_queryset()
            .select_related("city")
            .prefetch_related(
                Prefetch("items", queryset=MatterItem.objects.order_by("sort_order", "code"))
            )
            .order_by("city__code", "sort_order", "code")
        )
