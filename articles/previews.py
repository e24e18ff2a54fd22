"""Signed, expiring links that show one article revision to whoever holds them."""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article
from articles.revisions import versions_of

SALT = "articles.preview"


def share_path(
    version: Version, *, hours: int | None = None
) -> tuple[str, datetime.datetime]:
    """A path to the public preview of ``version``, and when it stops working."""
    hours = hours or settings.NEWSROOM_PREVIEW_LINK_HOURS
    expires = timezone.now() + datetime.timedelta(hours=hours)
    token = signing.dumps(
        {
            "article": int(version.object_id),
            "version": version.pk,
            "expires": int(expires.timestamp()),
        },
        salt=SALT,
    )
    path = reverse("preview", kwargs={"version_id": version.pk, "token": token})
    return path, expires


def version_for_token(version_id: int, token: str) -> Version | None:
    """The version a share link shows, or None if the link is forged or expired."""
    try:
        claims = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(claims, dict) or claims.get("version") != version_id:
        return None
    expires = claims.get("expires")
    if not isinstance(expires, int) or expires <= timezone.now().timestamp():
        return None
    article = Article.objects.filter(pk=claims.get("article")).first()
    if article is None:
        return None
    return versions_of(article).filter(pk=version_id).first()
