"""The admin, as editors use it."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Tag
from entities.models import Entity, Mention
from tests import factories


@pytest.fixture
def newsroom_content():
    story = factories.article(headline="Live story")
    story.tags.add(factories.tag(name="Port Logistics"))
    factories.byline(story, factories.author())
    factories.pin(story, factories.article())
    company = factories.entity(name="Geely")
    factories.alias(company, "Geely Auto")
    factories.mention(story, company)
    factories.correction(story)
    return story


def admin_url(model, view: str, *args) -> str:
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args
    )


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["changelist", "add"])
def test_every_admin_changelist_and_add_page_renders(
    admin_client, newsroom_content, view
):
    for model in admin.site._registry:
        response = admin_client.get(admin_url(model, view))
        assert response.status_code == 200, f"{model.__name__} {view}"


@pytest.mark.django_db
def test_every_admin_change_page_renders(admin_client, newsroom_content):
    for model in admin.site._registry:
        instance = model._default_manager.first()
        if instance is None:
            continue
        response = admin_client.get(admin_url(model, "change", instance.pk))
        assert response.status_code == 200, model.__name__


@pytest.mark.django_db
def test_view_on_site_is_offered_only_for_live_articles(admin_client):
    live = factories.article()
    draft = factories.article(status=Article.Status.DRAFT)
    scheduled = factories.article(
        published_at=timezone.now() + datetime.timedelta(days=1)
    )

    def offers_view_on_site(article: Article) -> bool:
        page = admin_client.get(admin_url(Article, "change", article.pk)).content
        return b'class="viewsitelink"' in page

    assert offers_view_on_site(live)
    assert not offers_view_on_site(draft)
    assert not offers_view_on_site(scheduled)


def inline_management(prefix: str) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.django_db
def test_an_editor_publishes_an_article_with_tags_byline_and_pin_in_the_admin(
    admin_client,
):
    section = factories.section(name="Business", slug="business")
    writer = factories.author(name="Ada Quill")
    pinned = factories.article(headline="Pinned story")
    trade = Tag.objects.get(name="International Trade")
    cars = Tag.objects.get(name="Automotive Industry")
    form = {
        "headline": "Cranes arrive",
        "slug": "cranes-arrive",
        "dek": "",
        "section": section.pk,
        "body": "The cranes *arrived*.",
        "tags": [trade.pk, cars.pk],
        "status": Article.Status.PUBLISHED,
        "published_at_0": "2026-02-04",
        "published_at_1": "09:30:00",
        **inline_management("bylines"),
        "bylines-TOTAL_FORMS": "1",
        "bylines-0-author": writer.pk,
        "bylines-0-position": "0",
        **inline_management("read_next_pins"),
        "read_next_pins-TOTAL_FORMS": "1",
        "read_next_pins-0-target": pinned.pk,
        "read_next_pins-0-position": "0",
        **inline_management("mentions"),
        **inline_management("corrections"),
    }

    response = admin_client.post(admin_url(Article, "add"), form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="cranes-arrive")
    assert set(article.tags.all()) == {trade, cars}
    assert article.body_html == "<p>The cranes <em>arrived</em>.</p>\n"
    assert [byline.author for byline in article.bylines.all()] == [writer]
    assert [pin.target for pin in article.read_next_pins.all()] == [pinned]
    assert article.is_live


@pytest.mark.django_db
def test_a_published_article_without_a_time_is_a_form_error(admin_client):
    section = factories.section()
    form = {
        "headline": "No time",
        "slug": "no-time",
        "section": section.pk,
        "body": "Text.",
        "status": Article.Status.PUBLISHED,
        "published_at_0": "",
        "published_at_1": "",
        **inline_management("bylines"),
        **inline_management("read_next_pins"),
        **inline_management("mentions"),
        **inline_management("corrections"),
    }

    response = admin_client.post(admin_url(Article, "add"), form)

    assert response.status_code == 200
    assert "published_at" in response.context["adminform"].form.errors
    assert not Article.objects.filter(slug="no-time").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model_name", "field_name", "term", "expected"),
    [
        ("article", "tags", "inter", ["International Trade"]),
        ("byline", "author", "quill", ["Ada Quill"]),
        ("mention", "entity", "geely auto", ["Geely"]),
        ("readnextpin", "target", "pinned", ["Pinned story"]),
    ],
)
def test_autocomplete_finds_tags_authors_entities_by_alias_and_articles(
    admin_client, model_name, field_name, term, expected
):
    factories.author(name="Ada Quill")
    factories.alias(factories.entity(name="Geely"), "Geely Auto")
    factories.article(headline="Pinned story")

    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "entities" if model_name == "mention" else "articles",
            "model_name": model_name,
            "field_name": field_name,
            "term": term,
        },
    )

    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == expected


@pytest.mark.django_db
def test_article_changelist_costs_no_query_per_row(
    admin_client, django_assert_max_num_queries
):
    writers = [factories.author(), factories.author()]
    for _ in range(30):
        article = factories.article()
        for position, writer in enumerate(writers):
            factories.byline(article, writer, position)

    with django_assert_max_num_queries(12):
        response = admin_client.get(admin_url(Article, "changelist"))

    assert response.status_code == 200
    assert response.content.decode().count(writers[0].name) == 30


@pytest.mark.django_db
def test_entity_changelist_counts_confirmed_articles_without_a_query_per_row(
    admin_client, django_assert_max_num_queries
):
    for number in range(20):
        entity = factories.entity(name=f"Company {number:02d}")
        for _ in range(2):
            factories.mention(factories.article(), entity)
        factories.mention(factories.article(), entity, status=Mention.Status.REJECTED)

    with django_assert_max_num_queries(10):
        response = admin_client.get(admin_url(Entity, "changelist"))

    page = response.content.decode()
    assert page.count('<td class="field-article_count">2</td>') == 20
