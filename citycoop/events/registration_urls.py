"""Registration, check-in, the personal registration page, the survey and the closing report.
Mounted under /events/ beside the public event page (whose address is /events/<key>/), so
every address here has a segment after the event's key."""

from django.urls import path, register_converter

from . import organiser_views, registration_views

app_name = "registration"


class TokenConverter:
    """A personal link's secret: 43 URL-safe characters (``secrets.token_urlsafe(32)``)."""

    regex = "[A-Za-z0-9_-]{43}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")

urlpatterns = [
    path("me/<token:token>/", registration_views.personal_page, name="personal"),
    path("me/<token:token>/cancel/", registration_views.cancel_page, name="cancel"),
    path("me/<token:token>/feedback/", registration_views.feedback_page, name="feedback"),
    path("<slug:slug>/register/", registration_views.register_page, name="register"),
    path("<slug:slug>/report/", registration_views.report_page, name="report"),
    path("<slug:slug>/report/edit/", organiser_views.report_edit, name="report-edit"),
    path("<slug:slug>/participants/", organiser_views.participants, name="participants"),
    path("<slug:slug>/participants/csv/", organiser_views.participants_csv,
         name="participants-csv"),
    path("<slug:slug>/participants/capacity/", organiser_views.change_capacity,
         name="capacity"),
    path("<slug:slug>/participants/registration/", organiser_views.change_registration_status,
         name="registration-status"),
    path("<slug:slug>/survey/send/", organiser_views.send_survey, name="send-survey"),
    path("<slug:slug>/check-in/", organiser_views.door, name="check-in"),
    path("<slug:slug>/check-in/no-shows/", organiser_views.no_shows, name="no-shows"),
    path("<slug:slug>/media/", organiser_views.media, name="media"),
]
