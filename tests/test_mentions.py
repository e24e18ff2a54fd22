"""Mentions: what re-linking records, what it keeps, and the links in the body."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from articles.caching import VERSION_KEY
from articles.models import Article
from entities.mentions import relink_article
from entities.models import Entity, Mention, MentionPolicy
from tests import factories
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def renault():
    return factories.entity(name="Renault", slug="renault")


@pytest.fixture
def ford():
    return factories.entity(name="Ford", slug="ford")


@pytest.fixture
def geely():
    return factories.entity(
        name="Geely", slug="geely", mention_policy=MentionPolicy.SUGGEST
    )


def mentions(article: Article) -> dict[str, Mention]:
    return {
        mention.entity.name: mention
        for mention in Mention.objects.filter(article=article).select_related("entity")
    }


def entity_links(html: str) -> list[tuple[str, str]]:
    """(href, text) of each link to an entity page, in order."""
    return re.findall(r'<a href="(/entities/[^"]+)"[^>]*>([^<]*)</a>', html)


# --- What is recorded ---------------------------------------------------------


def test_relinking_records_count_first_position_and_salience(renault, ford):
    headline = "Renault builds engines"
    dek = "Renault expands."
    article = factories.article(
        headline=headline, dek=dek, body="Ford said so.\n\nRenault too."
    )

    relink_article(article)

    found = mentions(article)
    assert (found["Renault"].count, found["Renault"].first_position) == (3, 0)
    body_starts = len(headline) + 2 + len(dek) + 2
    assert (found["Ford"].count, found["Ford"].first_position) == (1, body_starts)
    # Renault: headline 3 + dek 2 + a later paragraph 1; Ford: first paragraph 2.
    assert (found["Renault"].salience, found["Ford"].salience) == (0.75, 0.25)


def test_new_mentions_follow_their_entity_policy(renault, geely):
    article = factories.article(body="Renault and Geely met.")

    relink_article(article)

    found = mentions(article)
    assert found["Renault"].status == Mention.Status.CONFIRMED
    assert found["Geely"].status == Mention.Status.SUGGESTED
    assert not found["Renault"].by_editor


def test_editor_decisions_survive_relinking(renault, ford, geely):
    article = factories.article(body="Renault, Ford and Geely met.")
    relink_article(article)
    found = mentions(article)
    found["Renault"].status = Mention.Status.REJECTED
    found["Renault"].save()
    found["Geely"].status = Mention.Status.CONFIRMED
    found["Geely"].save()

    article.body = "Renault and Geely met again. Renault left. Geely stayed."
    article.save()
    relink_article(article)

    found = mentions(article)
    assert (found["Renault"].status, found["Renault"].count) == ("rejected", 2)
    assert (found["Geely"].status, found["Geely"].count) == ("confirmed", 2)
    assert found["Renault"].by_editor and found["Geely"].by_editor
    assert "Ford" not in found


def test_vanished_mentions_are_dropped_unless_an_editor_decided_them(
    renault, ford, geely
):
    canada = factories.entity(name="Canada", kind=Entity.Kind.PLACE)
    article = factories.article(body="Renault, Ford and Geely met.")
    relink_article(article)
    rejected = mentions(article)["Geely"]
    rejected.status = Mention.Status.REJECTED
    rejected.save()
    # An editor says the story is about Canada, though it does not name it.
    factories.mention(article, canada)

    article.body = "Nobody met."
    article.save()
    relink_article(article)

    found = mentions(article)
    assert set(found) == {"Geely", "Canada"}
    assert found["Geely"].status == Mention.Status.REJECTED
    assert found["Canada"].status == Mention.Status.CONFIRMED
    assert (found["Canada"].count, found["Canada"].first_position) == (0, None)


def test_saving_an_article_anywhere_relinks_it_once_committed(
    renault, ford, django_capture_on_commit_callbacks
):
    article = factories.article(body="Nothing yet.")

    with django_capture_on_commit_callbacks(execute=True):
        article.body = "Renault and Ford met."
        article.save()

    assert set(mentions(article)) == {"Renault", "Ford"}
    article.refresh_from_db()
    assert [text for _, text in entity_links(article.body_html)] == ["Renault", "Ford"]


def test_relinking_an_unchanged_article_writes_nothing(
    renault, django_assert_max_num_queries
):
    article = factories.article(body="Renault met.")
    relink_article(article)

    # The article ids, the version stamp (2), the mentions and the article, in a
    # savepoint (2): no write.
    with django_assert_max_num_queries(7):
        relink_article(article)


# --- Links in the body --------------------------------------------------------


def test_the_first_mention_of_each_confirmed_entity_links_to_its_page(
    renault, ford, geely
):
    article = factories.article(
        body="Renault and Geely met.\n\nRenault and Ford agreed; Ford signed."
    )

    relink_article(article)

    article.refresh_from_db()
    assert entity_links(article.body_html) == [
        ("/entities/renault/", "Renault"),
        ("/entities/ford/", "Ford"),
    ]
    assert article.body_html.startswith(
        '<p><a href="/entities/renault/" rel="noopener noreferrer">Renault</a> and'
    )


def test_no_link_goes_in_headings_existing_links_or_code(renault):
    article = factories.article(
        body=(
            "## Renault news\n\n"
            "See [Renault's site](https://example.com/renault) or `Renault`.\n\n"
            "```\nRenault.start()\n```\n\n"
            "    Renault indented\n\n"
            "At last Renault speaks."
        )
    )

    relink_article(article)

    article.refresh_from_db()
    assert entity_links(article.body_html) == [("/entities/renault/", "Renault")]
    assert "At last <a href" in article.body_html
    assert '<a href="https://example.com/renault"' in article.body_html
    # Headings and link text are read; code is not.
    assert mentions(article)["Renault"].count == 3


def test_rejecting_a_mention_removes_its_link(
    renault, django_capture_on_commit_callbacks
):
    article = factories.article(body="Renault met.")
    relink_article(article)
    mention = mentions(article)["Renault"]

    with django_capture_on_commit_callbacks(execute=True):
        mention.status = Mention.Status.REJECTED
        mention.save()

    article.refresh_from_db()
    assert entity_links(article.body_html) == []


def test_a_new_entity_slug_changes_the_links_and_the_old_one_redirects(
    client, renault, django_capture_on_commit_callbacks
):
    article = factories.article(body="Renault met.")
    relink_article(article)

    with django_capture_on_commit_callbacks(execute=True):
        renault.slug = "groupe-renault"
        renault.save()

    article.refresh_from_db()
    assert entity_links(article.body_html) == [("/entities/groupe-renault/", "Renault")]
    response = client.get("/entities/renault/")
    assert (response.status_code, response["Location"]) == (
        301,
        "/entities/groupe-renault/",
    )


def test_deleting_an_entity_removes_its_links(
    renault, ford, django_capture_on_commit_callbacks
):
    article = factories.article(body="Renault and Ford met.")
    relink_article(article)

    with django_capture_on_commit_callbacks(execute=True):
        ford.delete()

    article.refresh_from_db()
    assert entity_links(article.body_html) == [("/entities/renault/", "Renault")]


# --- The admin ----------------------------------------------------------------


def test_an_editor_rejecting_a_mention_in_the_article_admin_keeps_it_rejected(
    admin_client, renault, ford, django_capture_on_commit_callbacks
):
    article = factories.article(body="Renault and Ford met.")
    relink_article(article)
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(admin_client.get(change_url).content.decode())
    ford_form = next(
        key[: -len("-entity")]
        for key, value in data.items()
        if key.startswith("mentions-")
        and key.endswith("-entity")
        and value == str(ford.pk)
    )
    data[f"{ford_form}-status"] = Mention.Status.REJECTED
    data["body"] = "Renault and Ford met. Ford left first."

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change_url, data)

    assert response.status_code == 302
    found = mentions(article)
    assert (found["Ford"].status, found["Ford"].count) == ("rejected", 2)
    assert found["Ford"].by_editor
    article.refresh_from_db()
    assert entity_links(article.body_html) == [("/entities/renault/", "Renault")]

    # Saving the page again, untouched, changes no decision.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            change_url, form_data(admin_client.get(change_url).content.decode())
        )

    assert mentions(article)["Ford"].status == Mention.Status.REJECTED


def test_deleting_entities_in_bulk_in_the_admin_removes_their_links(
    admin_client, renault, ford, django_capture_on_commit_callbacks
):
    article = factories.article(body="Renault and Ford met.")
    relink_article(article)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:entities_entity_changelist"),
            {"action": "delete_selected", "_selected_action": [ford.pk], "post": "yes"},
        )

    assert response.status_code == 302
    article.refresh_from_db()
    assert entity_links(article.body_html) == [("/entities/renault/", "Renault")]


def test_relinking_that_changes_an_article_forgets_the_cached_pages(renault):
    article = factories.article(body="Renault met.")
    cache.set(VERSION_KEY, "a version the stored pages were rendered under")

    relink_article(article)

    assert cache.get(VERSION_KEY) is None
    cache.set(VERSION_KEY, "rendered after the links were added")
    relink_article(article)  # nothing changes
    assert cache.get(VERSION_KEY) is not None
