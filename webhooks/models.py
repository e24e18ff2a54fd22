"""Partners' webhook endpoints, the outbox of article events, and deliveries.

An event is written in the same transaction as the change it announces; a
delivery per subscribed endpoint is written with it. `deliver_webhooks` sends
what is due and records every attempt, so nothing is lost if a process dies
between the change and the request.
"""

import secrets
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from partners.models import Partner

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def new_secret() -> str:
    return secrets.token_hex(32)


def validate_endpoint_url(url: str) -> None:
    """HTTPS only; plain HTTP to this machine when tests or development allow it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host:
        return
    if (
        parts.scheme == "http"
        and host in LOCAL_HOSTS
        and settings.NEWSROOM_WEBHOOKS_ALLOW_HTTP_LOCALHOST
    ):
        return
    raise ValidationError(
        "A webhook endpoint must be an https:// address.", code="insecure_url"
    )


class EventKind(models.TextChoices):
    PUBLISHED = "article.published", "article.published"
    UPDATED = "article.updated", "article.updated"
    WITHDRAWN = "article.withdrawn", "article.withdrawn"


class Endpoint(models.Model):
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField("URL", max_length=500, validators=[validate_endpoint_url])
    events = models.JSONField(
        default=list,
        help_text="The events sent to this address.",
    )
    secret = models.CharField(
        max_length=64,
        default=new_secret,
        editable=False,
        help_text="Signs every request; the partner verifies the signature with it.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partner__name", "url"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url

    def clean(self) -> None:
        unknown = set(self.events) - set(EventKind.values)
        if unknown or not self.events:
            raise ValidationError(
                {"events": f"Choose one or more of: {', '.join(EventKind.values)}."}
            )


class Event(models.Model):
    """One change to an article, as partners are told about it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    # Not a foreign key: a withdrawn-because-deleted article is gone, and the
    # event must still be delivered.
    article_id = models.BigIntegerField(db_index=True)
    payload = models.JSONField()
    occurred_at = models.DateTimeField(default=timezone.now)
    # A scheduled publication or an expiry is announced when it happens.
    deliver_after = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.payload.get('article', {}).get('slug', '')}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"
        SKIPPED = "skipped", "Skipped"

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries"
    )
    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A worker's claim: others leave the delivery alone until the lease ends.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-next_attempt_at", "-pk"]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"], name="webhook_delivery_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class Attempt(models.Model):
    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.attempted_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
