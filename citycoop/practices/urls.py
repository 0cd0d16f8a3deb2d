from django.urls import include, path

from citycoop.practices import views

app_name = "practices"

urlpatterns = [
    path("", views.practice_list, name="list"),
    path("needs/", include("citycoop.practices.need_urls")),
]
