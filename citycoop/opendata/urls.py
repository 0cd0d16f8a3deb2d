from django.urls import path

from . import views_export

app_name = "exports"

urlpatterns = [
    path("", views_export.exports, name="page"),
]
