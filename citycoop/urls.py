from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from citycoop.accounts.login import ThrottledLoginView
from citycoop.api import api
from citycoop.opendata.views import opendata_zip

admin.site.site_header = "citycoop"
admin.site.site_title = "citycoop admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("opendata.zip", opendata_zip, name="opendata"),
    path("sheets/", include("citycoop.opendata.sheet_urls")),
    path("exports/", include("citycoop.opendata.urls")),
    path("practices/", include("citycoop.practices.urls")),
    path("discussions/", include("citycoop.discussions.urls")),
    path("network/", include("citycoop.matchmaking.network_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("imports/", include("citycoop.imports.urls")),
    path("search/", include("citycoop.search.urls")),
    path("history/", include("citycoop.accounts.urls")),
    path("audit/", include("citycoop.accounts.audit_urls")),
    path("account/tokens/", include("citycoop.accounts.token_urls")),
    path("organisations/", include("citycoop.registry.urls")),
    path("map/", include("citycoop.web.map_urls")),
    path("workspace/events/", include("citycoop.events.urls")),
    path("events/", include("citycoop.events.registration_urls")),
    path("b2b/", include("citycoop.matchmaking.urls")),
    path("kpis/", include("citycoop.reports.urls")),
    path("lookup/", include("citycoop.web.lookup_urls")),
    path("results/", include("citycoop.reports.results_urls")),
    path("reports/", include("citycoop.reports.status_urls")),
    path("", include("citycoop.portfolio.urls")),
    path("", include("citycoop.web.urls")),
]

handler404 = "citycoop.web.errors.not_found"
