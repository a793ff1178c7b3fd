from django.urls import path

from bench.intake_site.views import MinimalInsert
from gridgov.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/minimal/", MinimalInsert.as_view(), name="bench-minimal"),
    *project_urlpatterns,
]
