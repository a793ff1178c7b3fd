from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.AuditRecordListView.as_view(), name="records"),
    path("export/", views.AuditRecordExportView.as_view(), name="export"),
    path("<int:pk>/", views.AuditRecordDetailView.as_view(), name="record"),
    path("personal-data/", views.PersonalDataAccessListView.as_view(), name="access-log"),
    path(
        "personal-data/export/",
        views.PersonalDataAccessExportView.as_view(),
        name="access-log-export",
    ),
]
