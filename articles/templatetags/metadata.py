from django import template
from django.http import HttpRequest
from django.utils.safestring import SafeString

from articles import metadata

register = template.Library()


def base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@register.simple_tag
def describe(subject=None) -> str:
    """The page's one-sentence description: the site's, or ``subject``'s."""
    return metadata.description(subject)


@register.inclusion_tag("includes/page_meta.html", takes_context=True)
def page_meta(context, subject=None) -> dict:
    """Open Graph, Twitter card, feed links and JSON-LD of a page.

    Without a subject it describes the home page; with a section, tag, author,
    entity or article, that object's page, at the view's ``canonical_url``.
    """
    return {
        "meta": metadata.page_meta(
            subject,
            base_url=base_url(context["request"]),
            url=context.get("canonical_url", ""),
        ),
        "site_name": context["site_name"],
    }


@register.inclusion_tag("includes/feed_links.html")
def site_feed_links() -> dict:
    """The site's own RSS and Atom feeds, for pages about no one subject."""
    return {"feeds": metadata.feed_links()}


@register.filter
def json_ld(data: dict) -> SafeString:
    """Render a dict as a JSON-LD script element that no text can break out of."""
    return metadata.json_ld_script(data)


@register.filter
def xml_text(value: str) -> str:
    """Drop the characters XML 1.0 forbids, for text in an XML template."""
    from articles.feeds import xml_text as without_forbidden

    return without_forbidden(value)
