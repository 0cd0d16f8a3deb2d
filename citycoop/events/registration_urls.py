"""Registration, check-in, the personal registration page, the survey and the closing report.
Mounted under /events/ beside the public event page (whose address is /events/<key>/)."""

from django.urls import path  # noqa: F401

app_name = "registration"

urlpatterns: list = []
