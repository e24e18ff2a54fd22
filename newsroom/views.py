from django.core.cache import cache
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from newsroom.middleware import static_page

HEALTH_KEY = "newsroom:healthz"

# Search result pages are endless and thin; the editors' tools and the
# partners' API are not for crawlers.
ROBOTS_DISALLOW = ["/admin/", "/api/", "/preview/", "/search/"]


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers, 503 when it does not; the cache is reported.

    A cache outage degrades the site (pages are rendered every time) but
    does not stop it, so it does not fail the check.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse(
            {"status": "unavailable", "database": "down"},
            status=503,
            headers={"Retry-After": "30"},
        )
    cache.set(HEALTH_KEY, "ok", 10)
    cache_state = "ok" if cache.get(HEALTH_KEY) == "ok" else "down"
    return JsonResponse({"status": "ok", "database": "ok", "cache": cache_state})


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Let crawlers in everywhere readers go, and point them at the sitemaps."""
    base_url = f"{request.scheme}://{request.get_host()}"
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in ROBOTS_DISALLOW),
        "",
        f"Sitemap: {base_url}{reverse('articles:sitemap')}",
        f"Sitemap: {base_url}{reverse('articles:news_sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page; a body too large or with too many fields gets the 413 page."""
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return static_page("413.html", 413)
    return defaults.bad_request(request, exception)
