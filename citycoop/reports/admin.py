from django.contrib import admin

from citycoop.common.admin import AuditedAdmin

from .models import KpiSnapshot


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(AuditedAdmin):
    list_display = ["label", "programme", "group", "value", "more_than", "as_of_text", "source"]
    list_filter = ["programme", "group", "computed"]
    search_fields = ["name", "label", "source_text"]
