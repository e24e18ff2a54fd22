"""Build model instances for tests with sensible defaults; override what matters."""

import datetime
import itertools

from django.utils import timezone

from articles import recommendations
from articles.models import (
    Article,
    Author,
    Byline,
    Correction,
    ReadNextPin,
    Section,
    Tag,
)
from entities.models import Entity, EntityAlias, Mention

_sequence = itertools.count(1)


def section(**fields) -> Section:
    number = next(_sequence)
    fields.setdefault("name", f"Section {number}")
    fields.setdefault("slug", f"section-{number}")
    return Section.objects.create(**fields)


def author(**fields) -> Author:
    number = next(_sequence)
    fields.setdefault("name", f"Reporter {number}")
    fields.setdefault("slug", f"reporter-{number}")
    return Author.objects.create(**fields)


def tag(**fields) -> Tag:
    number = next(_sequence)
    fields.setdefault("name", f"Topic {number}")
    fields.setdefault("slug", f"topic-{number}")
    return Tag.objects.create(**fields)


def article(**fields) -> Article:
    """A live article unless status or published_at say otherwise."""
    number = next(_sequence)
    fields.setdefault("headline", f"Story number {number}")
    fields.setdefault("slug", f"story-number-{number}")
    fields.setdefault(
        "body", f"The first paragraph of story {number}.\n\nA second one."
    )
    fields.setdefault("status", Article.Status.PUBLISHED)
    if fields["status"] == Article.Status.PUBLISHED:
        fields.setdefault(
            "published_at", timezone.now() - datetime.timedelta(hours=number)
        )
    if "section" not in fields:
        fields["section"] = section()
    return Article.objects.create(**fields)


def byline(article: Article, author: Author, position: int = 0) -> Byline:
    return Byline.objects.create(article=article, author=author, position=position)


def pin(article: Article, target: Article, position: int = 0) -> ReadNextPin:
    """Pin a story, mirrored into the stored list as the admin and importer do."""
    created = ReadNextPin.objects.create(
        article=article, target=target, position=position
    )
    recommendations.sync_pins(article)
    return created


def correction(article: Article, **fields) -> Correction:
    fields.setdefault("note", "An earlier version misstated a figure.")
    return Correction.objects.create(article=article, **fields)


def entity(**fields) -> Entity:
    number = next(_sequence)
    fields.setdefault("name", f"Entity {number}")
    fields.setdefault("slug", f"entity-{number}")
    fields.setdefault("kind", Entity.Kind.COMPANY)
    return Entity.objects.create(**fields)


def alias(entity: Entity, name: str) -> EntityAlias:
    return EntityAlias.objects.create(entity=entity, name=name)


def mention(article: Article, entity: Entity, **fields) -> Mention:
    fields.setdefault("status", Mention.Status.CONFIRMED)
    return Mention.objects.create(article=article, entity=entity, **fields)
