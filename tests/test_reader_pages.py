"""The reader pages: the article laid out like the seed, lists, and what they cost."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Section
from entities.models import Entity, Mention
from tests import factories

FEB_04 = datetime.datetime(2026, 2, 4, 10, 0, tzinfo=datetime.UTC)


def add_related(story: Article, count: int) -> None:
    for number in range(count):
        story.tags.add(factories.tag())
        factories.mention(story, factories.entity(kind=Entity.Kind.PLACE))
        target = factories.article(
            section=factories.section(), dek=f"Dek of pinned story {number}."
        )
        factories.pin(story, target, position=story.read_next_pins.count())


def build_story(count: int) -> Article:
    """A live article with ``count`` tags, confirmed entities and live pins."""
    section = factories.section(name="Business", slug="business")
    story = factories.article(
        headline="Partners Line Up",
        slug="partners-line-up",
        section=section,
        published_at=FEB_04,
        body="First paragraph with **news**.\n\nSecond paragraph.",
    )
    factories.byline(story, factories.author(name="Ada Quill", slug="ada-quill"), 0)
    factories.byline(story, factories.author(name="Ben Marsh", slug="ben-marsh"), 1)
    add_related(story, count)
    factories.correction(story, note="A figure was corrected.")
    return story


@pytest.mark.django_db
def test_article_page_is_laid_out_like_the_seed_story(client):
    story = build_story(2)
    company = factories.entity(name="Geely", slug="geely", kind=Entity.Kind.COMPANY)
    factories.mention(story, company)
    suggested = factories.entity(name="Suggested Co", slug="suggested-co")
    factories.mention(story, suggested, status=Mention.Status.SUGGESTED)
    rejected = factories.entity(name="Rejected Co", slug="rejected-co")
    factories.mention(story, rejected, status=Mention.Status.REJECTED)

    response = client.get("/business/2026/02/04/partners-line-up/")

    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r"<h1[^>]*>Partners Line Up</h1>", page)
    assert "Published on <time" in page and ">Feb 04, 2026</time>." in page
    assert re.search(
        r'By <a href="/authors/ada-quill/">Ada Quill</a> and '
        r'<a href="/authors/ben-marsh/">Ben Marsh</a>',
        page,
    )
    assert "<p>First paragraph with <strong>news</strong>.</p>" in page
    for tag in story.tags.all():
        assert f'<a href="/tags/{tag.slug}/">{tag.name}</a>' in page
    assert '<a href="/entities/geely/">Geely</a>' in page
    assert "<dt>Company</dt>" in page and "<dt>Place</dt>" in page
    assert "Suggested Co" not in page and "Rejected Co" not in page
    assert "A figure was corrected." in page

    read_next = page[page.index("Read These Next") :]
    pins = list(story.read_next_pins.select_related("target__section"))
    positions = [read_next.index(pin.target.get_absolute_url()) for pin in pins]
    assert positions == sorted(positions)
    for pin in pins:
        assert pin.target.section.name in read_next
        assert pin.target.dek in read_next


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 30])
def test_article_page_costs_at_most_eight_queries(
    client, django_assert_max_num_queries, count
):
    story = build_story(count)

    with django_assert_max_num_queries(8):
        response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    assert response.content.decode().count('class="read-next-item"') == count


@pytest.mark.django_db
def test_article_page_query_count_does_not_grow_with_tags_entities_and_pins(client):
    story = build_story(1)
    with CaptureQueriesContext(connection) as one_of_each:
        client.get(story.get_absolute_url())

    add_related(story, 29)
    with CaptureQueriesContext(connection) as thirty_of_each:
        response = client.get(story.get_absolute_url())

    assert response.content.decode().count('class="read-next-item"') == 30
    assert len(thirty_of_each) == len(one_of_each)


@pytest.mark.django_db
def test_wrong_section_or_date_redirects_permanently_to_the_canonical_url(client):
    story = build_story(1)
    canonical = "/business/2026/02/04/partners-line-up/"
    assert story.get_absolute_url() == canonical
    factories.section(name="World", slug="world")

    for wrong in [
        "/world/2026/02/04/partners-line-up/",
        "/business/2025/12/31/partners-line-up/",
    ]:
        response = client.get(wrong)
        assert (response.status_code, response["Location"]) == (301, canonical)


@pytest.mark.django_db
def test_unknown_article_section_tag_author_and_entity_answer_404(client):
    for url in [
        "/business/2026/02/04/no-such-story/",
        "/no-such-section/",
        "/tags/no-such-tag/",
        "/authors/nobody/",
        "/entities/nothing/",
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_a_section_cannot_take_a_slug_the_site_uses():
    with pytest.raises(ValidationError, match="used by the site itself"):
        Section(name="Tags", slug="tags").full_clean()


def make_list(count: int = 25):
    """``count`` live stories sharing a section, tag, entity and three authors."""
    section = factories.section(name="World", slug="world")
    tag = factories.tag(name="Port Logistics", slug="port-logistics")
    writers = [factories.author() for _ in range(3)]
    entity = factories.entity(
        name="Canada", slug="canada", kind=Entity.Kind.PLACE, wikidata_id="Q16",
        description="A country in North America.",
    )  # fmt: skip
    factories.alias(entity, "Dominion of Canada")
    stories = []
    for _ in range(count):
        story = factories.article(section=section)
        story.tags.add(tag)
        for position, writer in enumerate(writers):
            factories.byline(story, writer, position)
        factories.mention(story, entity)
        stories.append(story)
    return section, tag, writers[0], entity, stories


def list_urls(*subjects) -> list[str]:
    return ["/", *(subject.get_absolute_url() for subject in subjects)]


@pytest.mark.django_db
def test_list_pages_cost_a_constant_number_of_queries(
    client, django_assert_max_num_queries
):
    section, tag, writer, entity, _ = make_list()

    for url in list_urls(section, tag, writer, entity):
        with django_assert_max_num_queries(6):
            response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count('class="card"') == 20, url


@pytest.mark.django_db
def test_lists_are_newest_first_and_paginated(client):
    *_, stories = make_list()

    first = client.get("/").content.decode()
    second = client.get("/?page=2").content.decode()

    newest_first = sorted(stories, key=lambda story: story.published_at, reverse=True)
    positions = [first.index(story.headline + "<") for story in newest_first[:20]]
    assert positions == sorted(positions)
    assert second.count('class="card"') == 5
    assert 'rel="prev"' in second and 'rel="next"' in first


@pytest.mark.django_db
def test_section_page_lists_only_that_sections_stories(client):
    business = factories.section(name="Business", slug="business")
    inside = factories.article(headline="Inside story", section=business)
    factories.article(headline="Elsewhere story")

    page = client.get(business.get_absolute_url()).content.decode()

    assert inside.headline in page and "Elsewhere story" not in page


@pytest.mark.django_db
def test_entity_page_shows_its_facts_and_only_confirmed_mentions(client):
    _, _, _, entity, _ = make_list(count=1)
    suggested = factories.article(headline="Only suggested")
    factories.mention(suggested, entity, status=Mention.Status.SUGGESTED)

    page = client.get(entity.get_absolute_url()).content.decode()

    assert "<h1" in page and "Canada</h1>" in page
    assert "Place" in page and "A country in North America." in page
    assert "Dominion of Canada" in page
    assert 'href="https://www.wikidata.org/wiki/Q16"' in page
    assert "Only suggested" not in page
    assert page.count('class="card"') == 1


@pytest.mark.django_db
def test_healthz_answers_ok_while_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("newsroom.views.connection.cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_public_pages_have_no_inline_scripts_or_styles_and_set_no_cookies(client):
    section, tag, writer, entity, stories = make_list(count=2)
    pages = [stories[0].get_absolute_url(), "/no-such-page/"]

    for url in [*list_urls(section, tag, writer, entity), *pages]:
        response = client.get(url)
        page = response.content.decode()
        assert "<script" not in page, url
        assert "style=" not in page and "<style" not in page, url
        assert not response.cookies, url
        assert "Cookie" not in response.get("Vary", ""), url
