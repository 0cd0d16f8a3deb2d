from django.contrib import admin

from citycoop.common.admin import AuditedAdmin

from .models import ActualValue, Indicator, KpiSnapshot, Result, Target


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(AuditedAdmin):
    list_display = ["label", "programme", "group", "value", "more_than", "as_of_text", "source"]
    list_filter = ["programme", "group", "computed"]
    search_fields = ["name", "label", "source_text"]


@admin.register(Result)
class ResultAdmin(AuditedAdmin):
    list_display = ["title", "kind", "programme", "pilot"]
    list_filter = ["programme", "kind"]
    search_fields = ["title", "description"]
    raw_id_fields = ["pilot"]


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["name", "unit", "result", "owner", "due_days"]
    list_filter = ["result__programme"]
    search_fields = ["name", "result__title"]
    raw_id_fields = ["result", "owner"]


@admin.register(Target)
class TargetAdmin(AuditedAdmin):
    list_display = ["indicator", "period_label", "period_start", "period_end", "value"]
    search_fields = ["indicator__name", "period_label"]
    raw_id_fields = ["indicator"]


@admin.register(ActualValue)
class ActualValueAdmin(AuditedAdmin):
    list_display = ["indicator", "period_start", "period_end", "value", "status",
                    "entered_by", "reviewed_by", "reviewed_at"]
    list_filter = ["status"]
    search_fields = ["indicator__name", "review_comment"]
    raw_id_fields = ["indicator", "entered_by", "reviewed_by", "evidence_document"]
