"""Partner keys: ``Authorization: Api-Key <key>``, refused with a reason that says why.

The key is looked up by its prefix (one query, with its partner) and checked
against the stored hash. Each way a key can fail has its own error code, so a
partner's developer knows at once whether to fix a header, ask for a key or
ask why theirs stopped working.
"""

import re

from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from partners.models import Partner, PartnerKey

KEYWORD = "Api-Key"
# What the library's key generator makes: an 8-character prefix, a dot and a
# 32-character secret, both from Django's random-string alphabet.
KEY_FORMAT = re.compile(r"^[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}$")


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
        prefix = key.partition(".")[0]
        partner_key = (
            PartnerKey.objects.select_related("partner").filter(prefix=prefix).first()
        )
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
