"""The article page's stored parts: the same page, cheaper, and never stale."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import caching, page_data, publishing, recommendations
from articles.merging import merge_tags
from articles.models import Article
from entities.models import Entity
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(django_capture_on_commit_callbacks):
    """Run what a commit runs: each change is followed by the rebuild of parts."""

    def run(change=None):
        with django_capture_on_commit_callbacks(execute=True):
            if change is not None:
                change()

    return run


@pytest.fixture
def story(stored):
    target = factories.article(headline="Geely opens a plant in Hungary")
    story = factories.article(
        headline="Renault and Geely build engines together",
        dek="A joint venture for small engines.",
    )
    story.tags.add(factories.tag(name="Small Engines"))
    factories.byline(story, factories.author(name="Mara Ellison"))
    factories.mention(story, factories.entity(name="Geely"))
    factories.pin(story, target)
    page_data.rebuild([story.pk, target.pk])
    story.refresh_from_db()
    assert page_data.is_current(story.page_data)
    return story


def html(client, article: Article) -> str:
    cache.clear()  # each visit a first visit
    article.refresh_from_db()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def stored_parts(article: Article) -> dict | None:
    return Article.objects.get(pk=article.pk).page_data


def test_stored_parts_give_the_page_rendered_live(client, story):
    from_parts = html(client, story)
    Article.objects.filter(pk=story.pk).update(page_data=None)

    assert html(client, story) == from_parts
    assert "Mara Ellison" in from_parts
    assert "Geely opens a plant in Hungary" in from_parts


def test_a_page_from_stored_parts_costs_one_query_once_the_version_is_known(
    client, story
):
    url = story.get_absolute_url()
    client.get(url)
    version = cache.get(caching.VERSION_KEY)
    cache.clear()
    cache.set(caching.VERSION_KEY, version)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)

    assert response.status_code == 200
    assert len(captured) == 1


def test_stored_urls_take_the_request_host(client, story):
    page = html(client, story)

    assert page_data.BASE_URL not in page
    assert f"http://testserver{story.get_absolute_url()}" in page


def test_parts_stored_under_other_settings_are_rendered_live(client, story, settings):
    settings.NEWSROOM_SITE_NAME = "The Other Paper"

    page = html(client, story)

    assert '"name": "The Other Paper"' in page  # the publisher, in JSON-LD
    assert not page_data.is_current(stored_parts(story))


def test_rebuild_page_data_command_stores_only_stale_parts(story, stored):
    other = factories.article(headline="Not rendered yet")
    draft = factories.article(status=Article.Status.DRAFT)

    call_command("rebuild_page_data", stdout=(output := _Output()))

    assert "stored: 1 articles" in output.text
    assert page_data.is_current(stored_parts(other))
    assert stored_parts(draft) is None


def test_a_build_overtaken_by_a_change_is_not_stored(story, monkeypatch):
    Article.objects.filter(pk=story.pk).update(page_data=None)
    build = page_data.build

    def overtaken(article):
        parts = build(article)
        page_data.invalidate([article.pk])  # an editor saves meanwhile
        return parts

    monkeypatch.setattr(page_data, "build", overtaken)

    assert page_data.rebuild([story.pk]) == 0
    assert stored_parts(story) is None


# --- Every change readers would see forgets the parts and stores new ones ----


def test_a_renamed_tag_shows_up(client, story, stored):
    tag = story.tags.get()
    tag.name = "Small Motors"
    stored(tag.save)

    assert "Small Motors" in stored_parts(story)["story"]
    assert "Small Motors" in html(client, story)


def test_a_renamed_entity_shows_up(client, story, stored):
    entity = Entity.objects.get(name="Geely")
    entity.name = "Geely Holding"
    stored(entity.save)

    assert "Geely Holding" in stored_parts(story)["meta"]
    assert "Geely Holding" in html(client, story)


def test_a_renamed_author_shows_up(client, story, stored):
    author = story.bylines.get().author
    author.name = "Mara Ellison-Chen"
    stored(author.save)

    assert "Mara Ellison-Chen" in html(client, story)
    assert page_data.is_current(stored_parts(story))


def test_a_renamed_section_shows_up_on_its_articles_and_in_cards(client, story, stored):
    target = Article.objects.get(headline="Geely opens a plant in Hungary")
    section = target.section
    section.name = "Regulation"
    stored(section.save)

    assert "Regulation" in stored_parts(target)["story"]
    assert "Regulation" in stored_parts(story)["read_next"][0][2]
    assert 'class="read-next-section">Regulation<' in html(client, story)


def test_a_new_pin_shows_up(client, story, stored):
    newer = factories.article(headline="Volkswagen trims its outlook")
    stored(lambda: factories.pin(story, newer, position=0))

    assert "Volkswagen trims its outlook" in html(client, story)
    assert page_data.is_current(stored_parts(story))


def test_a_correction_shows_up(client, story, stored):
    stored(lambda: factories.correction(story, note="The plant is in Hungary."))

    page = html(client, story)
    assert "The plant is in Hungary." in page
    assert '"correction"' in page
    assert page_data.is_current(stored_parts(story))


def test_an_edited_article_shows_up(client, story, stored):
    story.dek = "A new standfirst."
    stored(story.save)

    assert "A new standfirst." in html(client, story)


def test_a_recommended_story_edited_shows_up_in_the_cards(client, story, stored):
    target = Article.objects.get(headline="Geely opens a plant in Hungary")
    target.headline = "Geely opens its first plant in Hungary"
    stored(target.save)

    assert "Geely opens its first plant in Hungary" in html(client, story)
    assert page_data.is_current(stored_parts(story))


def test_a_withdrawn_recommended_story_leaves_the_cards(client, story, stored):
    target = Article.objects.get(headline="Geely opens a plant in Hungary")
    editor = User.objects.create_superuser("editor", password="not-used")
    stored(lambda: publishing.transition(target, "withdraw", user=editor))

    assert "Geely opens a plant in Hungary" not in html(client, story)
    assert page_data.is_current(stored_parts(story))


def test_merged_tags_show_the_survivor(client, story, stored):
    survivor = factories.tag(name="Engine Makers")
    stored(lambda: merge_tags(survivor=survivor, others=[story.tags.get()]))

    page = html(client, story)
    assert "Engine Makers" in page
    assert "Small Engines" not in page


def test_recomputed_recommendations_show_up(client, story, stored):
    stored(recommendations.rebuild)

    assert page_data.is_current(stored_parts(story))
    assert "Geely opens a plant in Hungary" in html(client, story)  # the pin


def test_a_scheduled_recommended_story_appears_at_its_time(
    client, story, stored, monkeypatch
):
    soon = timezone.now() + datetime.timedelta(hours=1)
    scheduled = factories.article(headline="Ford plans out at noon", published_at=soon)
    stored(lambda: factories.pin(story, scheduled, position=0))
    assert "Ford plans out at noon" not in html(client, story)

    later = soon + datetime.timedelta(minutes=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)

    assert "Ford plans out at noon" in html(client, story)


class _Output:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
