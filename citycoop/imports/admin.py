from django.contrib import admin

from citycoop.common.admin import AuditedAdmin

from .models import Provenance, SourceDocument


@admin.register(SourceDocument)
class SourceDocumentAdmin(AuditedAdmin):
    list_display = ["title", "format", "url", "published"]
    list_filter = ["format"]
    search_fields = ["title", "url"]


@admin.register(Provenance)
class ProvenanceAdmin(AuditedAdmin):
    list_display = ["document", "content_type", "object_id", "field", "start", "end"]
    list_filter = ["document", "content_type", "field"]
    search_fields = ["excerpt"]
