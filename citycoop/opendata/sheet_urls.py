from django.urls import path  # noqa: F401 - the upload pages are added here

app_name = "sheets"

urlpatterns: list = []
