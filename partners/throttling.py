"""Requests per key: a fixed window counted in the cache, and daily usage.

Each key may make ``rate`` requests per window (the partner's own rate, or
``NEWSROOM_API_THROTTLE_RATE``). The count is one atomic ``incr`` in the cache
per request; the window's start and end are the same for every process, so
``X-RateLimit-Reset`` is exact and a refused request's ``Retry-After`` says
when the next window opens.

Usage (requests and refusals per key per day) is counted in the cache too and
written to ``KeyUsage`` in batches: each process flushes the counters it has
touched at most every ``NEWSROOM_API_USAGE_FLUSH_SECONDS``, so the database
sees a few writes a minute, not one per request.
"""

import dataclasses
import datetime
import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from partners.models import KeyUsage, PartnerKey

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclasses.dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int

    def __str__(self) -> str:
        name = next(name for name, length in PERIODS.items() if length == self.seconds)
        return f"{self.requests}/{name}"


def parse_rate(value: str) -> Rate:
    """Read "1000/hour" (or /second, /minute, /day); raise ValidationError if not."""
    number, _, period = value.strip().partition("/")
    if not number.isdigit() or int(number) < 1 or period not in PERIODS:
        raise ValidationError(
            f"“{value}” is not a rate: write a number of requests, a slash and "
            "second, minute, hour or day, such as 1000/hour."
        )
    return Rate(int(number), PERIODS[period])


@dataclasses.dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset: int  # POSIX time at which the window ends

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


def rate_for(partner_key: PartnerKey) -> Rate:
    """The partner's own rate, else the site's default."""
    return parse_rate(
        partner_key.partner.throttle_rate or settings.NEWSROOM_API_THROTTLE_RATE
    )


def _count(key: str, timeout: int) -> int:
    """Add one to a counter in the cache and return it (atomic in Redis and locmem).

    incr() first, as almost every request finds its counter there; add() only
    when it is missing, and incr() again if another process added it first.
    """
    try:
        return cache.incr(key)
    except ValueError:
        pass
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the cache is unreachable: count nothing, refuse nothing
        return 1


class PartnerKeyThrottle(BaseThrottle):
    """Count a request against its key's window; refuse it once the window is full."""

    def allow_request(self, request, view) -> bool:
        partner_key = request.auth
        if not isinstance(partner_key, PartnerKey):
            return True  # public views (schema, docs) are not counted
        rate = rate_for(partner_key)
        now = time.time()
        window = int(now // rate.seconds)
        self.reset = (window + 1) * rate.seconds
        self.now = now
        counter = f"api-throttle:{partner_key.pk}:{rate.seconds}:{window}"
        count = _count(counter, rate.seconds + 1)
        allowed = count <= rate.requests
        request._request.rate_limit = RateLimitState(
            limit=rate.requests,
            remaining=max(0, rate.requests - count),
            reset=self.reset,
        )
        usage.record(partner_key.pk, throttled=not allowed)
        return allowed

    def wait(self) -> int:
        return max(1, math.ceil(self.reset - self.now))


class UsageCounter:
    """Per-key daily counts, kept in the cache and flushed to KeyUsage in batches."""

    def __init__(self) -> None:
        self._touched: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    @staticmethod
    def _cache_key(key_id: str, day: str, what: str) -> str:
        return f"api-usage:{day}:{key_id}:{what}"

    def record(self, key_id: str, *, throttled: bool) -> None:
        day = timezone.now().date().isoformat()
        self._increment(self._cache_key(key_id, day, "requests"))
        if throttled:
            self._increment(self._cache_key(key_id, day, "throttled"))
        with self._lock:
            self._touched.add((key_id, day))
            due = (
                time.monotonic() - self._last_flush
                >= settings.NEWSROOM_API_USAGE_FLUSH_SECONDS
            )
        if due:
            self.flush()

    @staticmethod
    def _increment(key: str) -> None:
        # Two days: a counter must outlive the flush interval, whatever it is.
        _count(key, 2 * 86400)

    def flush(self) -> int:
        """Move this process's counts into KeyUsage; return how many rows changed."""
        with self._lock:
            touched, self._touched = self._touched, set()
            self._last_flush = time.monotonic()
        written = 0
        for key_id, day in sorted(touched):
            counts = {}
            for what in ("requests", "throttled"):
                key = self._cache_key(key_id, day, what)
                pending = cache.get(key) or 0
                if pending:
                    # decr, not delete: requests counted meanwhile stay counted.
                    cache.decr(key, pending)
                counts[what] = pending
            if counts["requests"] or counts["throttled"]:
                self._write(key_id, datetime.date.fromisoformat(day), counts)
                written += 1
        return written

    @staticmethod
    def _write(key_id: str, day: datetime.date, counts: dict[str, int]) -> None:
        if not PartnerKey.objects.filter(pk=key_id).exists():
            return  # deleted since: its usage goes with it
        with transaction.atomic():
            row, created = KeyUsage.objects.get_or_create(
                key_id=key_id, day=day, defaults=counts
            )
            if not created:
                KeyUsage.objects.filter(pk=row.pk).update(
                    requests=F("requests") + counts["requests"],
                    throttled=F("throttled") + counts["throttled"],
                )


usage = UsageCounter()
