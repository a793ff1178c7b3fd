"""The registry's staff pages (R11.1 (二), R22.1): search, houses, residents, groups, places,
imports and exports, the proposals of grid workers to confirm."""

from django.urls import path

app_name = "registry"

# Each concern's routes are listed in its own block (pages, import/export, proposals).
urlpatterns: list = [
    # pages
    # import and export
    # proposals from the phone
]

__all__ = ["path", "urlpatterns"]
