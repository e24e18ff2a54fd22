"""What a page or feed says about itself to readers' tools and search engines."""

from django.conf import settings

from articles.models import Author, Section, Tag
from entities.models import Entity


def site_name() -> str:
    return settings.NEWSROOM_SITE_NAME


def description(subject=None) -> str:
    """The one-sentence description of a page (or feed) about ``subject``."""
    if subject is None:
        return f"News and analysis from {site_name()}."
    if isinstance(subject, Section):
        return subject.description or f"The latest {subject.name} stories."
    if isinstance(subject, Tag):
        return f"Stories tagged {subject.name}."
    if isinstance(subject, Author):
        return subject.bio or f"Stories by {subject.name}."
    if isinstance(subject, Entity):
        return subject.description or f"Stories about {subject.name}."
    return subject.summary


def absolute(url: str, base_url: str) -> str:
    return url if "://" in url else base_url + url
