"""The public page cache: served without queries, never wrong for long."""

import datetime
import os

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.migrations.state import ProjectState
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from articles import caching
from articles.models import Article, Tag
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """A settable clock for live(), the cache and its lifetimes alike."""

    class Clock:
        now = timezone.now().replace(microsecond=0)

        def move(self, **delta) -> None:
            self.now += datetime.timedelta(**delta)

    moving = Clock()
    monkeypatch.setattr("django.utils.timezone.now", lambda: moving.now)
    return moving


@pytest.fixture
def story(clock):
    article = factories.article(
        headline="Renault plans a small engine",
        published_at=clock.now - datetime.timedelta(hours=1),
    )
    factories.byline(article, factories.author())
    article.tags.add(factories.tag(slug="automotive-industry-weekly"))
    return article


def test_second_request_is_served_from_the_cache_without_queries(
    client, story, django_assert_max_num_queries, django_assert_num_queries
):
    url = story.get_absolute_url()

    with django_assert_max_num_queries(8):
        first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == first["Content-Type"]


@pytest.mark.parametrize(
    "url",
    ["/", "/archive/", "/tags/automotive-industry-weekly/", "SECTION", "AUTHOR"],
)
def test_every_list_page_is_served_from_the_cache_without_queries(
    client, story, django_assert_num_queries, url
):
    url = {
        "SECTION": story.section.get_absolute_url(),
        "AUTHOR": story.bylines.get().author.get_absolute_url(),
    }.get(url, url)
    client.get(url)

    with django_assert_num_queries(0):
        response = client.get(url)

    assert response.status_code == 200
    assert story.headline in response.content.decode()


def test_entity_page_is_served_from_the_cache_without_queries(
    client, story, django_assert_num_queries
):
    factories.mention(story, factories.entity(slug="renault"))
    client.get("/entities/renault/")

    with django_assert_num_queries(0):
        assert client.get("/entities/renault/").status_code == 200


def test_a_new_content_version_costs_one_query_once(client, story):
    url = story.get_absolute_url()
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    cache.delete(caching.page_key(RequestFactory().get(url)))
    with CaptureQueriesContext(connection) as warm:
        client.get(url)

    assert len(cold) == len(warm) + 1


def test_editing_an_article_shows_at_once(client, story):
    url = story.get_absolute_url()
    client.get(url)

    story.headline = "Renault confirms the small engine"
    story.save()

    assert "Renault confirms the small engine" in client.get(url).content.decode()


def test_withdrawing_an_article_removes_it_from_its_page_and_the_lists(client, story):
    url = story.get_absolute_url()
    client.get(url)
    client.get("/")

    story.status = Article.Status.WITHDRAWN
    story.save()

    assert client.get(url).status_code == 404
    assert story.headline not in client.get("/").content.decode()


def test_publishing_an_article_shows_it_on_the_home_page_at_once(client, story, clock):
    client.get("/")

    factories.article(
        headline="Ford and Geely talk", published_at=clock.now - datetime.timedelta(1)
    )

    assert "Ford and Geely talk" in client.get("/").content.decode()


def test_tagging_an_article_refreshes_the_tag_page(client, story):
    tag = factories.tag(slug="battery-supply")
    client.get("/tags/battery-supply/")

    story.tags.add(tag)

    assert story.headline in client.get("/tags/battery-supply/").content.decode()


def test_confirming_a_mention_refreshes_the_entity_page(client, story):
    entity = factories.entity(slug="renault")
    client.get("/entities/renault/")

    factories.mention(story, entity)

    assert story.headline in client.get("/entities/renault/").content.decode()


def test_a_write_outside_the_content_apps_keeps_the_cache(client, story):
    client.get("/")
    version = cache.get(caching.VERSION_KEY)

    get_user_model().objects.create_user("someone")

    assert cache.get(caching.VERSION_KEY) == version


def test_migrations_writing_historical_models_do_not_touch_the_cache(story):
    historical_tag = ProjectState.from_apps(apps).apps.get_model("articles", "Tag")
    cache.set(caching.VERSION_KEY, "kept")

    caching.content_changed(sender=historical_tag, instance=None, created=True)

    assert cache.get(caching.VERSION_KEY) == "kept"
    assert historical_tag is not Tag


def test_scheduled_article_appears_on_a_cached_home_page_at_its_time(client, clock):
    factories.article(headline="Already out", published_at=clock.now)
    factories.article(
        headline="Scheduled story",
        published_at=clock.now + datetime.timedelta(seconds=45),
    )
    before = client.get("/")

    clock.move(seconds=44)
    still_before = client.get("/")
    clock.move(seconds=1)
    at_its_time = client.get("/")

    assert "Scheduled story" not in before.content.decode()
    assert "Scheduled story" not in still_before.content.decode()
    assert "Scheduled story" in at_its_time.content.decode()


def test_expiring_article_leaves_cached_pages_at_its_time(client, story, clock):
    story.expires_at = clock.now + datetime.timedelta(seconds=30)
    story.save()
    url = story.get_absolute_url()
    client.get("/")
    client.get(url)

    clock.move(seconds=29)
    before = client.get("/")
    clock.move(seconds=1)
    at_expiry = client.get("/")

    assert story.headline in before.content.decode()
    assert story.headline not in at_expiry.content.decode()
    assert client.get(url).status_code == 404


def test_a_change_the_signals_miss_is_shown_within_a_minute(
    client, story, clock, django_assert_num_queries
):
    url = story.get_absolute_url()
    client.get(url)
    # update() sends no signal: only the page lifetime protects readers here.
    Article.objects.filter(pk=story.pk).update(headline="Quietly changed")

    clock.move(seconds=caching.PAGE_LIFETIME - 1)
    with django_assert_num_queries(0):
        stale = client.get(url)
    clock.move(seconds=1)
    fresh = client.get(url)

    assert "Quietly changed" not in stale.content.decode()
    assert "Quietly changed" in fresh.content.decode()


def test_the_content_version_is_read_again_after_a_page_lifetime(clock):
    # Another worker's write cannot forget this process's version record, and
    # the navigation rides on it: it must age out with the pages, not in a day.
    version = caching.current_version(clock.now, None)
    clock.move(seconds=caching.PAGE_LIFETIME - 1)
    assert caching.current_version(clock.now, version) is version
    clock.move(seconds=1)
    renewed = caching.current_version(clock.now, version)
    assert renewed is not version
    assert renewed.stamp != version.stamp


def cache_control(response) -> dict[str, str]:
    directives = {}
    for part in response["Cache-Control"].split(","):
        name, _, value = part.strip().partition("=")
        directives[name] = value
    return directives


def test_public_pages_let_browsers_keep_them_briefly(client, story):
    response = client.get(story.get_absolute_url())

    assert cache_control(response) == {
        "public": "",
        "max-age": str(caching.BROWSER_MAX_AGE),
        "stale-while-revalidate": str(caching.STALE_WHILE_REVALIDATE),
    }
    assert caching.BROWSER_MAX_AGE + caching.STALE_WHILE_REVALIDATE <= 60
    assert caching.PAGE_LIFETIME <= 60


@pytest.mark.parametrize(
    ("seconds_to_go", "max_age", "stale"), [(10, 10, 0), (45, 30, 15), (0.5, 0, 0)]
)
def test_browser_lifetimes_end_before_a_scheduled_publication(
    client, story, clock, seconds_to_go, max_age, stale
):
    factories.article(
        published_at=clock.now + datetime.timedelta(seconds=seconds_to_go)
    )

    for url in ["/", story.get_absolute_url()]:
        directives = cache_control(client.get(url))
        assert directives["max-age"] == str(max_age), url
        assert directives["stale-while-revalidate"] == str(stale), url


def test_browser_lifetimes_end_before_an_expiry(client, story, clock):
    story.expires_at = clock.now + datetime.timedelta(seconds=12)
    story.save()

    directives = cache_control(client.get(story.get_absolute_url()))

    assert (directives["max-age"], directives["stale-while-revalidate"]) == ("12", "0")


def test_an_unchanged_page_answers_304_to_its_etag(
    client, story, django_assert_num_queries
):
    url = story.get_absolute_url()
    etag = client.get(url)["ETag"]

    with django_assert_num_queries(0):
        response = client.get(url, headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert "max-age" in response["Cache-Control"]


def test_an_unchanged_page_answers_304_to_its_last_modified_time(client, story):
    url = story.get_absolute_url()
    last_modified = client.get(url)["Last-Modified"]

    response = client.get(url, headers={"if-modified-since": last_modified})

    assert response.status_code == 304


def test_a_changed_page_answers_200_to_an_old_etag(client, story, clock):
    url = story.get_absolute_url()
    old = client.get(url)

    clock.move(seconds=2)
    story.headline = "A new headline"
    story.save()
    response = client.get(
        url,
        headers={
            "if-none-match": old["ETag"],
            "if-modified-since": old["Last-Modified"],
        },
    )

    assert response.status_code == 200
    assert response["ETag"] != old["ETag"]
    assert response["Last-Modified"] == http_date(clock.now.timestamp())


def test_head_requests_are_answered_from_the_same_cache(
    client, story, django_assert_num_queries
):
    url = story.get_absolute_url()
    etag = client.get(url)["ETag"]

    with django_assert_num_queries(0):
        response = client.head(url)

    assert response.status_code == 200
    assert response["ETag"] == etag


def test_signed_in_staff_are_never_served_or_stored_in_the_cache(
    admin_client, client, story
):
    url = story.get_absolute_url()
    client.get(url)  # stored for readers

    staff = admin_client.get(url)
    Article.objects.filter(pk=story.pk).update(headline="Changed without a signal")
    staff_again = admin_client.get(url)

    assert cache_control(staff) == {"private": "", "no-cache": ""}
    assert "Changed without a signal" in staff_again.content.decode()
    # Readers still get the stored page: the staff requests stored nothing.
    assert "Changed without a signal" not in client.get(url).content.decode()


@pytest.mark.parametrize("url", ["/no-such-section/", "/archive/?page=9"])
def test_pages_that_are_not_found_are_not_stored(client, story, url):
    assert client.get(url).status_code == 404

    assert cache.get(caching.page_key(RequestFactory().get(url))) is None


@pytest.mark.parametrize(
    "spoil",
    [
        lambda response: response.set_cookie("seen", "1"),
        lambda response: response.__setitem__("Cache-Control", "private, no-store"),
    ],
    ids=["cookie", "private"],
)
def test_responses_with_cookies_or_marked_private_are_never_stored(spoil):
    calls = []

    @caching.cache_public_page
    def view(request):
        calls.append(request)
        response = HttpResponse("personal")
        spoil(response)
        return response

    view(RequestFactory().get("/somewhere/"))
    second = view(RequestFactory().get("/somewhere/"))

    assert len(calls) == 2
    assert "public" not in second.get("Cache-Control", "")


@pytest.fixture
def redis_cache(settings):
    """The page cache in Redis (database 4 on this machine), as in production."""
    redis = pytest.importorskip("redis", reason="pip install -e '.[redis]'")
    url = os.environ.get("NEWSROOM_TEST_REDIS_URL", "redis://127.0.0.1:6379/4")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis answers at {url}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "newsroom-tests",
        }
    }
    cache.clear()
    yield
    cache.clear()


def test_pages_are_stored_served_and_invalidated_in_redis(
    redis_cache, client, story, django_assert_num_queries
):
    url = story.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    story.headline = "Renault confirms the small engine"
    story.save()
    third = client.get(url)

    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "Renault confirms the small engine" in third.content.decode()
