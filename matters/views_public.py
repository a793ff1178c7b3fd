"""Public disclosure of the admission lists (R9.2 向社会公布): what any resident may see, no
login. Only published versions are shown; every published version stays readable."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from gridgov.parsing import query_int
from matters import excel, services
from matters.models import AdmissionEntry, AdmissionListVersion, MatterItem
from regions.models import Level, Region


def _published_versions(county_code: str):
    return (
        AdmissionListVersion.objects.published()
        .filter(admission_list__county__code=county_code)
        .select_related("admission_list__county")
        .order_by("-number")
    )


def _pick_version(request: HttpRequest, county_code: str) -> AdmissionListVersion:
    versions = _published_versions(county_code)
    # "?version=¹" is a version nobody has: 400 naming it, not the list in force (R9.2)
    number = query_int(request.GET, "version", minimum=1)
    version = versions.filter(number=number).first() if number is not None else versions.first()
    if version is None:
        raise Http404("no published admission list")
    return version


def public_index(request: HttpRequest) -> HttpResponse:
    """Counties with a published list, each with the version in force."""
    in_force: list[AdmissionListVersion] = []
    seen: set[int] = set()
    versions = (
        AdmissionListVersion.objects.published()
        .select_related("admission_list__county")
        .annotate(entry_count=Count("entries"))
        .order_by("admission_list__county__code", "-number")
    )
    for version in versions:
        if version.admission_list_id not in seen:
            seen.add(version.admission_list_id)
            in_force.append(version)
    return render(request, "matters/public_index.html", {"versions": in_force})


def _entry_rows(version: AdmissionListVersion, q: str) -> list[AdmissionEntry]:
    entries = services.entries_of(version)
    if q:
        entries = entries.filter(item__in=MatterItem.objects.filter(services.search_q(q)))
    return list(entries)


def public_list(request: HttpRequest, county: str) -> HttpResponse:
    """The county's list in force (or ``?version=N``): item, category, department, limits."""
    region = Region.objects.filter(code=county, level=Level.COUNTY).first()
    if region is None:
        raise Http404("unknown county")
    versions = list(_published_versions(county))
    if not versions:
        return render(
            request, "matters/public_list.html", {"county": region, "version": None}, status=404
        )
    version = _pick_version(request, county)
    q = request.GET.get("q", "").strip()[:50]
    entries = _entry_rows(version, q)
    groups = [
        (category, list(rows)) for category, rows in groupby(entries, key=lambda e: e.item.category)
    ]
    changes = services.compare_versions(version.based_on, version) if version.based_on else None
    return render(
        request,
        "matters/public_list.html",
        {
            "county": region,
            "version": version,
            "in_force": versions[0],
            "versions": versions,
            "groups": groups,
            "entry_count": version.entries.count(),
            "shown": len(entries),
            "q": q,
            "changes": changes,
        },
    )


def public_xlsx(request: HttpRequest, county: str) -> HttpResponse:
    """The list in force (or ``?version=N``) as an Excel workbook."""
    version = _pick_version(request, county)
    response = HttpResponse(excel.export_version(version), content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{excel.filename_for(version)}"'
    return response


def _entry_json(entry: AdmissionEntry) -> dict[str, Any]:
    return {
        "code": entry.item.code,
        "name": entry.item.name,
        "description": entry.item.description,
        "keywords": entry.item.keyword_list(),
        "category": {"code": entry.item.category.code, "name": entry.item.category.name},
        "settle_on_spot_allowed": entry.item.settle_on_spot_allowed,
        "lead_department": {"id": entry.lead_department_id, "name": entry.lead_department.name},
        "co_departments": [{"id": d.pk, "name": d.name} for d in entry.co_departments.all()],
        "dispatch_limit_amount": entry.dispatch_limit_amount,
        "dispatch_limit_unit": entry.dispatch_limit_unit,
        "handling_limit_amount": entry.handling_limit_amount,
        "handling_limit_unit": entry.handling_limit_unit,
        "amber_threshold_percent": entry.amber_threshold_percent,
    }


def public_entries_json(request: HttpRequest, county: str) -> JsonResponse:
    """The list in force as JSON: what an intake form (a grid worker's phone) offers."""
    version = _pick_version(request, county)
    return JsonResponse(
        {
            "county": {"code": county, "name": version.admission_list.county.name},
            "version": {
                "number": version.number,
                "status": version.status,
                "published_at": version.published_at,
                "in_force": version == _published_versions(county).first(),
            },
            "entries": [_entry_json(e) for e in services.entries_of(version)],
        },
        json_dumps_params={"ensure_ascii": False},
    )
