from django.urls import path, re_path

from people import views, views_assignments

app_name = "people"

urlpatterns = [
    path("", views.WorkerListView.as_view(), name="workers"),
    path("workers/export/", views.WorkerExportView.as_view(), name="worker-export"),
    path("workers/<int:pk>/", views.WorkerDetailView.as_view(), name="worker"),
    path("workers/<int:pk>/reveal/", views.WorkerRevealView.as_view(), name="worker-reveal"),
    path("vacant-grids/", views.VacantGridListView.as_view(), name="vacant-grids"),
    re_path(
        r"^grids/(?P<code>[0-9]{15})/$",
        views_assignments.GridWorkersView.as_view(),
        name="grid-workers",
    ),
    path("agencies/", views.AgencyListView.as_view(), name="agencies"),
    path("departments/", views.DepartmentListView.as_view(), name="departments"),
    path("committees/", views.CommitteeListView.as_view(), name="committees"),
]
