from django.urls import path

from . import views

app_name = "events"

# Mounted under /workspace/events/: /events/<key>/ is the public event page.
urlpatterns = [
    path("new/", views.event_new, name="event-new"),
    path("<slug:slug>/change/", views.event_change, name="event-change"),
]
