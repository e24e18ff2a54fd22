"""No payload an editor can write ever reaches a page, feed or admin page as code.

Each payload of tests/xss_corpus.py goes into every field an editor can write;
every page that shows those fields is fetched and searched for markup that
could run a script. tests/test_browser.py loads the same pages in Chromium.
"""

import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from articles import revisions
from tests.xss_corpus import PAYLOADS, dangerous_url, executable_vectors, poison

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


@pytest.fixture
def editor() -> User:
    return User.objects.create_superuser("xss-editor", password="x")


def public_pages(made: dict) -> dict[str, str]:
    article, tag, entity, author = (
        made["article"],
        made["tag"],
        made["entity"],
        made["author"],
    )
    return {
        "article": article.get_absolute_url(),
        "home": "/",
        "archive": "/archive/",
        "section": article.section.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "entity": entity.get_absolute_url(),
        "author": author.get_absolute_url(),
        "search": reverse("articles:search") + "?q=xsscanary",
    }


def feeds(made: dict) -> dict[str, str]:
    slugs = {
        "tag": made["tag"].slug,
        "entity": made["entity"].slug,
        "author": made["author"].slug,
        "section": made["article"].section.slug,
    }
    urls = {
        "site rss": reverse("articles:feed_rss"),
        "site atom": reverse("articles:feed_atom"),
        "tag rss": reverse("articles:tag_feed_rss", args=[slugs["tag"]]),
        "tag atom": reverse("articles:tag_feed_atom", args=[slugs["tag"]]),
        "author rss": reverse("articles:author_feed_rss", args=[slugs["author"]]),
        "section atom": reverse("articles:section_feed_atom", args=[slugs["section"]]),
        "entity rss": reverse("entities:feed_rss", args=[slugs["entity"]]),
        "entity atom": reverse("entities:feed_atom", args=[slugs["entity"]]),
    }
    return urls


def admin_pages(made: dict, payload: str) -> dict[str, str]:
    article = made["article"]
    versions = list(revisions.versions_of(article))
    newest, oldest = versions[0], versions[-1]
    change = reverse("admin:articles_article_change", args=[article.pk])
    return {
        "article changelist": reverse("admin:articles_article_changelist"),
        "article search": reverse("admin:articles_article_changelist")
        + "?"
        + _query(q=payload),
        "article change": change,
        "article history": reverse("admin:articles_article_history", args=[article.pk]),
        "revision diff": reverse("admin:articles_article_compare", args=[article.pk])
        + "?"
        + _query(**{"from": oldest.pk, "to": newest.pk}),
        "revision preview": reverse(
            "admin:articles_article_preview", args=[article.pk, oldest.pk]
        ),
        "tag changelist": reverse("admin:articles_tag_changelist"),
        "tag change": reverse("admin:articles_tag_change", args=[made["tag"].pk]),
        "entity changelist": reverse("admin:entities_entity_changelist"),
        "entity change": reverse(
            "admin:entities_entity_change", args=[made["entity"].pk]
        ),
        "author changelist": reverse("admin:articles_author_changelist"),
        "author change": reverse(
            "admin:articles_author_change", args=[made["author"].pk]
        ),
    }


def _query(**parameters) -> str:
    from urllib.parse import urlencode

    return urlencode(parameters)


def html_fragments_of_feed(xml: bytes) -> list[str]:
    """The HTML a feed reader renders: RSS descriptions and content, Atom's html."""
    root = ET.fromstring(xml)  # also proves the feed is well-formed XML
    fragments = []
    for element in root.iter():
        rss_html = element.tag in ("description", CONTENT)
        atom_html = element.tag.startswith(ATOM) and element.get("type") == "html"
        if rss_html or atom_html:
            fragments.append(element.text or "")
    return fragments


@pytest.mark.parametrize("number", range(len(PAYLOADS)))
def test_no_payload_becomes_code_on_any_public_page(editor, number):
    made = poison(PAYLOADS[number], number, user=editor)

    found = {}
    for name, url in public_pages(made).items():
        response = Client().get(url)
        assert response.status_code == 200, (name, url)
        if vectors := executable_vectors(response.content.decode()):
            found[name] = vectors

    assert found == {}
    page = Client().get(made["article"].get_absolute_url()).content.decode()
    # The payload was there to be shown, with the image its alt text describes.
    assert "xsscanary" in page
    assert "<figcaption>" in page


@pytest.mark.parametrize("number", range(len(PAYLOADS)))
def test_no_payload_becomes_code_in_any_feed_and_feeds_stay_valid_xml(editor, number):
    made = poison(PAYLOADS[number], number, user=editor)

    found = {}
    for name, url in feeds(made).items():
        response = Client().get(url)
        assert response.status_code == 200, (name, url)
        for fragment in html_fragments_of_feed(response.content):
            if vectors := executable_vectors(fragment):
                found.setdefault(name, []).extend(vectors)

    assert found == {}


def admin_vectors(client: Client, made: dict, payload: str) -> dict[str, Counter]:
    found = {}
    for name, url in admin_pages(made, payload).items():
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        found[name] = Counter(executable_vectors(response.content.decode()))
    return found


# What each admin page shows for plain words, measured once: it depends on the
# page, not on the data.
_PLAIN_ADMIN: dict[str, Counter] = {}


@pytest.mark.parametrize("number", range(len(PAYLOADS)))
def test_no_payload_becomes_code_in_the_admin(editor, number):
    client = Client()
    client.force_login(editor)
    # The admin draws its own icons with inline SVG: what it shows for plain
    # words is its own, and only what a payload adds counts.
    if not _PLAIN_ADMIN:
        made = poison("Plain words", 1000, user=editor)
        _PLAIN_ADMIN.update(admin_vectors(client, made, "plain"))
    plain = _PLAIN_ADMIN
    payload = PAYLOADS[number]

    poisoned = admin_vectors(client, poison(payload, number, user=editor), payload)

    added = {name: poisoned[name] - plain[name] for name in poisoned}
    assert {name: vectors for name, vectors in added.items() if vectors} == {}


def test_the_news_sitemap_stays_valid_xml_with_forbidden_characters(editor):
    poison(PAYLOADS[-1], 0, user=editor)

    response = Client().get(reverse("articles:news_sitemap"))

    root = ET.fromstring(response.content)
    titles = [element.text for element in root.iter() if element.tag.endswith("title")]
    assert titles == [
        "Vertical tab, form feed and  escape <img src=x onerror=alert(1)> 0 xsscanary"
    ]


# --- The checker itself: it must find what it is there to find ---------------------


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        '<script src="//evil.example/x.js"></script>',
        "<img src=x onerror=alert(1)>",
        "<svg><a>x</a></svg>",
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href=" data:text/html,x">x</a>',
        '<iframe srcdoc="x"></iframe>',
        '<meta http-equiv="refresh" content="0;url=/">',
        '<script type="application/ld+json">{"a": 1}</script><script>alert(1)</script>',
    ],
)
def test_the_checker_finds_each_kind_of_vector(markup):
    assert executable_vectors(markup)


@pytest.mark.parametrize(
    "markup",
    [
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
        '<a href="https://example.com/?q=javascript:x">x</a>',
        '<script type="application/ld+json">{"name": "\\u003c/script\\u003e"}</script>',
        '<script src="/static/admin/js/core.js"></script>',
        '<p title="&quot; onmouseover=alert(1)">x</p>',
    ],
)
def test_the_checker_accepts_inert_markup(markup):
    assert executable_vectors(markup) == []


def test_dangerous_urls_are_recognised_in_every_spelling():
    for url in [
        "JavaScript:x",
        " \njavascript:x",
        "java\x00script:x",
        "DATA:text/html,x",
    ]:
        assert dangerous_url(url), url
    assert not dangerous_url("https://example.com/javascript:")
