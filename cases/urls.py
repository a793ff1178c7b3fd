"""The agency console (``/console/``) and the department workbench (``/dept/``), issue 6."""

from django.urls import path
from django.views.decorators.gzip import gzip_page

from cases import views, views_reveal
from cases.files import AttachmentFileView

app_name = "cases"

urlpatterns = [
    path("console/", views.ConsoleHomeView.as_view(), name="console"),
    # the map layers are plain JSON without secrets: compressing them is safe (no BREACH)
    path("console/map/grids.json", gzip_page(views.GridLayerView.as_view()), name="map-grids"),
    path("console/map/cases.json", gzip_page(views.CasePointsView.as_view()), name="map-cases"),
    path("console/bulk/", views.BulkActionView.as_view(), name="bulk"),
    path("console/cases/<int:pk>/", views.CaseDetailView.as_view(), name="case"),
    path("console/cases/<int:pk>/act/", views.CaseActionView.as_view(), name="act"),
    path(
        "console/cases/<int:pk>/reveal/",
        views_reveal.CaseRevealView.as_view(),
        name="reveal",
    ),
    path("files/cases/<int:pk>", AttachmentFileView.as_view(), name="attachment"),
    path("dept/", views.InboxView.as_view(), name="inbox"),
    path("dept/cases/<int:pk>/", views.CaseDetailView.as_view(workbench="dept"), name="dept-case"),
    path(
        "dept/cases/<int:pk>/act/",
        views.CaseActionView.as_view(workbench="dept"),
        name="dept-act",
    ),
    path(
        "dept/cases/<int:pk>/reveal/",
        views_reveal.CaseRevealView.as_view(workbench="dept"),
        name="dept-reveal",
    ),
]
