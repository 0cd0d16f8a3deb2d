from django.urls import path

from . import lookup_views

app_name = "lookup"

urlpatterns = [
    path("<str:kind>/", lookup_views.records, name="records"),
]
