from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "citycoop"
admin.site.site_title = "citycoop admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("imports/", include("citycoop.imports.urls")),
    path("history/", include("citycoop.accounts.urls")),
    path("organisations/", include("citycoop.registry.urls")),
    path("", include("citycoop.portfolio.urls")),
    path("", include("citycoop.web.urls")),
]
