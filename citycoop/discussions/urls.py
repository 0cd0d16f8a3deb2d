from django.urls import path

from citycoop.discussions import views

app_name = "discussions"

# A subject's key is its slug, or for a pilot "<pairing-slug>/<pilot-slug>": hence <path:key>.
urlpatterns = [
    path("<int:pk>/", views.thread_detail, name="thread"),
    path("new/<str:kind>/<path:key>/", views.thread_new, name="new"),
    path("on/<str:kind>/<path:key>/", views.subject_threads, name="subject"),
    path("posts/<int:pk>/report/", views.post_report, name="report"),
    path("posts/<int:pk>/hide/", views.post_hide, name="hide"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/reports/<int:pk>/keep/", views.report_keep, name="keep"),
    path("follow/<str:kind>/<slug:slug>/", views.follow, name="follow"),
    path("unfollow/<str:kind>/<slug:slug>/", views.unfollow, name="unfollow"),
    path("following/", views.following, name="following"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification"),
]
