"""What every partner API endpoint shares: errors, parameters, caching, CORS.

Errors have one shape everywhere under /api/, whoever raises them (a view,
DRF, Django's URL resolver, the database):
``{"error": {"code": ..., "message": ..., "param": ...}}``.

Successful GETs are kept in the cache under the public pages' content version
(``articles.caching``), so they go stale the moment an article, tag or entity
changes or a scheduled story goes live; every one carries an ``ETag`` and a
``Last-Modified``, and a conditional request that matches gets a 304 without
the view running.
"""

import base64
import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus

from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

from articles import caching
from newsroom.middleware import _is_programming_fault

logger = logging.getLogger("newsroom.api")

API_PREFIX = "/api/"
DB_RETRY_AFTER_SECONDS = 30
# Headers a partner's browser code may read on a cross-origin answer.
EXPOSED_HEADERS = (
    "ETag, Last-Modified, Retry-After, "
    "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
)
PREFLIGHT_MAX_AGE = 600


class UTF8JSONRenderer(JSONRenderer):
    """JSON with its encoding said out loud, for clients that would guess."""

    charset = "utf-8"


class ParamError(exceptions.APIException):
    """A query parameter the API cannot accept; the answer names it."""

    status_code = 400
    default_code = "invalid_parameter"

    def __init__(self, param: str, message: str, code: str = "invalid_parameter"):
        super().__init__(message, code)
        self.param = param


def error_body(code: str, message: str, param: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "param": param}}


def error_response(
    status: int, code: str, message: str, param: str | None = None, **headers: str
) -> JsonResponse:
    response = JsonResponse(
        error_body(code, message, param),
        status=status,
        json_dumps_params={"ensure_ascii": False},
        content_type="application/json; charset=utf-8",
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    response["Cache-Control"] = "no-store"
    return response


def _database_unavailable() -> JsonResponse:
    return error_response(
        503,
        "service_unavailable",
        "The database is unavailable; try again shortly.",
        Retry_After=str(DB_RETRY_AFTER_SECONDS),
    )


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def exception_handler(exc: Exception, context: dict) -> HttpResponseBase | None:
    """DRF's handler, reshaped: every refusal has the same JSON error shape."""
    if isinstance(exc, OperationalError | InterfaceError) and not _is_programming_fault(
        exc
    ):
        logger.error("Database unavailable: %s", exc)
        return _database_unavailable()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's handler and APIMiddleware answer 500
    if isinstance(exc, ParamError):
        code, message, param = _code_of(exc), str(exc.detail), exc.param
    elif isinstance(exc, exceptions.Throttled):
        code = "rate_limited"
        message = (
            f"Too many requests for this key; try again in {exc.wait:.0f} seconds."
        )
        param = None
    elif isinstance(exc, exceptions.APIException):
        code = _code_of(exc)
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        param = None
    else:  # Http404, PermissionDenied from Django
        code = "not_found" if response.status_code == 404 else "permission_denied"
        message = "No such resource." if response.status_code == 404 else "Not allowed."
        param = None
    if code == "not_authenticated":
        code = "missing_api_key"
    response.data = error_body(code, str(message), param)
    response["Cache-Control"] = "no-store"
    return response


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


class APIMiddleware:
    """Under /api/: CORS per partner, JSON for every error, rate-limit headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_request(request):
            return self.get_response(request)
        if _is_preflight(request):
            try:
                return _preflight(request)
            except (OperationalError, InterfaceError) as error:
                # Outside any view, so process_exception would not see it.
                if _is_programming_fault(error):
                    raise
                logger.error("Database unavailable: %s", error)
                return _database_unavailable()
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            response = _as_json_error(response)
        state = getattr(request, "rate_limit", None)
        if state is not None:
            for name, value in state.headers().items():
                response[name] = value
        _allow_origin(request, response)
        return response

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not is_api_request(request):
            return None
        if isinstance(
            exception, OperationalError | InterfaceError
        ) and not _is_programming_fault(exception):
            logger.error("Database unavailable: %s", exception)
            return _database_unavailable()
        logger.exception("Unhandled error under %s", request.path, exc_info=exception)
        return error_response(
            500, "server_error", "Something went wrong on our side; it is logged."
        )


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


# Codes for the statuses Django itself may answer under /api/.
STATUS_CODES = {
    400: "bad_request",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    500: "server_error",
    503: "service_unavailable",
}


def _as_json_error(response: HttpResponse) -> HttpResponse:
    status = response.status_code
    message = {
        404: "No such resource in the API: see /api/v1/docs/.",
        405: "The API is read-only: use GET, HEAD or OPTIONS.",
    }.get(status, HTTPStatus(status).phrase + ".")
    replacement = error_response(
        status, STATUS_CODES.get(status, HTTPStatus(status).phrase.lower()), message
    )
    for header in ("Allow", "Retry-After"):
        if header in response:
            replacement[header] = response[header]
    return replacement


# --- CORS -----------------------------------------------------------------------


def _is_preflight(request: HttpRequest) -> bool:
    return (
        request.method == "OPTIONS"
        and "HTTP_ORIGIN" in request.META
        and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META
    )


def _preflight(request: HttpRequest) -> HttpResponse:
    # A preflight carries no key, so it is answered for an origin that any
    # active partner allows; the real request is then checked against its key.
    from partners.models import Partner

    origin = request.META["HTTP_ORIGIN"].rstrip("/")
    allowed = any(
        origin in partner.allowed_origins
        for partner in Partner.objects.filter(is_active=True).exclude(cors_origins="")
    )
    if not allowed:
        return error_response(
            403,
            "origin_not_allowed",
            f"{origin} is not an origin configured for any partner.",
        )
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Access-Control-Allow-Headers"] = (
        "Authorization, If-None-Match, If-Modified-Since"
    )
    response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    response["Vary"] = "Origin"
    return response


def _allow_origin(request: HttpRequest, response: HttpResponse) -> None:
    origin = request.META.get("HTTP_ORIGIN", "").rstrip("/")
    partner = getattr(request, "api_partner", None)
    if not origin or partner is None:
        return
    response["Vary"] = ", ".join(filter(None, [response.get("Vary", ""), "Origin"]))
    if origin in partner.allowed_origins:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS


# --- Cached, conditional answers ---------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StoredAnswer:
    stamp: str
    stored_at: float
    content: bytes
    etag: str


def answer_key(request: HttpRequest) -> str:
    address = request.get_full_path().encode()
    return "api:answer:" + hashlib.sha256(address).hexdigest()


def cached_json(request: HttpRequest, build: Callable[[], object]) -> HttpResponse:
    """Answer with ``build()``'s data as JSON, from the cache when it is current.

    A conditional request matching the ETag (or Last-Modified) gets a 304.
    """
    now = timezone.now()
    key = answer_key(request)
    found = cache.get_many([caching.VERSION_KEY, key])
    version = caching.current_version(now, found.get(caching.VERSION_KEY))
    answer = found.get(key)
    if (
        answer is None
        or answer.stamp != version.stamp
        or now.timestamp() - answer.stored_at >= caching.PAGE_LIFETIME
    ):
        content = UTF8JSONRenderer().render(build())
        digest = hashlib.md5(content, usedforsecurity=False).hexdigest()
        answer = StoredAnswer(version.stamp, now.timestamp(), content, f'"{digest}"')
        cache.set(key, answer, caching.PAGE_LIFETIME)
    response = HttpResponse(
        answer.content, content_type="application/json; charset=utf-8"
    )
    response["ETag"] = answer.etag
    response["Last-Modified"] = http_date(answer.stored_at)
    max_age, _stale = caching.browser_lifetimes(version, now)
    patch_cache_control(response, private=True, max_age=max_age)
    return get_conditional_response(
        request,
        etag=answer.etag,
        last_modified=int(answer.stored_at),
        response=response,
    )


def check_parameters(request: HttpRequest, allowed: Iterable[str]) -> None:
    """Refuse a query parameter the endpoint does not know, naming it."""
    known = set(allowed)
    for name in request.GET:
        if name not in known:
            raise ParamError(
                name,
                f"Unknown parameter “{name}”. This endpoint takes: "
                + (", ".join(sorted(known)) or "no parameters")
                + ".",
                code="unknown_parameter",
            )


# --- Parameters every list shares ---------------------------------------------------

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def page_size(request: HttpRequest) -> int:
    """Read ``page_size`` (1 to 100, default 20)."""
    value = request.GET.get("page_size")
    if value is None:
        return DEFAULT_PAGE_SIZE
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE_SIZE:
        raise ParamError(
            "page_size",
            f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}, "
            f"not “{value}”.",
        )
    return int(value)


def encode_cursor(position: dict) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(request: HttpRequest, ordering: str) -> dict | None:
    """Read ``cursor`` as ``encode_cursor`` wrote it for this ordering, or None."""
    value = request.GET.get("cursor")
    if value is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        position = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        position = None
    if not isinstance(position, dict) or position.get("order") != ordering:
        raise ParamError(
            "cursor",
            "This cursor is not one the API gave for this ordering: "
            "follow the “next” link as it is.",
        )
    return position


def next_link(request: HttpRequest, position: dict | None) -> str | None:
    if position is None:
        return None
    query = request.GET.copy()
    query["cursor"] = encode_cursor(position)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def requested_fields(
    request: HttpRequest, available: Iterable[str], default: Iterable[str]
) -> list[str]:
    """Read ``fields`` (comma-separated names); the default when it is absent."""
    value = request.GET.get("fields")
    available = list(available)
    if value is None:
        return list(default)
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in available]
    if not names or unknown:
        raise ParamError(
            "fields",
            (f"Unknown field “{unknown[0]}”. " if unknown else "No field named. ")
            + "Choose from: "
            + ", ".join(available)
            + ".",
        )
    # In the resource's own order, each once.
    return [name for name in available if name in names]


def absolute(request: HttpRequest) -> Callable[[str], str]:
    """Make site paths absolute with the request's scheme and host."""
    base = f"{request.scheme}://{request.get_host()}"
    return lambda path: path if "://" in path else base + path
