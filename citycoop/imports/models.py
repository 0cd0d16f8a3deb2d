"""Where facts came from: source documents and the span of each fact within them."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citycoop.common.models import VersionedModel


class DocumentFormat(models.TextChoices):
    WEB = "html", _("web page")
    WORD = "docx", _("Word document")
    PDF = "pdf", _("PDF")
    MARKDOWN = "md", _("Markdown")
    TEXT = "txt", _("plain text")


class SourceDocument(VersionedModel):
    slug = models.SlugField(_("key"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    format = models.CharField(_("format"), max_length=5, choices=DocumentFormat.choices)
    url = models.URLField(_("address"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to="sources/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    published = models.CharField(_("published (as written)"), max_length=60, blank=True)
    retrieved_on = models.DateField(_("retrieved"), null=True, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["sha256"], condition=~Q(sha256=""),
                                    name="source_document_hash_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class Provenance(models.Model):
    """Which field of which record came from which span of which document."""

    document = models.ForeignKey(SourceDocument, on_delete=models.CASCADE,
                                 related_name="provenance")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("field"), max_length=60)
    start = models.PositiveIntegerField(_("from character"), null=True, blank=True)
    end = models.PositiveIntegerField(_("to character"), null=True, blank=True)
    excerpt = models.TextField(_("excerpt"), blank=True)
    value = models.JSONField(
        _("value imported"), null=True, blank=True,
        help_text=_("What the import wrote. A later import changes the field only while it "
                    "still holds this value, so edits made by hand are kept."),
    )

    class Meta:
        verbose_name_plural = _("provenance")
        indexes = [models.Index(fields=["content_type", "object_id"], name="provenance_record_idx")]
        constraints = [
            models.UniqueConstraint(fields=["document", "content_type", "object_id", "field"],
                                    name="one_provenance_per_field"),
            models.CheckConstraint(
                name="provenance_span_is_ordered",
                condition=(Q(start__isnull=True) | Q(end__isnull=True)
                           | Q(end__gte=models.F("start"))),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field} ← {self.document}"
