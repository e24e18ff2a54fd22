"""Merge duplicate entities into one, keeping mentions, names and addresses."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from articles import page_data
from articles.merging import move_rows
from articles.search import index_articles
from entities.mentions import relink_on_commit
from entities.models import Entity, EntityAlias, EntitySlugRedirect, Mention


@transaction.atomic
def merge_entities(*, survivor: Entity, others: Sequence[Entity]) -> None:
    """Fold the others into ``survivor``.

    Their mentions and aliases move to it, their names become its aliases and
    their addresses redirect to its page. Where an article mentions both, the
    survivor's mention and its editor's decision stand. The articles concerned
    are re-linked once the merge commits.
    """
    now = timezone.now()
    affected = set(
        Mention.objects.filter(entity__in=others).values_list("article_id", flat=True)
    )
    mentioned = set(
        Mention.objects.filter(entity=survivor).values_list("article_id", flat=True)
    )
    names = {survivor.name, *survivor.aliases.values_list("name", flat=True)}
    for other in others:
        if other.pk == survivor.pk:
            raise ValueError("an entity cannot be merged into itself")
        move_rows(
            Mention.objects.filter(entity=other),
            key="article_id",
            taken=mentioned,
            to={"entity": survivor},
        )
        # updated_at tells every process's linker that the names changed hands.
        move_rows(
            EntityAlias.objects.filter(entity=other),
            key="name",
            taken=names,
            to={"entity": survivor, "updated_at": now},
        )
        if other.name not in names:
            EntityAlias.objects.create(
                entity=survivor, name=other.name, match_case=other.match_case
            )
            names.add(other.name)

        EntitySlugRedirect.objects.filter(entity=other).update(entity=survivor)
        EntitySlugRedirect.objects.update_or_create(
            old_slug=other.slug, defaults={"entity": survivor}
        )
        # Not other.delete(): its mentions are the survivor's now, re-linked below.
        Entity.objects.filter(pk=other.pk).delete()
    # Moved with update(), which sends no signal: the survivor's name goes into
    # the search documents of the articles that named the others.
    index_articles(affected)
    page_data.invalidate(affected)
    relink_on_commit(affected)
