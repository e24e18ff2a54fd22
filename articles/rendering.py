"""Turn an editor's Markdown into the HTML and plain text that readers get.

Rendering happens once, when an article is saved; pages read the stored result.
Raw HTML in the Markdown is not passed through, and the output is sanitized
with nh3 as the last step, so nothing rewrites the HTML after it is cleaned.
"""

import html

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Render Markdown to sanitized HTML."""
    return nh3.clean(
        _markdown.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def plain_text(html_fragment: str) -> str:
    """Strip every tag from an HTML fragment and collapse whitespace."""
    return " ".join(html.unescape(nh3.clean(html_fragment, tags=set())).split())


def summarize(text: str, *, limit: int = 200) -> str:
    """Cut plain text at a word boundary so it fits in ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return f"{cut}…"


def first_paragraph_summary(body_html: str, *, limit: int = 200) -> str:
    """Summarize the first paragraph of rendered HTML as plain text."""
    start = body_html.find("<p>")
    end = body_html.find("</p>", start)
    fragment = body_html[start:end] if start != -1 and end != -1 else body_html
    return summarize(plain_text(fragment), limit=limit)
