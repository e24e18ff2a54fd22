from html.parser import HTMLParser

import pytest

from articles.rendering import first_paragraph_summary, render_markdown, summarize
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
