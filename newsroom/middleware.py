"""Site-wide headers, request limits, and a calm answer while the database is down."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import engines

logger = logging.getLogger("newsroom")

Handler = Callable[[HttpRequest], HttpResponse]


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set itself."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


def static_page(template_name: str, status: int, **headers: str) -> HttpResponse:
    # Rendered from the template file alone: no context processors, nothing
    # that could need the database that has just failed.
    template = engines["django"].get_template(template_name)
    response = HttpResponse(template.render({}), status=status)
    for name, value in headers.items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response


class RequestSizeLimitMiddleware:
    """Refuse a request body over NEWSROOM_MAX_REQUEST_BYTES before reading it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads a malformed length as no body, too.
        if length > settings.NEWSROOM_MAX_REQUEST_BYTES:
            return static_page("413.html", 413)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After, not a traceback, while the database is away.

    Nothing is kept: the next request tries the database again, so service
    resumes by itself when it is back.
    """

    retry_after_seconds = 30

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if _is_programming_fault(exception):
            return None
        logger.error("Database unavailable: %s", exception)
        return static_page(
            "503.html", 503, **{"Retry-After": str(self.retry_after_seconds)}
        )


def _is_programming_fault(error: Exception) -> bool:
    # SQLite reports a missing table as an OperationalError; that is a bug or
    # a missing migration, which must stay loud, not a database outage.
    message = str(error).lower()
    return "no such table" in message or "no such column" in message
