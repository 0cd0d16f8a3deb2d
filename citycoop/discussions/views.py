"""The discussion pages: a thread, a new thread, a subject's threads, following, the
notifications inbox and the moderation queue."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citycoop.discussions import services
from citycoop.discussions.access import (
    THREAD_RELATED,
    access_attachment,
    access_follow_subject,
    access_post,
    access_report,
    access_subject,
    access_thread,
    can_moderate,
    can_read_subject,
    require_moderator,
    subject_key,
    subject_kind,
    subject_url,
    thread_url,
)
from citycoop.discussions.digest import describe
from citycoop.discussions.forms import HideForm, ReplyForm, ReportForm, ThreadForm
from citycoop.discussions.models import Notification, Post, PostReport, Thread
from citycoop.discussions.services import POSTS_PER_PAGE, post_url

THREADS_PER_PAGE = 50
NOTIFICATIONS_PER_PAGE = 50
# The moderation queue shows the oldest open reports first, this many at a time.
REPORTS_SHOWN = 100


class CountedPaginator(Paginator):
    """A paginator told the count the thread keeps, instead of counting the posts."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count

    def page(self, number: Any) -> Any:
        """A page in the second half of a long thread is read from its end: the database
        then skips fewer rows (the last page of 50,000 posts skips none)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom <= self.count // 2 or not hasattr(self.object_list, "reverse"):
            return super().page(number)
        rows = list(self.object_list.reverse()[self.count - top:self.count - bottom])
        rows.reverse()
        return self._get_page(rows, number, self)  # type: ignore[attr-defined]


def add_errors(form: Form, error: ValidationError) -> None:
    """A refusal from the services shown on the form, on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def back(request: HttpRequest, fallback: str) -> HttpResponse:
    """To the page the form was sent from (ours only), else to ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def post_link(post: Post) -> str:
    """The post on its page of the thread."""
    position = Post.objects.filter(thread_id=post.thread_id).filter(
        Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, pk__lte=post.pk)
    ).count()
    return post_url(post, position)


def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    thread = access_thread(request.user, pk)
    form = ReplyForm()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                post = services.post_reply(thread, form.cleaned_data["body"],
                                           acting_user=request.user,  # type: ignore[arg-type]
                                           attachments=form.cleaned_data["attachments"])
            except ValidationError as error:
                add_errors(form, error)
            else:
                return redirect(post_url(post, thread.post_count))
    posts = (thread.posts.select_related("author").prefetch_related("attachments")
             .order_by("created_at", "id"))
    paginator = CountedPaginator(posts, POSTS_PER_PAGE, thread.post_count)
    number = request.GET.get("page")
    page = paginator.get_page(paginator.num_pages if number == "last" else number)
    subject = thread.subject
    return render(request, "discussions/thread.html", {
        "thread": thread, "subject": subject, "subject_url": subject_url(subject),
        "kind": subject_kind(subject), "key": subject_key(subject),
        "posts": page.object_list, "page": page, "form": form,
        "is_moderator": can_moderate(request.user),
    }, status=400 if form.errors else 200)


@login_required
def thread_new(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    subject = access_subject(request.user, kind, key)
    form = ThreadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.start_thread(subject, form.cleaned_data["title"],
                                           form.cleaned_data["body"],
                                           acting_user=request.user,  # type: ignore[arg-type]
                                           attachments=form.cleaned_data["attachments"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(thread_url(thread))
    return render(request, "discussions/thread_form.html", {
        "form": form, "subject": subject, "subject_url": subject_url(subject), "kind": kind,
    }, status=400 if form.errors else 200)


def subject_threads(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """Every thread on one practice, pilot, pairing or need, the most recently active first."""
    subject = access_subject(request.user, kind, key)
    threads = (Thread.objects.filter(**{subject_kind(subject): subject})
               .select_related("created_by")
               .order_by(F("last_post_at").desc(nulls_last=True), "-id"))
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "discussions/subject_threads.html", {
        "subject": subject, "subject_url": subject_url(subject), "kind": subject_kind(subject),
        "key": subject_key(subject), "threads": page.object_list, "page": page,
    })


def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A post's file, served only to those who may read the thread."""
    found = access_attachment(request.user, pk)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


@login_required
def post_report(request: HttpRequest, pk: int) -> HttpResponse:
    post = access_post(request.user, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_post(post, form.cleaned_data["reason"],
                                 acting_user=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Thank you: the moderators will look at the post."))
            return redirect(post_link(post))
    return render(request, "discussions/reason_form.html", {
        "form": form, "post": post, "thread": post.thread,
        "heading": _("Report a post"), "button": _("Send the report"),
    }, status=400 if form.errors else 200)


@login_required
def post_hide(request: HttpRequest, pk: int) -> HttpResponse:
    require_moderator(request.user)
    post = access_post(request.user, pk)
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hide_post(post, form.cleaned_data["reason"],
                               acting_user=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The post is hidden; the reason is kept with it."))
            return back(request, post_link(post))
    return render(request, "discussions/reason_form.html", {
        "form": form, "post": post, "thread": post.thread,
        "heading": _("Hide a post"), "button": _("Hide the post"),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def report_keep(request: HttpRequest, pk: int) -> HttpResponse:
    report = access_report(request.user, pk)
    services.keep_post(report, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The post stays as it is; the report is closed."))
    return redirect("discussions:moderation")


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    """Open reports, oldest first, on the threads this moderator may read."""
    require_moderator(request.user)
    related = [f"post__thread__{name}" for name in THREAD_RELATED]
    open_reports = [
        report for report in PostReport.objects.filter(resolved_at__isnull=True)
        .select_related("post__author", "reporter", *related)
        .order_by("created_at", "id")[:REPORTS_SHOWN]
        if can_read_subject(request.user, report.post.thread.subject)]
    resolved = [
        report for report in PostReport.objects.filter(resolved_at__isnull=False)
        .select_related("post__author", "reporter", "resolved_by", *related)
        .order_by("-resolved_at", "-id")[:20]
        if can_read_subject(request.user, report.post.thread.subject)]
    return render(request, "discussions/moderation.html", {
        "open_reports": open_reports, "resolved": resolved, "hide_form": HideForm(),
    })


def follow_subject_url(kind: str, subject: Any) -> str:
    if kind == "theme":
        return reverse("web:theme", args=[subject.slug])
    return str(subject.get_absolute_url())


@login_required
@require_POST
def follow(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    subject = access_follow_subject(request.user, kind, slug)
    services.follow(request.user, **{kind: subject})  # type: ignore[arg-type]
    messages.success(request, _("You follow %(name)s: you will be told of new discussions "
                                "there.") % {"name": subject})
    return back(request, follow_subject_url(kind, subject))


@login_required
@require_POST
def unfollow(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    subject = access_follow_subject(request.user, kind, slug)
    services.unfollow(request.user, **{kind: subject})  # type: ignore[arg-type]
    messages.success(request, _("You no longer follow %(name)s.") % {"name": subject})
    return back(request, follow_subject_url(kind, subject))


@login_required
def following(request: HttpRequest) -> HttpResponse:
    follows = (request.user.follows  # type: ignore[union-attr]
               .select_related("practice", "theme", "place").order_by("-created_at", "-id"))
    rows = []
    for row in follows:
        kind = next(name for name in ("practice", "theme", "place")
                    if getattr(row, f"{name}_id") is not None)
        subject = getattr(row, kind)
        rows.append({"kind": kind, "subject": subject, "slug": subject.slug,
                     "url": follow_subject_url(kind, subject)})
    return render(request, "discussions/following.html", {"rows": rows})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, each worded in the reader's language."""
    inbox = (Notification.objects.filter(user=request.user)  # type: ignore[misc]
             .select_related("actor")
             .order_by("-created_at", "-id"))
    page = Paginator(inbox, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    items = [(notification, describe(notification)) for notification in page.object_list]
    return render(request, "discussions/notifications.html", {
        "items": items, "page": page, "is_moderator": can_moderate(request.user)})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification marks it read and goes where it points."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_read(request.user, [notification.pk])  # type: ignore[arg-type]
    url = notification.url
    if not url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        url = reverse("discussions:notifications")
    return redirect(url)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(request.user)  # type: ignore[arg-type]
    if count:
        messages.success(request, _("All your notifications are marked read."))
    return redirect("discussions:notifications")
