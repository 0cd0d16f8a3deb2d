from django.urls import path

from . import views

app_name = "portfolio"

urlpatterns = [
    path("actions/<int:pk>/edit/", views.action_edit, name="action-edit"),
    path("actions/<int:pk>/", views.action_show, name="action"),
    path("pairings/<slug:slug>/pilots/<slug:pilot>/next-steps/", views.next_step_add,
         name="next-step-add"),
    path("next-steps/<int:pk>/done/", views.next_step_done, name="next-step-done"),
    path("next-steps/", views.next_steps_board, name="next-steps"),
]
