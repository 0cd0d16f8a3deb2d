from django.urls import path

from citycoop.discussions import views

app_name = "discussions"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
]
