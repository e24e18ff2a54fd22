"""A server-side cache of public pages that is never wrong for long.

Every stored page carries the *content version* it was rendered under. The
version is one small record in the cache: a random stamp and the next moment at
which the clock alone changes what is live (a scheduled publication or expiry).
A write to any content model forgets the record, and the first request after
that moment replaces it, so a stored page stops matching as soon as what it
shows may have changed. Pages are also never served from the cache more than
``PAGE_LIFETIME`` seconds after they were rendered: that bounds every race
(and a per-process cache under several workers) to one minute.

Browsers and proxies may keep a page ``BROWSER_MAX_AGE`` seconds and then show
it ``STALE_WHILE_REVALIDATE`` seconds more while fetching a new one; both are
cut short before the next scheduled change, so together they stay within the
60 seconds that the editorial workflow allows.

Signed-in staff (anyone with a session cookie) and previews bypass the cache:
they must see their own changes at once, and their responses are marked private.
"""

import dataclasses
import functools
import hashlib
import uuid
from collections.abc import Callable
from datetime import datetime

from django.apps import apps as installed_apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

PAGE_LIFETIME = 60
BROWSER_MAX_AGE = 30
STALE_WHILE_REVALIDATE = 30
# Kept for a day; losing it only costs one recomputation.
VERSION_LIFETIME = 24 * 60 * 60
VERSION_KEY = "public-pages:version"
CONTENT_APPS = frozenset({"articles", "entities"})
# Headers of the view's response worth replaying; the rest is added per request
# by the middleware outside the view.
STORED_HEADERS = frozenset({"content-type", "content-language", "x-robots-tag"})


@dataclasses.dataclass(frozen=True)
class ContentVersion:
    stamp: str
    # POSIX time of the next scheduled change of what is live, if any.
    valid_until: float | None
    # The sections every page's navigation lists (NavLinks), read with the
    # moment above: a page rendered under this version needs no query for
    # them. None in a version stored before they were kept here.
    sections: tuple | None = None
    # POSIX time the version was made. In a per-process cache another
    # worker's write cannot forget this record, so it is read again after
    # PAGE_LIFETIME, like the pages: the navigation is never older than them.
    started_at: float = 0.0

    def lasts_beyond(self, now: datetime) -> bool:
        moment = now.timestamp()
        if moment - self.started_at >= PAGE_LIFETIME:
            return False
        return self.valid_until is None or moment < self.valid_until


@dataclasses.dataclass(frozen=True)
class StoredPage:
    stamp: str
    stored_at: float
    content: bytes
    headers: list[tuple[str, str]]

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content)
        for name, value in self.headers:
            response[name] = value
        return response


def invalidate_public_pages() -> None:
    """Make every stored public page stale, now and again once the write commits."""
    cache.delete(VERSION_KEY)
    # A request may read the old rows after the first delete and store them
    # under a fresh version; forgetting it again after the commit retires that.
    transaction.on_commit(lambda: cache.delete(VERSION_KEY))


def content_changed(sender, **kwargs) -> None:
    """Signal receiver: a row that some public page shows was written or deleted."""
    if sender._meta.app_label not in CONTENT_APPS or kwargs.get("raw"):
        return
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed fires before and after; after is enough
    # Migrations send signals for their historical models; no page shows those
    # yet, and a data migration must not depend on a reachable cache.
    if sender._meta.apps is not installed_apps:
        return
    invalidate_public_pages()


def _start_version(
    now: datetime, *, replacing: ContentVersion | None
) -> ContentVersion:
    from articles.context_processors import nav_links
    from articles.models import Article, Section

    sections = list(
        Section.objects.annotate(**Article.objects.next_visibility_changes(after=now))
    )
    # Every article has a section: with no sections nothing is ever scheduled.
    moments = [
        moment
        for section in sections[:1]
        for moment in (section.next_publication, section.next_expiry)
        if moment is not None
    ]
    version = ContentVersion(
        stamp=uuid.uuid4().hex,
        valid_until=min(moments).timestamp() if moments else None,
        sections=nav_links(sections),
        started_at=now.timestamp(),
    )
    if replacing is None:
        # add, not set: a writer's invalidation that lands first must win.
        cache.add(VERSION_KEY, version, VERSION_LIFETIME)
    else:
        cache.set(VERSION_KEY, version, VERSION_LIFETIME)
    return version


def current_version(now: datetime, found: ContentVersion | None) -> ContentVersion:
    """Return ``found`` (the stored version) if it still holds, else a new one."""
    if found is None or not found.lasts_beyond(now):
        return _start_version(now, replacing=found)
    return found


def browser_lifetimes(version: ContentVersion, now: datetime) -> tuple[int, int]:
    """Return (max-age, stale-while-revalidate), both ending by the next change."""
    max_age, stale = BROWSER_MAX_AGE, STALE_WHILE_REVALIDATE
    if version.valid_until is not None:
        remaining = max(0, int(version.valid_until - now.timestamp()))
        max_age = min(max_age, remaining)
        stale = min(stale, remaining - max_age)
    return max_age, stale


def is_signed_in(request: HttpRequest) -> bool:
    # The cookie alone, not request.user: loading the session would add
    # "Vary: Cookie" to every page and cost a query on each cache hit.
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def page_key(request: HttpRequest) -> str:
    address = request.build_absolute_uri().encode()
    return "public-pages:page:" + hashlib.sha256(address).hexdigest()


def _storable(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def _store(key: str, response: HttpResponse, stamp: str, now: datetime) -> StoredPage:
    digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
    headers = [
        (name, value)
        for name, value in response.items()
        if name.lower() in STORED_HEADERS
    ]
    headers += [("ETag", f'"{digest}"'), ("Last-Modified", http_date(now.timestamp()))]
    page = StoredPage(stamp, now.timestamp(), response.content, headers)
    cache.set(key, page, PAGE_LIFETIME)
    return page


def cache_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a public page from the cache, with validators and browser lifetimes."""

    @functools.wraps(view)
    def cached_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if is_signed_in(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response

        now = timezone.now()
        key = page_key(request)
        # One round trip for the version and the page.
        found = cache.get_many([VERSION_KEY, key])
        version = current_version(now, found.get(VERSION_KEY))
        # The navigation of the page about to be rendered (context_processors).
        request.public_sections = version.sections
        page = found.get(key)
        if (
            page is None
            or page.stamp != version.stamp
            or now.timestamp() - page.stored_at >= PAGE_LIFETIME
        ):
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response = response.render()
            if not _storable(response):
                return response
            page = _store(key, response, version.stamp, now)
        response = page.response()

        max_age, stale = browser_lifetimes(version, now)
        patch_cache_control(
            response, public=True, max_age=max_age, stale_while_revalidate=stale
        )
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=int(page.stored_at),
            response=response,
        )

    return cached_view
