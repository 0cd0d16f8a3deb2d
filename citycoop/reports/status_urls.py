from django.urls import path

from citycoop.reports import status_views

app_name = "status"

urlpatterns = [
    path("<slug:slug>/status.<str:fmt>", status_views.status_report, name="report"),
]
