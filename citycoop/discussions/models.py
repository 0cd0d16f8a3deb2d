"""Threads and posts on practices, pilots, pairings and needs; follows; notifications;
reports of posts and their moderation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citycoop.portfolio.models import exactly_one

THREAD_SUBJECTS = ("practice", "pilot", "pairing", "need")
FOLLOW_SUBJECTS = ("practice", "theme", "place")


class Thread(models.Model):
    """A conversation about exactly one practice, pilot project, pairing or need. Who may
    read it follows from its subject: a thread on an internal pilot is internal too."""

    title = models.CharField(_("subject"), max_length=200)
    practice = models.ForeignKey("practices.Practice", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="threads")
    pilot = models.ForeignKey("portfolio.PilotProject", null=True, blank=True,
                              on_delete=models.CASCADE, related_name="threads")
    pairing = models.ForeignKey("portfolio.Pairing", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="threads")
    need = models.ForeignKey("practices.Need", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="threads")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="threads_started")
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    # Kept by the services so that lists never count or sort over the posts.
    last_post_at = models.DateTimeField(_("last post"), null=True, blank=True)
    post_count = models.PositiveIntegerField(_("posts"), default=0)

    class Meta:
        ordering = ["-last_post_at", "-id"]
        constraints = [models.CheckConstraint(name="thread_has_one_subject",
                                              condition=exactly_one(THREAD_SUBJECTS))]

    def __str__(self) -> str:
        return self.title

    @property
    def subject(self) -> models.Model:
        return next(getattr(self, name) for name in THREAD_SUBJECTS
                    if getattr(self, f"{name}_id") is not None)


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="posts")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    # A hidden post stays in the thread as "hidden by a moderator", with the reason kept.
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    hidden_reason = models.TextField(_("why it was hidden"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["thread", "created_at", "id"],
                                name="post_thread_order_idx")]

    def __str__(self) -> str:
        return f"{self.author} in {self.thread}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class PostAttachment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="posts/")
    name = models.CharField(_("name"), max_length=200)

    def __str__(self) -> str:
        return self.name


class PostReport(models.Model):
    """Someone reported a post to the moderators; the outcome is kept with the report."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="+")
    reason = models.TextField(_("what is wrong with it"))
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, blank=True,
                               help_text=_('"hidden" or "kept".'))

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Report on {self.post_id}"


class Follow(models.Model):
    """A user follows a practice, a theme or a city, and is notified of what happens there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="follows")
    practice = models.ForeignKey("practices.Practice", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="follows")
    theme = models.ForeignKey("registry.Theme", null=True, blank=True,
                              on_delete=models.CASCADE, related_name="follows")
    place = models.ForeignKey("registry.Place", null=True, blank=True,
                              on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="follow_has_one_subject",
                                   condition=exactly_one(FOLLOW_SUBJECTS)),
            *[models.UniqueConstraint(fields=["user", name], condition=Q(**{f"{name}__isnull":
                                                                             False}),
                                      name=f"follow_{name}_once") for name in FOLLOW_SUBJECTS],
        ]

    def __str__(self) -> str:
        subject = self.practice or self.theme or self.place
        return f"{self.user} follows {subject}"


class NotificationKind(models.TextChoices):
    REPLY = "reply", _("a reply in a thread you take part in")
    MENTION = "mention", _("you were mentioned")
    NEW_THREAD = "new_thread", _("a new thread on what you follow")
    PUBLISHED = "published", _("a practice was published on what you follow")
    REVIEWED = "reviewed", _("your practice was reviewed")
    NEED = "need", _("a need your practice may answer")
    REPORT = "report", _("a post was reported")


class Notification(models.Model):
    """One thing a user should know of. The wording is chosen at display time from the kind,
    in the reader's language; ``subject`` is the title of what it is about."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(_("about"), max_length=300)
    url = models.CharField(_("link"), max_length=500)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("sent in a digest"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"],
                                name="notification_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.subject}"
