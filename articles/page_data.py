"""The article page's parts, rendered when the content changes, not per request.

An uncached article page used to load the article with its bylines, tags,
mentions, Read These Next and corrections (seven queries) and render them
through loops, ``reverse()`` and JSON-LD on every request. Here those parts
are rendered once, with the same templates, into ``Article.page_data``:

- ``meta``: Open Graph, Twitter card, feed links and JSON-LD, with
  ``BASE_URL`` standing for the scheme and host, which only the request knows;
- ``story``: breadcrumbs, header, hero, body, corrections, tags and entities;
- ``read_next``: every candidate card with its target's visibility window, so
  that the page picks the first live ones by the clock alone.

Every write that changes what the parts show sets ``page_data`` to None in the
writing transaction (``invalidate``; signal receivers below, explicit calls
after bulk writes) and draws a new ``page_data_token``; once the transaction
commits, the newest affected articles are rebuilt. Until then, or when the
stored parts were rendered under other settings or templates (``stamp``), the
view renders them live from the database: slower, never stale.
"""

import functools
import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.test.signals import setting_changed

from articles import metadata
from articles.models import (
    Article,
    Author,
    Byline,
    Correction,
    ReadNextEntry,
    ReadNextPin,
    Section,
    Tag,
    TaggedArticle,
)
from entities.models import Entity, Mention

# Stands for "scheme://host" in stored absolute URLs; .invalid never resolves.
BASE_URL = "http://page-data.invalid"
STORY_TEMPLATE = "articles/includes/story.html"
CARD_TEMPLATE = "articles/includes/read_next_card.html"
META_TEMPLATE = "includes/page_meta.html"
# Templates whose output is stored: editing one makes every stored part stale.
STORED_TEMPLATES = (
    STORY_TEMPLATE,
    CARD_TEMPLATE,
    META_TEMPLATE,
    "includes/feed_links.html",
    "includes/hero_image.html",
)
# Rebuilt right after a change; a rename touching more articles leaves the
# older ones to be rendered live until `rebuild_page_data` runs.
REBUILD_AFTER_COMMIT = 200
REBUILD_BATCH = 100


@functools.cache
def stamp() -> str:
    """What stored parts depend on besides the content: settings and templates.

    Once per process (settings and templates change with a restart), and again
    when a test overrides a setting.
    """
    sources = "".join(get_template(name).template.source for name in STORED_TEMPLATES)
    return "|".join(
        [
            hashlib.sha256(sources.encode()).hexdigest()[:16],
            settings.NEWSROOM_SITE_NAME,
            settings.LANGUAGE_CODE,
            settings.TIME_ZONE,
            static(metadata.LOGO[0]),
            static(metadata.SHARE_IMAGE[0]),
            default_storage.base_url or "",
        ]
    )


@receiver(setting_changed)
def _forget_stamp(**kwargs) -> None:
    stamp.cache_clear()


def build(article: Article) -> dict:
    """Render the page parts of an article fetched with ``for_page_data()``
    (or ``for_detail()``, or a revision's preview)."""
    path = article.get_absolute_url()
    page_meta = metadata.page_meta(article, base_url=BASE_URL, url=BASE_URL + path)
    return {
        "stamp": stamp(),
        "path": path,
        "section_slug": article.section.slug,
        "title": article.headline,
        "description": metadata.description(article),
        "meta": render_to_string(
            META_TEMPLATE,
            {"meta": page_meta, "site_name": settings.NEWSROOM_SITE_NAME},
        ),
        "story": render_to_string(STORY_TEMPLATE, {"article": article}),
        "read_next": [
            [
                _timestamp(entry.target.published_at),
                _timestamp(entry.target.expires_at),
                render_to_string(CARD_TEMPLATE, {"entry": entry}),
            ]
            for entry in article.read_next
        ],
    }


def _timestamp(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def is_current(data: dict | None) -> bool:
    return data is not None and data.get("stamp") == stamp()


def for_request(data: dict, *, base_url: str, now: datetime) -> dict:
    """The parts as a page shows them: this host's URLs, the live cards only."""
    moment = now.timestamp()
    cards = [
        html
        for published, expires, html in data["read_next"]
        if published is not None
        and published <= moment
        and (expires is None or moment < expires)
    ]
    return {
        **data,
        "meta": data["meta"].replace(BASE_URL, base_url),
        "read_next": cards[: settings.NEWSROOM_READ_NEXT_COUNT],
    }


def rebuild(article_ids: Iterable[int]) -> int:
    """Store fresh parts for these articles; return how many were stored."""
    ids = sorted(set(article_ids))
    stored = 0
    for start in range(0, len(ids), REBUILD_BATCH):
        batch = ids[start : start + REBUILD_BATCH]
        for article in Article.objects.for_page_data().filter(pk__in=batch):
            # Only if nothing invalidated the article since it was read.
            stored += Article.objects.filter(
                pk=article.pk, page_data_token=article.page_data_token
            ).update(page_data=build(article))
    return stored


def published() -> models.QuerySet:
    """The articles whose pages may be shown, now or at their scheduled time."""
    return Article.objects.filter(status=Article.Status.PUBLISHED)


def stale() -> models.QuerySet:
    """Published articles whose stored parts are missing or out of date."""
    return published().filter(Q(page_data__isnull=True) | ~Q(page_data__stamp=stamp()))


def invalidate(articles: models.QuerySet | Iterable[int]) -> None:
    """Forget the stored parts of these articles (a QuerySet of them or ids);
    rebuild the newest once the transaction commits."""
    if not isinstance(articles, models.QuerySet):
        articles = Article.objects.filter(pk__in=list(articles))
    articles.update(page_data=None, page_data_token=secrets.randbelow(2**31))
    transaction.on_commit(functools.partial(_rebuild_newest, articles))


def _rebuild_newest(articles: models.QuerySet) -> None:
    ids = (
        articles.filter(status=Article.Status.PUBLISHED, page_data__isnull=True)
        .order_by("-published_at")
        .values_list("pk", flat=True)[:REBUILD_AFTER_COMMIT]
    )
    rebuild(list(ids))


def _readers_of(article_ids: models.QuerySet | list[int]) -> models.QuerySet:
    """The articles themselves and those whose Read These Next show them."""
    return Article.objects.filter(
        Q(pk__in=article_ids)
        | Q(
            pk__in=ReadNextEntry.objects.filter(target__in=article_ids).values(
                "article_id"
            )
        )
    )


# Signal receivers. Raw saves (loaddata, a restore) are followed by
# `rebuild_page_data`; a freshly created tag, entity, author or section is
# on no article yet.


def _article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if not raw:
        invalidate(_readers_of([instance.pk]))


def _article_deleting(sender, instance: Article, **kwargs) -> None:
    # Before the cascade takes the Read These Next rows that name it.
    invalidate(
        Article.objects.filter(
            pk__in=list(
                ReadNextEntry.objects.filter(target=instance).values_list(
                    "article_id", flat=True
                )
            )
        )
    )


def _part_changed(sender, instance: models.Model, raw: bool = False, **kwargs) -> None:
    if not raw:
        article_id = getattr(instance, "article_id", None)
        invalidate([getattr(instance, "content_object_id", article_id)])


def _articles_of(instance: models.Model) -> models.QuerySet:
    if isinstance(instance, Section):
        return Article.objects.filter(section=instance)
    if isinstance(instance, Author):
        return Article.objects.filter(
            pk__in=Byline.objects.filter(author=instance).values("article_id")
        )
    if isinstance(instance, Tag):
        return Article.objects.filter(
            pk__in=TaggedArticle.objects.filter(tag=instance).values(
                "content_object_id"
            )
        )
    articles = Mention.objects.filter(entity=instance).values("article_id")
    return Article.objects.filter(pk__in=articles)


def _named_saved(
    sender, instance: models.Model, created: bool, raw: bool = False, **kwargs
) -> None:
    if not raw and not created:
        # A card names its target's section: readers of these articles too.
        articles = _articles_of(instance)
        if isinstance(instance, Section):
            articles = _readers_of(articles.values("pk"))
        invalidate(articles)


def connect_signals() -> None:
    """Forget stored parts on every save and delete that changes what they show."""
    post_save.connect(_article_saved, sender=Article, dispatch_uid="page_article")
    pre_delete.connect(_article_deleting, sender=Article, dispatch_uid="page_article")
    for model in (Byline, TaggedArticle, Mention, Correction, ReadNextPin):
        for signal in (post_save, post_delete):
            signal.connect(_part_changed, sender=model, dispatch_uid="page_part")
    for model in (Section, Author, Tag, Entity):
        post_save.connect(_named_saved, sender=model, dispatch_uid="page_named")
