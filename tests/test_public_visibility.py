"""The one rule of visibility, checked on every public URL."""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from articles.models import Article
from tests import factories

PUBLIC_NAMESPACES = {"articles", "entities"}


def public_url_names() -> set[str]:
    names = set()
    for resolver in get_resolver().url_patterns:
        if (
            isinstance(resolver, URLResolver)
            and resolver.namespace in PUBLIC_NAMESPACES
        ):
            for pattern in resolver.url_patterns:
                assert isinstance(pattern, URLPattern)
                names.add(f"{resolver.namespace}:{pattern.name}")
    return names


@pytest.fixture
def newsroom():
    """One live story and three hidden ones sharing every list a reader can open."""
    section = factories.section(name="Business", slug="business")
    tag = factories.tag(name="Trade Talks", slug="trade-talks")
    writer = factories.author(name="Ada Quill", slug="ada-quill")
    company = factories.entity(name="Geely", slug="geely")
    now = timezone.now()
    live = factories.article(headline="Live story", section=section)
    hidden = [
        factories.article(
            headline="Draft story", section=section, status=Article.Status.DRAFT
        ),
        factories.article(
            headline="Story in review", section=section, status=Article.Status.REVIEW
        ),
        factories.article(
            headline="Scheduled story",
            section=section,
            published_at=now + datetime.timedelta(minutes=5),
        ),
        factories.article(
            headline="Withdrawn story",
            section=section,
            status=Article.Status.WITHDRAWN,
            published_at=now - datetime.timedelta(days=1),
        ),
    ]
    for position, article in enumerate([live, *hidden]):
        article.tags.add(tag)
        factories.byline(article, writer)
        factories.mention(article, company)
        if article is not live:
            factories.pin(live, article, position=position)
    return {
        "live": live,
        "hidden": hidden,
        "urls": {
            "articles:home": "/",
            "articles:section": section.get_absolute_url(),
            "articles:tag": tag.get_absolute_url(),
            "articles:author": writer.get_absolute_url(),
            "entities:detail": company.get_absolute_url(),
            "articles:article": live.get_absolute_url(),
        },
    }


@pytest.mark.django_db
def test_live_excludes_drafts_reviews_scheduled_and_withdrawn_articles(newsroom):
    assert list(Article.objects.live()) == [newsroom["live"]]


@pytest.mark.django_db
def test_live_reads_the_clock_on_every_call(monkeypatch):
    publish_at = timezone.now() + datetime.timedelta(hours=1)
    scheduled = factories.article(published_at=publish_at)
    live_articles = Article.objects.live  # the method, built again on each call

    assert scheduled not in live_articles()

    monkeypatch.setattr(timezone, "now", lambda: publish_at)
    assert scheduled in live_articles()  # published_at == now is live
    assert scheduled.is_live

    monkeypatch.setattr(
        timezone, "now", lambda: publish_at - datetime.timedelta(microseconds=1)
    )
    assert scheduled not in live_articles()
    assert not scheduled.is_live


@pytest.mark.django_db
def test_no_public_page_shows_an_article_that_is_not_live(client, newsroom):
    urls = newsroom["urls"]
    assert set(urls) == public_url_names(), "check every public URL here"

    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        page = response.content.decode()
        assert "Live story" in page, name
        for article in newsroom["hidden"]:
            assert article.headline not in page, f"{article.headline} on {name}"


@pytest.mark.django_db
def test_articles_that_are_not_live_have_no_page(client, newsroom):
    for article in newsroom["hidden"]:
        assert client.get(article.get_absolute_url()).status_code == 404, article


@pytest.mark.django_db
def test_a_scheduled_article_appears_at_its_time_without_anyone_acting(
    client, monkeypatch
):
    publish_at = timezone.now() + datetime.timedelta(minutes=10)
    scheduled = factories.article(headline="Embargoed story", published_at=publish_at)

    assert "Embargoed story" not in client.get("/").content.decode()
    assert client.get(scheduled.get_absolute_url()).status_code == 404

    monkeypatch.setattr(
        timezone, "now", lambda: publish_at + datetime.timedelta(seconds=1)
    )
    assert "Embargoed story" in client.get("/").content.decode()
    assert client.get(scheduled.get_absolute_url()).status_code == 200
