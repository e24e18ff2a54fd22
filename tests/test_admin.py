"""The editors' admin: pages render, articles save, lists cost no query per row."""

import datetime
import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Tag
from entities.models import Entity, Mention
from partners.models import KeyUsage, Partner, PartnerKey
from tests import factories
from webhooks.models import Endpoint, EventKind

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower
)
REGISTERED_IDS = [model._meta.label_lower for model, _ in REGISTERED]


def admin_url(model, view: str, *args) -> str:
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args
    )


@pytest.fixture
def editorial_data():
    """At least one row of every registered model, related as editors relate them."""
    partner = Partner.objects.create(name="Wire Partner")
    partner_key, _secret = PartnerKey.objects.create_key(
        name="production", partner=partner
    )
    KeyUsage.objects.create(key=partner_key, day=timezone.now().date(), requests=3)
    # Subscribed before the articles appear: their publication makes events.
    Endpoint.objects.create(
        partner=partner, url="https://partner.example/hooks", events=EventKind.values
    )
    article = factories.article(headline="Renault builds small EV engines")
    other = factories.article(headline="Ford and Geely in talks")
    article.tags.add(Tag.objects.get(name="International Trade"))
    factories.byline(article, factories.author(name="Ada Reporter"))
    factories.pin(article, other)
    renault = factories.entity(name="Renault", wikidata_id="Q6686")
    factories.alias(renault, "Groupe Renault")
    factories.mention(article, renault)
    factories.correction(article)
    Group.objects.create(name="Editors")
    # A failed and a successful login, so the lockout's own admin lists rows.
    visitor = Client()
    login = reverse("admin:login")
    visitor.post(login, {"username": "nobody", "password": "wrong"})
    User.objects.create_user("reporter", password="right-password", is_staff=True)
    visitor.post(login, {"username": "reporter", "password": "right-password"})
    return article


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_every_admin_changelist_renders(
    admin_client, editorial_data, model, model_admin
):
    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_every_admin_add_page_renders(admin_client, editorial_data, model, model_admin):
    response = admin_client.get(admin_url(model, "add"))

    # Records only the system writes (login attempts) cannot be added by hand.
    addable = model_admin.has_add_permission(response.wsgi_request)
    assert response.status_code == (200 if addable else 403)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_every_admin_change_page_renders(
    admin_client, editorial_data, model, model_admin
):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"add a {model._meta.label} to the editorial_data fixture"

    response = admin_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200


def test_the_smoke_tests_cover_the_newsroom_models():
    # Guards the parametrized tests above against an empty or partial registry.
    assert {
        "articles.article",
        "articles.author",
        "articles.section",
        "articles.tag",
        "entities.entity",
        "entities.mention",
    } <= set(REGISTERED_IDS)


def test_only_newsrooms_own_tag_model_is_in_the_admin():
    tag_models = {model._meta.label for model in admin.site._registry} & {
        "articles.Tag",
        "taggit.Tag",
    }

    assert tag_models == {"articles.Tag"}


# --- View on site -------------------------------------------------------------


def test_live_article_change_page_links_to_its_public_page(admin_client):
    article = factories.article()

    html = admin_client.get(admin_url(Article, "change", article.pk)).content.decode()

    assert f'<a href="{article.get_absolute_url()}" class="viewsitelink">' in html


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + datetime.timedelta(days=1)},
        {
            "status": Article.Status.WITHDRAWN,
            "published_at": timezone.now() - datetime.timedelta(days=1),
        },
    ],
    ids=["draft", "scheduled", "withdrawn"],
)
def test_hidden_article_change_page_has_no_view_on_site_link(admin_client, fields):
    article = factories.article(**fields)

    response = admin_client.get(admin_url(Article, "change", article.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert "viewsitelink" not in html
    assert article.get_absolute_url() not in html


# --- Writing an article -------------------------------------------------------


def inline_prefixes(html: str) -> list[str]:
    return re.findall(r'name="([\w-]+)-TOTAL_FORMS"', html)


def form_errors(response) -> list:
    if response.context is None or "adminform" not in response.context:
        return []
    return [
        response.context["adminform"].form.errors,
        *[
            formset.formset.errors
            for formset in response.context["inline_admin_formsets"]
        ],
    ]


def test_saving_a_new_article_in_the_admin_stores_tags_byline_and_rendered_body(
    admin_client,
):
    section = factories.section(name="Business", slug="business")
    author = factories.author(name="Ada Reporter")
    tags = [
        Tag.objects.get(name="International Trade"),
        Tag.objects.get(name="Automotive Industry"),
    ]
    add_url = admin_url(Article, "add")
    prefixes = inline_prefixes(admin_client.get(add_url).content.decode())
    assert sorted(prefixes) == [
        "bylines",
        "corrections",
        "mentions",
        "read_next_exclusions",
        "read_next_pins",
    ]
    management = {}
    for prefix in prefixes:
        management.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )

    response = admin_client.post(
        add_url,
        {
            **management,
            "headline": "Chery Picks Liverpool for Its European Headquarters",
            "slug": "chery-liverpool",
            "dek": "",
            "section": section.pk,
            "body": "Chery will open an office in *Liverpool*.\n\nMore jobs follow.",
            "tags": [tag.pk for tag in tags],
            "hero_image_alt": "",
            "hero_image_caption": "",
            "hero_image_credit": "",
            "status": Article.Status.PUBLISHED,
            "published_at_0": "2026-02-04",
            "published_at_1": "10:00:00",
            "bylines-TOTAL_FORMS": "1",
            "bylines-0-author": author.pk,
            "bylines-0-position": "0",
            "_save": "Save",
        },
    )

    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get(slug="chery-liverpool")
    # Status changes only through workflow steps, whatever the POST says.
    assert article.status == Article.Status.DRAFT
    assert article.published_at == datetime.datetime(
        2026, 2, 4, 10, 0, tzinfo=datetime.UTC
    )
    assert set(article.tags.all()) == set(tags)
    assert article.body_html == (
        "<p>Chery will open an office in <em>Liverpool</em>.</p>\n"
        "<p>More jobs follow.</p>\n"
    )
    assert article.summary == "Chery will open an office in Liverpool."
    assert [byline.author for byline in article.bylines.all()] == [author]


def inline_management(prefix: str) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_an_expiry_before_publication_is_a_form_error(admin_client):
    section = factories.section()
    form = {
        "headline": "No time",
        "slug": "no-time",
        "section": section.pk,
        "body": "Text.",
        "published_at_0": "2026-02-04",
        "published_at_1": "10:00:00",
        "expires_at_0": "2026-02-04",
        "expires_at_1": "09:00:00",
        **inline_management("bylines"),
        **inline_management("read_next_pins"),
        **inline_management("read_next_exclusions"),
        **inline_management("mentions"),
        **inline_management("corrections"),
    }

    response = admin_client.post(admin_url(Article, "add"), form)

    assert response.status_code == 200
    assert "expires_at" in response.context["adminform"].form.errors
    assert not Article.objects.filter(slug="no-time").exists()


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


def test_tag_autocomplete_is_refused_to_anonymous_visitors(client):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "articles",
            "model_name": "article",
            "field_name": "tags",
            "term": "Inter",
        },
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- Changelist cost ----------------------------------------------------------


def add_articles_with_two_authors(count: int, section) -> list[Article]:
    # One publication day, so the date hierarchy (a lookup per day it lists)
    # costs the same for one row as for thirty.
    day = timezone.now().replace(hour=0, minute=0) - datetime.timedelta(days=1)
    articles = []
    for number in range(count):
        article = factories.article(
            section=section, published_at=day + datetime.timedelta(minutes=number)
        )
        factories.byline(article, factories.author(), position=0)
        factories.byline(article, factories.author(), position=1)
        articles.append(article)
    return articles


def changelist_queries(admin_client, model) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_article_changelist_costs_no_query_per_row(admin_client):
    section = factories.section()
    add_articles_with_two_authors(1, section)
    one_row, _ = changelist_queries(admin_client, Article)
    articles = add_articles_with_two_authors(29, section)

    thirty_rows, html = changelist_queries(admin_client, Article)

    assert thirty_rows == one_row
    assert thirty_rows <= 12
    for article in articles:
        names = [byline.author.name for byline in article.bylines.all()]
        assert f'<td class="field-byline">{", ".join(names)}</td>' in html


def article_count_cells(html: str) -> dict[str, str]:
    rows = re.findall(
        r'<th class="field-name"><a href="[^"]*">([^<]*)</a></th>'
        r'.*?<td class="field-article_count">(\d+)</td>',
        html,
    )
    return dict(rows)


def test_entity_changelist_counts_confirmed_mentions_only(admin_client):
    renault = factories.entity(name="Renault")
    factories.entity(name="Geely")
    for _ in range(3):
        factories.mention(factories.article(), renault)
    for status in [Mention.Status.SUGGESTED, Mention.Status.REJECTED]:
        factories.mention(factories.article(), renault, status=status)

    _, html = changelist_queries(admin_client, Entity)

    assert article_count_cells(html) == {"Geely": "0", "Renault": "3"}


def test_entity_changelist_counts_survive_a_search_through_aliases(admin_client):
    renault = factories.entity(name="Renault")
    factories.alias(renault, "Groupe Renault")
    factories.alias(renault, "Renault Group")
    factories.mention(factories.article(), renault)
    factories.mention(factories.article(), renault)

    html = admin_client.get(
        admin_url(Entity, "changelist"), {"q": "Renault"}
    ).content.decode()

    assert article_count_cells(html) == {"Renault": "2"}


def test_entity_changelist_costs_no_query_per_row(admin_client):
    def add_entities(count: int):
        for _ in range(count):
            entity = factories.entity()
            factories.alias(entity, f"Alias of {entity.name}")
            factories.mention(factories.article(), entity)

    add_entities(1)
    one_row, _ = changelist_queries(admin_client, Entity)
    add_entities(29)

    thirty_rows, html = changelist_queries(admin_client, Entity)

    assert thirty_rows == one_row
    assert len(article_count_cells(html)) == 30
    assert set(article_count_cells(html).values()) == {"1"}


def test_article_changelist_lists_undated_drafts_first(admin_client):
    older = factories.article(headline="Older story")
    draft = factories.article(headline="Undated draft", status=Article.Status.DRAFT)
    newer = factories.article(
        headline="Newer story", published_at=older.published_at + datetime.timedelta(1)
    )

    response = admin_client.get(admin_url(Article, "changelist"))

    assert list(response.context["cl"].result_list) == [draft, newer, older]
