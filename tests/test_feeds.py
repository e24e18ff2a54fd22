"""RSS and Atom feeds: they parse, carry full text, real times and stable ids."""

import datetime
import io

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article
from tests import factories
from tests.test_visibility import feed_urls

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.datetime(2026, 2, 4, 10, 0, tzinfo=datetime.UTC)
FORMATS = ["rss", "atom"]


def png(width: int = 8, height: int = 6) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buffer, "PNG")
    return SimpleUploadedFile("hero.png", buffer.getvalue(), content_type="image/png")


def read_feed(client, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return feed


@pytest.fixture
def newsroom():
    """A story with every feature a feed shows, and the subjects it belongs to."""
    section = factories.section(name="Business", slug="business")
    tag = factories.tag(name="Battery Supply", slug="battery-supply")
    entity = factories.entity(name="Renault", slug="renault")
    first = factories.author(name="Mara Ellison", slug="mara-ellison")
    second = factories.author(name="Priya Nair", slug="priya-nair")
    article = factories.article(
        headline="Renault & Geely: “Engines” <for> Cleon",
        slug="renault-engines",
        dek="A dek for the summary.",
        body="The plant at [Cleon](/entities/cleon/) builds engines.\n\nSecond part.",
        section=section,
        published_at=PUBLISHED,
        hero_image=png(),
        hero_image_alt="The Cleon plant",
        hero_image_caption="Cleon, in Normandy.",
    )
    factories.byline(article, first, position=0)
    factories.byline(article, second, position=1)
    article.tags.add(tag)
    factories.mention(article, entity)
    factories.correction(article, note="An earlier version misnamed the plant.")
    return {
        "article": article,
        "section": section,
        "tag": tag,
        "entity": entity,
        "author": first,
    }


def test_every_feed_parses_and_lists_the_story(client, newsroom):
    for url in feed_urls(newsroom):
        feed = read_feed(client, url)

        assert [entry.title for entry in feed.entries] == [
            "Renault & Geely: “Engines” <for> Cleon"
        ], url
        assert feed.entries[0].link == (
            "http://testserver" + newsroom["article"].get_absolute_url()
        ), url


@pytest.mark.parametrize("kind", FORMATS)
def test_feed_entries_carry_the_full_text_with_absolute_links_and_the_image(
    client, newsroom, kind
):
    (entry,) = read_feed(client, f"/feeds/{kind}.xml").entries

    (content,) = entry.content
    assert content.type == "text/html"
    assert "<p>Second part.</p>" in content.value
    assert 'href="http://testserver/entities/cleon/"' in content.value
    image_url = "http://testserver" + newsroom["article"].hero_image.url
    assert f'src="{image_url}"' in content.value
    assert 'alt="The Cleon plant"' in content.value
    assert "Cleon, in Normandy." in content.value
    assert "An earlier version misnamed the plant." in content.value
    assert entry.summary == "A dek for the summary."
    if kind == "rss":
        assert entry.media_content == [
            {"url": image_url, "medium": "image", "width": "8", "height": "6"}
        ]


@pytest.mark.parametrize("kind", FORMATS)
def test_feed_entries_carry_authors_tags_and_real_times(client, newsroom, kind):
    article = newsroom["article"]
    Article.objects.filter(pk=article.pk).update(
        updated_at=PUBLISHED + datetime.timedelta(days=2)
    )

    feed = read_feed(client, f"/feeds/{kind}.xml")

    (entry,) = feed.entries
    assert entry.author == "Mara Ellison and Priya Nair"
    assert [tag.term for tag in entry.tags] == ["Battery Supply"]
    assert entry.published_parsed[:5] == (2026, 2, 4, 10, 0)
    if kind == "atom":
        assert entry.updated_parsed[:5] == (2026, 2, 6, 10, 0)
        assert feed.feed.updated_parsed[:5] == (2026, 2, 6, 10, 0)


@pytest.mark.parametrize("kind", FORMATS)
def test_feed_ids_survive_a_new_headline_slug_and_section(client, newsroom, kind):
    article = newsroom["article"]
    before = read_feed(client, f"/feeds/{kind}.xml").entries[0].id

    article.headline = "A corrected headline"
    article.slug = "a-corrected-headline"
    article.section = factories.section()
    article.save()
    after = read_feed(client, f"/feeds/{kind}.xml").entries[0]

    assert after.id == before
    assert (
        before == f"tag:testserver,{article.created_at:%Y-%m-%d}:article:{article.pk}"
    )
    assert after.link.endswith("/a-corrected-headline/")


def test_rss_guids_are_not_permalinks(client, newsroom):
    xml = client.get("/feeds/rss.xml").content.decode()

    assert '<guid isPermaLink="false">tag:testserver,' in xml


def test_feeds_hold_only_live_stories_newest_first(client):
    section = factories.section()
    newest = factories.article(section=section)
    older = factories.article(section=section)
    factories.article(section=section, status=Article.Status.DRAFT)
    factories.article(
        section=section,
        published_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1),
    )
    factories.article(section=section, status=Article.Status.WITHDRAWN)

    url = reverse("articles:section_feed_atom", kwargs={"slug": section.slug})
    feed = read_feed(client, url)

    assert [entry.title for entry in feed.entries] == [newest.headline, older.headline]


def test_feeds_hold_the_thirty_newest_stories(client):
    for _ in range(32):
        factories.article()

    assert len(read_feed(client, "/feeds/rss.xml").entries) == 30


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/sections/no-such-section/rss.xml",
        "/feeds/tags/no-such-tag/atom.xml",
        "/feeds/authors/nobody/rss.xml",
        "/feeds/entities/nothing/atom.xml",
    ],
)
def test_a_feed_of_an_unknown_subject_is_not_found(client, url):
    assert client.get(url).status_code == 404


def test_feed_titles_and_links_describe_their_subject(client, newsroom):
    feed = read_feed(client, "/feeds/entities/renault/atom.xml").feed

    assert feed.title == "Renault · Newsroom"
    assert feed.link == "http://testserver/entities/renault/"
    assert feed.subtitle == "Stories about Renault."


@pytest.mark.parametrize("count", [1, 25])
def test_feeds_cost_a_constant_number_of_queries(
    client, django_assert_max_num_queries, django_assert_num_queries, count
):
    section = factories.section()
    entity = factories.entity()
    for _ in range(count):
        article = factories.article(section=section)
        article.tags.add(factories.tag(), factories.tag())
        factories.mention(article, entity)
        factories.correction(article)
        for position in range(3):
            factories.byline(article, factories.author(), position=position)

    # The page cache's content version, the subject, the articles with their
    # sections, bylines, tags, corrections; then none, from the cache.
    for url in [
        f"/feeds/sections/{section.slug}/rss.xml",
        f"/feeds/entities/{entity.slug}/atom.xml",
    ]:
        with django_assert_max_num_queries(6):
            read_feed(client, url)
        with django_assert_num_queries(0):
            read_feed(client, url)


def test_a_cached_feed_shows_a_new_story_as_soon_as_it_is_published(client):
    first = factories.article(headline="The first story")
    assert [e.title for e in read_feed(client, "/feeds/atom.xml").entries] == [
        first.headline
    ]

    second = factories.article(
        headline="The second story",
        published_at=first.published_at + datetime.timedelta(minutes=1),
    )

    assert [e.title for e in read_feed(client, "/feeds/atom.xml").entries] == [
        second.headline,
        first.headline,
    ]
