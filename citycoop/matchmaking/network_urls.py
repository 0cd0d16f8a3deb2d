from django.urls import path

from . import network_views

app_name = "network"

urlpatterns = [
    path("", network_views.network_page, name="page"),
    path("network.graphml", network_views.network_graphml, name="graphml"),
]
