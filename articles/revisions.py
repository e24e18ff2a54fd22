"""Revisions of articles, kept with django-reversion.

A revision holds the article and everything an editor changes with it:
bylines, tags, Read These Next pins, entity decisions and corrections. Nothing
here deletes a revision; a revert is one more revision.
"""

import difflib
import re
from dataclasses import dataclass, field

import reversion
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version

from articles import recommendations
from articles.models import (
    Article,
    Author,
    Byline,
    Correction,
    ReadNextPin,
    Section,
    Tag,
    TaggedArticle,
)
from articles.rendering import first_paragraph_summary, render_markdown

# What a revert restores: the article's content, not its place in the workflow.
CONTENT_FIELDS = [
    "headline",
    "slug",
    "dek",
    "body",
    "section_id",
    "hero_image",
    "hero_image_alt",
    "hero_image_caption",
    "hero_image_credit",
]

# Derived from other fields, or bookkeeping that changes on every save: keeping
# it would make every save look like a change.
UNVERSIONED_FIELDS = [
    "body_html",
    "summary",
    "revised_at",
    "revised_by",
    "edit_version",
    "updated_at",
    "tags",
    "authors",
    "page_data",
    "page_data_token",
]

FOLLOWED = ["bylines", "tagged_items", "read_next_pins", "mentions", "corrections"]


def register() -> None:
    """Register the article and what is edited with it (called once at startup)."""
    Mention = apps.get_model("entities", "Mention")
    if reversion.is_registered(Article):
        return
    reversion.register(Article, exclude=UNVERSIONED_FIELDS, follow=FOLLOWED)
    for model in (Byline, TaggedArticle, ReadNextPin, Correction):
        reversion.register(model)
    reversion.register(Mention)


def save_revision(article: Article, *, user, comment: str) -> None:
    """Record the article and its related objects as they are now.

    Called once, after everything in a change has been saved: an article
    whose own fields did not change but whose tags or pins did is still one
    revision of the article, holding the new set.
    """
    with reversion.create_revision(manage_manually=True):
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)
        reversion.add_to_revision(article)


def versions_of(article: Article):
    """The article's versions, newest first, with who saved them and when."""
    return (
        Version.objects.get_for_object(article)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def version_of(article: Article, version_id: int) -> Version | None:
    return versions_of(article).filter(pk=version_id).first()


@dataclass
class Snapshot:
    """An article as one revision saved it, with its related objects."""

    version: Version
    article: Article
    bylines: list[Byline] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    pins: list[ReadNextPin] = field(default_factory=list)
    mentions: list = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)

    @property
    def author_names(self) -> list[str]:
        return [byline.author.name for byline in self.bylines]

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags]

    @property
    def pin_headlines(self) -> list[str]:
        return [pin.target.headline for pin in self.pins]

    @property
    def entity_decisions(self) -> list[str]:
        return [
            f"{mention.entity.name} ({mention.get_status_display().lower()})"
            for mention in self.mentions
        ]

    @property
    def correction_notes(self) -> list[str]:
        return [
            f"{note.get_kind_display()} {note.created_at:%Y-%m-%d}: {note.note}"
            for note in self.corrections
        ]


def _objects_in_revision(version: Version, model) -> list:
    content_type = ContentType.objects.get_for_model(model)
    versions = version.revision.version_set.filter(content_type=content_type)
    return [child._object_version.object for child in versions]


def snapshot(version: Version) -> Snapshot:
    """Rebuild an article and its related objects as ``version`` saved them.

    Related rows deleted since (an author, a tag, a pinned story) are left out
    rather than invented.
    """
    Mention = apps.get_model("entities", "Mention")
    Entity = apps.get_model("entities", "Entity")
    article: Article = version._object_version.object
    article.body_html = render_markdown(article.body)
    article.summary = article.dek or first_paragraph_summary(article.body_html)
    current = Article.objects.filter(pk=article.pk).first()
    section = Section.objects.filter(pk=article.section_id).first()
    if section is None and current is not None:
        section = current.section
    article.section = section
    article.slug = article.slug or (current.slug if current else "")

    bylines = sorted(
        (
            byline
            for byline in _objects_in_revision(version, Byline)
            if byline.article_id == article.pk
        ),
        key=lambda byline: (byline.position, byline.pk),
    )
    authors = Author.objects.in_bulk([byline.author_id for byline in bylines])
    for byline in bylines:
        byline.author = authors.get(byline.author_id)
    taggings = [
        item
        for item in _objects_in_revision(version, TaggedArticle)
        if item.content_object_id == article.pk
    ]
    tags = sorted(
        Tag.objects.filter(pk__in=[item.tag_id for item in taggings]),
        key=lambda tag: tag.name,
    )
    pins = sorted(
        (
            pin
            for pin in _objects_in_revision(version, ReadNextPin)
            if pin.article_id == article.pk
        ),
        key=lambda pin: (pin.position, pin.pk),
    )
    targets = Article.objects.select_related("section").in_bulk(
        [pin.target_id for pin in pins]
    )
    for pin in pins:
        pin.target = targets.get(pin.target_id)
    mentions = [
        mention
        for mention in _objects_in_revision(version, Mention)
        if mention.article_id == article.pk
    ]
    entities = Entity.objects.in_bulk([mention.entity_id for mention in mentions])
    for mention in mentions:
        mention.entity = entities.get(mention.entity_id)
    corrections = sorted(
        (
            note
            for note in _objects_in_revision(version, Correction)
            if note.article_id == article.pk
        ),
        key=lambda note: (note.created_at, note.pk),
    )
    return Snapshot(
        version=version,
        article=article,
        bylines=[byline for byline in bylines if byline.author is not None],
        tags=tags,
        pins=[pin for pin in pins if pin.target is not None],
        mentions=sorted(
            (mention for mention in mentions if mention.entity is not None),
            key=lambda mention: (mention.entity.kind, mention.entity.name),
        ),
        corrections=corrections,
    )


def _cached(queryset_model, objects: list):
    """A queryset whose results are ``objects``, as prefetch_related leaves it."""
    queryset = queryset_model.objects.none()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    return queryset


def article_as_of(version: Version) -> Article:
    """The article as the public template should show it for this revision."""
    saved = snapshot(version)
    article = saved.article
    article._prefetched_objects_cache = {
        "bylines": _cached(Byline, saved.bylines),
        "tags": _cached(Tag, saved.tags),
        "corrections": _cached(Correction, saved.corrections),
    }
    article.confirmed_mentions = [
        mention for mention in saved.mentions if mention.status == "confirmed"
    ]
    article.read_next = recommendations.preview_entries(article, saved.pins)
    return article


# --- Differences --------------------------------------------------------------

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def word_diff(old: str, new: str) -> SafeString:
    """Mark words removed with <del> and added with <ins>, escaping everything else."""
    old_tokens = _TOKEN.findall(old or "")
    new_tokens = _TOKEN.findall(new or "")
    parts = []
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        removed = escape("".join(old_tokens[i1:i2]))
        added = escape("".join(new_tokens[j1:j2]))
        if operation == "equal":
            parts.append(removed)
            continue
        if removed:
            parts.append(f"<del>{removed}</del>")
        if added:
            parts.append(f"<ins>{added}</ins>")
    return mark_safe("".join(parts))


@dataclass(frozen=True)
class Change:
    label: str
    diff: SafeString


def differences(old: Snapshot, new: Snapshot) -> list[Change]:
    """What changed from one revision to another, field by field, readably."""

    def text(snapshot: Snapshot, name: str) -> str:
        value = getattr(snapshot.article, name)
        if name == "section":
            return value.name if value else ""
        if name == "hero_image":
            return value.name if value else ""
        return str(value or "")

    def listing(values: list[str]) -> str:
        return "\n".join(values)

    pairs = [
        (label, text(old, name), text(new, name))
        for label, name in [
            ("Headline", "headline"),
            ("Slug", "slug"),
            ("Dek", "dek"),
            ("Section", "section"),
            ("Body", "body"),
            ("Hero image", "hero_image"),
            ("Hero image alt text", "hero_image_alt"),
            ("Hero image caption", "hero_image_caption"),
            ("Hero image credit", "hero_image_credit"),
            ("Publication time", "published_at"),
            ("Expiry time", "expires_at"),
            ("Status", "status"),
        ]
    ]
    pairs += [
        (label, listing(getattr(old, name)), listing(getattr(new, name)))
        for label, name in [
            ("Authors", "author_names"),
            ("Tags", "tag_names"),
            ("Read These Next pins", "pin_headlines"),
            ("Entities", "entity_decisions"),
            ("Corrections and updates", "correction_notes"),
        ]
    ]
    return [
        Change(label, word_diff(before, after))
        for label, before, after in pairs
        if before != after
    ]


# --- Revert -------------------------------------------------------------------


class RevertError(Exception):
    """The revision cannot be restored as it is; nothing was changed."""


@transaction.atomic
def revert(article: Article, version: Version, *, user) -> Article:
    """Restore the article's content as ``version`` saved it, as a new revision.

    The workflow status and times stay as they are now: a revert changes
    what the article says, not whether it is published.
    """
    Mention = apps.get_model("entities", "Mention")
    saved = snapshot(version)
    old = saved.article
    if (
        old.slug != article.slug
        and Article.objects.filter(slug=old.slug).exclude(pk=article.pk).exists()
    ):
        raise RevertError(
            f"Another article now uses the slug “{old.slug}”; change that "
            "article's slug first, or copy the text by hand."
        )
    for name in CONTENT_FIELDS:
        value = getattr(old, name)
        if name == "section_id" and saved.article.section is not None:
            value = saved.article.section.pk
        setattr(article, name, value)
    article.revised_by = user
    article.edit_version += 1
    article.save()

    article.tags.set(saved.tags)
    article.bylines.all().delete()
    Byline.objects.bulk_create(
        Byline(article=article, author=byline.author, position=position)
        for position, byline in enumerate(saved.bylines)
    )
    article.read_next_pins.all().delete()
    ReadNextPin.objects.bulk_create(
        ReadNextPin(article=article, target=pin.target, position=position)
        for position, pin in enumerate(saved.pins)
        if pin.target.pk != article.pk
    )
    decisions = {mention.entity_id: mention.status for mention in saved.mentions}
    for mention in Mention.objects.filter(article=article, entity_id__in=decisions):
        if mention.status != decisions[mention.entity_id]:
            mention.status = decisions[mention.entity_id]
            mention.save(update_fields=["status"])
    recommendations.update_article(article)
    save_revision(
        article,
        user=user,
        comment=f"Reverted to the revision of "
        f"{version.revision.date_created:%Y-%m-%d %H:%M} (#{version.pk}).",
    )
    return article
