"""Record a tombstone when a published article stops being public by an editor's act.

Withdrawal is recorded from the workflow's own record of it (the Transition
row that ``articles.publishing`` writes in the same transaction), deletion from
the article's ``post_delete``. Either way the tombstone commits or rolls back
with the change itself. Expiry needs no row: the API finds expired articles by
their ``expires_at``.
"""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from articles.models import Article, Tombstone, Transition


def _withdrawn(sender, instance: Transition, created: bool, **kwargs) -> None:
    if kwargs.get("raw") or not created:
        return
    if instance.to_status != Article.Status.WITHDRAWN:
        return
    Tombstone.objects.create(
        article_id=instance.article_id,
        slug=instance.article.slug,
        reason=Tombstone.Reason.WITHDRAWN,
        created_at=instance.created_at,
    )


def _deleted(sender, instance: Article, **kwargs) -> None:
    # Only an article that has been public can be on a partner's side.
    if instance.status != Article.Status.PUBLISHED or instance.published_at is None:
        return
    if instance.published_at > timezone.now():
        return
    Tombstone.objects.create(
        article_id=instance.pk, slug=instance.slug, reason=Tombstone.Reason.DELETED
    )


def connect_signals() -> None:
    post_save.connect(_withdrawn, sender=Transition, dispatch_uid="tombstone-withdrawn")
    post_delete.connect(_deleted, sender=Article, dispatch_uid="tombstone-deleted")
