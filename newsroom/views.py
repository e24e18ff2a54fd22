from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

HEALTH_KEY = "newsroom:healthz"


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
