"""The map editor of grid management (R8.1 动态调整): ``/grids/regions/<village>/edit/``.

Split, merge and redraw the grids of one village on a map; the page calls the grid-change API
(``regions.api.changes``), which decides who may change what. Split out of ``regions.views``
(the staff pages) as one concern, like ``views_import``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gridgov.access.web import ScopedView
from regions import geometry as geo
from regions.models import Grid, Level, Region
from regions.views import RegionScopedMixin, breadcrumbs, may_draw, vacant_codes


def _editor_text() -> dict[str, Any]:
    """The editor script's words, in the request's language."""
    return {
        "pickGrid": _("先在地图上或下表中选择一个网格。"),
        "selectedGrid": _("所选网格:%s"),
        "selected": _("已选:%s"),
        "vacant": _("空缺"),
        "lineTooShort": _("切割线至少需要两个点。"),
        "previewing": _("正在计算拆分结果……"),
        "area": _("面积"),
        "households": _("户数(按面积分配)"),
        "partName": _("名称(可选)"),
        "willChange": _("将一并调整:%s"),
        "noChange": _("还没有移动任何顶点。"),
        "cannotDelete": _("边界至少要保留三个顶点。"),
        "working": _("正在提交……"),
        "saved": _("已保存并报备市级网格化机构:%s"),
        "refused": _("未能保存:"),
        "networkError": _("网络错误,请重试。"),
        "impact": _impact_text(),
        "kinds": {
            "outside": _("超出村(社区)范围"),
            "overlap": _("与其他网格重叠"),
            "gap": _("留下无人覆盖的缝隙"),
        },
    }


def _impact_text() -> dict[str, str]:
    """The words of the change's preview (grid-change-impact.js): people and open cases."""
    return {
        "title": _("提交前请确认:人员和事件的去向"),
        "checking": _("正在核对受影响的人员和事件……"),
        "noCases": _("没有未办结的事件受影响。"),
        "cases": _("未办结事件 %(open)s 件:%(moving)s 件转入新网格,%(staying)s 件不变。"),
        "casesTo": _("转入 %(grid)s:%(n)s 件"),
        "separator": pgettext("list separator", "、"),
        "withoutPoint": _("其中 %(n)s 件的位置不在任何新网格内,将归入占原网格面积最大的新网格。"),
        "noWorkers": _("被撤销的网格没有在岗网格员。"),
        "worker": _("网格员"),
        "kind": _("类别"),
        "fromGrid": _("原网格"),
        "toGrid": _("转入"),
        "destinationOf": _("%(name)s 转入"),
        "endAssignment": _("结束分配"),
        "byDefault": _("(默认:占原网格面积最大)"),
        "acceptVacant": _("%(grid)s 将没有网格长:确认接受暂时空缺"),
        "stillVacant": _("%(grid)s 没有网格长(原来就空缺)。"),
        "confirm": _("确认提交"),
        "back": _("返回修改"),
    }


class EditorView(RegionScopedMixin, ScopedView):
    """Split, merge and redraw the grids of one village on a map (R8.1 动态调整)."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        village = self.get_queryset().filter(code=code, level=Level.VILLAGE).first()
        if village is None:
            raise Http404("no village with this code in your jurisdiction")
        if not may_draw(request.user, village.code):
            raise PermissionDenied(_("网格由县级网格化机构会同乡镇(街道)划分和调整"))
        grids = list(Grid.objects.current().filter(village=village).order_by("code"))
        neighbours = Region.objects.filter(parent_id=village.parent_id).exclude(pk=village.pk)
        data = {
            # Full precision: a redraw sends back the vertices it did not move unchanged, so
            # the borders it shares with grids it does not touch stay exact.
            "village": {
                "code": village.code,
                "name": village.name,
                "geometry": geo.to_geojson(village.geometry, precision=None),
            },
            "grids": [
                {
                    "code": g.code,
                    "name": g.name,
                    "households": g.households,
                    "population": g.population,
                    "area_m2": round(g.area_m2 or 0, 1),
                    "geometry": geo.to_geojson(g.geometry, precision=None),
                }
                for g in grids
            ],
            "neighbours": [
                {
                    "code": r.code,
                    "name": r.name,
                    "geometry": geo.to_geojson(r.geometry, precision=6),
                }
                for r in neighbours
                if r.geometry_wkb is not None
            ],
            "vacant": vacant_codes(request.user, village.code),
            "api": {
                "grid": reverse("grid-actions-history", args=["000000000000000"]).replace(
                    "000000000000000/history/", ""
                ),
            },
            "pages": {
                "grid": reverse("regions:grid", args=["000000000000000"]),
            },
        }
        return render(
            request,
            "regions/staff/editor.html",
            {
                "village": village,
                "crumbs": breadcrumbs(request.user, village, link_last=True),
                "editor_data": data,
                "editor_text": _editor_text(),
                "selected": request.GET.get("grid", ""),
                "mode": request.GET.get("mode", ""),
            },
        )
