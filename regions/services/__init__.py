"""Every change to grids (R8.1–R8.3): division, create, redraw, split, merge, attribute update,
and the filing of each change with the city (R8.2).

A change is checked against the village's coverage before it commits: it may not put a grid
outside its village, make grids overlap, or open a gap that was not there before. A change
retires the grid rows it replaces (``valid_to`` set, history kept) and creates new rows, so
whatever pointed at an old row keeps pointing at the grid as it was.

Who may change grids (R8.1) and acknowledge filings (R8.2): see :func:`require_drawer` and
:func:`require_acknowledger`; the acting role is stamped on each audit record.

One module per concern; the package exports every service, so callers write
``services.split_grid(...)``:

- :mod:`~regions.services.authority`: who may draw grids and acknowledge filings;
- :mod:`~regions.services.grids`: adding one grid, changing a grid's name or figures;
- :mod:`~regions.services.reshaping`: split, merge and redraw, each with its preview;
- :mod:`~regions.services.division`: the initial division, the survey of region polygons;
- :mod:`~regions.services.filing`: the city's acknowledgement of a filing.

What they share (the grid input, the coverage check, cleaning input, filing and recording a
change) is :mod:`regions.services.common`.
"""

from regions.services.authority import DRAWER_ROLES, require_acknowledger, require_drawer
from regions.services.common import GRID_FIELDS, CoverageRefused, GridSpec, default_grid_name
from regions.services.division import divide_region, set_region_geometries
from regions.services.filing import acknowledge_filing
from regions.services.grids import create_grid, update_grid
from regions.services.reshaping import (
    merge_grids,
    preview_merge,
    preview_redraw,
    preview_split,
    redraw_grids,
    split_grid,
)

__all__ = [
    "DRAWER_ROLES",
    "GRID_FIELDS",
    "CoverageRefused",
    "GridSpec",
    "acknowledge_filing",
    "create_grid",
    "default_grid_name",
    "divide_region",
    "merge_grids",
    "preview_merge",
    "preview_redraw",
    "preview_split",
    "redraw_grids",
    "require_acknowledger",
    "require_drawer",
    "set_region_geometries",
    "split_grid",
    "update_grid",
]
