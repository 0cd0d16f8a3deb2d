"""B2B matchmaking in the admin: for looking things up and mending a record by hand; the
organiser's and participants' pages are where the work is done."""

from django.contrib import admin

from citycoop.common.admin import AuditedAdmin

from .models import FollowUp, MatchmakingSetup, Meeting, MeetingRequest, Profile


@admin.register(MatchmakingSetup)
class MatchmakingSetupAdmin(AuditedAdmin):
    list_display = ["event", "slot_minutes", "tables", "max_meetings", "requests_open"]
    list_filter = ["requests_open", "same_side_meetings"]
    search_fields = ["event__title"]
    autocomplete_fields = ["event"]


@admin.register(Profile)
class ProfileAdmin(AuditedAdmin):
    list_display = ["organisation_name", "participation", "side", "published"]
    list_filter = ["published", "side"]
    search_fields = ["organisation_name", "offers", "requests", "participation__event__title"]
    autocomplete_fields = ["participation", "themes"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(AuditedAdmin):
    list_display = ["requester", "recipient", "status", "created_at", "answered_at"]
    list_filter = ["status"]
    search_fields = ["event__title", "requester__person__name", "recipient__person__name"]
    autocomplete_fields = ["event", "requester", "recipient"]


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ["request", "slot", "starts_at", "table", "published", "status"]
    list_filter = ["published", "status"]
    search_fields = ["request__event__title", "request__requester__person__name",
                     "request__recipient__person__name"]
    raw_id_fields = ["request"]


@admin.register(FollowUp)
class FollowUpAdmin(AuditedAdmin):
    list_display = ["meeting", "rater", "months", "due_on", "rating", "answered_at"]
    list_filter = ["months", "rating"]
    search_fields = ["rater__person__name", "meeting__request__event__title"]
    raw_id_fields = ["meeting", "rater", "agreement"]
    readonly_fields = ["token"]
