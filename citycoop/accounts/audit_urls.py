from django.urls import path

from . import audit_views

app_name = "audit"

urlpatterns = [
    path("", audit_views.audit_log, name="log"),
    path("<int:pk>/revert/", audit_views.revert, name="revert"),
    path("trash/", audit_views.trash, name="trash"),
    path("trash/<int:pk>/restore/", audit_views.trash_restore, name="restore"),
]
