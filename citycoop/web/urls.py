from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("pairings/", views.pairing_list, name="pairings"),
    path("pairings/<slug:slug>/", views.pairing_detail, name="pairing"),
    path("pairings/<slug:slug>/pilots/<slug:pilot>/", views.pilot_detail, name="pilot"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("places/<slug:slug>/", views.place_detail, name="place"),
    path("events/", views.event_list, name="events"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
]
