from django.urls import path

from . import token_views

app_name = "tokens"

urlpatterns = [
    path("", token_views.tokens, name="list"),
    path("<int:pk>/revoke/", token_views.revoke, name="revoke"),
]
