from django.urls import path

from . import views

app_name = "registry"

# Mounted under /organisations/, next to the public organisation pages: the organisation form
# refuses the keys these paths use.
urlpatterns = [
    path("duplicates/", views.duplicates, name="duplicates"),
    path("merge/", views.merge, name="merge"),
    path("merges/<int:pk>/undo/", views.undo, name="undo-merge"),
    path("new/", views.organisation_new, name="organisation-new"),
    path("<slug:slug>/change/", views.organisation_change, name="organisation-change"),
    path("<slug:slug>/delete/", views.organisation_delete, name="organisation-delete"),
    path("places/new/", views.place_new, name="place-new"),
    path("places/<slug:slug>/change/", views.place_change, name="place-change"),
    path("places/<slug:slug>/profile/", views.city_profile, name="city-profile"),
    path("people/new/", views.person_new, name="person-new"),
    path("people/<int:pk>/change/", views.person_change, name="person-change"),
]
