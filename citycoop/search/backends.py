"""One search interface, two engines: SQLite FTS5 and PostgreSQL full-text search.

Both engines read the same ``SearchEntry`` rows and answer with the same ``SearchResults``.
What differs is how words are matched and ranked and how matches are highlighted; the facet
filters and counts are shared SQL.

The user's words are never handed to either engine's query language: the query is cut into
words here, and each word is quoted, so operators, column filters and stray quotes in the box
are just text. Every word must match; the last one also matches as a prefix, so that a word
still being typed ("Chengd") already finds something.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from citycoop.accounts.models import Role

from .models import Kind, SearchEntry

ENTRIES = SearchEntry._meta.db_table
FTS_TABLE = f"{ENTRIES}_fts"  # SQLite only: the FTS5 index over title, body and context
PG_CONFIG = "citycoop_search"  # PostgreSQL only: 'simple' plus unaccent, made by a migration

# Facet name (as in the page's GET parameters) -> (column, whether it holds several tokens).
FACETS: dict[str, tuple[str, bool]] = {
    "kind": ("kind", False),
    "programme": ("programme", False),
    "country": ("countries", True),
    "theme": ("themes", True),
    "sdg": ("sdgs", True),
    "status": ("status", False),
    "year": ("year", False),
}
FACET_VALUE = re.compile(r"^[\w-]{1,80}$")

# Highlights come back from the engines between two private-use characters, which the index
# strips from every text it stores: after escaping, only they can become <mark> elements.
MARK_START, MARK_END = "\ue000", "\ue001"
MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")
WORD = re.compile(r"[^\W_]+")  # letters and digits: both engines split words at the rest
MAX_TERMS = 12
MAX_LIMIT = 100
MAX_OFFSET = 10_000  # deep pages cost a full ranking each; nobody reads page 500


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    title: str
    title_html: SafeString
    url: str
    snippet: SafeString
    is_public: bool
    where: str = ""  # what the record sits in (a pilot's pairing), when the snippet is not it


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)
    # True when the words match so much of the index that the total and the facet counts
    # were estimated from a sample (see SearchBackend.broad_search).
    approximate: bool = False


@dataclass(frozen=True)
class Audience:
    """Whose eyes the results are for: everyone sees public entries, staff some internal ones."""

    everything: bool = False
    programmes: frozenset[str] = frozenset()  # slugs of programmes the user manages
    pairings: frozenset[int] = frozenset()  # pairings the user is a member of


def audience_of(user: Any) -> Audience:
    """The same rule as ``accounts.permissions.visible_pairings``, for index rows.

    Admins see everything; a programme's managers see its internal records; a pairing's own
    members see that pairing's internal records; everybody else sees what is public.
    """
    if not getattr(user, "is_authenticated", False):
        return Audience()
    if user.is_superuser:
        return Audience(everything=True)
    programmes, pairings = set(), set()
    for role, programme, pairing in user.memberships.values_list(
        "role", "programme__slug", "pairing_id"
    ):
        if programme and role == Role.MANAGER:
            programmes.add(programme)
        if pairing:
            pairings.add(pairing)
    return Audience(programmes=frozenset(programmes), pairings=frozenset(pairings))


def query_terms(query: str) -> list[str]:
    """The words of a query, without any operator or punctuation."""
    return WORD.findall(query or "")[:MAX_TERMS]


def as_prefix(term: str) -> bool:
    """Whether the last word also matches as the start of longer ones. Not a lone Latin
    letter or digit: "s" would match most of the index and say nothing."""
    return len(term) > 1 or not term.isascii()


def marked_html(text: str | None) -> SafeString:
    """Escaped text in which the engine's markers became <mark> elements (nothing else)."""
    marked = MARKED.sub(r"<mark>\1</mark>", str(escape(text or "")))
    # Safe: everything but our own <mark> elements was escaped above.
    return mark_safe(marked.replace(MARK_START, "").replace(MARK_END, ""))


def unmarked(text: str | None) -> str:
    return (text or "").replace(MARK_START, "").replace(MARK_END, "").strip(" …")


def has_mark(text: str) -> bool:
    return "<mark>" in text


def clean_facets(facets: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
    """Known facets with well-formed values only; anything else in a URL is ignored."""
    cleaned: dict[str, list[str]] = {}
    for name, values in (facets or {}).items():
        if name not in FACETS:
            continue
        good = [v for v in dict.fromkeys(values) if isinstance(v, str) and FACET_VALUE.match(v)]
        if name == "kind":
            good = [v for v in good if v in Kind.values]
        if name in {"year", "sdg"}:
            good = [v for v in good if v.isdigit()]
        if good:
            cleaned[name] = good
    return cleaned


def about(estimate: int) -> int:
    """An estimate to two significant figures: more digits would claim a precision that a
    sample does not have."""
    if estimate < 100:
        return estimate
    return int(round(estimate, 2 - len(str(estimate))))


def like_token(value: str) -> str:
    """A LIKE pattern for one whole token of a space-separated column."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped} %"


def filter_sql(facets: Mapping[str, list[str]], audience: Audience) -> tuple[str, list[Any]]:
    """WHERE conditions on the entries (alias ``e``) for the chosen facets and the audience."""
    clauses: list[str] = []
    params: list[Any] = []
    for name, values in facets.items():
        column, multi = FACETS[name]
        if multi:
            clauses.append("(" + " OR ".join(
                [f"(' ' || e.{column} || ' ') LIKE %s ESCAPE '\\'"] * len(values)) + ")")
            params.extend(like_token(v) for v in values)
        else:
            clauses.append(f"e.{column} IN ({', '.join(['%s'] * len(values))})")
            params.extend(int(v) if name == "year" else v for v in values)
    if not audience.everything:
        visible = ["e.is_public = %s"]
        params.append(True)
        if audience.programmes:
            visible.append(f"e.programme IN ({', '.join(['%s'] * len(audience.programmes))})")
            params.extend(sorted(audience.programmes))
        if audience.pairings:
            visible.append(f"e.pairing_pk IN ({', '.join(['%s'] * len(audience.pairings))})")
            params.extend(sorted(audience.pairings))
        clauses.append("(" + " OR ".join(visible) + ")")
    return " AND ".join(clauses) or "1 = 1", params


class SearchBackend:
    """Full-text search over the index. Subclasses supply the engine-specific SQL."""

    vendor: str

    def __init__(self, connection: BaseDatabaseWrapper | None = None) -> None:
        self.connection = connection or default_connection

    def search(
        self,
        query: str,
        *,
        facets: Mapping[str, Sequence[str]] | None = None,
        visible_to: Any = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResults:
        """The entries matching every word of ``query`` (or, with no words, every entry),
        narrowed by ``facets`` ({name: [values]}: any value of one facet, all facets), as
        ``visible_to`` may see them; best first, with counts per facet value."""
        terms = query_terms(query)
        where, params = filter_sql(clean_facets(facets), audience_of(visible_to))
        limit = max(0, min(limit, MAX_LIMIT))
        offset = max(0, min(offset, MAX_OFFSET))
        if terms:
            source, match_params = self.match_sql(terms)
        else:
            source, match_params = f"{ENTRIES} e WHERE 1 = 1", []
        with self.connection.cursor() as cursor:
            if terms and self.match_count(cursor, terms) > self.BROAD_MATCHES:
                return self.broad_search(cursor, terms, where, params, limit, offset)
            facet_counts = self.count_facets(cursor, f"{source} AND {where}",
                                             match_params + params)
            total = sum(c.count for c in facet_counts.get("kind", []))
            hits: list[Hit] = []
            if total > offset and limit:
                if terms:
                    hits = self.ranked_hits(cursor, terms, where, params, limit, offset)
                else:
                    hits = self.listed_hits(cursor, where, params, limit, offset)
        return SearchResults(hits=hits, total=total, facets=facet_counts, terms=terms)

    # -- words that match a large part of the index ------------------------------------------

    # Above this many matches, counting every facet value and ranking every match costs more
    # than a search may (hundreds of milliseconds on 200,000 entries), and says little: nobody
    # reads the 40,000th result of "cooperation". Engines that can count their matches
    # cheaply (match_count) then estimate from a sample and rank the title matches first.
    BROAD_MATCHES = 20_000
    SAMPLE_SIZE = 5_000

    def match_count(self, cursor: Any, terms: list[str]) -> int:
        """How many entries match the words, before any filter; 0 if the engine cannot tell
        cheaply (then every search is counted exactly)."""
        return 0

    def broad_search(self, cursor: Any, terms: list[str], where: str, params: list[Any],
                     limit: int, offset: int) -> SearchResults:
        raise NotImplementedError

    # -- engine-specific parts ------------------------------------------------------------

    def match_sql(self, terms: list[str]) -> tuple[str, list[Any]]:
        """FROM and WHERE giving the matching entries as ``e``, and its parameters."""
        raise NotImplementedError

    def ranked_hits(self, cursor: Any, terms: list[str], where: str, params: list[Any],
                    limit: int, offset: int) -> list[Hit]:
        """One page of matching entries, best first, with highlighted title and snippet."""
        raise NotImplementedError

    def split_tokens(self, column: str) -> str:
        """A join clause turning a space-separated column into rows of ``v.value``."""
        raise NotImplementedError

    def entries_added(self, cursor: Any, ids: Sequence[int]) -> None:
        """Called by the index after inserting entries (the engine's own index may follow)."""

    def entries_removing(self, cursor: Any, entries: QuerySet[SearchEntry]) -> None:
        """Called by the index before deleting these entries."""

    def clear(self, cursor: Any) -> None:
        """Called by the index before it deletes every entry to rebuild them."""

    def rebuilt(self, cursor: Any) -> None:
        """Called by the index after it rebuilt every entry."""

    # -- shared SQL -----------------------------------------------------------------------

    def count_facets(self, cursor: Any, source: str,
                     params: list[Any]) -> dict[str, list[FacetCount]]:
        """Counts per value of every facet over the matching entries, in one query."""
        arms = []
        for name, (column, multi) in FACETS.items():
            if multi:
                arms.append(f"SELECT '{name}', v.value, COUNT(*) FROM m {self.split_tokens(column)}"
                            f" WHERE m.{column} <> '' GROUP BY v.value")
            else:
                value = f"CAST(m.{column} AS TEXT)" if name == "year" else f"m.{column}"
                arms.append(f"SELECT '{name}', {value}, COUNT(*) FROM m"
                            f" WHERE m.{column} IS NOT NULL AND {value} <> '' GROUP BY m.{column}")
        columns = ", ".join(f"e.{column}" for column, _ in FACETS.values())
        # MATERIALIZED: the match runs once, not once per facet.
        sql = (f"WITH m AS MATERIALIZED (SELECT {columns} FROM {source}) "
               + " UNION ALL ".join(arms))
        cursor.execute(sql, params)
        counts: dict[str, list[FacetCount]] = {}
        for name, value, count in cursor.fetchall():
            counts.setdefault(name, []).append(FacetCount(str(value), int(count)))
        for values in counts.values():
            values.sort(key=lambda c: (-c.count, c.value))
        return counts

    def listed_hits(self, cursor: Any, where: str, params: list[Any], limit: int,
                    offset: int) -> list[Hit]:
        """With no words to rank by, a page of the filtered entries in kind and title order."""
        cursor.execute(
            f"SELECT e.kind, e.object_id, e.title, e.url, e.is_public, e.title,"
            f" SUBSTR(e.body, 1, 240), SUBSTR(e.context, 1, 240)"
            f" FROM {ENTRIES} e WHERE {where} ORDER BY e.kind, e.title, e.id LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return [make_hit([*row[:6], shortened(row[6]), shortened(row[7])])
                for row in cursor.fetchall()]


def shortened(text: str, length: int = 200) -> str:
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + " …"


def make_hit(row: Sequence[Any]) -> Hit:
    """A hit from (kind, object_id, title, url, is_public, title, body and context marked)."""
    kind, object_id, title, url, is_public, title_marked, body_marked, context_marked = row
    body = marked_html(body_marked)
    context = marked_html(context_marked)
    # Show the record's own text; when the words were only found around it, or the text
    # starts as the title does (an action without a topic), show where it sits instead.
    elsewhere = not has_mark(body) and has_mark(context)
    repeats = unmarked(body_marked).startswith(title.removesuffix(" …")[:60])
    where = ""
    if context and (elsewhere or repeats):
        body = context
    elif context:
        where = shortened(unmarked(context_marked), 120)
    return Hit(kind, object_id, title, marked_html(title_marked or title), url, body,
               bool(is_public), where)


class SqliteBackend(SearchBackend):
    """FTS5 with ``unicode61 remove_diacritics 2`` ("Malaga" finds "Málaga"), ranked by bm25.

    The FTS5 table keeps no copy of the text (``content=`` the entries table); the index
    tells it about inserted and deleted rows through ``entries_added``/``entries_removing``.
    """

    vendor = "sqlite"
    WEIGHTS = "10.0, 3.0, 1.0"  # title, body, context

    def fts_query(self, terms: list[str], *, prefix: bool = True) -> str:
        quoted = ['"{}"'.format(term.replace('"', '""')) for term in terms]
        return " ".join(quoted) + ("*" if prefix and as_prefix(terms[-1]) else "")

    def match_sql(self, terms: list[str]) -> tuple[str, list[Any]]:
        # CROSS JOIN makes SQLite walk the matches and look each entry up, never the other
        # way round: left to choose, it may scan the entries by a facet index and run the
        # full-text query once per entry (seconds instead of milliseconds on 200,000 rows).
        return (f"{FTS_TABLE} CROSS JOIN {ENTRIES} e ON e.id = {FTS_TABLE}.rowid"
                f" WHERE {FTS_TABLE} MATCH %s", [self.fts_query(terms)])

    def ranked_hits(self, cursor: Any, terms: list[str] | str, where: str, params: list[Any],
                    limit: int, offset: int, candidates: int | None = None) -> list[Hit]:
        """A page of hits, best first. With ``candidates``, only that many best matches (by the
        full-text index alone) are looked up and filtered: much cheaper when the words match
        tens of thousands of entries. If the filters leave too few of them for the page, the
        ranking is redone over every match, so the answer is the same either way."""
        match = terms if isinstance(terms, str) else self.fts_query(terms)
        if candidates is not None:
            source = (f"(SELECT rowid AS id, bm25({FTS_TABLE}, {self.WEIGHTS}) AS score"
                      f" FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
                      f" ORDER BY score, rowid LIMIT {int(candidates)}) c"
                      f" CROSS JOIN {ENTRIES} e ON e.id = c.id WHERE 1 = 1")
        else:
            source = (f"(SELECT rowid AS id, bm25({FTS_TABLE}, {self.WEIGHTS}) AS score"
                      f" FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) c"
                      f" CROSS JOIN {ENTRIES} e ON e.id = c.id WHERE 1 = 1")
        # Rank first, then highlight only the page: snippet() on every match would cost as
        # much as the search itself. MATERIALIZED keeps SQLite from folding the ranking into
        # the highlighting join, which would re-run the match once per hit.
        cursor.execute(
            f"WITH top AS MATERIALIZED ("
            f" SELECT e.id, e.kind, e.object_id, e.title, e.url, e.is_public, c.score"
            f" FROM {source} AND {where}"
            f" ORDER BY c.score, e.id LIMIT %s OFFSET %s)"
            f" SELECT top.kind, top.object_id, top.title, top.url, top.is_public,"
            f" highlight({FTS_TABLE}, 0, %s, %s),"
            f" snippet({FTS_TABLE}, 1, %s, %s, ' … ', 24),"
            f" snippet({FTS_TABLE}, 2, %s, %s, ' … ', 16)"
            f" FROM top CROSS JOIN {FTS_TABLE} ON {FTS_TABLE}.rowid = top.id"
            f" WHERE {FTS_TABLE} MATCH %s ORDER BY top.score, top.id",
            [match, *params, limit, offset, *[MARK_START, MARK_END] * 3, match],
        )
        hits = [make_hit(row) for row in cursor.fetchall()]
        if candidates is not None and len(hits) < limit:
            return self.ranked_hits(cursor, match, where, params, limit, offset)
        return hits

    def match_count(self, cursor: Any, terms: list[str]) -> int:
        # Walks the full-text index alone: a few milliseconds even for the commonest word.
        cursor.execute(f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
                       [self.fts_query(terms)])
        return int(cursor.fetchone()[0])

    def broad_search(self, cursor: Any, terms: list[str], where: str, params: list[Any],
                     limit: int, offset: int) -> SearchResults:
        """Facet counts and the total from every n-th match (by row id, which says nothing
        about a record's facets), scaled up; hits ranked among the entries whose title has
        the words, then among the other matches."""
        match = self.fts_query(terms)
        step = max(1, -(-self.match_count(cursor, terms) // self.SAMPLE_SIZE))
        sampled = (f"{FTS_TABLE} CROSS JOIN {ENTRIES} e ON e.id = {FTS_TABLE}.rowid"
                   f" WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid %% {step} = 0")
        facets = {name: [FacetCount(c.value, about(c.count * step)) for c in counts]
                  for name, counts in self.count_facets(cursor, f"{sampled} AND {where}",
                                                        [match, *params]).items()}
        total = sum(c.count for c in facets.get("kind", []))
        # The first tier is the whole words in the title: a prefix merges the lists of every
        # longer word and costs twice as much, for a tier that is large anyway.
        in_title = f"{{title}} : ({self.fts_query(terms, prefix=False)})"
        wanted = 4 * (offset + limit) + 100  # room for records the filters leave out
        hits = self.ranked_hits(cursor, in_title, where, params, limit, offset, wanted)
        if len(hits) < limit:
            # The title matches ran out on this page: go on with the others, in rank order.
            cursor.execute(
                f"SELECT COUNT(*) FROM {FTS_TABLE} CROSS JOIN {ENTRIES} e"
                f" ON e.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH %s AND {where}",
                [in_title, *params])
            titled = int(cursor.fetchone()[0])
            hits += self.ranked_hits(cursor, f"({match}) NOT {in_title}", where, params,
                                     limit - len(hits), max(0, offset - titled))
        return SearchResults(hits=hits, total=max(total, offset + len(hits)), facets=facets,
                             terms=terms, approximate=True)

    def split_tokens(self, column: str) -> str:
        # Tokens are slugs, codes and numbers (no quotes): a JSON array is built from them.
        return (f", json_each('[\"' || replace(m.{column}, ' ', '\",\"') || '\"]') v")

    def entries_added(self, cursor: Any, ids: Sequence[int]) -> None:
        for chunk in chunks(ids):
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}(rowid, title, body, context)"
                f" SELECT id, title, body, context FROM {ENTRIES}"
                f" WHERE id IN ({', '.join(['%s'] * len(chunk))})", list(chunk))

    def entries_removing(self, cursor: Any, entries: QuerySet[SearchEntry]) -> None:
        # An external-content FTS5 table forgets a row only when told its exact old text.
        ids, params = entries.values("id").query.sql_with_params()
        cursor.execute(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body, context)"
            f" SELECT 'delete', id, title, body, context FROM {ENTRIES} WHERE id IN ({ids})",
            params)

    def clear(self, cursor: Any) -> None:
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")

    def rebuilt(self, cursor: Any) -> None:
        # One pass over the entries is much faster than a row-by-row insert.
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        # Statistics let the planner pick the most selective facet index.
        cursor.execute(f"ANALYZE {ENTRIES}")


def escaped(column: str) -> str:
    """The column with &, < and > as entities: ts_headline drops what looks like an HTML tag
    (text such as "<b>" would vanish from the snippet); the hits are unescaped afterwards."""
    return f"replace(replace(replace({column}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"


class PostgresBackend(SearchBackend):
    """A generated ``search_vector`` (GIN-indexed) in the ``citycoop_search`` configuration:
    'simple' words, accents folded by unaccent where the server has it, ranked by ts_rank."""

    vendor = "postgresql"
    HEADLINE = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12,"
                " ShortWord=1, MaxFragments=2, FragmentDelimiter=\" … \"")
    TITLE_HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"

    def tsquery(self, terms: list[str], *, prefix: bool = True) -> str:
        quoted = ["'{}'".format(term.replace("\\", "\\\\").replace("'", "''")) for term in terms]
        if prefix and as_prefix(terms[-1]):
            quoted[-1] += ":*"
        return " & ".join(quoted)

    def match_sql(self, terms: list[str]) -> tuple[str, list[Any]]:
        return (f"{ENTRIES} e WHERE e.search_vector @@ to_tsquery('{PG_CONFIG}', %s)",
                [self.tsquery(terms)])

    def ranked_hits(self, cursor: Any, terms: list[str], where: str, params: list[Any],
                    limit: int, offset: int) -> list[Hit]:
        # Rank first, then ts_headline only the page: it re-parses each text it marks.
        cursor.execute(
            f"WITH q AS (SELECT to_tsquery('{PG_CONFIG}', %s) AS query),"
            f" top AS (SELECT e.id, e.kind, e.object_id, e.title, e.body, e.context, e.url,"
            f" e.is_public, ts_rank(e.search_vector, q.query) AS score"
            f" FROM {ENTRIES} e, q WHERE e.search_vector @@ q.query AND {where}"
            f" ORDER BY score DESC, e.id LIMIT %s OFFSET %s)"
            f" SELECT top.kind, top.object_id, top.title, top.url, top.is_public,"
            f" ts_headline('{PG_CONFIG}', {escaped('top.title')}, q.query, %s),"
            f" ts_headline('{PG_CONFIG}', {escaped('top.body')}, q.query, %s),"
            f" ts_headline('{PG_CONFIG}', {escaped('top.context')}, q.query, %s)"
            f" FROM top, q ORDER BY top.score DESC, top.id",
            [self.tsquery(terms), *params, limit, offset,
             self.TITLE_HEADLINE, self.HEADLINE, self.HEADLINE],
        )
        return [make_hit([*row[:5], *(html.unescape(text) for text in row[5:])])
                for row in cursor.fetchall()]

    def split_tokens(self, column: str) -> str:
        return f" CROSS JOIN LATERAL unnest(string_to_array(m.{column}, ' ')) AS v(value)"

    # The expression of the titles' own index (migration 0004): the same words as the title's
    # part of search_vector.
    TITLE_VECTOR = f"to_tsvector('{PG_CONFIG}'::regconfig, translate(e.title, '<>', '  '))"

    def match_count(self, cursor: Any, terms: list[str]) -> int:
        # Counting stops one past the threshold: past it, the exact figure is not needed.
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {ENTRIES} e WHERE e.search_vector @@"
            f" to_tsquery('{PG_CONFIG}', %s) LIMIT {self.BROAD_MATCHES + 1}) m",
            [self.tsquery(terms)])
        return int(cursor.fetchone()[0])

    def broad_search(self, cursor: Any, terms: list[str], where: str, params: list[Any],
                     limit: int, offset: int) -> SearchResults:
        """Facet counts and the total from a sample of the table's pages (TABLESAMPLE reads
        only those), scaled up; hits ranked among the entries whose title has the words,
        then among the other matches."""
        query = self.tsquery(terms)
        cursor.execute(f"SELECT reltuples FROM pg_class WHERE relname = '{ENTRIES}'")
        rows = max(1.0, float(cursor.fetchone()[0] or 1))
        # The exact number of matches is unknown (counting stopped at the threshold): a sample
        # of a few times SAMPLE_SIZE rows holds somewhere near SAMPLE_SIZE matches.
        percent = min(100.0, 100.0 * 4 * self.SAMPLE_SIZE / rows)
        sampled = (f"{ENTRIES} e TABLESAMPLE SYSTEM ({percent:.4f}) REPEATABLE (1)"
                   f" WHERE e.search_vector @@ to_tsquery('{PG_CONFIG}', %s)")
        scale = 100.0 / percent
        facets = {name: [FacetCount(c.value, about(round(c.count * scale))) for c in counts]
                  for name, counts in self.count_facets(cursor, f"{sampled} AND {where}",
                                                        [query, *params]).items()}
        total = sum(c.count for c in facets.get("kind", []))
        in_title = f"{self.TITLE_VECTOR} @@ to_tsquery('{PG_CONFIG}', %s)"
        exact = self.tsquery(terms, prefix=False)
        hits = self.ranked_hits(cursor, terms, f"{in_title} AND {where}", [exact, *params],
                                limit, offset)
        if len(hits) < limit:
            # The title matches ran out on this page: go on with the others, in rank order.
            cursor.execute(f"SELECT COUNT(*) FROM {ENTRIES} e WHERE {in_title} AND {where}",
                           [exact, *params])
            titled = int(cursor.fetchone()[0])
            hits += self.ranked_hits(cursor, terms, f"NOT ({in_title}) AND {where}",
                                     [exact, *params], limit - len(hits),
                                     max(0, offset - titled))
        return SearchResults(hits=hits, total=max(total, offset + len(hits)), facets=facets,
                             terms=terms, approximate=True)

    def rebuilt(self, cursor: Any) -> None:
        # Fresh statistics, so that the planner knows how common a word is after a rebuild.
        cursor.execute(f"ANALYZE {ENTRIES}")


def chunks(ids: Sequence[int], size: int = 500) -> list[Sequence[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


BACKENDS: dict[str, type[SearchBackend]] = {
    SqliteBackend.vendor: SqliteBackend,
    PostgresBackend.vendor: PostgresBackend,
}


def get_backend(connection: BaseDatabaseWrapper | None = None) -> SearchBackend:
    """The search engine of the database in use."""
    connection = connection or default_connection
    try:
        return BACKENDS[connection.vendor](connection)
    except KeyError:
        raise NotImplementedError(
            f"Search supports SQLite and PostgreSQL, not {connection.vendor}.") from None
