from django.urls import path

from . import sheet_views

app_name = "sheets"

urlpatterns = [
    path("", sheet_views.upload, name="upload"),
    path("<str:token>/", sheet_views.review, name="review"),
]
