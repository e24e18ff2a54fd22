"""Turn an editor's Markdown into the HTML and plain text that readers get.

Rendering happens once, when an article is saved; pages read the stored result.
Raw HTML in the Markdown is not passed through, and the output is sanitized
with nh3 as the last step, so nothing rewrites the HTML after it is cleaned.

``MarkdownDocument`` also hands out the readable text of each block, so that a
caller (the entity linker) can find names in it and have links put around some
of them while the document is rendered, before it is sanitized.
"""

import copy
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

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


# Inline tokens that separate words without being text a reader could link.
_WORD_BREAKS = {"softbreak": " ", "hardbreak": "\n", "code_inline": " ", "image": " "}


@dataclass
class ProseBlock:
    """The readable text of one block: a paragraph, heading, list item or cell.

    Code spans and images stand as a space; text inside an existing link is
    readable but no new link may go there.
    """

    text: str
    heading: bool
    # (start, end, child index) of each run of text where a link may be added.
    _linkable: list[tuple[int, int, int]] = field(default_factory=list, repr=False)

    def can_link(self, start: int, end: int) -> bool:
        """Say whether ``text[start:end]`` may become a link."""
        return self._piece(start, end) is not None

    def _piece(self, start: int, end: int) -> tuple[int, int, int] | None:
        for piece_start, piece_end, child in self._linkable:
            if piece_start <= start and end <= piece_end:
                return piece_start, piece_end, child
        return None


class MarkdownDocument:
    """A parsed Markdown text: its readable blocks, and its HTML with added links."""

    def __init__(self, text: str) -> None:
        self._tokens = _markdown.parse(text)
        self.blocks: list[ProseBlock] = []
        self._inline_index: list[int] = []
        heading = False
        for index, token in enumerate(self._tokens):
            if token.type == "heading_open":
                heading = True
            elif token.type == "heading_close":
                heading = False
            elif token.type == "inline":
                self.blocks.append(_prose_block(token, heading=heading))
                self._inline_index.append(index)

    def render(
        self, links: Mapping[int, Iterable[tuple[int, int, str]]] | None = None
    ) -> str:
        """Render to sanitized HTML, with ``links``: block index to (start, end, href).

        A link is added only where its block's ``can_link`` allows it: never in
        headings, code or an existing link.
        """
        tokens = list(self._tokens)
        for block_index, spans in (links or {}).items():
            index = self._inline_index[block_index]
            tokens[index] = _with_links(tokens[index], self.blocks[block_index], spans)
        return nh3.clean(
            _markdown.renderer.render(tokens, _markdown.options, {}),
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=ALLOWED_URL_SCHEMES,
            link_rel="noopener noreferrer",
        )


def _prose_block(inline: Token, *, heading: bool) -> ProseBlock:
    block = ProseBlock(text="", heading=heading)
    parts: list[str] = []
    length = 0
    link_depth = 0
    for child_index, child in enumerate(inline.children or []):
        if child.type == "link_open":
            link_depth += 1
        elif child.type == "link_close":
            link_depth -= 1
        elif child.type == "text":
            if not heading and link_depth == 0:
                block._linkable.append(
                    (length, length + len(child.content), child_index)
                )
            parts.append(child.content)
            length += len(child.content)
        elif child.type in _WORD_BREAKS:
            parts.append(_WORD_BREAKS[child.type])
            length += 1
    block.text = "".join(parts)
    return block


def _with_links(
    inline: Token, block: ProseBlock, spans: Iterable[tuple[int, int, str]]
) -> Token:
    by_child: dict[int, list[tuple[int, int, str]]] = {}
    for start, end, href in sorted(spans):
        piece = block._piece(start, end)
        if piece is not None:
            piece_start, _, child = piece
            by_child.setdefault(child, []).append(
                (start - piece_start, end - piece_start, href)
            )
    children: list[Token] = []
    for child_index, child in enumerate(inline.children or []):
        if child_index not in by_child:
            children.append(child)
            continue
        done = 0
        for start, end, href in by_child[child_index]:
            if start < done:
                continue  # overlaps the previous link
            children += [
                Token("text", "", 0, content=child.content[done:start]),
                Token("link_open", "a", 1, attrs={"href": href}),
                Token("text", "", 0, content=child.content[start:end]),
                Token("link_close", "a", -1),
            ]
            done = end
        children.append(Token("text", "", 0, content=child.content[done:]))
    linked = copy.copy(inline)
    linked.children = children
    return linked


def render_markdown(text: str) -> str:
    """Render Markdown to sanitized HTML."""
    return MarkdownDocument(text).render()


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
