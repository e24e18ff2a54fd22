"""Reads from a replica for anonymous readers; everything else on the primary.

Enabled when DATABASE_REPLICA_URL is set. A request is pinned to the primary
when it could be an editor's or could write: the admin, any request that
carries a session cookie (a logged-in editor reads their own writes at once),
and any unsafe method. Anonymous GETs of public pages and the API read from
the replica; writes always go to the primary.
"""

from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

REPLICA = "replica"
_use_primary: ContextVar[bool] = ContextVar("use_primary", default=True)


def request_needs_primary(request: HttpRequest) -> bool:
    return (
        request.method not in ("GET", "HEAD", "OPTIONS")
        or request.path.startswith("/admin/")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
    )


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        return "default" if _use_primary.get() else REPLICA

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, first, second, **hints) -> bool:
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # The replica is migrated by replication, never directly.
        return db == "default"


class ReplicaRoutingMiddleware:
    """Decide, once per request, whether its reads may go to the replica."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = _use_primary.set(request_needs_primary(request))
        try:
            return self.get_response(request)
        finally:
            _use_primary.reset(token)
