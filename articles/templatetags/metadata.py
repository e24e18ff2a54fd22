from django import template
from django.http import HttpRequest
from django.utils.safestring import SafeString

from articles import metadata

register = template.Library()


def base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@register.inclusion_tag("includes/page_meta.html", takes_context=True)
def page_meta(context, subject=None) -> dict:
    """Description, canonical, Open Graph, Twitter card, feeds and JSON-LD of a page.

    Without a subject it describes the home page; with a section, tag, author,
    entity or article, that object's page (and ``page_obj``'s page of a list).
    """
    page_obj = context.get("page_obj")
    return {
        "meta": metadata.page_meta(
            subject,
            base_url=base_url(context["request"]),
            page=page_obj.number if page_obj else 1,
        ),
        "site_name": context["site_name"],
    }


@register.inclusion_tag("includes/site_meta.html")
def site_meta() -> dict:
    """The site's description and feeds, for pages that are about no subject."""
    return {"description": metadata.description(), "feeds": metadata.feed_links()}


@register.filter
def json_ld(data: dict) -> SafeString:
    """Render a dict as a JSON-LD script element that no text can break out of."""
    return metadata.json_ld_script(data)
