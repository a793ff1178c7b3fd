"""Uploading a first division of grids in grid management (R8.1, R8.2): the page of
``manage.py import_grids``, with the same checks, repair and coverage report
(:mod:`regions.grid_import`)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridgov.access.web import ScopedView
from gridgov.errors import DomainError
from regions.grid_import import GEOJSON_SUFFIXES, import_grids
from regions.importers import ImportRefused, iter_problem_lines
from regions.models import Grid, Level, Region
from regions.views import breadcrumbs, may_draw

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
TEMPLATE = "regions/staff/import.html"
IMPORT_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


class GridImportView(ScopedView):
    """GET the form, POST a GeoJSON or zipped Shapefile: the report, or every refusal (400)."""

    model = Region

    def _region(self, code: str) -> Region:
        region = self.get_queryset().filter(code=code, level__in=IMPORT_LEVELS).first()
        if region is None:
            raise Http404("no county, township or village with this code in your jurisdiction")
        if not may_draw(self.request.user, region.code):
            raise PermissionDenied(_("网格由县级网格化机构会同乡镇(街道)划分和调整"))
        return region

    def _render(self, request: HttpRequest, region: Region, status: int = 200, **extra: Any):
        context = {
            "region": region,
            "crumbs": breadcrumbs(request.user, region, link_last=True),
            "divided": Grid.objects.current().within(region.code).count(),
            "suffixes": ",".join(sorted(GEOJSON_SUFFIXES | {".zip"})),
            **extra,
        }
        return render(request, TEMPLATE, context, status=status)

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        return self._render(request, self._region(code))

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        region = self._region(code)
        upload = request.FILES.get("file")
        values = {
            "reason": request.POST.get("reason", ""),
            "repair": bool(request.POST.get("repair")),
        }
        suffix = Path(upload.name).suffix.lower() if upload else ""
        if upload is None:
            problem = _("请选择要导入的文件")
        elif suffix not in GEOJSON_SUFFIXES | {".zip"}:
            problem = _("请上传 GeoJSON 文件(.geojson、.json)或打包为 .zip 的 Shapefile")
        elif upload.size > MAX_UPLOAD_BYTES:
            problem = _("文件超过 %(mb)s MB") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        else:
            problem = ""
        if problem:
            return self._render(request, region, 400, error=problem, lines=[], values=values)
        with tempfile.TemporaryDirectory(prefix="gridgov-import-") as folder:
            path = Path(folder) / f"upload{suffix}"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                report = import_grids(
                    path,
                    actor=request.user,
                    repair=values["repair"],
                    reason=values["reason"] or _("初次划分(导入 %(file)s)") % {"file": upload.name},
                    region_code=region.code,
                )
            except ImportRefused as exc:
                lines = [line.replace(path.name, upload.name) for line in iter_problem_lines(exc)]
                return self._render(
                    request, region, 400, error=lines[0], lines=lines[1:], values=values
                )
            except DomainError as exc:
                return self._render(
                    request, region, exc.http_status, error=exc.message, lines=[], values=values
                )
        return self._render(request, region, report=report, lines=list(report.lines()), values={})
