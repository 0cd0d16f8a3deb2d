from django.urls import path

from citycoop.reports import views

app_name = "reports"

urlpatterns = [
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/snapshot/", views.snapshot, name="snapshot"),
    path("<slug:slug>/report.<str:fmt>", views.kpi_report, name="report"),
]
