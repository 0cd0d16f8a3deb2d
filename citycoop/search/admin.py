from django.contrib import admin

from .models import SearchEntry


@admin.register(SearchEntry)
class SearchEntryAdmin(admin.ModelAdmin):
    """Read-only: the index is rebuilt from the records (citycoop reindex), never edited."""

    list_display = ["title", "kind", "programme", "status", "year", "is_public"]
    list_filter = ["kind", "is_public", "status"]
    search_fields = ["title", "body"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Deleting rows here would leave the engine's own full-text index behind them.
        return False
