"""Partner keys: ``Authorization: Api-Key <key>``, refused with a reason that says why.

The key is looked up by its prefix (one query, with its partner) and checked
against the stored hash. Each way a key can fail has its own error code, so a
partner's developer knows at once whether to fix a header, ask for a key or
ask why theirs stopped working.
"""

import re

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from partners.models import Partner, PartnerKey

KEYWORD = "Api-Key"
# What the library's key generator makes: an 8-character prefix, a dot and a
# 32-character secret, both from Django's random-string alphabet.
KEY_FORMAT = re.compile(r"^[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}$")


# A key and its partner are kept this long in the cache, so most requests cost
# no query for them. Saving or deleting either forgets it at once in the
# shared cache (Redis); a per-process cache elsewhere learns within this time.
KEY_CACHE_SECONDS = 10


def _cache_key(prefix: str) -> str:
    return f"api-key:{prefix}"


def find_key(prefix: str) -> PartnerKey | None:
    """The key with this prefix, with its partner, from the cache or one query."""
    found = cache.get(_cache_key(prefix))
    if found is None:
        found = (
            PartnerKey.objects.select_related("partner").filter(prefix=prefix).first()
        )
        # False remembers "no such key" too: guessing costs the database nothing.
        cache.set(_cache_key(prefix), found or False, KEY_CACHE_SECONDS)
    return found or None


def forget_key(sender, instance: PartnerKey, **kwargs) -> None:
    """Signal receiver: a key changed (revoked, expiry) or was deleted."""
    cache.delete(_cache_key(instance.prefix))
    transaction.on_commit(lambda: cache.delete(_cache_key(instance.prefix)))


def forget_partner(sender, instance: Partner, **kwargs) -> None:
    """Signal receiver: a partner changed (deactivated, rate) or was deleted."""
    prefixes = [
        _cache_key(prefix) for prefix in instance.keys.values_list("prefix", flat=True)
    ]
    cache.delete_many(prefixes)
    transaction.on_commit(lambda: cache.delete_many(prefixes))


class KeyRefused(exceptions.APIException):
    """A known key that may not be used (revoked, expired, inactive partner)."""

    status_code = 403


class PartnerKeyAuthentication(BaseAuthentication):
    """Authenticate a partner by its API key; ``request.auth`` is the PartnerKey."""

    def authenticate(self, request: Request) -> tuple[Partner, PartnerKey]:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            raise exceptions.NotAuthenticated(
                f"Send your key in the header “Authorization: {KEYWORD} <key>”.",
                code="missing_api_key",
            )
        keyword, _, key = header.partition(" ")
        key = key.strip()
        if keyword != KEYWORD or not KEY_FORMAT.match(key):
            raise exceptions.AuthenticationFailed(
                f"The Authorization header must be “{KEYWORD} <key>”, the key "
                "as it was given to you (eight characters, a dot, 32 characters).",
                code="malformed_api_key",
            )
        partner_key = find_key(key.partition(".")[0])
        if partner_key is None or not partner_key.is_valid(key):
            raise exceptions.AuthenticationFailed(
                "This API key is not one of ours.", code="unknown_api_key"
            )
        if partner_key.revoked:
            raise KeyRefused("This API key has been revoked.", code="revoked_api_key")
        if partner_key.has_expired:
            raise KeyRefused(
                f"This API key expired on {partner_key.expiry_date:%Y-%m-%d %H:%M}"
                " UTC.",
                code="expired_api_key",
            )
        if not partner_key.partner.is_active:
            raise KeyRefused(
                "The partner account of this API key is inactive.",
                code="inactive_partner",
            )
        # The CORS middleware, outside DRF, needs to know whose key this was.
        http_request: HttpRequest = request._request
        http_request.api_partner = partner_key.partner
        return partner_key.partner, partner_key

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate), not 403, for no key.
        return KEYWORD
