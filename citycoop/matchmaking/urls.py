"""B2B matchmaking at an event: profiles, requests, the organiser's sessions and schedule,
agendas and follow-up. Mounted under /b2b/.

Participants' pages hang from the secret of their personal link (``me/<token>/``), the
follow-up form from its own link; the organiser's from the event's key, a programme's
funnel from the programme's. The fixed first segments are matched first: the participants'
links win over an event keyed "me"."""

from django.urls import path

from . import views, views_organiser, views_plan

app_name = "b2b"

urlpatterns = [
    path("me/<str:token>/", views.dashboard, name="me"),
    path("me/<str:token>/profile/", views.profile_edit, name="profile"),
    path("me/<str:token>/browse/", views.browse, name="browse"),
    path("me/<str:token>/requests/", views.send, name="send"),
    path("me/<str:token>/requests/<int:pk>/answer/", views.answer, name="answer"),
    path("me/<str:token>/requests/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("me/<str:token>/agenda/", views.agenda_page, name="agenda"),
    path("me/<str:token>/agenda.pdf", views.agenda_pdf, name="agenda-pdf"),
    path("me/<str:token>/agenda.ics", views.agenda_ics, name="agenda-ics"),
    path("follow-up/<str:token>/", views.follow_up, name="follow-up"),
    path("follow-up/<str:token>/agreement/", views.follow_up_agreement,
         name="follow-up-agreement"),
    path("programme/<slug:slug>/funnel/", views_plan.programme_funnel,
         name="programme-funnel"),
    path("<slug:slug>/", views_organiser.overview, name="overview"),
    path("<slug:slug>/setup/", views_organiser.setup_page, name="setup"),
    path("<slug:slug>/schedule/", views_organiser.schedule, name="schedule"),
    path("<slug:slug>/publish/", views_organiser.publish, name="publish"),
    path("<slug:slug>/meetings/<int:pk>/status/", views_organiser.meeting_status,
         name="meeting-status"),
    path("<slug:slug>/follow-ups/", views_organiser.follow_ups, name="follow-ups"),
    path("<slug:slug>/funnel/", views_organiser.funnel, name="funnel"),
    path("<slug:slug>/table-plan/", views_plan.table_plan, name="table-plan"),
    path("<slug:slug>/table-plan.pdf", views_plan.table_plan_pdf, name="table-plan-pdf"),
    path("<slug:slug>/participants/<int:pk>/availability/", views_plan.availability,
         name="availability"),
]
