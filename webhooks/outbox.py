"""Article changes become webhook events, in the transaction that makes them.

Signals on the article (and its corrections) compare what was loaded with
what is saved, so every path that changes an article — the workflow in
articles/publishing.py, an admin edit of a live story, an import — is
announced without each of them having to remember to. A scheduled
publication and an expiry are written now, due at their time; changing the
schedule replaces them.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from articles.models import Article, Correction
from webhooks.models import Delivery, Endpoint, Event, EventKind

Status = Article.Status
SCHEDULE_FIELDS = ("status", "published_at", "expires_at")


def connect_signals() -> None:
    post_save.connect(_article_saved, sender=Article, dispatch_uid="webhooks-save")
    post_delete.connect(
        _article_deleted, sender=Article, dispatch_uid="webhooks-delete"
    )
    post_save.connect(
        _correction_saved, sender=Correction, dispatch_uid="webhooks-correction"
    )


def article_payload(article: Article) -> dict[str, Any]:
    """What partners are told about an article: enough to fetch it from the API."""
    site = settings.NEWSROOM_SITE_URL
    return {
        "id": article.pk,
        "slug": article.slug,
        "url": site + article.get_absolute_url(),
        "api_url": f"{site}/api/v1/articles/{article.slug}/",
        "headline": article.headline,
        "dek": article.dek,
        "section": article.section.slug,
        "published_at": _iso(article.published_at),
        "updated_at": _iso(article.updated_at),
    }


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _was_live(loaded: dict[str, Any], now: datetime.datetime) -> bool:
    if loaded.get("status") != Status.PUBLISHED:
        return False
    published_at, expires_at = loaded.get("published_at"), loaded.get("expires_at")
    return (
        published_at is not None
        and published_at <= now
        and (expires_at is None or expires_at > now)
    )


def _article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    loaded = getattr(instance, "_loaded", {})
    if Status.PUBLISHED not in (loaded.get("status"), instance.status):
        return
    schedule_changed = any(
        loaded.get(name) != getattr(instance, name) for name in SCHEDULE_FIELDS
    )
    if not schedule_changed and not (instance.is_live and instance.text_changed()):
        return
    endpoints = _subscribed_endpoints()
    if not endpoints:
        return
    now = timezone.now()
    was_live, is_live = _was_live(loaded, now), instance.is_live
    _cancel_scheduled(instance.pk, now)
    payload = article_payload(instance)
    if is_live and not was_live:
        _emit(EventKind.PUBLISHED, instance.pk, payload, now, endpoints)
    elif was_live and not is_live:
        _emit(EventKind.WITHDRAWN, instance.pk, payload, now, endpoints)
    elif is_live and instance.text_changed():
        _emit(EventKind.UPDATED, instance.pk, payload, now, endpoints)
    if instance.status == Status.PUBLISHED:
        if instance.published_at > now:
            _emit(
                EventKind.PUBLISHED,
                instance.pk,
                payload,
                instance.published_at,
                endpoints,
            )
        if instance.expires_at is not None and instance.expires_at > now:
            _emit(
                EventKind.WITHDRAWN,
                instance.pk,
                payload,
                instance.expires_at,
                endpoints,
            )


def _article_deleted(sender, instance: Article, **kwargs) -> None:
    now = timezone.now()
    _cancel_scheduled(instance.pk, now)
    if instance.is_live and (endpoints := _subscribed_endpoints()):
        _emit(
            EventKind.WITHDRAWN, instance.pk, article_payload(instance), now, endpoints
        )


def _correction_saved(sender, instance: Correction, created: bool, **kwargs) -> None:
    if kwargs.get("raw") or not created:
        return
    article = Article.objects.select_related("section").get(pk=instance.article_id)
    if article.is_live and (endpoints := _subscribed_endpoints()):
        _emit(
            EventKind.UPDATED,
            article.pk,
            article_payload(article),
            timezone.now(),
            endpoints,
        )


def _subscribed_endpoints() -> list[Endpoint]:
    return list(
        Endpoint.objects.filter(is_active=True, partner__is_active=True).only(
            "pk", "events"
        )
    )


def _emit(
    kind: str,
    article_id: int,
    article: dict[str, Any],
    when: datetime.datetime,
    endpoints: list[Endpoint],
) -> None:
    subscribed = [endpoint for endpoint in endpoints if kind in endpoint.events]
    if not subscribed:
        return
    event = Event.objects.create(
        kind=kind,
        article_id=article_id,
        payload={"article": article},
        occurred_at=when,
        deliver_after=when,
    )
    Delivery.objects.bulk_create(
        Delivery(event=event, endpoint=endpoint, next_attempt_at=when)
        for endpoint in subscribed
    )


def _cancel_scheduled(article_id: int, now: datetime.datetime) -> None:
    """Forget announcements due later: the schedule they were made for changed."""
    Event.objects.filter(article_id=article_id, deliver_after__gt=now).delete()
