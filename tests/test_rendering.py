from html.parser import HTMLParser

import pytest

from articles.rendering import (
    MarkdownDocument,
    first_paragraph_summary,
    render_markdown,
    summarize,
)
from tests import factories


def test_markdown_renders_paragraphs_emphasis_links_and_lists():
    html = render_markdown("One *two* [three](https://example.com/).\n\n- a\n- b")

    assert "<p>One <em>two</em> " in html
    assert '<a href="https://example.com/" rel="noopener noreferrer">three</a>' in html
    assert "<ul>\n<li>a</li>" in html


class Elements(HTMLParser):
    """Collect the real elements of an HTML fragment; escaped text is not one."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        '<svg onload="alert(1)"></svg>',
        '<a href="javascript:alert(1)">x</a>',
    ],
)
def test_markdown_never_lets_html_or_script_urls_through(payload):
    elements = Elements()
    elements.feed(render_markdown(payload))

    assert {tag for tag, _ in elements.found} <= {"p", "a"}
    for _, attributes in elements.found:
        assert not [name for name in attributes if name.startswith("on")]
        href = (attributes.get("href") or "").strip().lower()
        assert href == "" or href.startswith(("http:", "https:", "mailto:"))


def test_summary_cuts_at_a_word_boundary_with_an_ellipsis():
    text = "word " * 100

    summary = summarize(text.strip(), limit=50)

    assert len(summary) <= 50
    assert summary.endswith("word…")


def test_first_paragraph_summary_is_plain_text_of_the_opening_paragraph():
    html = render_markdown("Renault &amp; **Geely** talk.\n\nSecond paragraph.")

    assert first_paragraph_summary(html) == "Renault & Geely talk."


@pytest.mark.django_db
def test_saving_an_article_renders_body_and_summary_once():
    article = factories.article(body="First *point*.\n\nSecond.", dek="")

    assert article.body_html == "<p>First <em>point</em>.</p>\n<p>Second.</p>\n"
    assert article.summary == "First point."

    article.dek = "A standfirst."
    article.save(update_fields=["dek"])
    article.refresh_from_db()
    assert article.summary == "A standfirst."


# --- Readable text and added links --------------------------------------------


def test_document_blocks_are_the_readable_text_without_code():
    document = MarkdownDocument(
        "## A heading\n\nSee [the site](https://example.com/x) and `code` now.\n"
        "Next line.\n\n```\nfenced\n```\n\n- an item\n"
    )

    assert [(block.text, block.heading) for block in document.blocks] == [
        ("A heading", True),
        ("See the site and   now. Next line.", False),
        ("an item", False),
    ]


def test_links_are_added_only_where_a_block_allows_them():
    document = MarkdownDocument(
        "## Ford news\n\nSee [Ford](https://ford.example/) or Ford."
    )
    heading, paragraph = document.blocks
    in_link, plain = paragraph.text.find("Ford"), paragraph.text.rfind("Ford")

    assert not heading.can_link(0, 4)
    assert not paragraph.can_link(in_link, in_link + 4)
    assert paragraph.can_link(plain, plain + 4)

    html = document.render(
        {
            0: [(0, 4, "/x/")],
            1: [(in_link, in_link + 4, "/x/"), (plain, plain + 4, "/x/")],
        }
    )

    assert html.count('href="/x/"') == 1
    assert html.endswith('or <a href="/x/" rel="noopener noreferrer">Ford</a>.</p>\n')


def test_a_link_across_emphasis_or_a_line_break_is_not_added():
    document = MarkdownDocument("Volks*wagen* and Volkswagen\nGroup.")
    text = document.blocks[0].text
    assert text == "Volkswagen and Volkswagen Group."

    html = document.render({0: [(0, 10, "/a/"), (15, 31, "/b/")]})

    assert "href" not in html


def test_added_links_are_sanitized_like_any_other():
    document = MarkdownDocument("Renault met.")

    html = document.render({0: [(0, 7, "javascript:alert(1)")]})

    assert html == '<p><a rel="noopener noreferrer">Renault</a> met.</p>\n'
