"""Merge duplicate tags into one, keeping every article's tagging and address."""

from collections.abc import Sequence

from django.db import transaction

from articles.models import Tag, TaggedArticle, TagSlugRedirect


@transaction.atomic
def merge_tags(*, survivor: Tag, others: Sequence[Tag]) -> None:
    """Move the others' taggings to ``survivor``; their addresses redirect to it."""
    tagged = set(
        TaggedArticle.objects.filter(tag=survivor).values_list(
            "content_object_id", flat=True
        )
    )
    for other in others:
        if other.pk == survivor.pk:
            raise ValueError("a tag cannot be merged into itself")
        taggings = TaggedArticle.objects.filter(tag=other)
        # An article with both tags keeps one tagging.
        taggings.filter(content_object_id__in=tagged).delete()
        tagged |= set(taggings.values_list("content_object_id", flat=True))
        taggings.update(tag=survivor)
        TagSlugRedirect.objects.filter(tag=other).update(tag=survivor)
        TagSlugRedirect.objects.update_or_create(
            old_slug=other.slug, defaults={"tag": survivor, "old_name": other.name}
        )
        other.delete()
