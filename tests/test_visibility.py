"""Readers see an article only when it is live: the rule, and the pages obeying it."""

import datetime
from collections.abc import Iterable, Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from articles.models import Article
from tests import factories

pytestmark = pytest.mark.django_db

# Every named URL in these namespaces is a page readers can reach.
PUBLIC_NAMESPACES = ("articles", "entities")


def freeze_clock(monkeypatch, moment: datetime.datetime) -> None:
    # articles.models reads the clock through the timezone module, so patching the
    # module's function moves the clock for live() and for every view.
    monkeypatch.setattr("articles.models.timezone.now", lambda: moment)


# --- Article.objects.live() ---------------------------------------------------


def test_live_includes_published_articles_whose_time_has_passed():
    published = factories.article(
        published_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert list(Article.objects.live()) == [published]


@pytest.mark.parametrize(
    "status",
    [Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.WITHDRAWN],
)
def test_live_excludes_articles_that_are_not_published_even_with_a_past_date(status):
    factories.article(
        status=status, published_at=timezone.now() - datetime.timedelta(days=1)
    )

    assert not Article.objects.live().exists()


def test_live_excludes_a_draft_without_a_publication_time():
    factories.article(status=Article.Status.DRAFT)

    assert not Article.objects.live().exists()


def test_live_excludes_scheduled_articles():
    factories.article(published_at=timezone.now() + datetime.timedelta(hours=1))

    assert not Article.objects.live().exists()


def test_live_includes_an_article_published_exactly_now(monkeypatch):
    moment = timezone.now().replace(microsecond=123456)
    article = factories.article(published_at=moment)
    article.refresh_from_db()
    freeze_clock(monkeypatch, article.published_at)

    assert list(Article.objects.live()) == [article]


def test_live_reads_the_clock_on_every_call(monkeypatch):
    start = timezone.now()
    scheduled = factories.article(published_at=start + datetime.timedelta(seconds=1))

    freeze_clock(monkeypatch, start)
    before = list(Article.objects.live())
    freeze_clock(monkeypatch, start + datetime.timedelta(seconds=1))
    after = list(Article.objects.live())

    assert before == []
    assert after == [scheduled]


def test_scheduled_article_appears_at_its_time_with_no_one_acting(client, monkeypatch):
    start = timezone.now()
    scheduled = factories.article(
        headline="Scheduled story goes live",
        published_at=start + datetime.timedelta(seconds=1),
    )
    url = scheduled.get_absolute_url()

    freeze_clock(monkeypatch, start)
    early_page = client.get(url)
    early_home = client.get("/").content.decode()
    freeze_clock(monkeypatch, start + datetime.timedelta(seconds=1))
    on_time_page = client.get(url)
    on_time_home = client.get("/").content.decode()

    assert early_page.status_code == 404
    assert "Scheduled story goes live" not in early_home
    assert on_time_page.status_code == 200
    assert "Scheduled story goes live" in on_time_home


# --- Every public URL ---------------------------------------------------------


def named_patterns(
    patterns: Iterable[URLPattern | URLResolver], namespace: str
) -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
            )
            yield from named_patterns(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}"


def public_url_names() -> set[str]:
    resolver = get_resolver()
    names = set()
    for namespace in PUBLIC_NAMESPACES:
        _prefix, namespace_resolver = resolver.namespace_dict[namespace]
        names.update(named_patterns(namespace_resolver.url_patterns, namespace))
    return names


class Reader:
    """A test client that remembers which public URL patterns it requested."""

    def __init__(self, client) -> None:
        self.client = client
        self.visited: set[str] = set()

    def get(self, url: str):
        match = resolve(url.split("?", 1)[0])
        if match.namespace.split(":", 1)[0] in PUBLIC_NAMESPACES:
            self.visited.add(match.view_name)
        return self.client.get(url)


@pytest.fixture
def shared_newsroom():
    """One live story and three hidden ones sharing every list they could be on."""
    now = timezone.now()
    section = factories.section(name="Regulation", slug="regulation")
    tag = factories.tag(name="Battery Supply", slug="battery-supply")
    author = factories.author(name="Ada Reporter", slug="ada-reporter")
    entity = factories.entity(name="Renault", slug="renault")
    live = factories.article(
        headline="Visible story on batteries",
        section=section,
        published_at=now - datetime.timedelta(hours=2),
    )
    # Each hidden story is newer than the live one: a leak would top every list.
    hidden = [
        factories.article(
            headline="Hidden draft story",
            status=Article.Status.DRAFT,
            published_at=now - datetime.timedelta(minutes=5),
            section=section,
        ),
        factories.article(
            headline="Hidden scheduled story",
            published_at=now + datetime.timedelta(days=1),
            section=section,
        ),
        factories.article(
            headline="Hidden withdrawn story",
            status=Article.Status.WITHDRAWN,
            published_at=now - datetime.timedelta(minutes=10),
            section=section,
        ),
    ]
    for story in [live, *hidden]:
        story.tags.add(tag)
        factories.byline(story, author)
        factories.mention(story, entity)
    for position, story in enumerate(hidden):
        factories.pin(live, story, position=position)
    return {
        "live": live,
        "hidden": hidden,
        "section": section,
        "tag": tag,
        "author": author,
        "entity": entity,
    }


def test_hidden_articles_appear_on_no_public_page(client, shared_newsroom):
    reader = Reader(client)
    live = shared_newsroom["live"]
    hidden = shared_newsroom["hidden"]
    listing_urls = [
        "/",
        "/archive/",
        shared_newsroom["section"].get_absolute_url(),
        shared_newsroom["tag"].get_absolute_url(),
        shared_newsroom["author"].get_absolute_url(),
        shared_newsroom["entity"].get_absolute_url(),
    ]

    pages = {url: reader.get(url) for url in [*listing_urls, live.get_absolute_url()]}
    hidden_responses = {
        story.headline: reader.get(story.get_absolute_url()) for story in hidden
    }

    for url, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, url
        assert live.headline in html, url
        for story in hidden:
            assert story.headline not in html, (url, story.headline)
            assert story.get_absolute_url() not in html, (url, story.headline)
    assert "Read These Next" not in pages[live.get_absolute_url()].content.decode()
    for headline, response in hidden_responses.items():
        assert response.status_code == 404, headline
        assert headline not in response.content.decode()
    assert reader.visited == public_url_names()


def test_hidden_article_at_a_wrong_address_is_not_redirected_to_its_own(
    client, shared_newsroom
):
    for story in shared_newsroom["hidden"]:
        wrong_date = story.get_absolute_url().replace(
            f"/{timezone.localtime(story.published_at).year}/", "/2001/"
        )

        response = client.get(wrong_date)

        assert response.status_code == 404, story.headline


def test_public_url_walk_knows_the_site_has_article_and_entity_pages():
    # Guards the walk above: an empty set of names would make it pass vacuously.
    assert {"articles:home", "articles:article", "entities:detail"} <= (
        public_url_names()
    )
