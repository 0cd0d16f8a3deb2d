"""B2B matchmaking at an event: profiles, requests, the organiser's sessions and schedule,
agendas and follow-up. Mounted under /b2b/."""

from django.urls import path  # noqa: F401

app_name = "b2b"

urlpatterns: list = []
