"""The partner API's articles, sections, tags and authors (read-only, live only).

Serializers declare every field explicitly: they are the contract, and the
OpenAPI schema is generated from them. Turning an article into JSON, though,
goes through ``ARTICLE_FIELDS`` — one small function per field — rather than
DRF's field-by-field machinery, which costs about as much as everything else
in a page of 50 put together. ``fields=`` chooses which functions run and which
related rows are fetched (``ArticleQuerySet.with_related``), so a field
nobody asked for costs nothing.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound

from articles import search
from articles.models import (
    Article,
    Author,
    Byline,
    Correction,
    ReadNextEntry,
    Section,
    Tag,
    TaggedArticle,
    Tombstone,
)
from articles.rendering import plain_text
from articles.search_query import MAX_QUERY_CHARACTERS
from entities.models import Entity, Mention
from newsroom import api

# --- Parameters -----------------------------------------------------------------


class DateOrDateTimeField(forms.Field):
    """An ISO 8601 date (midnight, site time) or datetime (site time if naive)."""

    def to_python(self, value: str | None) -> datetime.datetime | None:
        if value in (None, ""):
            return None
        # An unencoded "+" in a query string arrives as a space.
        value = re.sub(r" (\d{2}(:?\d{2})?)$", r"+\1", value.strip())
        try:
            moment = parse_datetime(value)
            day = None if moment else parse_date(value)
        except ValueError:
            moment = day = None
        if moment is None and day is None:
            raise forms.ValidationError(
                f"“{value}” is not an ISO 8601 date (2026-02-04) or datetime "
                "(2026-02-04T09:30:00Z).",
                code="invalid_date",
            )
        if moment is None:
            moment = datetime.datetime.combine(day, datetime.time.min)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment


class DateOrDateTimeFilter(django_filters.Filter):
    field_class = DateOrDateTimeField


ORDERINGS = {
    "-published_at": ("published_at", True),
    "published_at": ("published_at", False),
    "-updated_at": ("modified_at", True),
    "updated_at": ("modified_at", False),
    "relevance": (None, True),
}


class ArticleFilter(django_filters.FilterSet):
    tag = django_filters.ModelMultipleChoiceFilter(
        queryset=Tag.objects.all(),
        to_field_name="slug",
        method="with_every_tag",
        help_text="A tag's slug; repeat it (tag=a&tag=b) for articles with all.",
    )
    tag_any = django_filters.ModelMultipleChoiceFilter(
        queryset=Tag.objects.all(),
        to_field_name="slug",
        method="with_any_tag",
        help_text="A tag's slug; repeat it for articles with at least one of them.",
    )
    entity = django_filters.ModelChoiceFilter(
        queryset=Entity.objects.all(),
        to_field_name="slug",
        method="mentioning",
        help_text="An entity's slug: articles confirmed to mention it.",
    )
    section = django_filters.ModelChoiceFilter(
        queryset=Section.objects.all(),
        to_field_name="slug",
        field_name="section",
        help_text="A section's slug.",
    )
    author = django_filters.ModelChoiceFilter(
        queryset=Author.objects.all(),
        to_field_name="slug",
        method="by_author",
        help_text="An author's slug: articles under their byline.",
    )
    published_after = DateOrDateTimeFilter(
        field_name="published_at",
        lookup_expr="gte",
        help_text="Published at or after this ISO 8601 date or datetime.",
    )
    published_before = DateOrDateTimeFilter(
        field_name="published_at",
        lookup_expr="lt",
        help_text="Published before this ISO 8601 date or datetime.",
    )
    updated_since = DateOrDateTimeFilter(
        field_name="modified_at",
        lookup_expr="gte",
        help_text="Published or updated at or after this moment; the first page "
        "also lists tombstones of articles taken down since then.",
    )
    q = django_filters.CharFilter(
        method="matching",
        max_length=MAX_QUERY_CHARACTERS,
        help_text="Words to search for, as on the site's search page; "
        "results come most relevant first unless ordering says otherwise.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(name, name) for name in ORDERINGS],
        method="keep",
        help_text="-published_at (the default), published_at, -updated_at, "
        "updated_at, or relevance (with q; its default).",
    )

    class Meta:
        model = Article
        fields = []

    # The value hints (str) are what the schema shows: slugs.
    def with_every_tag(self, articles: QuerySet, name: str, value: str) -> QuerySet:
        for tag in value:
            articles = articles.filter(
                pk__in=TaggedArticle.objects.filter(tag=tag).values("content_object")
            )
        return articles

    def with_any_tag(self, articles: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return articles
        return articles.filter(
            pk__in=TaggedArticle.objects.filter(tag__in=value).values("content_object")
        )

    def mentioning(self, articles: QuerySet, name: str, value: str) -> QuerySet:
        return articles.mentioning(value)

    def by_author(self, articles: QuerySet, name: str, value: str) -> QuerySet:
        return articles.filter(bylines__author=value)

    def matching(self, articles: QuerySet, name: str, value: str) -> QuerySet:
        return search.matching(articles, value)

    def keep(self, articles: QuerySet, name: str, value: str) -> QuerySet:
        return articles  # ordering is the view's business


class ParamErrorFilterBackend(DjangoFilterBackend):
    """django-filter, with a bad value answered as a 400 naming its parameter."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            param, messages = next(iter(filterset.errors.items()))
            raise api.ParamError(param, " ".join(messages))
        return filterset.qs


# --- Representation ---------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    build: Callable[[Article, Context], object]
    needs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Context:
    absolute: Callable[[str], str]
    # Sections' and authors' addresses, reversed once a page, not once a row.
    urls: dict = field(default_factory=dict)

    def url_of(self, obj) -> str:
        key = (type(obj), obj.slug)
        if key not in self.urls:
            self.urls[key] = self.absolute(obj.get_absolute_url())
        return self.urls[key]


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _section(section: Section, ctx: Context) -> dict:
    return {
        "slug": section.slug,
        "name": section.name,
        "url": ctx.url_of(section),
    }


def _article_url(article: Article, ctx: Context) -> str:
    # Article.get_absolute_url's address, from its section's (reversed once a
    # page) instead of a reverse() per row, a fifth of a page's time; a test
    # checks that the two agree.
    when = timezone.localtime(article.published_at or article.created_at)
    return f"{ctx.url_of(article.section)}{when:%Y/%m/%d}/{article.slug}/"


def _hero_image(article: Article, ctx: Context) -> dict | None:
    if not article.hero_image:
        return None
    storage = article.hero_image.storage
    return {
        "url": ctx.absolute(storage.url(article.hero_image.name)),
        "width": article.hero_image_width,
        "height": article.hero_image_height,
        "alt": article.hero_image_alt,
        "caption": article.hero_image_caption,
        "credit": article.hero_image_credit,
        "renditions": [
            {
                "url": ctx.absolute(storage.url(rendition["name"])),
                "width": rendition["width"],
                "height": rendition["height"],
                "format": "webp",
            }
            for rendition in article.hero_renditions.get("webp", [])
        ],
    }


def _read_next(entry: ReadNextEntry, ctx: Context) -> dict:
    target = entry.target
    return {
        "id": target.pk,
        "slug": target.slug,
        "headline": target.headline,
        "url": _article_url(target, ctx),
        "api_url": ctx.absolute(f"/api/v1/articles/{target.slug}/"),
        "section": _section(target.section, ctx),
        "pinned": entry.kind == ReadNextEntry.Kind.PINNED,
        "reason": entry.reason_text,
        "reasons": [
            {"kind": reason["kind"], "name": reason["name"], "slug": reason["slug"]}
            for reason in entry.reasons
        ],
    }


ARTICLE_FIELDS: dict[str, Field] = {
    "id": Field(lambda a, ctx: a.pk),
    "slug": Field(lambda a, ctx: a.slug),
    "url": Field(_article_url, frozenset({"section"})),
    "headline": Field(lambda a, ctx: a.headline),
    "dek": Field(lambda a, ctx: a.dek),
    "summary": Field(lambda a, ctx: a.summary),
    "body_html": Field(lambda a, ctx: a.body_html),
    "body_text": Field(lambda a, ctx: plain_text(a.body_html)),
    "section": Field(lambda a, ctx: _section(a.section, ctx), frozenset({"section"})),
    "authors": Field(
        lambda a, ctx: [
            {"slug": slug, "name": name, "url": ctx.url_of(Author(slug=slug))}
            for slug, name in a.api_rows["bylines"]
        ],
        frozenset({"bylines"}),
    ),
    "tags": Field(
        lambda a, ctx: [
            {"slug": slug, "name": name} for slug, name in a.api_rows["tags"]
        ],
        frozenset({"tags"}),
    ),
    "entities": Field(
        lambda a, ctx: [
            {
                "slug": slug,
                "name": name,
                "kind": kind,
                "wikidata_id": wikidata_id or None,
            }
            for slug, name, kind, wikidata_id in a.api_rows["mentions"]
        ],
        frozenset({"mentions"}),
    ),
    "hero_image": Field(_hero_image),
    "published_at": Field(lambda a, ctx: _iso(a.published_at)),
    "updated_at": Field(lambda a, ctx: _iso(a.date_modified)),
    "corrections": Field(
        lambda a, ctx: [
            {"kind": kind, "note": note, "created_at": _iso(created_at)}
            for kind, note, created_at in a.api_rows["corrections"]
        ],
        frozenset({"corrections"}),
    ),
    "read_next": Field(
        lambda a, ctx: [_read_next(entry, ctx) for entry in a.read_next],
        frozenset({"read_next"}),
    ),
}
# A list leaves out Read These Next unless asked: it is for a page's foot.
LIST_DEFAULT_FIELDS = [name for name in ARTICLE_FIELDS if name != "read_next"]


# Related rows read as tuples, one query each for the whole page: the same
# rows and order as ArticleQuerySet.with_related's prefetches, without a model
# instance per tag, byline, mention and entity (most of a page's time).
ROWS = {
    "bylines": lambda ids: (
        Byline.objects.filter(article_id__in=ids)
        .order_by("position", "pk")
        .values_list("article_id", "author__slug", "author__name")
    ),
    "tags": lambda ids: (
        TaggedArticle.objects.filter(content_object_id__in=ids)
        .order_by("tag__name", "tag_id")
        .values_list("content_object_id", "tag__slug", "tag__name")
    ),
    "mentions": lambda ids: (
        Mention.objects.confirmed()
        .filter(article_id__in=ids)
        .order_by("entity__kind", "entity__name", "entity_id")
        .values_list(
            "article_id",
            "entity__slug",
            "entity__name",
            "entity__kind",
            "entity__wikidata_id",
        )
    ),
    "corrections": lambda ids: (
        Correction.objects.filter(article_id__in=ids)
        .order_by("created_at", "pk")
        .values_list("article_id", "kind", "note", "created_at")
    ),
}


def represent(articles, names: list[str], ctx: Context) -> list[dict]:
    """Turn articles into dicts of the named fields, in the fields' order."""
    articles = list(articles)
    needs = set().union(*(ARTICLE_FIELDS[name].needs for name in names))
    ids = [article.pk for article in articles]
    grouped: dict[str, dict[int, list]] = {}
    for part in needs & ROWS.keys():
        grouped[part] = defaultdict(list)
        for article_id, *row in ROWS[part](ids) if ids else []:
            grouped[part][article_id].append(row)
    for article in articles:
        article.api_rows = {part: rows[article.pk] for part, rows in grouped.items()}
    builders = [(name, ARTICLE_FIELDS[name].build) for name in names]
    return [
        {name: build(article, ctx) for name, build in builders} for article in articles
    ]


def related_parts(names: list[str]) -> set[str]:
    """What ArticleQuerySet.with_related fetches for these fields (the rest: ROWS)."""
    needs = set().union(*(ARTICLE_FIELDS[name].needs for name in names))
    return needs - ROWS.keys()


# Serializers: the documented contract (schema), checked against
# ARTICLE_FIELDS by the tests.


class SectionRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()


class AuthorRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()


class TagRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class EntityRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Entity.Kind.choices)
    wikidata_id = serializers.CharField(allow_null=True, help_text="Such as Q6686.")


class RenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    format = serializers.CharField()


class HeroImageSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The image as uploaded.")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    alt = serializers.CharField(allow_blank=True)
    caption = serializers.CharField(allow_blank=True)
    credit = serializers.CharField(allow_blank=True)
    renditions = RenditionSerializer(
        many=True, help_text="WebP copies, narrowest first."
    )


class CorrectionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["correction", "update"])
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReasonSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["entity", "tag"])
    name = serializers.CharField()
    slug = serializers.SlugField()


class ReadNextSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    headline = serializers.CharField()
    url = serializers.URLField()
    api_url = serializers.URLField()
    section = SectionRefSerializer()
    pinned = serializers.BooleanField(help_text="Chosen by an editor.")
    reason = serializers.CharField(
        allow_blank=True, help_text="For readers: “Also about Renault and Geely”."
    )
    reasons = ReasonSerializer(many=True)


class ArticleSerializer(serializers.Serializer):
    """A live article. With ``fields=``, only the fields named are present."""

    id = serializers.IntegerField(required=False)
    slug = serializers.SlugField(required=False)
    url = serializers.URLField(required=False, help_text="Its canonical address.")
    headline = serializers.CharField(required=False)
    dek = serializers.CharField(required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    body_html = serializers.CharField(
        required=False, help_text="Sanitized HTML, as the site shows it."
    )
    body_text = serializers.CharField(required=False, help_text="Plain text.")
    section = SectionRefSerializer(required=False)
    authors = AuthorRefSerializer(many=True, required=False)
    tags = TagRefSerializer(many=True, required=False)
    entities = EntityRefSerializer(many=True, required=False)
    hero_image = HeroImageSerializer(required=False, allow_null=True)
    published_at = serializers.DateTimeField(required=False)
    updated_at = serializers.DateTimeField(
        required=False, help_text="When the text last changed, else published_at."
    )
    corrections = CorrectionSerializer(many=True, required=False)
    read_next = ReadNextSerializer(
        many=True, required=False, help_text="Only in a list when fields names it."
    )


class TombstoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    reason = serializers.ChoiceField(choices=["withdrawn", "deleted", "expired"])
    at = serializers.DateTimeField(help_text="When it stopped being public.")


@extend_schema_serializer(many=False)
class ArticlePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page, if any.")
    results = ArticleSerializer(many=True)
    tombstones = TombstoneSerializer(
        many=True,
        required=False,
        help_text="With updated_since, on the first page: articles taken down "
        "since then.",
    )


# --- Documentation helpers ----------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    param = serializers.CharField(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


ERRORS = {
    400: _error("A parameter is unknown or has a bad value; `param` names it."),
    401: _error(
        "No key (missing_api_key), a malformed one (malformed_api_key) or an "
        "unknown one (unknown_api_key)."
    ),
    403: _error(
        "The key is revoked (revoked_api_key) or expired (expired_api_key), or "
        "its partner is inactive (inactive_partner)."
    ),
    429: _error("Over the key's rate (rate_limited); see Retry-After."),
    503: _error("The database is unavailable (service_unavailable)."),
}
NOT_FOUND = {404: _error("No live resource with this slug (not_found).")}

CURSOR = OpenApiParameter(
    "cursor",
    OpenApiTypes.STR,
    description="Where the page starts: use the `next` link as given.",
)
PAGE_SIZE = OpenApiParameter(
    "page_size",
    OpenApiTypes.INT,
    description=f"Items per page, 1 to {api.MAX_PAGE_SIZE} "
    f"(default {api.DEFAULT_PAGE_SIZE}).",
)


def slug_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "slug",
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        description=f"The {what}'s slug, as in its site address.",
    )


def fields_parameter(default: str) -> OpenApiParameter:
    return OpenApiParameter(
        "fields",
        OpenApiTypes.STR,
        description="Comma-separated field names to return (and compute): "
        + ", ".join(ARTICLE_FIELDS)
        + f". Default: {default}.",
    )


def page_of(item: type[serializers.Serializer], name: str) -> type:
    """A documented page of ``item``: one object, not a list of them."""
    return extend_schema_serializer(many=False)(
        type(
            name,
            (serializers.Serializer,),
            {
                "next": serializers.URLField(
                    allow_null=True, help_text="The next page, if any."
                ),
                "results": item(many=True),
            },
        )
    )


# --- Articles -----------------------------------------------------------------------

ARTICLE_LIST_PARAMS = {
    *ArticleFilter.base_filters,
    "fields",
    "cursor",
    "page_size",
}


@extend_schema_view(
    list=extend_schema(
        summary="Live articles, newest first",
        parameters=[
            fields_parameter("every field but read_next"),
            CURSOR,
            PAGE_SIZE,
        ],
        responses={200: ArticlePageSerializer, **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One live article",
        parameters=[slug_parameter("article"), fields_parameter("every field")],
        responses={200: ArticleSerializer, **ERRORS, **NOT_FOUND},
    ),
)
class ArticleViewSet(viewsets.GenericViewSet):
    serializer_class = ArticleSerializer
    filter_backends = [ParamErrorFilterBackend]
    filterset_class = ArticleFilter
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self) -> QuerySet:
        # What the answers call updated_at (Article.date_modified), in SQL.
        # The Markdown source is never shown: leave it in the database.
        return (
            Article.objects.live()
            .defer("body")
            .annotate(
                modified_at=Greatest(
                    "published_at", Coalesce("updated_at", "published_at")
                )
            )
        )

    def list(self, request, *args, **kwargs) -> HttpResponse:
        api.check_parameters(request, ARTICLE_LIST_PARAMS)
        return api.cached_json(request, lambda: self._page(request))

    def retrieve(self, request, slug: str, *args, **kwargs) -> HttpResponse:
        api.check_parameters(request, {"fields"})
        return api.cached_json(request, lambda: self._article(request, slug))

    def _article(self, request: HttpRequest, slug: str) -> dict:
        names = api.requested_fields(request, ARTICLE_FIELDS, ARTICLE_FIELDS)
        article = (
            Article.objects.live()
            .with_related(related_parts(names))
            .filter(slug=slug)
            .first()
        )
        if article is None:
            raise NotFound(f"No live article with the slug “{slug}”.", "not_found")
        return represent([article], names, Context(api.absolute(request)))[0]

    def _page(self, request: HttpRequest) -> dict:
        names = api.requested_fields(request, ARTICLE_FIELDS, LIST_DEFAULT_FIELDS)
        size = api.page_size(request)
        query = request.GET.get("q", "")
        ordering = request.GET.get("ordering") or (
            "relevance" if query else "-published_at"
        )
        articles = self.filter_queryset(self.get_queryset())
        if ordering == "relevance" and not query:
            raise api.ParamError(
                "ordering", "ordering=relevance needs a search: add q=…"
            )
        cursor = api.decode_cursor(request, ordering)
        if ordering == "relevance":
            page, position = self._ranked(articles, query, cursor, size)
        else:
            page, position = self._keyset(articles, ordering, cursor, size)
        ctx = Context(api.absolute(request))
        body = {
            "next": api.next_link(request, position),
            "results": represent(page, names, ctx),
        }
        since = request.GET.get("updated_since")
        if since and cursor is None:
            body["tombstones"] = tombstones_since(
                ArticleFilter.base_filters["updated_since"].field.clean(since)
            )
        return body

    def _keyset(
        self, articles: QuerySet, ordering: str, cursor: dict | None, size: int
    ) -> tuple[list[Article], dict | None]:
        # (moment, id) keysets: a story published meanwhile lands before the
        # first page or after the last, never shifting the pages in between.
        field, descending = ORDERINGS[ordering]
        if cursor is not None:
            moment = _cursor_moment(cursor)
            after = "lt" if descending else "gt"
            articles = articles.filter(
                Q(**{f"{field}__{after}": moment})
                | Q(**{field: moment, f"pk__{after}": cursor.get("id")})
            )
        order = [F(field).desc(), F("pk").desc()] if descending else [field, "pk"]
        names = api.requested_fields(self.request, ARTICLE_FIELDS, LIST_DEFAULT_FIELDS)
        rows = list(
            articles.with_related(related_parts(names)).order_by(*order)[: size + 1]
        )
        page = rows[:size]
        position = None
        if len(rows) > size:
            last = page[-1]
            position = {
                "order": ordering,
                "at": getattr(last, field).isoformat(),
                "id": last.pk,
            }
        return page, position

    def _ranked(
        self, articles: QuerySet, query: str, cursor: dict | None, size: int
    ) -> tuple[list[Article], dict | None]:
        offset = cursor.get("offset", 0) if cursor else 0
        if not isinstance(offset, int) or offset < 0:
            raise api.ParamError("cursor", "This cursor is not one the API gave.")
        ids = search.ranked_ids(
            articles.order_by(), query, offset=offset, limit=size + 1
        )
        names = api.requested_fields(self.request, ARTICLE_FIELDS, LIST_DEFAULT_FIELDS)
        by_id = (
            Article.objects.with_related(related_parts(names))
            .defer("body")
            .in_bulk(ids[:size])
        )
        page = [by_id[pk] for pk in ids[:size] if pk in by_id]
        position = None
        if len(ids) > size:
            position = {"order": "relevance", "offset": offset + size}
        return page, position


def _cursor_moment(cursor: dict) -> datetime.datetime:
    moment = None
    if isinstance(cursor.get("at"), str) and isinstance(cursor.get("id"), int):
        try:
            moment = datetime.datetime.fromisoformat(cursor["at"])
        except ValueError:
            moment = None
    if moment is None or timezone.is_naive(moment):
        raise api.ParamError("cursor", "This cursor is not one the API gave.")
    return moment


def tombstones_since(since: datetime.datetime) -> list[dict]:
    """Articles withdrawn, deleted or expired since ``since`` and not live now."""
    now = timezone.now()
    live = set(Article.objects.live().values_list("pk", flat=True).order_by())
    stones = [
        {
            "id": stone.article_id,
            "slug": stone.slug,
            "reason": stone.reason,
            "at": stone.created_at,
        }
        for stone in Tombstone.objects.filter(created_at__gte=since)
    ]
    expired = Article.objects.filter(
        status=Article.Status.PUBLISHED,
        expires_at__gte=since,
        expires_at__lte=now,
    ).values_list("pk", "slug", "expires_at")
    stones += [
        {"id": pk, "slug": slug, "reason": "expired", "at": at}
        for pk, slug, at in expired
    ]
    stones = [stone for stone in stones if stone["id"] not in live]
    stones.sort(key=lambda stone: (stone["at"], stone["id"]))
    return [{**stone, "at": _iso(stone["at"])} for stone in stones]


# --- Sections, tags, authors -----------------------------------------------------


def live_article_ids() -> QuerySet:
    return Article.objects.live().values("pk")


class SectionSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    url = serializers.URLField()
    article_count = serializers.IntegerField(help_text="Live articles.")


class TagSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()
    article_count = serializers.IntegerField(help_text="Live articles.")


class AuthorSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    bio = serializers.CharField(allow_blank=True)
    url = serializers.URLField()
    article_count = serializers.IntegerField(help_text="Live articles.")


def slug_page(
    request: HttpRequest,
    rows: QuerySet,
    represent_row: Callable[[object, Callable[[str], str]], dict],
) -> dict:
    """A page of ``rows`` in slug order, from the cursor on."""
    size = api.page_size(request)
    cursor = api.decode_cursor(request, "slug")
    if cursor is not None:
        if not isinstance(cursor.get("after"), str):
            raise api.ParamError("cursor", "This cursor is not one the API gave.")
        rows = rows.filter(slug__gt=cursor["after"])
    found = list(rows.order_by("slug")[: size + 1])
    absolute = api.absolute(request)
    position = None
    if len(found) > size:
        position = {"order": "slug", "after": found[size - 1].slug}
    return {
        "next": api.next_link(request, position),
        "results": [represent_row(row, absolute) for row in found[:size]],
    }


class TaxonomyViewSet(viewsets.GenericViewSet):
    """A list in slug order, cursor-paginated; subclasses choose the rows."""

    pagination_class = None

    def rows(self) -> QuerySet:
        raise NotImplementedError

    def represent_row(self, row, absolute: Callable[[str], str]) -> dict:
        raise NotImplementedError

    def list(self, request, *args, **kwargs) -> HttpResponse:
        api.check_parameters(request, {"cursor", "page_size"})
        return api.cached_json(
            request, lambda: slug_page(request, self.rows(), self.represent_row)
        )


LIST_ERRORS = {**ERRORS}


@extend_schema_view(
    list=extend_schema(
        summary="Every section, with its count of live articles",
        parameters=[CURSOR, PAGE_SIZE],
        responses={200: page_of(SectionSerializer, "SectionPage"), **LIST_ERRORS},
    )
)
class SectionViewSet(TaxonomyViewSet):
    serializer_class = SectionSerializer

    def rows(self) -> QuerySet:
        return Section.objects.annotate(
            article_count=Count("articles", filter=Q(articles__in=live_article_ids()))
        )

    def represent_row(self, section: Section, absolute) -> dict:
        return {
            "slug": section.slug,
            "name": section.name,
            "description": section.description,
            "url": absolute(section.get_absolute_url()),
            "article_count": section.article_count,
        }


@extend_schema_view(
    list=extend_schema(
        summary="Tags on live articles, with their counts",
        parameters=[CURSOR, PAGE_SIZE],
        responses={200: page_of(TagSerializer, "TagPage"), **LIST_ERRORS},
    )
)
class TagViewSet(TaxonomyViewSet):
    serializer_class = TagSerializer

    def rows(self) -> QuerySet:
        return Tag.objects.filter(
            tagged_articles__content_object__in=live_article_ids()
        ).annotate(article_count=Count("tagged_articles"))

    def represent_row(self, tag: Tag, absolute) -> dict:
        return {
            "slug": tag.slug,
            "name": tag.name,
            "url": absolute(tag.get_absolute_url()),
            "article_count": tag.article_count,
        }


@extend_schema_view(
    list=extend_schema(
        summary="Authors with live articles, with their counts",
        parameters=[CURSOR, PAGE_SIZE],
        responses={200: page_of(AuthorSerializer, "AuthorPage"), **LIST_ERRORS},
    )
)
class AuthorViewSet(TaxonomyViewSet):
    serializer_class = AuthorSerializer

    def rows(self) -> QuerySet:
        return Author.objects.filter(bylines__article__in=live_article_ids()).annotate(
            article_count=Count("bylines")
        )

    def represent_row(self, author: Author, absolute) -> dict:
        return {
            "slug": author.slug,
            "name": author.name,
            "bio": author.bio,
            "url": absolute(author.get_absolute_url()),
            "article_count": author.article_count,
        }
