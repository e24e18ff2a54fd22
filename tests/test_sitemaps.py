"""Sitemaps, the Google News sitemap and robots.txt: live content only."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from articles.models import Article
from articles.sitemaps import ArticleSitemap
from articles.urls import SITEMAPS
from tests import factories

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def entries(client, url: str) -> dict[str, str | None]:
    """Each address in a sitemap (or index) with its lastmod."""
    return {
        node.findtext(f"{SITEMAP}loc"): node.findtext(f"{SITEMAP}lastmod")
        for node in xml(client, url)
    }


def test_the_index_lists_every_sitemap(client):
    factories.article()

    assert list(entries(client, "/sitemap.xml")) == [
        f"http://testserver/sitemap-{name}.xml"
        for name in ["articles", "sections", "tags", "authors", "entities"]
    ]


def test_the_article_sitemap_lists_live_articles_with_their_last_change(client):
    published = datetime.datetime(2026, 2, 4, 10, tzinfo=datetime.UTC)
    live = factories.article(published_at=published)
    Article.objects.filter(pk=live.pk).update(
        updated_at=published + datetime.timedelta(hours=5)
    )
    factories.article(status=Article.Status.DRAFT)
    factories.article(published_at=timezone.now() + datetime.timedelta(hours=1))
    factories.article(status=Article.Status.WITHDRAWN, published_at=published)

    assert entries(client, "/sitemap-articles.xml") == {
        "http://testserver" + live.get_absolute_url(): "2026-02-04T15:00:00+00:00"
    }


def test_a_scheduled_article_dates_its_change_no_earlier_than_publication(client):
    article = factories.article(
        published_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    Article.objects.filter(pk=article.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    article.refresh_from_db()

    (lastmod,) = entries(client, "/sitemap-articles.xml").values()

    assert lastmod == timezone.localtime(article.published_at).isoformat()


def test_listing_sitemaps_name_pages_with_live_stories_dated_by_the_newest(client):
    published = datetime.datetime(2026, 2, 4, 10, tzinfo=datetime.UTC)
    section = factories.section(slug="business")
    empty_section = factories.section(slug="empty")
    tag = factories.tag(slug="live-tag")
    hidden_tag = factories.tag(slug="hidden-tag")
    author = factories.author(slug="writer")
    entity = factories.entity(slug="renault")
    suggested = factories.entity(slug="suggested-only")
    for days, status in [(0, "published"), (3, "published"), (-1, "draft")]:
        article = factories.article(
            section=section,
            status=status,
            published_at=published - datetime.timedelta(days=days),
        )
        article.tags.add(tag)
        factories.byline(article, author)
        factories.mention(article, entity)
        factories.mention(article, suggested, status="suggested")
    draft = factories.article(section=empty_section, status=Article.Status.DRAFT)
    draft.tags.add(hidden_tag)

    newest = "2026-02-04T10:00:00+00:00"
    assert entries(client, "/sitemap-sections.xml") == {
        "http://testserver/business/": newest
    }
    assert entries(client, "/sitemap-tags.xml") == {
        "http://testserver/tags/live-tag/": newest
    }
    assert entries(client, "/sitemap-authors.xml") == {
        "http://testserver/authors/writer/": newest
    }
    assert entries(client, "/sitemap-entities.xml") == {
        "http://testserver/entities/renault/": newest
    }


def test_a_sitemap_is_split_into_pages_at_its_limit(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    for _ in range(5):
        factories.article()

    index = list(entries(client, "/sitemap.xml"))
    pages = [entries(client, f"/sitemap-articles.xml?p={page}") for page in (1, 2, 3)]

    assert index[:3] == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-articles.xml?p=2",
        "http://testserver/sitemap-articles.xml?p=3",
    ]
    assert [len(page) for page in pages] == [2, 2, 1]


def test_every_sitemap_splits_at_fifty_thousand_addresses():
    assert {sitemap.limit for sitemap in SITEMAPS.values()} == {50_000}


@pytest.mark.parametrize(
    "url",
    ["/sitemap-articles.xml?p=9", "/sitemap-articles.xml?p=x", "/sitemap-nope.xml"],
)
def test_a_sitemap_page_that_does_not_exist_is_not_found(client, url):
    factories.article()

    assert client.get(url).status_code == 404


def test_the_news_sitemap_lists_live_stories_of_the_last_two_days(client):
    now = timezone.now()
    recent = factories.article(
        headline="Renault & Geely <talks>",
        published_at=now - datetime.timedelta(hours=47),
    )
    factories.article(published_at=now - datetime.timedelta(hours=49))
    factories.article(published_at=now + datetime.timedelta(hours=1))
    factories.article(status=Article.Status.DRAFT, published_at=now)

    root = xml(client, "/news-sitemap.xml")

    (url,) = root
    news = url.find(f"{NEWS}news")
    assert (
        url.findtext(f"{SITEMAP}loc") == "http://testserver" + recent.get_absolute_url()
    )
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Newsroom"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}title") == "Renault & Geely <talks>"
    assert news.findtext(f"{NEWS}publication_date") == (
        timezone.localtime(recent.published_at).isoformat()
    )


@pytest.mark.parametrize(
    ("url", "queries"),
    # Each first counts the page cache's content version; then:
    [
        # each sitemap's size (for its pages) and its newest change,
        ("/sitemap.xml", 11),
        # a count for the paginator, then the page,
        ("/sitemap-articles.xml", 3),
        ("/sitemap-tags.xml", 3),
        ("/sitemap-entities.xml", 3),
        # or the stories of the last two days.
        ("/news-sitemap.xml", 2),
    ],
)
def test_sitemaps_cost_a_constant_number_of_queries(
    client, django_assert_max_num_queries, django_assert_num_queries, url, queries
):
    for minutes in range(30):
        article = factories.article(
            published_at=timezone.now() - datetime.timedelta(minutes=minutes + 1)
        )
        article.tags.add(factories.tag())
        factories.byline(article, factories.author())
        factories.mention(article, factories.entity())

    with django_assert_max_num_queries(queries):
        response = client.get(url)
    with django_assert_num_queries(0):
        cached = client.get(url)

    assert len(ET.fromstring(response.content)) >= 5
    assert cached.content == response.content


def test_robots_txt_names_both_sitemaps_and_keeps_crawlers_out_of_search(client):
    response = client.get("/robots.txt")

    lines = response.content.decode().splitlines()
    assert response["Content-Type"] == "text/plain"
    assert "User-agent: *" in lines
    assert "Disallow: /search/" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/news-sitemap.xml" in lines
