"""Writes to the good-practice library: practices and their texts, files, the review
workflow (draft -> submitted -> reviewed -> published, or back to "returned"), the label and
adoptions by other cities.

Every function is atomic and audited through :mod:`citycoop.common.services`. The workflow
steps check who acts themselves (a review must come from a reviewer whatever the caller);
content writes rely on the caller's ``access_*`` check, as the other apps' services do.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from citycoop.accounts.models import Membership, Role, User
from citycoop.common.services import StaleEditError, create_record, delete_record, update_record
from citycoop.discussions.models import NotificationKind
from citycoop.discussions.notify import notify, notify_followers
from citycoop.discussions.services import follow

try:
    from PIL import Image
except ImportError:  # pragma: no cover - optional: photos are then checked by their bytes
    Image = None  # type: ignore[assignment]

from .access import can_edit_practice, can_review, can_write_for
from .models import (
    REVIEW_CRITERIA,
    Adoption,
    Practice,
    PracticeFile,
    PracticeStatus,
    PracticeText,
    Review,
    ReviewDecision,
)

# What a writer sets on a practice; status, dates and the label belong to the workflow.
PRACTICE_FIELDS = frozenset({"place", "organisation", "original_language", "sdgs",
                             "transferability", "cost_amount", "cost_currency"})
TEXT_FIELDS = PracticeText.FIELDS
# What a reviewer must find written, in the original language, before reviewing.
REQUIRED_TO_SUBMIT = ("title", "what_was_done")
MANY_FIELDS = ("themes", "contacts", "pilots", "pairings", "events")

# The label rule: no criterion below "adequate" and a clearly good average.
LABEL_MIN_SCORE = 3
LABEL_MIN_MEAN = 3.5


def field_label(model: Any, name: str) -> str:
    """A field's name as people read it ("what was done")."""
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def passes_label(review: Review) -> bool:
    """Whether a review earns the programme's label: every criterion (relevance, evidence of
    impact, transferability, participation) scored at least 3 out of 5, and their mean at
    least 3.5. A single weak criterion is enough to withhold it, however good the rest."""
    scores = list(review.scores.values())
    return (review.decision == ReviewDecision.APPROVE
            and all(score >= LABEL_MIN_SCORE for score in scores)
            and sum(scores) / len(scores) >= LABEL_MIN_MEAN)


# Addresses under /practices/ that are pages of their own, not practices.
RESERVED_SLUGS = frozenset({"new", "review", "needs"})


def unique_slug(title: str) -> str:
    """A key for the page address made of the title, numbered when taken. A title with no
    Latin letters (a practice first written in Chinese) starts with "practice"."""
    base = slugify(title)[:70].strip("-")
    if not any(char.isalpha() for char in base):
        base = f"practice-{base}".strip("-")
    taken = set(Practice.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidate, n = base, 1
    while candidate in taken or candidate in RESERVED_SLUGS:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# Photos are shown in the page: only the formats every browser displays.
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif",
                 "WEBP": "image/webp"}
IMAGE_SIGNATURES = {".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
                    ".png": (b"\x89PNG\r\n\x1a\n",), ".gif": (b"GIF87a", b"GIF89a"),
                    ".webp": (b"RIFF",)}


def image_format(upload: Any) -> str | None:
    """The image format of an upload (a key of IMAGE_FORMATS), or None when it is none of
    them. Pillow reads the file when installed; otherwise the name's extension and the
    file's first bytes must agree."""
    upload.seek(0)
    try:
        if Image is None:  # pragma: no cover - Pillow is installed where the tests run
            return signature_format(upload.read(16), str(getattr(upload, "name", "")))
        try:
            with Image.open(upload) as image:
                found = image.format
                image.verify()
        except Exception:  # Pillow raises many kinds of errors for a bad file
            return None
        return found if found in IMAGE_FORMATS else None
    finally:
        upload.seek(0)


def signature_format(head: bytes, name: str) -> str | None:
    extension = "." + name.rsplit(".", 1)[-1].lower()
    if not any(head.startswith(sig) for sig in IMAGE_SIGNATURES.get(extension, ())):
        return None
    if extension == ".webp" and head[8:12] != b"WEBP":
        return None
    return {".jpg": "JPEG", ".jpeg": "JPEG"}.get(extension, extension[1:].upper())


def check_upload(upload: Any, *, is_photo: bool) -> None:
    """Refuse a file over settings.CITYCOOP_UPLOAD_MAX_BYTES, and a photo that is no image."""
    limit = settings.CITYCOOP_UPLOAD_MAX_BYTES
    if upload is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    if upload.size > limit:
        raise ValidationError({"file": _("The file is %(size)s; files may be at most "
                                         "%(limit)s.") % {"size": filesizeformat(upload.size),
                                                          "limit": filesizeformat(limit)}})
    if is_photo and image_format(upload) is None:
        raise ValidationError({"file": _("A photo must be a JPEG, PNG, GIF or WebP image; "
                                         "add other files as documents.")})


def _check_language(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("“%(language)s” is not one of the site's "
                                             "languages.") % {"language": language}})


def _text_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"PracticeText has no field(s) {sorted(unknown)}")
    return {name: (value or "").strip() for name, value in fields.items()}


def _many(**sets: Iterable[Any] | None) -> dict[str, list[Any]]:
    return {name: list(items) for name, items in sets.items() if items is not None}


@transaction.atomic
def create_practice(values: Mapping[str, Any], texts: Mapping[str, Mapping[str, Any]], *,
                    acting_user: User | None, themes: Iterable[Any] = (),
                    contacts: Iterable[Any] = (), pilots: Iterable[Any] = (),
                    pairings: Iterable[Any] = (), events: Iterable[Any] = ()) -> Practice:
    """A new practice in draft with its text in one or more languages (``texts`` by
    language code); the original language's text must at least have a title."""
    unknown = set(values) - PRACTICE_FIELDS
    if unknown:
        raise TypeError(f"Practice fields not set by writers: {sorted(unknown)}")
    original = values.get("original_language") or settings.LANGUAGE_CODE
    for language in texts:
        _check_language(language)
    title = (texts.get(original, {}).get("title") or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the practice a title in its original "
                                          "language.")})
    practice = create_record(Practice, {
        **values, "original_language": original, "title": title, "slug": unique_slug(title),
        "status": PracticeStatus.DRAFT,
        "created_by": acting_user if acting_user is not None and acting_user.pk else None,
    }, acting_user=acting_user, many=_many(themes=themes, contacts=contacts, pilots=pilots,
                                           pairings=pairings, events=events))
    for language, fields in texts.items():
        create_record(PracticeText, {"practice": practice, "language": language,
                                     **_text_values(fields)}, acting_user=acting_user)
    if acting_user is not None and acting_user.pk:
        # Its writer follows it: questions asked in its discussions reach the one who can
        # answer them. They can stop following it like anything else they follow.
        follow(acting_user, practice=practice)
    return practice


@transaction.atomic
def update_practice(practice: Practice, values: Mapping[str, Any], *,
                    acting_user: User | None, expected_version: int | None,
                    themes: Iterable[Any] | None = None, contacts: Iterable[Any] | None = None,
                    pilots: Iterable[Any] | None = None, pairings: Iterable[Any] | None = None,
                    events: Iterable[Any] | None = None) -> Practice:
    """Change the language-neutral facts; the sets left as None stay as they are."""
    unknown = set(values) - PRACTICE_FIELDS
    if unknown:
        raise TypeError(f"Practice fields not set by writers: {sorted(unknown)}")
    changes = dict(values)
    language = changes.get("original_language")
    if language and language != practice.original_language:
        # The list title follows the original language: it must exist in the new one.
        text = practice.texts.filter(language=language).first()
        if text is None or not text.title:
            raise ValidationError({"original_language": _(
                "Write the practice's text in that language first: its title there becomes "
                "the practice's title.")})
        changes["title"] = text.title
    return update_record(practice, changes, acting_user=acting_user,
                         expected_version=expected_version,
                         many=_many(themes=themes, contacts=contacts, pilots=pilots,
                                    pairings=pairings, events=events))


@transaction.atomic
def save_practice_text(practice: Practice, language: str, fields: Mapping[str, Any], *,
                       acting_user: User | None,
                       expected_version: int | None = None) -> PracticeText:
    """Write or change the practice's text in one language.

    ``expected_version`` is the text's version the editor started from; 0 says they started
    from no text, so a text someone else wrote meanwhile is not overwritten. None skips the
    check (loaders). The practice's own title follows its original language's title.
    """
    _check_language(language)
    values = _text_values(fields)
    current = PracticeText.objects.select_for_update().filter(
        practice=practice, language=language).first()
    if current is None:
        text = create_record(PracticeText, {"practice": practice, "language": language,
                                            **values}, acting_user=acting_user)
    else:
        if expected_version == 0:
            raise StaleEditError(current, 0, current.version)
        text = update_record(current, values, acting_user=acting_user,
                             expected_version=expected_version)
    if language == practice.original_language and text.title != practice.title:
        update_record(practice, {"title": text.title}, acting_user=acting_user,
                      expected_version=None)
        practice.refresh_from_db()
    return text


@transaction.atomic
def add_practice_file(practice: Practice, upload: Any, caption: str, is_photo: bool, *,
                      acting_user: User | None) -> PracticeFile:
    """Attach a document or photo. Too big, or "a photo" that is no image: refused, and
    nothing is stored."""
    check_upload(upload, is_photo=is_photo)
    return create_record(PracticeFile, {
        "practice": practice, "file": upload, "caption": (caption or "").strip(),
        "is_photo": is_photo,
        "uploaded_by": acting_user if acting_user is not None and acting_user.pk else None,
    }, acting_user=acting_user)


@transaction.atomic
def remove_practice_file(attachment: PracticeFile, *, acting_user: User | None) -> None:
    stored = attachment.file
    delete_record(attachment, acting_user=acting_user)
    # The row is gone for good once the transaction commits; only then the file goes too.
    transaction.on_commit(lambda: stored.delete(save=False))


def _status(practice: Practice, allowed: Iterable[str], message: str) -> None:
    if practice.status not in set(allowed):
        raise ValidationError(message % {"status": practice.get_status_display()})


@transaction.atomic
def submit_practice(practice: Practice, *, acting_user: User | None,
                    expected_version: int | None = None) -> Practice:
    """Draft or returned -> submitted, once the original language has a title and says what
    was done."""
    if not can_edit_practice(acting_user, practice):
        raise PermissionDenied(_("Only the practice's author and keepers submit it."))
    _status(practice, (PracticeStatus.DRAFT, PracticeStatus.RETURNED),
            _("A practice that is %(status)s cannot be submitted."))
    text = practice.texts.filter(language=practice.original_language).first()
    missing = [field_label(PracticeText, name) for name in REQUIRED_TO_SUBMIT
               if not getattr(text, name, "").strip()]
    if missing:
        raise ValidationError(_("Before submitting, fill in its original text: %(fields)s.")
                              % {"fields": ", ".join(missing)})
    return update_record(practice, {"status": PracticeStatus.SUBMITTED,
                                    "submitted_at": timezone.now()},
                         acting_user=acting_user, expected_version=expected_version)


def keeper_ids(practice: Practice) -> set[int]:
    """The users told of a review: the author and the coordinators of the pairings the
    owner takes part in. Managers keep every practice and review them themselves, so they
    are left out rather than told of every review in the programme."""
    condition = Q(pk__in=[])
    if practice.place_id is not None:
        condition |= (Q(pairing__members__place_id=practice.place_id)
                      | Q(pairing__members__place__parent_id=practice.place_id))
    if practice.organisation_id is not None:
        condition |= (Q(pairing__members__organisation_id=practice.organisation_id)
                      | Q(pairing__pilots__actions__roles__organisation_id=
                          practice.organisation_id))
    ids = set(Membership.objects.filter(condition, role=Role.COORDINATOR)
              .values_list("user_id", flat=True))
    if practice.created_by_id is not None:
        ids.add(practice.created_by_id)
    return ids


def _check_scores(scores: Mapping[str, Any]) -> dict[str, int]:
    checked = {}
    for name in REVIEW_CRITERIA:
        value = scores.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            label = field_label(Review, name)
            raise ValidationError({name: _("Score %(criterion)s from 1 to 5.")
                                   % {"criterion": label}})
        checked[name] = value
    return checked


@transaction.atomic
def review_practice(practice: Practice, scores: Mapping[str, Any], decision: str,
                    comment: str, *, acting_user: User | None) -> Review:
    """A reviewer scores a submitted practice and returns it (with comments) or approves
    it. The review is kept; the author and keepers are notified."""
    if not can_review(acting_user):
        raise PermissionDenied(_("Only the programme's reviewers and managers review "
                                 "practices."))
    _status(practice, (PracticeStatus.SUBMITTED,),
            _("Only a submitted practice can be reviewed; this one is %(status)s."))
    comment = (comment or "").strip()
    if decision == ReviewDecision.RETURN and not comment:
        raise ValidationError({"comment": _("Say what to change when returning a practice.")})
    review = create_record(Review, {"practice": practice, "reviewer": acting_user,
                                    **_check_scores(scores), "decision": decision,
                                    "comment": comment}, acting_user=acting_user)
    status = (PracticeStatus.REVIEWED if decision == ReviewDecision.APPROVE
              else PracticeStatus.RETURNED)
    practice = update_record(practice, {"status": status}, acting_user=acting_user,
                             expected_version=None)
    notify(keeper_ids(practice), kind=NotificationKind.REVIEWED, subject=practice.title,
           url=practice.get_absolute_url(), actor=acting_user)
    return review


@transaction.atomic
def publish_practice(practice: Practice, *, acting_user: User | None) -> Practice:
    """A reviewed practice goes public, with the label when its latest approving review
    passes :func:`passes_label`; its followers and those of its themes and city are told."""
    if not can_review(acting_user):
        raise PermissionDenied(_("Only the programme's reviewers and managers publish "
                                 "practices."))
    _status(practice, (PracticeStatus.REVIEWED,),
            _("Only a reviewed practice can be published; this one is %(status)s."))
    now = timezone.now()
    approval = practice.reviews.filter(decision=ReviewDecision.APPROVE) \
        .order_by("-created_at", "-id").first()
    labelled = approval is not None and passes_label(approval)
    practice = update_record(practice, {"status": PracticeStatus.PUBLISHED, "published_at": now,
                                        "labelled_at": now if labelled else None},
                             acting_user=acting_user, expected_version=None)
    notify_followers(kind=NotificationKind.PUBLISHED, practice=practice,
                     themes=practice.themes.all(), place=practice.place,
                     url=practice.get_absolute_url(), subject=practice.title,
                     actor=acting_user)
    return practice


@transaction.atomic
def report_adoption(practice: Practice, place: Any, note: str,
                    adopted_on: datetime.date | None, *, acting_user: User | None) -> Adoption:
    """Another city reports it adopted a published practice: counted as a transfer."""
    if not can_write_for(acting_user, place=place):
        raise PermissionDenied(_("Only the city's coordinators and the programme's managers "
                                 "report what it adopted."))
    _status(practice, (PracticeStatus.PUBLISHED,),
            _("Only a published practice can be reported as adopted; this one is "
              "%(status)s."))
    if practice.place_id is not None and place.pk == practice.place_id:
        raise ValidationError({"place": _("A practice is adopted by another city than its "
                                          "own.")})
    if Adoption.objects.filter(practice=practice, place=place).exists():
        raise ValidationError({"place": _("%(place)s has already reported adopting it.")
                               % {"place": place}})
    return create_record(Adoption, {
        "practice": practice, "place": place, "note": (note or "").strip(),
        "adopted_on": adopted_on,
        "reported_by": acting_user if acting_user is not None and acting_user.pk else None,
    }, acting_user=acting_user)
