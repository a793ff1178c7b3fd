"""The registry's staff pages (R11.1 (二), R22.1): search, houses, residents, groups, places,
imports and exports, the proposals of grid workers to confirm."""

from django.urls import path, re_path

from registry import (
    views,
    views_areas,
    views_import,
    views_lists,
    views_proposals,
    views_stats,
)
from registry.models.imports import ImportKind

app_name = "registry"

LISTS = ("residents", "houses", "organisations", "places", "things", "groups", "due-visits",
         "inspections")  # fmt: skip

# Each concern's routes are listed in its own block (pages, import/export, proposals).
urlpatterns: list = [
    # pages
    path("", views.SearchView.as_view(), name="search"),
    *(path(f"{key}/", views_lists.RegistryListView.of(key), name=key) for key in LISTS),
    *(
        path(f"{key}/export/", views_lists.RegistryExportView.of(key), name=f"{key}-export")
        for key in LISTS
    ),
    path("addresses/<int:pk>/", views.AddressDetailView.as_view(), name="address"),
    path("houses/<int:pk>/", views.HouseDetailView.as_view(), name="house"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household"),
    path("residents/<int:pk>/", views.ResidentDetailView.as_view(), name="resident"),
    path("residents/<int:pk>/reveal/", views.ResidentRevealView.as_view(), name="resident-reveal"),
    path("organisations/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation"),
    path(
        "organisations/<int:pk>/reveal/",
        views.OrganisationRevealView.as_view(),
        name="organisation-reveal",
    ),
    path("places/<int:pk>/", views.PlaceDetailView.as_view(), name="place"),
    path("things/<int:pk>/", views.ThingDetailView.as_view(), name="thing"),
    path("statistics/", views_stats.AreaStatisticsView.as_view(), name="statistics"),
    path("areas/", views_areas.AreaSearchView.as_view(), name="areas"),
    re_path(
        r"^grids/(?P<code>[0-9]{15})/$",
        views_stats.GridStatisticsView.as_view(),
        name="grid-statistics",
    ),
    # import and export
    path("imports/", views_import.ImportListView.as_view(), name="imports"),
    path("imports/<int:pk>/", views_import.ImportDetailView.as_view(), name="import"),
    path(
        "imports/<int:pk>/problems.csv",
        views_import.ImportProblemsView.as_view(),
        name="import-problems",
    ),
    # /registry/imports/template/<kind>/, one route per kind (no object behind it)
    *(
        path(
            f"imports/template/{kind}/",
            views_import.ImportTemplateView.as_view(),
            {"kind": kind},
            name="import-template",
        )
        for kind in ImportKind.values
    ),
    # proposals from the phone
    path("proposals/", views_proposals.ProposalListView.as_view(), name="proposals"),
    path("proposals/<int:pk>/", views_proposals.ProposalDetailView.as_view(), name="proposal"),
    path(
        "proposals/<int:pk>/photo/",
        views_proposals.ProposalPhotoView.as_view(),
        name="proposal-photo",
    ),
]

__all__ = ["path", "urlpatterns"]
