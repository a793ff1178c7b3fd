from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from gridgov import maps, security, views
from regions.views_search import StaffPlaceSearchView

admin.site.site_header = _("智慧网格服务管理平台")
admin.site.site_title = "gridgov"
admin.site.index_title = _("系统管理")

api_docs_policy = csp_update(security.API_DOCS_POLICY_UPDATE)

api_v1 = [
    # Cases first: reports and actions are most of the API's requests, and a URL is matched
    # by trying the patterns in order (the routers' patterns do not overlap).
    path("", include("cases.api.urls")),
    path("", include("regions.api.urls")),
    path("calendar/", include("workdays.api.urls")),
    path("matters/", include("matters.api.urls")),
    path("", include("people.api.urls")),
    path("registry/", include("registry.api.urls")),
    path("", include("audit.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("maps/basemap.pmtiles", maps.basemap_archive, name="basemap-archive"),
    path("maps/search.json", StaffPlaceSearchView.as_view(), name="map-search"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (no inline script); both
    # documentation pages get the styles their bundles need (gridgov.security).
    path(
        "api/docs/",
        api_docs_policy(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        api_docs_policy(
            SpectacularRedocView.as_view(url_name="schema", template_name="gridgov/redoc.html")
        ),
        name="api-redoc",
    ),
    path("public/matters/", include("matters.urls_public")),
    path("public/", include("regions.urls_public")),
    path("public/", include("cases.urls_public")),
    path("m/", include("fieldwork.urls")),
    path("accounts/", include("people.urls_accounts")),
    path("people/", include("people.urls")),
    path("audit/", include("audit.urls")),
    path("", include("cases.urls")),  # /console/ and /dept/ (issue 6)
    path("matters/", include("matters.urls")),
    path("grids/", include("regions.urls")),  # grid management (issue 6, R8.1)
    path("registry/", include("registry.urls")),  # basic information (issue 12, R11.1)
]
