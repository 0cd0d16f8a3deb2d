"""The map's two addresses; citycoop/urls.py mounts them under /map/."""

from django.urls import path

from . import map as views

urlpatterns = [
    path("", views.map_page, name="map"),
    path("data.json", views.map_data_view, name="map-data"),
]
