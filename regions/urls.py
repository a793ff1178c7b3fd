"""Grid management pages under ``/grids/`` (issue 6; R8.1, R8.2)."""

from django.urls import path, re_path

from regions import views, views_editor, views_import

app_name = "regions"

urlpatterns = [
    path("", views.BrowserView.as_view(), name="browser"),
    path("filings/", views.FilingListView.as_view(), name="filings"),
    path("filings/<int:pk>/acknowledge/", views.AcknowledgeView.as_view(), name="acknowledge"),
    re_path(r"^regions/(?P<code>[0-9]{2,12})/$", views.RegionView.as_view(), name="region"),
    re_path(r"^regions/(?P<code>[0-9]{2,12})/map\.json$", views.region_map, name="region-map"),
    re_path(
        r"^regions/(?P<code>[0-9]{2,12})/coverage/$", views.CoverageView.as_view(), name="coverage"
    ),
    re_path(
        r"^regions/(?P<code>[0-9]{2,12})/coverage/result/$",
        views.CoverageResultView.as_view(),
        name="coverage-result",
    ),
    re_path(
        r"^regions/(?P<code>[0-9]{12})/edit/$", views_editor.EditorView.as_view(), name="editor"
    ),
    re_path(
        r"^regions/(?P<code>[0-9]{6,12})/import/$",
        views_import.GridImportView.as_view(),
        name="import",
    ),
    re_path(r"^(?P<code>[0-9]{15})/$", views.GridView.as_view(), name="grid"),
    re_path(r"^(?P<code>[0-9]{15})/update/$", views.GridUpdateView.as_view(), name="grid-update"),
]
