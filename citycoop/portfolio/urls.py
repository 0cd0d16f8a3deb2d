from django.urls import path

from . import views, views_edit

app_name = "portfolio"

urlpatterns = [
    path("actions/<int:pk>/edit/", views.action_edit, name="action-edit"),
    path("actions/<int:pk>/change/", views_edit.action_change, name="action-change"),
    path("actions/<int:pk>/", views.action_show, name="action"),
    path("pairings/new/", views_edit.pairing_new, name="pairing-new"),
    path("pairings/<slug:slug>/change/", views_edit.pairing_change, name="pairing-change"),
    path("pairings/<slug:slug>/delete/", views_edit.pairing_delete, name="pairing-delete"),
    path("pairings/<slug:slug>/pilots/new/", views_edit.pilot_new, name="pilot-new"),
    path("pairings/<slug:slug>/pilots/<slug:pilot>/change/", views_edit.pilot_change,
         name="pilot-change"),
    path("pairings/<slug:slug>/pilots/<slug:pilot>/actions/new/", views_edit.action_new,
         name="action-new"),
    path("pairings/<slug:slug>/agreements/new/", views_edit.agreement_new,
         name="agreement-new"),
    path("agreements/<slug:slug>/change/", views_edit.agreement_change, name="agreement-change"),
    path("pairings/<slug:slug>/next-steps/new/", views_edit.next_step_new, name="next-step-new"),
    path("pairings/<slug:slug>/pilots/<slug:pilot>/next-steps/", views.next_step_add,
         name="next-step-add"),
    path("next-steps/<int:pk>/change/", views_edit.next_step_change, name="next-step-change"),
    path("next-steps/<int:pk>/edit/", views.next_step_edit, name="next-step-edit"),
    path("next-steps/<int:pk>/done/", views.next_step_done, name="next-step-done"),
    path("next-steps/<int:pk>/", views.next_step_show, name="next-step"),
    path("next-steps/", views.next_steps_board, name="next-steps"),
]
