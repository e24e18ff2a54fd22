"""Merging duplicate entities and tags: what moves, what redirects, all or nothing."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from articles.merging import merge_tags
from articles.models import Article, Tag, TaggedArticle, TagSlugRedirect
from entities import merging
from entities.importing import import_gazetteer
from entities.mentions import relink_article
from entities.merging import merge_entities
from entities.models import Entity, EntityAlias, EntitySlugRedirect, Mention
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicates():
    """Volkswagen Group and a duplicate "Volkswagen AG", each with mentions."""
    group = factories.entity(name="Volkswagen Group", slug="volkswagen-group")
    factories.alias(group, "VW")
    ag = factories.entity(name="Volkswagen AG", slug="volkswagen-ag")
    factories.alias(ag, "VW")
    factories.alias(ag, "Volkswagen")
    only_ag = factories.article(body="Volkswagen AG met Volkswagen.")
    both = factories.article(body="Volkswagen Group and Volkswagen AG met.")
    for article in [only_ag, both]:
        relink_article(article)
    Mention.objects.filter(entity=group, article=both).update(
        status=Mention.Status.REJECTED
    )
    return {"group": group, "ag": ag, "only_ag": only_ag, "both": both}


def test_merging_entities_moves_mentions_aliases_and_addresses(
    client, duplicates, django_capture_on_commit_callbacks
):
    group, ag = duplicates["group"], duplicates["ag"]
    EntitySlugRedirect.objects.create(old_slug="vw-ag", entity=ag)

    with django_capture_on_commit_callbacks(execute=True):
        merge_entities(survivor=group, others=[ag])

    assert not Entity.objects.filter(pk=ag.pk).exists()
    assert sorted(group.aliases.values_list("name", flat=True)) == [
        "VW",
        "Volkswagen",
        "Volkswagen AG",
    ]
    statuses = dict(
        Mention.objects.filter(entity=group).values_list("article_id", "status")
    )
    # Where both were mentioned, the survivor's decision stands.
    assert statuses == {
        duplicates["only_ag"].pk: Mention.Status.CONFIRMED,
        duplicates["both"].pk: Mention.Status.REJECTED,
    }
    # Re-linked: "Volkswagen AG" and "Volkswagen" are the survivor's names now.
    assert Mention.objects.get(article=duplicates["only_ag"]).count == 2
    duplicates["only_ag"].refresh_from_db()
    assert '<a href="/entities/volkswagen-group/"' in duplicates["only_ag"].body_html
    for old in ["volkswagen-ag", "vw-ag"]:
        response = client.get(f"/entities/{old}/")
        assert (response.status_code, response["Location"]) == (
            301,
            "/entities/volkswagen-group/",
        )


def test_a_failing_entity_merge_changes_nothing(duplicates, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("the database refused")

    monkeypatch.setattr(merging.EntitySlugRedirect.objects, "update_or_create", broken)
    before = (
        list(Mention.objects.values_list("pk", "entity_id", "status")),
        list(EntityAlias.objects.values_list("pk", "entity_id", "name")),
    )

    with pytest.raises(IntegrityError):
        merge_entities(survivor=duplicates["group"], others=[duplicates["ag"]])

    assert Entity.objects.filter(pk=duplicates["ag"].pk).exists()
    assert before == (
        list(Mention.objects.values_list("pk", "entity_id", "status")),
        list(EntityAlias.objects.values_list("pk", "entity_id", "name")),
    )


def test_a_merged_entity_is_not_brought_back_by_the_gazetteer(duplicates, write_file):
    merge_entities(survivor=duplicates["group"], others=[duplicates["ag"]])

    result = import_gazetteer(
        write_file("e.toml", '[[entity]]\nname = "Volkswagen AG"\nkind = "company"\n')
    )

    assert result.merged == ["Volkswagen AG → Volkswagen Group"]
    assert not Entity.objects.filter(slug="volkswagen-ag").exists()


# --- Tags ---------------------------------------------------------------------


@pytest.fixture
def tag_duplicates():
    ev = factories.tag(name="EV", slug="ev")
    electric = Tag.objects.get(name="Electric Vehicles")
    both = factories.article(headline="Tagged twice")
    both.tags.add(ev, electric)
    only_ev = factories.article(headline="Tagged EV")
    only_ev.tags.add(ev)
    return {"ev": ev, "electric": electric, "both": both, "only_ev": only_ev}


def test_merging_tags_moves_taggings_once_and_redirects(client, tag_duplicates):
    ev, electric = tag_duplicates["ev"], tag_duplicates["electric"]

    merge_tags(survivor=electric, others=[ev])

    assert not Tag.objects.filter(pk=ev.pk).exists()
    assert sorted(
        TaggedArticle.objects.filter(tag=electric).values_list(
            "content_object__headline", flat=True
        )
    ) == ["Tagged EV", "Tagged twice"]
    assert (
        TaggedArticle.objects.filter(content_object=tag_duplicates["both"]).count() == 1
    )
    response = client.get("/tags/ev/?page=1")
    assert (response.status_code, response["Location"]) == (
        301,
        "/tags/electric-vehicles/?page=1",
    )
    assert TagSlugRedirect.objects.get(old_slug="ev").old_name == "EV"


def test_a_failing_tag_merge_changes_nothing(tag_duplicates, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("the database refused")

    monkeypatch.setattr(TagSlugRedirect.objects, "update_or_create", broken)

    with pytest.raises(IntegrityError):
        merge_tags(survivor=tag_duplicates["electric"], others=[tag_duplicates["ev"]])

    assert sorted(tag_duplicates["only_ev"].tags.names()) == ["EV"]
    assert sorted(tag_duplicates["both"].tags.names()) == ["EV", "Electric Vehicles"]


def test_importing_a_merged_tag_name_tags_the_survivor(tag_duplicates, write_file):
    merge_tags(survivor=tag_duplicates["electric"], others=[tag_duplicates["ev"]])
    story = write_file(
        "story.txt",
        "Chargers Multiply\n\nPublished on Feb 04, 2026.\n\nMore chargers.\n\nEV\n",
    )

    call_command("import_articles", str(story))

    article = Article.objects.get(slug="chargers-multiply")
    assert [tag.name for tag in article.tags.all()] == ["Electric Vehicles"]
    assert not Tag.objects.filter(slug="ev").exists()


# --- The admin's confirmation page --------------------------------------------


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", [Entity, Tag])
def test_merging_in_the_admin_asks_which_to_keep_first(
    admin_client, duplicates, tag_duplicates, model
):
    objects = (
        [duplicates["group"], duplicates["ag"]]
        if model is Entity
        else [tag_duplicates["electric"], tag_duplicates["ev"]]
    )
    selection = {
        "action": "merge_selected",
        ACTION_CHECKBOX_NAME: [obj.pk for obj in objects],
    }

    page = admin_client.post(changelist(model), selection)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Keep which" in html
    for obj in objects:
        assert f'name="survivor" value="{obj.pk}"' in html
    assert model.objects.filter(pk=objects[1].pk).exists()  # nothing merged yet

    done = admin_client.post(
        changelist(model),
        {**selection, "confirm": "yes", "survivor": objects[0].pk},
        follow=True,
    )

    assert "Merged “" in done.content.decode()
    assert not model.objects.filter(pk=objects[1].pk).exists()


def test_merging_one_entity_or_none_chosen_is_refused(admin_client, duplicates):
    one = admin_client.post(
        changelist(Entity),
        {"action": "merge_selected", ACTION_CHECKBOX_NAME: [duplicates["ag"].pk]},
        follow=True,
    )
    assert "Select two or more entities to merge." in one.content.decode()

    unchosen = admin_client.post(
        changelist(Entity),
        {
            "action": "merge_selected",
            ACTION_CHECKBOX_NAME: [duplicates["ag"].pk, duplicates["group"].pk],
            "confirm": "yes",
            "survivor": "999999",
        },
    )
    assert "Choose the entity to keep." in unchosen.content.decode()
    assert Entity.objects.count() == 2
