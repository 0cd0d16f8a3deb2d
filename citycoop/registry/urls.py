from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("duplicates/", views.duplicates, name="duplicates"),
    path("merge/", views.merge, name="merge"),
    path("merges/<int:pk>/undo/", views.undo, name="undo-merge"),
]
