"""Good practices in the admin: for fixing a record by hand. The workflow (submit, review,
publish, adopt) belongs to the pages and the services, which check who acts and notify."""

from django.contrib import admin

from citycoop.common.admin import AuditedAdmin, AuditedStackedInline, AuditedTabularInline

from .models import Adoption, Need, Practice, PracticeFile, PracticeText, Review


class PracticeTextInline(AuditedStackedInline):
    model = PracticeText
    extra = 0
    fields = ["language", "title", "summary", "problem", "what_was_done", "results",
              "cost_and_funding", "what_it_took", "transferability_notes"]


class PracticeFileInline(AuditedTabularInline):
    model = PracticeFile
    extra = 0
    fields = ["file", "caption", "is_photo"]


class ReviewInline(admin.TabularInline):
    # Reviews are the label's record: shown, never edited here.
    model = Review
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "reviewer", "relevance", "evidence",
                                "transferability", "participation", "decision", "comment")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class AdoptionInline(AuditedTabularInline):
    model = Adoption
    extra = 0
    fields = ["place", "adopted_on", "note"]
    autocomplete_fields = ["place"]


@admin.register(Practice)
class PracticeAdmin(AuditedAdmin):
    list_display = ["title", "place", "organisation", "status", "published_at", "labelled_at"]
    list_filter = ["status", "themes", "transferability", "original_language"]
    search_fields = ["title", "slug", "texts__title", "place__name", "organisation__name"]
    autocomplete_fields = ["place", "organisation", "contacts", "pilots", "pairings", "events"]
    filter_horizontal = ["themes"]
    readonly_fields = ["created_by", "submitted_at", "published_at", "labelled_at"]
    inlines = [PracticeTextInline, PracticeFileInline, ReviewInline, AdoptionInline]


@admin.register(Review)
class ReviewAdmin(AuditedAdmin):
    list_display = ["practice", "reviewer", "decision", "created_at"]
    list_filter = ["decision"]
    search_fields = ["practice__title", "reviewer__username", "comment"]
    readonly_fields = ["practice", "reviewer", "relevance", "evidence", "transferability",
                       "participation", "decision", "comment", "created_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Need)
class NeedAdmin(AuditedAdmin):
    list_display = ["title", "place", "status", "is_public", "created_at"]
    list_filter = ["status", "is_public", "themes"]
    search_fields = ["title", "description", "place__name"]
    autocomplete_fields = ["place"]
    filter_horizontal = ["themes"]
