"""The registry's staff pages (R11.1 (二), R22.1): search, houses, residents, groups, places,
imports and exports, the proposals of grid workers to confirm."""

from django.urls import path

from registry import views_import
from registry.models.imports import ImportKind

IMPORT_KINDS = ImportKind.values

app_name = "registry"

# Each concern's routes are listed in its own block (pages, import/export, proposals).
urlpatterns: list = [
    # pages
    # import and export
    path("imports/", views_import.ImportListView.as_view(), name="imports"),
    path("imports/<int:pk>/", views_import.ImportDetailView.as_view(), name="import"),
    path(
        "imports/<int:pk>/problems.csv",
        views_import.ImportProblemsView.as_view(),
        name="import_problems",
    ),
    # /registry/imports/template/<kind>/, one route per kind (no object behind it)
    *(
        path(
            f"imports/template/{kind}/",
            views_import.ImportTemplateView.as_view(),
            {"kind": kind},
            name="import_template",
        )
        for kind in IMPORT_KINDS
    ),
    # proposals from the phone
]

__all__ = ["path", "urlpatterns"]
