"""The good-practice library's pages: the list with its facets, a practice's page, and the
pages its writers use (new, edit, text in another language, files, submit). Reviewing,
publishing and adoptions are in review_views.py."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citycoop.accounts.permissions import internal_reach
from citycoop.events.models import Event
from citycoop.portfolio.models import Pairing, PilotProject
from citycoop.portfolio.views_edit import save_form
from citycoop.registry.models import Person, Place
from citycoop.web.pickers import country_name

from . import services
from .access import (
    access_practice,
    access_practice_for_edit,
    can_edit_practice,
    can_review,
    visible_practices,
)
from .forms import (
    PracticeFileForm,
    PracticeFilterForm,
    PracticeForm,
    PracticeTextForm,
    writable_organisations,
    writable_places,
)
from .models import Adoption, Practice, PracticeStatus, PracticeText
from .text import language_name, site_language, text_for, title_for

PRACTICES_PER_PAGE = 20


def list_crumbs(practice: Practice | None = None) -> list[tuple[str, str]]:
    crumbs = [(reverse("practices:list"), _("Good practices"))]
    if practice is not None:
        crumbs.append((practice.get_absolute_url(), title_for(practice)))
    return crumbs


def practice_list(request: HttpRequest) -> HttpResponse:
    """Published practices (and the reader's own drafts), narrowed by the facets. The page
    costs the same few queries however many practices there are."""
    visible = visible_practices(request.user, Practice.objects.all())
    countries = sorted(Place.objects.filter(pk__in=visible.values("place_id"))
                       .order_by().values_list("country", flat=True).distinct())
    form = PracticeFilterForm(request.GET or None,
                              countries=[(code, country_name(code)) for code in countries])
    rows = form.apply(visible.select_related("place", "organisation")).order_by(
        F("published_at").desc(nulls_last=True), "title", "pk")
    page = Paginator(rows, PRACTICES_PER_PAGE).get_page(request.GET.get("page"))
    practices: list[Any] = list(page.object_list)
    language = site_language()
    prefetch_related_objects(practices, "themes", Prefetch(
        "texts", to_attr="reader_texts",
        queryset=PracticeText.objects.filter(language=language)
        .only("id", "practice_id", "language", "title", "summary")))
    for practice in practices:
        practice.shown_title = title_for(practice)
        own = practice.reader_texts[0] if practice.reader_texts else None
        practice.shown_summary = own.summary if own is not None else ""
    query = form.query_string()
    user = request.user
    return render(request, "practices/list.html", {
        "form": form, "practices": practices, "page": page,
        "page_anchor": f"&{query}" if query else "",
        "can_write": user.is_authenticated and (
            writable_places(user).exists() or writable_organisations(user).exists()),
        "is_reviewer": can_review(user),
    })


def _visible_links(user: Any, pilots: Iterable[PilotProject], pairings: Iterable[Pairing],
                   events: Iterable[Event]) -> dict[str, list[Any]]:
    """The linked records this reader may see: public ones, or internal ones of the
    pairings and programmes they belong to (the rule of accounts.permissions.sees_internal)."""
    everything, programmes, own_pairings = internal_reach(user)

    def sees(pairing: Pairing, is_public: bool) -> bool:
        return (everything or (is_public and pairing.is_public)
                or pairing.programme_id in programmes or pairing.pk in own_pairings)

    signed_in = bool(user.is_authenticated)
    return {
        "pilots": [p for p in pilots if sees(p.pairing, p.is_public)],
        "pairings": [p for p in pairings if sees(p, p.is_public)],
        "events": [e for e in events if e.is_public or signed_in],
    }


def is_programme_person(user: Any) -> bool:
    """Contacts who are not public are shown to the programme's people only."""
    return bool(user.is_authenticated and (user.is_superuser or user.memberships.exists()))


def practice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    practice = access_practice(request.user, slug)
    prefetch_related_objects(
        [practice], "texts", "themes", "files",
        Prefetch("contacts", queryset=Person.objects.select_related("organisation")),
        Prefetch("pilots", queryset=PilotProject.objects.select_related("pairing")),
        "pairings", "events", Prefetch("adoptions", queryset=Adoption.objects.select_related(
            "place")))
    user = request.user
    shown = text_for(practice)
    may_edit = can_edit_practice(user, practice)
    reviewer = can_review(user)
    fields = [(services.field_label(PracticeText, name), getattr(shown.text, name))
              for name in services.TEXT_FIELDS[2:] if shown.text and getattr(shown.text, name)]
    files = list(practice.files.all())
    return render(request, "practices/detail.html", {
        "practice": practice, "shown": shown, "fields": fields,
        "title": shown.text.title if shown.text else practice.title,
        "photos": [f for f in files if f.is_photo],
        "documents": [f for f in files if not f.is_photo],
        "contacts": [c for c in practice.contacts.all()
                     if c.is_public or is_programme_person(user)],
        **_visible_links(user, practice.pilots.all(), practice.pairings.all(),
                         practice.events.all()),
        "reviews": (practice.reviews.select_related("reviewer")
                    if may_edit or reviewer else None),
        "can_edit": may_edit,
        "can_submit": may_edit and practice.status in (PracticeStatus.DRAFT,
                                                       PracticeStatus.RETURNED),
        "can_review": reviewer and practice.status == PracticeStatus.SUBMITTED,
        "can_publish": reviewer and practice.status == PracticeStatus.REVIEWED,
        "can_adopt": practice.is_public and user.is_authenticated and writable_places(
            user).exclude(pk=practice.place_id).exists(),
        "owner": practice.place or practice.organisation,
        "languages": [language_name(code) for code in shown.languages],
        "crumbs": list_crumbs(),
    })


def practice_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A file of a practice, to whoever may read the practice: the files of a draft are no
    more public than its text."""
    practice = access_practice(request.user, slug)
    attachment = practice.files.filter(pk=pk).first()
    if attachment is None or not attachment.file:
        raise Http404("No such file.")
    name = (attachment.file.name or "").rsplit("/", 1)[-1]
    # Only a photo whose name says it is an image is shown inline: a file served inline as
    # HTML could run script in the site's name, so everything else is a download.
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = attachment.is_photo and content_type in services.IMAGE_FORMATS.values()
    return FileResponse(attachment.file.open("rb"), as_attachment=not inline, filename=name,
                        content_type=content_type)


def form_page(request: HttpRequest, form: Any, *, heading: str, cancel_url: str,
              crumbs: list[tuple[str, str]], parts: Iterable[tuple[Any, Any]] = (),
              done: Any = None, extra: dict[str, Any] | None = None) -> HttpResponse:
    """GET: the form; POST: save through the form's services and go to the practice, or
    show the errors, or the conflict with the user's input kept. ``parts`` are extra forms
    shown (and validated by ``form``) under their legends."""
    conflict = None
    if request.method == "POST" and form.is_valid():
        record, conflict = save_form(form, request.user)
        if record is not None:
            messages.success(request, _("Saved."))
            return redirect(done(record) if done else cancel_url)
    return render(request, "practices/form.html", {
        "form": form, "parts": list(parts), "heading": heading, "cancel_url": cancel_url,
        "conflict": conflict, "crumbs": crumbs, **(extra or {}),
    }, status=409 if conflict else 200)


@login_required
def practice_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (writable_places(user).exists() or writable_organisations(user).exists()):
        raise PermissionDenied("Only coordinators and the programme's managers write practices.")
    language = site_language()
    text_form = PracticeTextForm(request.POST or None, user=user, prefix="text")
    form = PracticeForm(request.POST or None, user=user, text_form=text_form,
                        initial={"original_language": language})
    return form_page(request, form, heading=_("New good practice"),
                     cancel_url=reverse("practices:list"), crumbs=list_crumbs(),
                     parts=[(_("Its text, in the language chosen above"), text_form)],
                     done=lambda practice: practice.get_absolute_url())


@login_required
def practice_edit(request: HttpRequest, slug: str) -> HttpResponse:
    practice = access_practice_for_edit(request.user, slug)
    form = PracticeForm(request.POST or None, instance=practice, user=request.user)
    return form_page(request, form,
                     heading=_("Edit “%(title)s”") % {"title": practice.title},
                     cancel_url=practice.get_absolute_url(), crumbs=list_crumbs(practice),
                     extra={"text_links": _text_links(practice)})


def _text_links(practice: Practice) -> list[tuple[str, str, bool]]:
    written = set(practice.texts.values_list("language", flat=True))
    return [(reverse("practices:text", args=[practice.slug, code]), language_name(code),
             code in written) for code, _name in settings.LANGUAGES]


@login_required
def practice_text(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    """Write or change the practice's text in one language, the original shown beside."""
    practice = access_practice_for_edit(request.user, slug)
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    existing = practice.texts.filter(language=language).first()
    form = PracticeTextForm(request.POST or None, instance=existing, user=request.user,
                            fixed={"practice": practice, "language": language})
    original = (practice.texts.filter(language=practice.original_language).first()
                if language != practice.original_language else None)
    names = {"title": practice.title, "language": language_name(language)}
    heading = (_("“%(title)s” in %(language)s") if existing is not None
               else _("Write “%(title)s” in %(language)s")) % names
    return form_page(request, form, heading=heading, cancel_url=practice.get_absolute_url(),
                     crumbs=list_crumbs(practice), extra={
                         "form_lang": language, "original": original,
                         "original_fields": [
                             (services.field_label(PracticeText, name),
                              getattr(original, name)) for name in services.TEXT_FIELDS
                             if original is not None and getattr(original, name)],
                         "original_name": language_name(practice.original_language)},
                     done=lambda text: practice.get_absolute_url())


@login_required
def practice_files(request: HttpRequest, slug: str) -> HttpResponse:
    """The practice's documents and photos: add one, or remove one."""
    user: Any = request.user
    practice = access_practice_for_edit(user, slug)
    form = PracticeFileForm()
    if request.method == "POST":
        remove = practice.files.filter(pk=request.POST.get("remove") or 0).first()
        if remove is not None:
            services.remove_practice_file(remove, acting_user=user)
            messages.success(request, _("“%(file)s” was removed.") % {"file": remove})
            return redirect("practices:files", practice.slug)
        form = PracticeFileForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_practice_file(practice, data["file"], data["caption"],
                                           data["is_photo"], acting_user=user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The file was added."))
                return redirect("practices:files", practice.slug)
    return render(request, "practices/files.html", {
        "practice": practice, "form": form, "files": practice.files.all(),
        "crumbs": list_crumbs(practice), "max_bytes": settings.CITYCOOP_UPLOAD_MAX_BYTES,
    })


@login_required
@require_POST
def practice_submit(request: HttpRequest, slug: str) -> HttpResponse:
    user: Any = request.user
    practice = access_practice_for_edit(user, slug)
    try:
        services.submit_practice(practice, acting_user=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Submitted for review. You will be notified of the "
                                    "reviewer's decision."))
    return redirect(practice.get_absolute_url())
