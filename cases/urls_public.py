from django.urls import path

from cases import views_public as views

urlpatterns = [
    path("report/", views.report, name="public-report"),
    path("track/", views.track, name="public-track"),
    path("track/<str:code>/", views.track_case, name="public-track-case"),
    path("track/<str:code>/photos/<int:pk>", views.track_photo, name="public-track-photo"),
    path("my/", views.my_reports, name="public-my-reports"),
]
