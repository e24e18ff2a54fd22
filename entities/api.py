"""The partner API's entities: those named in live articles, with their Wikidata ids."""

from collections.abc import Callable

from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from articles.api import (
    CURSOR,
    ERRORS,
    NOT_FOUND,
    PAGE_SIZE,
    ArticleSerializer,
    Context,
    TaxonomyViewSet,
    live_article_ids,
    page_of,
    related_parts,
    represent,
    slug_parameter,
)
from articles.models import Article
from entities.models import Entity, Mention
from newsroom import api

# The articles an entity's detail lists; the rest via /articles/?entity=<slug>.
ENTITY_ARTICLES = 20
ENTITY_ARTICLE_FIELDS = [
    "id",
    "slug",
    "url",
    "headline",
    "dek",
    "section",
    "published_at",
]


class EntitySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Entity.Kind.choices)
    wikidata_id = serializers.CharField(allow_null=True, help_text="Such as Q6686.")
    description = serializers.CharField(allow_blank=True)
    url = serializers.URLField()
    article_count = serializers.IntegerField(help_text="Live articles mentioning it.")


class EntityDetailSerializer(EntitySerializer):
    aliases = serializers.ListField(child=serializers.CharField())
    articles = ArticleSerializer(
        many=True,
        help_text=f"The {ENTITY_ARTICLES} newest live articles mentioning it, with "
        + ", ".join(ENTITY_ARTICLE_FIELDS)
        + ".",
    )
    articles_url = serializers.URLField(help_text="All of them, paginated.")


def _entities() -> QuerySet:
    return Entity.objects.filter(
        mentions__status=Mention.Status.CONFIRMED,
        mentions__article__in=live_article_ids(),
    ).annotate(article_count=Count("mentions"))


def _represent(entity: Entity, absolute: Callable[[str], str]) -> dict:
    return {
        "slug": entity.slug,
        "name": entity.name,
        "kind": entity.kind,
        "wikidata_id": entity.wikidata_id or None,
        "description": entity.description,
        "url": absolute(entity.get_absolute_url()),
        "article_count": entity.article_count,
    }


@extend_schema_view(
    list=extend_schema(
        summary="Entities named in live articles, with their counts",
        parameters=[CURSOR, PAGE_SIZE],
        responses={200: page_of(EntitySerializer, "EntityPage"), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One entity, with the newest live articles that mention it",
        parameters=[slug_parameter("entity")],
        responses={200: EntityDetailSerializer, **ERRORS, **NOT_FOUND},
    ),
)
class EntityViewSet(TaxonomyViewSet):
    serializer_class = EntitySerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def rows(self) -> QuerySet:
        return _entities()

    def represent_row(self, entity: Entity, absolute) -> dict:
        return _represent(entity, absolute)

    def retrieve(self, request, slug: str, *args, **kwargs) -> HttpResponse:
        api.check_parameters(request, set())
        return api.cached_json(request, lambda: self._entity(request, slug))

    def _entity(self, request: HttpRequest, slug: str) -> dict:
        entity = _entities().prefetch_related("aliases").filter(slug=slug).first()
        if entity is None:
            raise NotFound(
                f"No entity “{slug}” is named in a live article.", "not_found"
            )
        absolute = api.absolute(request)
        articles = (
            Article.objects.live()
            .mentioning(entity)
            .with_related(related_parts(ENTITY_ARTICLE_FIELDS))[:ENTITY_ARTICLES]
        )
        return {
            **_represent(entity, absolute),
            "aliases": [alias.name for alias in entity.aliases.all()],
            "articles": represent(articles, ENTITY_ARTICLE_FIELDS, Context(absolute)),
            "articles_url": absolute(f"/api/v1/articles/?entity={entity.slug}"),
        }
