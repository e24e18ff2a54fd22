from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from articles.models import Section


def site(request: HttpRequest) -> dict[str, object]:
    """Expose the publication's name and its sections to every template."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        # Lazy, so pages that do not show the navigation do not query for it.
        "nav_sections": SimpleLazyObject(lambda: list(Section.objects.all())),
    }
