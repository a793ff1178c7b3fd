from django.urls import path

from matters import views

app_name = "matters"

urlpatterns = [
    path("", views.ListOverviewView.as_view(), name="lists"),
    path("lists/new/", views.ListCreateView.as_view(), name="list-create"),
    path("lists/<int:pk>/", views.ListDetailView.as_view(), name="list"),
    path("lists/<int:pk>/step/", views.ListActionView.as_view(), name="list-step"),
    path("lists/<int:pk>/upload/", views.ListUploadView.as_view(), name="list-upload"),
    path("versions/<int:pk>/", views.VersionDetailView.as_view(), name="version"),
    path("versions/<int:pk>/xlsx/", views.VersionXlsxView.as_view(), name="version-xlsx"),
    path("versions/<int:pk>/entries/add/", views.EntryAddView.as_view(), name="entry-add"),
    path("entries/<int:pk>/edit/", views.EntryEditView.as_view(), name="entry-edit"),
    path("entries/<int:pk>/remove/", views.EntryRemoveView.as_view(), name="entry-remove"),
    path("change-requests/", views.ChangeRequestListView.as_view(), name="change-requests"),
    path(
        "change-requests/new/",
        views.ChangeRequestCreateView.as_view(),
        name="change-request-create",
    ),
    path(
        "change-requests/<int:pk>/",
        views.ChangeRequestDetailView.as_view(),
        name="change-request",
    ),
    path(
        "change-requests/<int:pk>/review/",
        views.ChangeRequestReviewView.as_view(),
        name="change-request-review",
    ),
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
]
