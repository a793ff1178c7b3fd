"""The audit actions of regions and grids (R28.1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from audit.actions import AuditAction


class RegionAction(AuditAction):
    IMPORT_DIVISIONS = "regions.import_divisions", _("导入行政区划")
    IMPORT_BOUNDARIES = "regions.import_boundaries", _("导入区域边界数据")
    REGION_SET_GEOMETRIES = "regions.region.set_geometries", _("批量设置区域边界")
    GRID_CREATE = "regions.grid.create", _("划设网格")
    GRID_UPDATE = "regions.grid.update", _("修改网格")
    GRID_REDRAW = "regions.grid.redraw", _("重划网格")
    GRID_SPLIT = "regions.grid.split", _("拆分网格")
    GRID_MERGE = "regions.grid.merge", _("合并网格")
    GRID_DIVIDE = "regions.grid.divide", _("首次划分网格")
    GRID_CHANGE_ACKNOWLEDGE = "regions.grid_change.acknowledge", _("确认网格报备")
