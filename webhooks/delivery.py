"""Send what the outbox holds: claim due deliveries, sign, POST, record, retry.

Several `deliver_webhooks` processes may run at once: a claim is a lease
written in a transaction (rows locked with SKIP LOCKED on PostgreSQL; SQLite
serialises writers), so one delivery is sent by one worker at a time, and a
worker that dies lets its claims lapse for another to take.
"""

import datetime
import json
import random
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Article
from webhooks import signing
from webhooks.models import Attempt, Delivery, EventKind
from webhooks.outbox import article_payload

USER_AGENT = "Newsroom-Webhooks/1"
MAX_BACKOFF = datetime.timedelta(hours=6)


@dataclass
class Report:
    delivered: int = 0
    retrying: int = 0
    gave_up: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.delivered + self.retrying + self.gave_up + self.skipped


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is an answer from the endpoint, not a place to send the
    # signed body again.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def deliver_due(*, limit: int = 100, worker: str | None = None) -> Report:
    """Send up to ``limit`` deliveries that are due now; one attempt each."""
    report = Report()
    for delivery in claim(limit=limit, worker=worker or uuid.uuid4().hex):
        send(delivery, report)
    return report


def claim(*, limit: int, worker: str) -> list[Delivery]:
    now = timezone.now()
    lease = datetime.timedelta(seconds=2 * settings.NEWSROOM_WEBHOOK_TIMEOUT + 30)
    with transaction.atomic():
        due = Delivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            status=Delivery.Status.PENDING,
            next_attempt_at__lte=now,
        ).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        Delivery.objects.filter(pk__in=ids).update(
            claimed_until=now + lease, claimed_by=worker
        )
    return list(
        Delivery.objects.filter(pk__in=ids, claimed_by=worker)
        .select_related("event", "endpoint__partner")
        .order_by("next_attempt_at", "pk")
    )


def send(delivery: Delivery, report: Report) -> None:
    endpoint, event = delivery.endpoint, delivery.event
    if not (endpoint.is_active and endpoint.partner.is_active):
        _finish(
            delivery, Delivery.Status.SKIPPED, "The endpoint or partner is inactive."
        )
        report.skipped += 1
        return
    article = event.payload["article"]
    if event.kind != EventKind.WITHDRAWN:
        current = (
            Article.objects.select_related("section")
            .filter(pk=event.article_id)
            .first()
        )
        if current is None or not current.is_live:
            _finish(delivery, Delivery.Status.SKIPPED, "The article is not live.")
            report.skipped += 1
            return
        # Partners are told what readers see now, not what was saved first.
        article = article_payload(current)
    body = json.dumps(
        {
            "id": str(event.uuid),
            "event": event.kind,
            "occurred_at": event.occurred_at.isoformat(),
            "article": article,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "Newsroom-Event": event.kind,
            "Newsroom-Delivery": str(delivery.pk),
            signing.HEADER: signing.signature_header(endpoint.secret, body),
        },
    )
    status_code, error = None, ""
    started = time.monotonic()
    try:
        with _opener.open(request, timeout=settings.NEWSROOM_WEBHOOK_TIMEOUT) as answer:
            status_code = answer.status
    except urllib.error.HTTPError as refusal:
        status_code = refusal.code
        error = f"HTTP {refusal.code}"
    except (urllib.error.URLError, OSError) as failure:
        reason = getattr(failure, "reason", failure)
        error = f"{type(reason).__name__}: {reason}"[:500]
    attempt = Attempt.objects.create(
        delivery=delivery,
        status_code=status_code,
        error=error,
        duration_ms=round((time.monotonic() - started) * 1000),
    )
    delivery.attempts += 1
    if attempt.succeeded:
        delivery.delivered_at = attempt.attempted_at
        _finish(delivery, Delivery.Status.DELIVERED, "")
        report.delivered += 1
    elif delivery.attempts >= settings.NEWSROOM_WEBHOOK_MAX_ATTEMPTS:
        _finish(delivery, Delivery.Status.FAILED, error)
        report.gave_up += 1
        report.errors.append(f"{endpoint.url}: {error}")
    else:
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
        _finish(delivery, Delivery.Status.PENDING, error)
        report.retrying += 1


def backoff(attempts: int) -> datetime.timedelta:
    """Doubling waits from the configured base, jittered so retries spread out."""
    base = settings.NEWSROOM_WEBHOOK_BACKOFF_SECONDS * 2 ** min(attempts - 1, 20)
    wait = datetime.timedelta(seconds=base * random.uniform(0.5, 1.0))
    return min(wait, MAX_BACKOFF)


def _finish(delivery: Delivery, status: str, error: str) -> None:
    delivery.status = status
    delivery.last_error = error[:500]
    delivery.claimed_until = None
    delivery.claimed_by = ""
    delivery.save(
        update_fields=[
            "status",
            "last_error",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "claimed_until",
            "claimed_by",
        ]
    )
