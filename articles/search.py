"""Full-text search over live articles: one interface, a backend per database.

``search()`` is what the search page and the partner API's ``q`` parameter
call. The index (``SearchDocument``) holds every article whatever its status;
``Article.objects.live()`` is applied when a query runs, so a scheduled story
turns up at its time and a withdrawn one disappears at once, with no process
running. Documents are rewritten whenever an article, its tags or its
confirmed entity mentions change (see ``connect_signals``), and
``rebuild_index()`` rewrites them all.

SQLite searches an FTS5 table (porter stemming, bm25); PostgreSQL a stored
tsvector with a GIN index (english stemming, ts_rank, ts_headline). Both rank
by relevance times a recency boost and return snippets in which only our
``<mark>`` tags are markup.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection, models, transaction
from django.db.models import Count, F, FloatField, Func, Q, Value, Window
from django.db.models.functions import Greatest, RowNumber
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import (
    TEXT_FIELDS,
    Article,
    SearchDocument,
    Section,
    Tag,
    TaggedArticle,
)
from articles.rendering import plain_text
from articles.search_query import ParsedQuery, parse_query, to_fts5, to_tsquery
from entities.models import Entity, Mention

# Private-use characters mark highlights inside the database's output; they are
# removed from indexed text, so after escaping only they become <mark> tags.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"
_NO_HIGHLIGHT_MARKS = str.maketrans("", "", HIGHLIGHT_START + HIGHLIGHT_STOP)

# A story's relevance is multiplied by 1 + 1 / (1 + age in days / 30): twice as
# strong on its first day, 1.5 times at a month, barely boosted after a year.
RECENCY_DAYS = 30.0
# How much a match counts in each field, in the FTS5 table's column order
# (SQLite's bm25 weights; PostgreSQL's A-D weights are in VECTOR below).
SQLITE_WEIGHTS = {
    "headline": 10.0,
    "dek": 4.0,
    "body": 1.0,
    "tags": 4.0,
    "entities": 4.0,
}
SNIPPET_WORDS = 32
FACET_SIZE = 8
# A search ranks at most this many matches: when more stories match, the newest
# of them. Ranking and counting every match of a common word costs a visit to
# each of tens of thousands of stories on a large archive (seconds on
# PostgreSQL), while the newest thousand are found by walking the publication
# index and are what a reader of a news site searching one word is after.
RANKED_MATCHES = 1000
INDEX_BATCH = 500

ENTITY_KIND_HEADINGS = {
    Entity.Kind.COMPANY: "Companies",
    Entity.Kind.ORGANISATION: "Organisations",
    Entity.Kind.PERSON: "People",
    Entity.Kind.PLACE: "Places",
    Entity.Kind.PRODUCT: "Products",
    Entity.Kind.EVENT: "Events",
}


# --- What search() takes and returns ------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    """Narrow a search; every filter given must hold."""

    section: Section | None = None
    tag: Tag | None = None
    entity: Entity | None = None
    published_after: datetime.datetime | None = None  # inclusive
    published_before: datetime.datetime | None = None  # exclusive

    def apply(self, articles: models.QuerySet) -> models.QuerySet:
        if self.section is not None:
            articles = articles.filter(section=self.section)
        if self.tag is not None:
            articles = articles.filter(tagged_items__tag=self.tag)
        if self.entity is not None:
            articles = articles.mentioning(self.entity)
        if self.published_after is not None:
            articles = articles.filter(published_at__gte=self.published_after)
        if self.published_before is not None:
            articles = articles.filter(published_at__lt=self.published_before)
        return articles


@dataclass(frozen=True)
class Period:
    """A calendar month or year in the newsroom's time zone, to narrow by date."""

    value: str  # "2026-02" or "2026"
    label: str  # "February 2026" or "2026"
    start: datetime.datetime
    end: datetime.datetime  # exclusive

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        zone = timezone.get_current_timezone()
        start = datetime.datetime(year, month, 1, tzinfo=zone)
        end = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
        return cls(f"{start:%Y-%m}", f"{start:%B %Y}", start, end)

    @classmethod
    def year(cls, year: int) -> "Period":
        zone = timezone.get_current_timezone()
        start = datetime.datetime(year, 1, 1, tzinfo=zone)
        end = datetime.datetime(year + 1, 1, 1, tzinfo=zone)
        return cls(str(year), str(year), start, end)

    @classmethod
    def parse(cls, value: str) -> "Period":
        """Read "YYYY" or "YYYY-MM" (already validated) as a period."""
        year, _, month = value.partition("-")
        return cls.month(int(year), int(month)) if month else cls.year(int(year))


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    headline: SafeString  # the headline with matches in <mark>
    snippet: SafeString  # a passage of the body with matches in <mark>


@dataclass(frozen=True)
class FacetValue:
    value: str  # what to pass back to narrow: a slug, or a period's value
    label: str
    count: int | None  # None: not counted (periods of a search past its window)


@dataclass(frozen=True)
class EntityFacet:
    kind: str
    heading: str
    values: list[FacetValue]


@dataclass(frozen=True)
class Facets:
    sections: list[FacetValue] = field(default_factory=list)
    tags: list[FacetValue] = field(default_factory=list)
    entities: list[EntityFacet] = field(default_factory=list)
    dates: list[FacetValue] = field(default_factory=list)


@dataclass(frozen=True)
class SearchResults:
    query: ParsedQuery
    total: int  # the matches ranked: all of them, or RANKED_MATCHES if more
    page: int
    per_page: int
    hits: list[SearchHit]  # this page, best first
    facets: Facets
    more: bool = False  # more stories match than were ranked (the newest were)

    @property
    def ids(self) -> list[int]:
        return [hit.article_id for hit in self.hits]

    @property
    def num_pages(self) -> int:
        return -(-self.total // self.per_page)


def search(
    query: str,
    *,
    filters: SearchFilters | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchResults:
    """Find live articles matching ``query``: a page of hits, the total and facets."""
    if page < 1 or per_page < 1:
        raise ValueError(f"page and per_page start at 1, not {page} and {per_page}")
    parsed = parse_query(query)
    if not parsed:
        return SearchResults(parsed, 0, page, per_page, [], Facets())
    backend = _backend()
    candidates = (filters or SearchFilters()).apply(Article.objects.live())
    matches = candidates.filter(backend.match(parsed))
    # Newest first, one more than can be ranked: a narrow search gets every
    # match here, a broad one its window, found by walking the publication
    # index instead of visiting every match.
    newest = list(
        matches.order_by("-published_at", "-pk").values_list("pk", "published_at")[
            : RANKED_MATCHES + 1
        ]
    )
    if not newest:
        return SearchResults(parsed, 0, page, per_page, [], Facets())
    more = len(newest) > RANKED_MATCHES
    window = newest[:RANKED_MATCHES]
    ids_in_window = [pk for pk, _ in window]
    # A thousand scores at most: sorted here, by the formula rank() uses in SQL.
    relevance = backend.relevance(ids_in_window, parsed)
    now = timezone.now()
    best_first = sorted(
        window,
        key=lambda row: (
            relevance.get(row[0], 0.0) * _recency_boost(row[1], now),
            row[1],
            row[0],
        ),
        reverse=True,
    )
    offset = (page - 1) * per_page
    ids = [pk for pk, _ in best_first[offset : offset + per_page]]
    highlights = backend.highlight(ids, parsed) if ids else {}
    hits = [
        SearchHit(article_id, *(_marked(text) for text in highlights[article_id]))
        for article_id in ids
    ]
    last = window[0][1]
    if more:
        # The date facet reaches past the window, back to the oldest match,
        # so older stories are a click away; those periods go uncounted.
        first = matches.order_by("published_at", "pk").values_list(
            "published_at", flat=True
        )[0]
    else:
        first = window[-1][1]
    facets = _facets(
        Article.objects.filter(pk__in=ids_in_window),
        periods=_periods(first, last),
        count_periods=not more,
    )
    return SearchResults(parsed, len(window), page, per_page, hits, facets, more)


def matching(articles: models.QuerySet, query: str) -> models.QuerySet:
    """Narrow ``articles`` to those matching ``query``, read as the search page does."""
    parsed = parse_query(query)
    if not parsed:
        return articles.none()
    return articles.filter(_backend().match(parsed))


def ranked_ids(
    articles: models.QuerySet, query: str, *, offset: int, limit: int
) -> list[int]:
    """Ids of ``articles`` matching ``query``, best first, as search() ranks them."""
    parsed = parse_query(query)
    if not parsed:
        return []
    return _backend().rank(
        articles, parsed, now=timezone.now(), offset=offset, limit=limit
    )


def _recency_boost(published_at: datetime.datetime, now: datetime.datetime) -> float:
    """What a story's relevance is multiplied by, for its age at ``now``."""
    age_days = max((now - published_at).total_seconds() / 86400.0, 0.0)
    return 1.0 + 1.0 / (1.0 + age_days / RECENCY_DAYS)


def _marked(text: str) -> SafeString:
    return mark_safe(
        escape(text)
        .replace(HIGHLIGHT_START, "<mark>")
        .replace(HIGHLIGHT_STOP, "</mark>")
    )


def _facets(
    matches: models.QuerySet, *, periods: list[Period], count_periods: bool
) -> Facets:
    sections = (
        matches.values("section__slug", "section__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "section__name")
    )
    tags = (
        Tag.objects.filter(tagged_articles__content_object__in=matches)
        .annotate(count=Count("tagged_articles"))
        .order_by("-count", "name")
        .values_list("slug", "name", "count")[:FACET_SIZE]
    )
    entities = (
        Entity.objects.filter(
            mentions__status=Mention.Status.CONFIRMED, mentions__article__in=matches
        )
        .annotate(count=Count("mentions"))
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=F("kind"),
                order_by=[F("count").desc(), F("name").asc()],
            )
        )
        .filter(place__lte=FACET_SIZE)
        .order_by("kind", "place")
        .values_list("kind", "slug", "name", "count")
    )
    by_kind: dict[str, list[FacetValue]] = defaultdict(list)
    for kind, slug, name, count in entities:
        by_kind[kind].append(FacetValue(slug, name, count))
    if count_periods:
        # Ranges, not a per-row truncation: comparing stored times is cheap on
        # both databases, where SQLite would call a Python function for every
        # match.
        period_counts = matches.aggregate(
            **{
                period.value: Count(
                    "pk",
                    filter=Q(
                        published_at__gte=period.start, published_at__lt=period.end
                    ),
                )
                for period in periods
            }
        )
        dates = [
            FacetValue(period.value, period.label, period_counts[period.value])
            for period in periods
            if period_counts[period.value]
        ]
    else:
        dates = [FacetValue(period.value, period.label, None) for period in periods]
    return Facets(
        sections=[
            FacetValue(row["section__slug"], row["section__name"], row["count"])
            for row in sections
        ],
        tags=[FacetValue(*row) for row in tags],
        entities=[
            EntityFacet(kind, heading, by_kind[kind])
            for kind, heading in ENTITY_KIND_HEADINGS.items()
            if by_kind.get(kind)
        ],
        dates=dates,
    )


def _periods(first: datetime.datetime, last: datetime.datetime) -> list[Period]:
    """The months from ``last`` back to ``first``, or their years if over twelve."""
    first, last = timezone.localtime(first), timezone.localtime(last)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > 12:
        return [Period.year(year) for year in range(last.year, first.year - 1, -1)]
    return [
        Period.month(
            last.year + (last.month - 1 - back) // 12, (last.month - 1 - back) % 12 + 1
        )
        for back in range(months)
    ]


# --- Backends -----------------------------------------------------------------


class SearchBackend(Protocol):
    """What search() needs from a database's full-text engine."""

    def match(self, parsed: ParsedQuery) -> Q:
        """A filter for the articles whose documents match."""

    def rank(
        self,
        candidates: models.QuerySet,
        parsed: ParsedQuery,
        *,
        now: datetime.datetime,
        offset: int,
        limit: int,
    ) -> list[int]:
        """One page of the matching candidates' ids, best first."""

    def relevance(self, ids: list[int], parsed: ParsedQuery) -> dict[int, float]:
        """How well each of these articles matches, higher is better."""

    def highlight(self, ids: list[int], parsed: ParsedQuery) -> dict[int, tuple]:
        """Each article's headline and snippet, matches between the marks."""


class SQLiteBackend:
    """FTS5: bm25 over weighted columns, snippet() and highlight()."""

    MATCHING = (
        "SELECT rowid FROM articles_search_fts WHERE articles_search_fts MATCH %s"
    )

    def match(self, parsed: ParsedQuery) -> Q:
        return Q(pk__in=models.expressions.RawSQL(self.MATCHING, [to_fts5(parsed)]))

    def rank(
        self,
        candidates: models.QuerySet,
        parsed: ParsedQuery,
        *,
        now: datetime.datetime,
        offset: int,
        limit: int,
    ) -> list[int]:
        # The candidates (live and filtered) join the full-text match, so FTS5
        # finds the matches and bm25 is computed once per match.
        candidate_sql, candidate_params = (
            candidates.order_by()
            .values_list("pk", "published_at")
            .query.sql_with_params()
        )
        weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS.values())
        sql = f"""
            WITH candidate(id, published_at) AS ({candidate_sql})
            SELECT articles_search_fts.rowid
            FROM articles_search_fts
            JOIN candidate ON candidate.id = articles_search_fts.rowid
            WHERE articles_search_fts MATCH %s
            ORDER BY
                -bm25(articles_search_fts, {weights})
                * (1.0 + 1.0 / (1.0 + max(
                    julianday(%s) - julianday(candidate.published_at), 0.0
                ) / {RECENCY_DAYS})) DESC,
                candidate.published_at DESC,
                articles_search_fts.rowid DESC
            LIMIT %s OFFSET %s
        """
        params = [
            *candidate_params,
            to_fts5(parsed),
            connection.ops.adapt_datetimefield_value(now),
            limit,
            offset,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    def relevance(self, ids: list[int], parsed: ParsedQuery) -> dict[int, float]:
        # FTS5 evaluates the whole MATCH again for each value of a rowid IN
        # list (seconds for a thousand); a rowid range is one pass, and the
        # newest stories' ids lie close together in a newsroom's archive.
        weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS.values())
        sql = f"""
            SELECT rowid, -bm25(articles_search_fts, {weights})
            FROM articles_search_fts
            WHERE articles_search_fts MATCH %s AND rowid BETWEEN %s AND %s
        """
        wanted = set(ids)
        with connection.cursor() as cursor:
            cursor.execute(sql, [to_fts5(parsed), min(ids), max(ids)])
            return {pk: score for pk, score in cursor.fetchall() if pk in wanted}

    def highlight(self, ids: list[int], parsed: ParsedQuery) -> dict[int, tuple]:
        body = list(SQLITE_WEIGHTS).index("body")
        placeholders = ", ".join(["%s"] * len(ids))
        sql = f"""
            SELECT
                rowid,
                highlight(articles_search_fts, 0, %s, %s),
                snippet(articles_search_fts, {body}, %s, %s, '…', {SNIPPET_WORDS})
            FROM articles_search_fts
            WHERE articles_search_fts MATCH %s AND rowid IN ({placeholders})
        """
        marks = [HIGHLIGHT_START, HIGHLIGHT_STOP]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*marks, *marks, to_fts5(parsed), *ids])
            return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


class PostgreSQLBackend:
    """A stored tsvector with a GIN index: ts_rank and ts_headline."""

    CONFIG = "english"

    def query(self, parsed: ParsedQuery) -> SearchQuery:
        return SearchQuery(to_tsquery(parsed), search_type="raw", config=self.CONFIG)

    def match(self, parsed: ParsedQuery) -> Q:
        return Q(search_document__vector=self.query(parsed))

    def rank(
        self,
        candidates: models.QuerySet,
        parsed: ParsedQuery,
        *,
        now: datetime.datetime,
        offset: int,
        limit: int,
    ) -> list[int]:
        query = self.query(parsed)
        age_days = Greatest(
            Func(
                Value(now),
                F("published_at"),
                template="EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0",
                arg_joiner=" - ",
                output_field=FloatField(),
            ),
            Value(0.0),
        )
        boost = 1.0 + 1.0 / (1.0 + age_days / RECENCY_DAYS)
        ranked = (
            candidates.filter(search_document__vector=query)
            .annotate(score=SearchRank(F("search_document__vector"), query) * boost)
            .order_by("-score", "-published_at", "-pk")
            .values_list("pk", flat=True)
        )
        return list(ranked[offset : offset + limit])

    def relevance(self, ids: list[int], parsed: ParsedQuery) -> dict[int, float]:
        query = self.query(parsed)
        return dict(
            SearchDocument.objects.filter(pk__in=ids)
            .annotate(score=SearchRank(F("vector"), query))
            .values_list("pk", "score")
        )

    def highlight(self, ids: list[int], parsed: ParsedQuery) -> dict[int, tuple]:
        query = self.query(parsed)
        marks = {"start_sel": HIGHLIGHT_START, "stop_sel": HIGHLIGHT_STOP}
        documents = SearchDocument.objects.filter(pk__in=ids).annotate(
            marked_headline=SearchHeadline(
                "headline", query, config=self.CONFIG, highlight_all=True, **marks
            ),
            snippet=SearchHeadline(
                "body",
                query,
                config=self.CONFIG,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
                max_fragments=2,
                fragment_delimiter=" … ",
                **marks,
            ),
        )
        return {
            pk: (headline, snippet)
            for pk, headline, snippet in documents.values_list(
                "pk", "marked_headline", "snippet"
            )
        }


def _backend() -> SearchBackend:
    return PostgreSQLBackend() if connection.vendor == "postgresql" else SQLiteBackend()


# --- Keeping the index current ------------------------------------------------

# Headline first: matches there count most (A), then the dek, tags and entity
# names (B), then the body (C).
VECTOR = (
    SearchVector("headline", weight="A", config=PostgreSQLBackend.CONFIG)
    + SearchVector(
        "dek", "tags", "entities", weight="B", config=PostgreSQLBackend.CONFIG
    )
    + SearchVector("body", weight="C", config=PostgreSQLBackend.CONFIG)
)


def index_articles(article_ids: Iterable[int]) -> None:
    """Write the search documents of these articles from their current state."""
    ids = sorted(set(article_ids))
    for start in range(0, len(ids), INDEX_BATCH):
        _index_batch(ids[start : start + INDEX_BATCH])


def rebuild_index(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Rewrite every article's search document; return how many were written."""
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), INDEX_BATCH):
            _index_batch(ids[start : start + INDEX_BATCH])
            if progress is not None:
                progress(min(start + INDEX_BATCH, len(ids)), len(ids))
        if connection.vendor == "sqlite":
            # Make FTS5 re-read every document: repairs an index that drifted
            # from its content table, whatever wrote to it.
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO articles_search_fts(articles_search_fts) "
                    "VALUES ('rebuild')"
                )
    return len(ids)


def _index_batch(ids: list[int]) -> None:
    tags: dict[int, list[str]] = defaultdict(list)
    for article_id, name in (
        TaggedArticle.objects.filter(content_object_id__in=ids)
        .order_by("tag__name")
        .values_list("content_object_id", "tag__name")
    ):
        tags[article_id].append(name)
    # Confirmed mentions only, by the entity's own name: searching for
    # "Volkswagen Group" finds a story that only ever says "VW".
    entities: dict[int, list[str]] = defaultdict(list)
    for article_id, name in (
        Mention.objects.confirmed()
        .filter(article_id__in=ids)
        .order_by("entity__name")
        .values_list("article_id", "entity__name")
    ):
        entities[article_id].append(name)
    documents = [
        SearchDocument(
            article_id=article.pk,
            headline=_indexable(article.headline),
            dek=_indexable(article.dek),
            body=_indexable(plain_text(article.body_html)),
            tags=_indexable(" · ".join(tags[article.pk])),
            entities=_indexable(" · ".join(entities[article.pk])),
        )
        for article in Article.objects.filter(pk__in=ids).only(
            "headline", "dek", "body_html"
        )
    ]
    SearchDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["headline", "dek", "body", "tags", "entities"],
    )
    if connection.vendor == "postgresql":
        SearchDocument.objects.filter(pk__in=ids).update(vector=VECTOR)


def _indexable(text: str) -> str:
    return text.translate(_NO_HIGHLIGHT_MARKS)


# Signal receivers: every write that changes what is indexed, from any code
# path (admin, importer, revisions, shell), rewrites the affected documents in
# the same transaction. Bulk writes send no signals: code that changes
# mentions or tags in bulk calls index_articles() itself, as the linker does.
# Raw saves (loaddata, import_content) load rows before the rows they refer
# to; those loads end with rebuild_index() instead.


def _owner_is_being_deleted(instance: models.Model, origin: object) -> bool:
    # When an article, tag or entity is deleted its tagging and mentions go
    # with it; the owner's receivers (or the cascade) take care of the index.
    model = type(instance)
    deleted_itself = isinstance(origin, model) or (
        isinstance(origin, models.QuerySet) and origin.model is model
    )
    return origin is not None and not deleted_itself


def _article_saved(
    sender,
    instance: Article,
    update_fields: frozenset | None = None,
    raw: bool = False,
    **kwargs,
) -> None:
    # A save of named fields that are not text (a workflow step) changes
    # nothing indexed; every other save may have.
    if not raw and (update_fields is None or update_fields & set(TEXT_FIELDS)):
        index_articles([instance.pk])


def _tagging_changed(
    sender, instance: TaggedArticle, origin=None, raw: bool = False, **kwargs
) -> None:
    if not raw and not _owner_is_being_deleted(instance, origin):
        index_articles([instance.content_object_id])


def _mention_changed(
    sender, instance: Mention, origin=None, raw: bool = False, **kwargs
) -> None:
    if not raw and not _owner_is_being_deleted(instance, origin):
        index_articles([instance.article_id])


def _articles_of(instance: Tag | Entity) -> models.QuerySet:
    if isinstance(instance, Tag):
        return TaggedArticle.objects.filter(tag=instance).values_list(
            "content_object_id", flat=True
        )
    return (
        Mention.objects.confirmed()
        .filter(entity=instance)
        .values_list("article_id", flat=True)
    )


def _name_saving(sender, instance: Tag | Entity, **kwargs) -> None:
    # Renaming rewrites every article that uses the name; other edits (an
    # entity's description) must not cost that.
    instance._search_old_name = (
        type(instance)
        .objects.filter(pk=instance.pk)
        .values_list("name", flat=True)
        .first()
    )


def _name_saved(
    sender, instance: Tag | Entity, created: bool, raw: bool = False, **kwargs
) -> None:
    if not raw and not created and instance._search_old_name != instance.name:
        index_articles(_articles_of(instance))


def _name_deleting(sender, instance: Tag | Entity, **kwargs) -> None:
    instance._search_article_ids = list(_articles_of(instance))


def _name_deleted(sender, instance: Tag | Entity, **kwargs) -> None:
    index_articles(getattr(instance, "_search_article_ids", []))


def connect_signals() -> None:
    """Keep search documents current on every save and delete that touches them."""
    post_save.connect(_article_saved, sender=Article, dispatch_uid="search_article")
    for signal in (post_save, post_delete):
        signal.connect(
            _tagging_changed, sender=TaggedArticle, dispatch_uid="search_tagging"
        )
        signal.connect(_mention_changed, sender=Mention, dispatch_uid="search_mention")
    for model in (Tag, Entity):
        uid = f"search_{model.__name__}"
        pre_save.connect(_name_saving, sender=model, dispatch_uid=uid)
        post_save.connect(_name_saved, sender=model, dispatch_uid=uid)
        pre_delete.connect(_name_deleting, sender=model, dispatch_uid=uid)
        post_delete.connect(_name_deleted, sender=model, dispatch_uid=uid)
