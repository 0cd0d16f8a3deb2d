from django.urls import path

from . import history

app_name = "accounts"

urlpatterns = [
    path("<slug:app>/<slug:model>/<int:pk>/", history.history, name="history"),
]
