from django.contrib import admin

from citycoop.common.admin import AuditedAdmin, AuditedTabularInline

from .models import Follow, Notification, Post, PostAttachment, PostReport, Thread


@admin.register(Thread)
class ThreadAdmin(AuditedAdmin):
    list_display = ["title", "practice", "pilot", "pairing", "need", "post_count",
                    "last_post_at"]
    search_fields = ["title"]
    raw_id_fields = ["practice", "pilot", "pairing", "need", "created_by"]
    # Kept by the services as posts are written: not for hand editing.
    readonly_fields = ["post_count", "last_post_at"]


class PostAttachmentInline(AuditedTabularInline):
    model = PostAttachment
    extra = 0


@admin.register(Post)
class PostAdmin(AuditedAdmin):
    list_display = ["thread", "author", "created_at", "hidden_at"]
    list_filter = ["hidden_at"]
    search_fields = ["body", "thread__title", "author__username"]
    raw_id_fields = ["thread", "author", "hidden_by"]
    inlines = [PostAttachmentInline]


@admin.register(PostReport)
class PostReportAdmin(AuditedAdmin):
    list_display = ["post", "reporter", "created_at", "resolved_at", "outcome"]
    list_filter = ["outcome"]
    search_fields = ["reason", "post__body"]
    raw_id_fields = ["post", "reporter", "resolved_by"]


@admin.register(Follow)
class FollowAdmin(AuditedAdmin):
    list_display = ["user", "practice", "theme", "place", "created_at"]
    search_fields = ["user__username", "practice__title", "theme__name", "place__name"]
    raw_id_fields = ["user", "practice", "theme", "place"]


@admin.register(Notification)
class NotificationAdmin(AuditedAdmin):
    list_display = ["user", "kind", "subject", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["subject", "user__username"]
    raw_id_fields = ["user", "actor"]
