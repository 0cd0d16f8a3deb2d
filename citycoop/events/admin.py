from django.contrib import admin

from citycoop.common.admin import AuditedAdmin, AuditedTabularInline

from .models import DisseminationOutput, Event, FeedbackAnswer, MediaItem, Participation


class ParticipationInline(AuditedTabularInline):
    model = Participation
    extra = 0
    fields = ["person", "organisation", "role", "attendance"]
    autocomplete_fields = ["person", "organisation"]


class MediaItemInline(AuditedTabularInline):
    model = MediaItem
    extra = 0
    fields = ["outlet", "title", "type", "language", "published_on", "link", "reach"]


class DisseminationOutputInline(AuditedTabularInline):
    model = DisseminationOutput
    extra = 0
    fields = ["kind", "title", "published_on", "link", "audience"]


@admin.register(Event)
class EventAdmin(AuditedAdmin):
    list_display = ["title", "kind", "when_text", "place"]
    list_filter = ["kind", "is_public"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["place", "organisers", "pairings", "pilots"]
    inlines = [ParticipationInline, MediaItemInline, DisseminationOutputInline]


@admin.register(Participation)
class ParticipationAdmin(AuditedAdmin):
    list_display = ["event", "person", "organisation", "role", "attendance"]
    list_filter = ["role", "attendance"]
    search_fields = ["event__title", "person__name", "organisation__name"]
    autocomplete_fields = ["event", "person", "organisation"]


@admin.register(MediaItem)
class MediaItemAdmin(AuditedAdmin):
    list_display = ["outlet", "title", "type", "language", "published_on", "reach"]
    list_filter = ["type", "language"]
    search_fields = ["outlet", "title"]
    autocomplete_fields = ["event", "pilot"]


@admin.register(DisseminationOutput)
class DisseminationOutputAdmin(AuditedAdmin):
    list_display = ["title", "kind", "published_on", "audience"]
    list_filter = ["kind"]
    search_fields = ["title"]
    autocomplete_fields = ["event", "pilot"]


@admin.register(FeedbackAnswer)
class FeedbackAnswerAdmin(AuditedAdmin):
    list_display = ["participation", "overall", "relevance", "organisation", "networking",
                    "submitted_at"]
    readonly_fields = ["participation", "submitted_at"]
