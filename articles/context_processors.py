from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from articles.models import Section


@dataclass(frozen=True)
class NavLink:
    """A section as the site's navigation shows it, its address worked out once."""

    name: str
    slug: str
    url: str


def nav_links(sections: Iterable[Section]) -> tuple[NavLink, ...]:
    return tuple(
        NavLink(section.name, section.slug, section.get_absolute_url())
        for section in sections
    )


def site(request: HttpRequest) -> dict[str, object]:
    """Expose the publication's name and its sections to every template."""
    # Public pages get them with the page cache's content version.
    sections = getattr(request, "public_sections", None)
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        # Lazy, so pages that do not show the navigation do not query for it.
        "nav_sections": sections
        if sections is not None
        else SimpleLazyObject(lambda: nav_links(Section.objects.all())),
    }
