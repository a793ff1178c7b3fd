"""The registry's staff pages (R11.1 (二), R22.1): search, houses, residents, groups, places,
imports and exports, the proposals of grid workers to confirm."""

from django.urls import path

from registry import views_proposals

app_name = "registry"

# Each concern's routes are listed in its own block (pages, import/export, proposals).
urlpatterns: list = [
    # pages
    # import and export
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
