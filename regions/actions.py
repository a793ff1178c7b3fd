"""The audit actions of regions and grids (R28.1)."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from audit.actions import AuditAction


class RegionAction(AuditAction):
    IMPORT_DIVISIONS = "regions.import_divisions", pgettext_lazy("audit action", "导入行政区划")
    IMPORT_BOUNDARIES = (
        "regions.import_boundaries",
        pgettext_lazy("audit action", "导入区域边界数据"),
    )
    REGION_SET_GEOMETRIES = (
        "regions.region.set_geometries",
        pgettext_lazy("audit action", "批量设置区域边界"),
    )
    GRID_CREATE = "regions.grid.create", pgettext_lazy("audit action", "划设网格")
    GRID_UPDATE = "regions.grid.update", pgettext_lazy("audit action", "修改网格")
    GRID_REDRAW = "regions.grid.redraw", pgettext_lazy("audit action", "重划网格")
    GRID_SPLIT = "regions.grid.split", pgettext_lazy("audit action", "拆分网格")
    GRID_MERGE = "regions.grid.merge", pgettext_lazy("audit action", "合并网格")
    GRID_DIVIDE = "regions.grid.divide", pgettext_lazy("audit action", "首次划分网格")
    GRID_CHANGE_ACKNOWLEDGE = (
        "regions.grid_change.acknowledge",
        pgettext_lazy("audit action", "确认网格报备"),
    )
