"""Entity pages: related entities, old addresses, and what a page costs."""

import datetime

import pytest
from django.utils import timezone

from articles.models import Article
from entities.models import Entity, Mention
from tests import factories
from tests.test_pages import (
    card_titles,
    forget_stored_pages,
    links,
    parse,
    queries_for,
)

pytestmark = pytest.mark.django_db


def related(page) -> list[tuple[str, str]]:
    section = page.find(class_="related-entities")
    return [
        (a.text, count.text)
        for a, count in zip(
            section.find_all("a"), section.find_all(class_="related-count"), strict=True
        )
    ]


# Found from the entity's mentions (few stories) or by walking the live
# stories newest first (many): both ways must agree.
both_ways = pytest.mark.parametrize("few_stories", [2000, 0])


@both_ways
def test_related_entities_are_counted_over_live_articles_that_confirm_both(
    client, monkeypatch, few_stories
):
    monkeypatch.setattr("entities.models.FEW_STORIES", few_stories)
    renault = factories.entity(name="Renault", slug="renault")
    geely = factories.entity(name="Geely", slug="geely")
    france = factories.entity(name="France", slug="france", kind=Entity.Kind.PLACE)
    ford = factories.entity(name="Ford", slug="ford")
    for _ in range(3):
        story = factories.article()
        factories.mention(story, renault)
        factories.mention(story, france)
    story = factories.article()
    factories.mention(story, renault)
    factories.mention(story, geely)
    factories.mention(story, ford, status=Mention.Status.REJECTED)
    hidden = [
        factories.article(status=Article.Status.DRAFT),
        factories.article(published_at=timezone.now() + datetime.timedelta(days=1)),
    ]
    for story in hidden:
        factories.mention(story, renault)
        factories.mention(story, ford)

    page = parse(client.get("/entities/renault/"))

    assert related(page) == [("France", "3 stories"), ("Geely", "1 story")]
    assert ("France", "/entities/france/") in links(page)


@both_ways
def test_related_entities_are_counted_over_the_entity_s_newest_stories(
    client, monkeypatch, few_stories
):
    monkeypatch.setattr("entities.models.FEW_STORIES", few_stories)
    monkeypatch.setattr("entities.models.CO_OCCURRENCE_STORIES", 2)
    renault = factories.entity(name="Renault", slug="renault")
    geely = factories.entity(name="Geely", slug="geely")
    ford = factories.entity(name="Ford", slug="ford")
    now = timezone.now()
    for days_ago, other in [(1, geely), (2, geely), (3, ford), (4, ford), (5, ford)]:
        story = factories.article(published_at=now - datetime.timedelta(days=days_ago))
        factories.mention(story, renault)
        factories.mention(story, other)

    page = parse(client.get("/entities/renault/"))

    # Ford shares more stories in all, but none of Renault's two newest.
    assert related(page) == [("Geely", "2 stories")]


def test_an_entity_page_without_co_mentions_lists_no_related_entities(client):
    factories.mention(factories.article(), factories.entity(slug="alone"))

    html = client.get("/entities/alone/").content.decode()

    assert "related-entities" not in html


@pytest.fixture
def crowded_entity():
    """Return a function adding articles that each mention the entity and others."""
    renault = factories.entity(slug="renault")

    def add(count: int) -> str:
        for _ in range(count):
            story = factories.article()
            factories.byline(story, factories.author())
            factories.mention(story, renault)
            for _ in range(3):
                factories.mention(story, factories.entity())
        return "/entities/renault/"

    return add


def test_an_entity_page_costs_at_most_eight_queries(
    client, crowded_entity, django_assert_max_num_queries
):
    url = crowded_entity(25)
    client.get(url)
    forget_stored_pages()  # a cache miss, the content version known

    with django_assert_max_num_queries(8):
        page = parse(client.get(url))

    assert len(card_titles(page)) == 20
    assert len(related(page)) == 12


def test_an_entity_page_costs_the_same_with_more_articles_and_entities(
    client, crowded_entity
):
    url = crowded_entity(1)
    one = queries_for(client, url)
    crowded_entity(24)

    assert queries_for(client, url) == one


def test_a_merged_entity_address_redirects_permanently_keeping_the_page(client):
    survivor = factories.entity(name="Volkswagen Group", slug="volkswagen-group")
    survivor.slug_redirects.create(old_slug="volkswagen")

    response = client.get("/entities/volkswagen/?page=2")

    assert response.status_code == 301
    assert response["Location"] == "/entities/volkswagen-group/?page=2"


def test_an_entity_taking_a_redirected_address_is_shown_there(client):
    survivor = factories.entity(slug="volkswagen-group")
    survivor.slug_redirects.create(old_slug="volkswagen")

    factories.entity(name="Volkswagen", slug="volkswagen")

    assert client.get("/entities/volkswagen/").status_code == 200
    assert not survivor.slug_redirects.exists()


def test_a_page_past_the_end_of_a_known_entity_is_not_found(client):
    factories.mention(factories.article(), factories.entity(slug="renault"))

    assert client.get("/entities/renault/?page=9").status_code == 404
