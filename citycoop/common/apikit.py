"""What every API endpoint shares: who is asking, pages by cursor, ETags, and writes.

- **Who**: a bearer token (``Authorization: Bearer cc_…``), or the browser's session (with
  its CSRF token, for writes), or no one: reading public records needs no key. A token acts
  as its user, within its scope: a read token cannot write, whoever its user is.
- **Which records**: lists read through :class:`~citycoop.opendata.selection.Selection`
  and single records through the ``access_*`` helpers, the same rules as the web pages.
- **Pages**: ``?limit=`` (at most 500) and an opaque ``?cursor=`` taken from the last page's
  ``next``; ordering by a column and the id, so a page is found with an index whatever its
  depth (no OFFSET).
- **Versions**: each record's ETag is its version; a change must send it back in
  ``If-Match`` and gets 412 if someone changed the record in between (428 without it).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from citycoop.accounts.models import ApiToken, User
from citycoop.accounts.tokens import token_for
from citycoop.common.freshness import cached_for_public
from citycoop.common.services import StaleEditError, update_record

MAX_LIMIT = 500


# -- who is asking ----------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_for(token)
        if found is not None:
            request.user = found.user
            request.api_token = found  # type: ignore[attr-defined]
        return found


class WriteTokenAuth(TokenAuth):
    """A token that may write: a read token is refused with 403, whoever its user is."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = super().authenticate(request, token)
        if found is not None and not found.can_write:
            raise HttpError(403, "This token may only read: make a token with the write "
                                 "scope.")
        return found


class SessionAuth(APIKeyCookie):
    """The signed-in browser; ninja checks the CSRF token on writes."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if "HTTP_AUTHORIZATION" in request.META:
            return None   # a token was sent and refused: the session does not stand in for it
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


class Anyone:
    """Reading needs no key, but a key that is presented must be good (else 401)."""

    def __call__(self, request: HttpRequest) -> Any:
        if "HTTP_AUTHORIZATION" in request.META:
            return None
        request.user = getattr(request, "user", None) or AnonymousUser()
        return True


READ_AUTH = [TokenAuth(), SessionAuth(), Anyone()]
WRITE_AUTH = [WriteTokenAuth(), SessionAuth()]


def acting(request: HttpRequest) -> User:
    """The user a write is made as: write endpoints only let signed-in users through."""
    user = request.user
    if not isinstance(user, User):
        raise HttpError(401, "Sign in or send a token to make changes.")
    return user


# -- pages ------------------------------------------------------------------------------------


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime.date | datetime.datetime) else v
             for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error) as error:
        raise HttpError(400, "This cursor is not one this API gave out.") from error
    if not isinstance(values, list) or len(values) != 2:
        raise HttpError(400, "This cursor is not one this API gave out.")
    return values


Item = TypeVar("Item")


class Page(Schema, Generic[Item]):
    """A list's answer: the items of this page and the address of the next (null at the end)."""

    items: list[Item]
    next: str | None


def page_of(item: type[Schema]) -> Any:
    return Page[item]  # type: ignore[valid-type]


def each(shape: Callable[[Any], dict[str, Any]]) -> Callable[[list[Any]], list[Any]]:
    """A one-record shape, applied to every row of a page."""
    return lambda rows: [shape(row) for row in rows]


def json_response(data: Any, status: int = 200) -> HttpResponse:
    """JSON written straight out: the lists bypass ninja's re-validation of every item
    against the schema (a third of a page's time); the schema stays in the OpenAPI document
    and the tests check the answers against it."""
    return HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False),
                        status=status, content_type="application/json")


def page(request: HttpRequest, queryset: QuerySet[Any], *, ordering: str,
         allowed: Sequence[str], limit: int, cursor: str | None,
         shape: Callable[[list[Any]], list[Any]],
         fields: Sequence[str] | None = None) -> HttpResponse:
    """One page of the queryset, ordered by ``ordering`` (a column in ``allowed``, "-" for
    descending) then id, from the cursor on; with the link to the next page. ``shape`` turns
    the page's rows into the answer's items in one go (so it can fetch what they share in one
    query); with ``fields`` the rows are plain dicts of those columns, not model objects.

    The public's pages (no token, no session) are kept as the public web pages are (see
    common.freshness): what they show depends on the address alone."""
    if not getattr(request.user, "is_authenticated", False):
        body = cached_for_public(
            request.user, ("api", request.build_absolute_uri()),
            lambda: _page(request, queryset, ordering, allowed, limit, cursor, shape,
                          fields).content)
        return HttpResponse(body, content_type="application/json")
    return _page(request, queryset, ordering, allowed, limit, cursor, shape, fields)


def _page(request: HttpRequest, queryset: QuerySet[Any], ordering: str,
          allowed: Sequence[str], limit: int, cursor: str | None,
          shape: Callable[[list[Any]], list[Any]],
          fields: Sequence[str] | None) -> HttpResponse:
    column = ordering.lstrip("-")
    if column not in allowed:
        raise HttpError(400, f"ordering must be one of: {', '.join(allowed)} "
                             f"(with '-' for descending).")
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(400, f"limit must be between 1 and {MAX_LIMIT}.")
    descending = ordering.startswith("-")
    sign = "-" if descending else ""
    ordered = queryset.order_by(f"{sign}{column}", f"{sign}id")
    if cursor:
        value, last_id = decode_cursor(cursor)
        after = "lt" if descending else "gt"
        if column == "id":
            ordered = ordered.filter(**{f"id__{after}": last_id})
        else:
            ordered = ordered.filter(Q(**{f"{column}__{after}": value})
                                     | Q(**{column: value, f"id__{after}": last_id}))
    if fields is not None:
        ordered = ordered.values(*{*fields, column, "id"})
    rows = list(ordered[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    following = None
    if more and rows:
        last = rows[-1]
        found = last if isinstance(last, dict) else {column: getattr(last, column),
                                                      "id": last.pk}
        query = request.GET.copy()
        query["cursor"] = encode_cursor([found[column], found["id"]])
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return json_response({"items": shape(rows), "next": following})


# -- versions ---------------------------------------------------------------------------------


def etag(record: Model) -> str:
    return f'"{record.pk}-v{getattr(record, "version", 0)}"'


def with_etag(response: HttpResponse, record: Model) -> HttpResponse:
    response["ETag"] = etag(record)
    return response


def respond(request: HttpRequest, record: Model, shape: Callable[[Any], Any],
            status: int = 200) -> HttpResponse:
    """One record as JSON with its ETag (ninja would drop a header set on its own answer)."""
    return with_etag(json_response(shape(record), status=status), record)


def expected_version(request: HttpRequest, record: Model) -> int:
    """The version the client read, from If-Match; 428 without it, 412 if it is stale."""
    sent = request.headers.get("If-Match")
    if not sent:
        raise HttpError(428, "Send the record's ETag in If-Match, so that a change made by "
                             "someone else since you read it is not overwritten.")
    if sent.strip() not in (etag(record), "*"):
        raise HttpError(412, "The record changed since you read it (its ETag is now "
                             f"{etag(record)}): read it again and reapply your change.")
    return int(getattr(record, "version", 0))


def update_versioned(request: HttpRequest, record: Model, body: Schema, *,
                     values: dict[str, Any] | None = None, **many: Any) -> Any:
    """The audited update of the fields the body sent (a PATCH: what it leaves out stays as
    it is), refused with 412 when the record moved on. ``values``: the body's fields already
    turned into model values (a key looked up as its record)."""
    changes = body.dict(exclude_unset=True) if values is None else values
    version = expected_version(request, record)
    try:
        return update_record(record, changes, acting_user=acting(request),
                             expected_version=version, many=many or None)
    except StaleEditError as error:
        raise HttpError(412, str(error)) from error
