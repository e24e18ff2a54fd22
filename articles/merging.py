"""Merge duplicate tags into one, keeping every article's tagging and address."""

from collections.abc import Sequence

from django.db import transaction
from django.db.models import QuerySet

from articles import page_data
from articles.models import Tag, TaggedArticle, TagSlugRedirect
from articles.search import index_articles


def move_rows(rows: QuerySet, *, key: str, taken: set, to: dict) -> None:
    """Give ``rows`` to a survivor, dropping those whose ``key`` it already has.

    ``taken`` holds the survivor's keys, and grows with the rows moved.
    """
    rows.filter(**{f"{key}__in": taken}).delete()
    taken |= set(rows.values_list(key, flat=True))
    rows.update(**to)


@transaction.atomic
def merge_tags(*, survivor: Tag, others: Sequence[Tag]) -> None:
    """Move the others' taggings to ``survivor``; their addresses redirect to it."""
    affected = set(
        TaggedArticle.objects.filter(tag__in=others).values_list(
            "content_object_id", flat=True
        )
    )
    tagged = set(
        TaggedArticle.objects.filter(tag=survivor).values_list(
            "content_object_id", flat=True
        )
    )
    for other in others:
        if other.pk == survivor.pk:
            raise ValueError("a tag cannot be merged into itself")
        # An article with both tags keeps one tagging.
        move_rows(
            TaggedArticle.objects.filter(tag=other),
            key="content_object_id",
            taken=tagged,
            to={"tag": survivor},
        )
        TagSlugRedirect.objects.filter(tag=other).update(tag=survivor)
        TagSlugRedirect.objects.update_or_create(
            old_slug=other.slug, defaults={"tag": survivor, "old_name": other.name}
        )
        other.delete()
    # Moved with update(), which sends no signal: the search documents of the
    # articles concerned name the survivor now.
    index_articles(affected)
    page_data.invalidate(affected)
