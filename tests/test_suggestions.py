"""Suggested entities: what is found in a story, and the admin action adopting one."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from articles.importing import parse
from articles.models import Article
from entities.linker import Linker, Name, current_linker
from entities.models import Entity, Mention
from entities.suggestions import suggest_entities
from tests import factories

# The named entities of the seed story, written for this test, with the
# spellings that count as finding each.
SEED_NAMED_ENTITIES = {
    "Renault": {"Renault"},
    "Shanghai Edrive": {"Shanghai Edrive", "Shanghai Edrive Co."},
    "Cleon": {"Cleon"},
    "France": {"France"},
    "Ford": {"Ford"},
    "Geely": {"Geely"},
    "Cui Dongshu": {"Cui Dongshu"},
    "China Passenger Car Association": {"China Passenger Car Association"},
    "Volkswagen Group": {"Volkswagen Group", "Volkswagen"},
    "China Electronic Architecture": {"China Electronic Architecture"},
    "Ralf Brandstätter": {"Ralf Brandstätter"},
    "Canada": {"Canada"},
    "European Union": {"EU"},
    "Liverpool City Council": {"Liverpool City Council"},
    "Chery Commercial Vehicle": {"Chery Commercial Vehicle"},
    "Liverpool": {"Liverpool"},
    "United Kingdom": {"UK"},
    "China": {"China"},
    "Germany": {"Germany"},
    "Europe": {"Europe"},
    "United States": {"US"},
}


def article_from(path) -> Article:
    parsed = parse(path.read_text(encoding="utf-8"), source=str(path))
    return Article(headline=parsed.headline, dek=parsed.dek, body=parsed.body)


@pytest.mark.django_db
def test_suggestions_find_the_seed_storys_named_entities(seed_file):
    assert not Entity.objects.exists()  # an empty gazetteer

    suggestions = suggest_entities(article_from(seed_file), current_linker())

    names = {suggestion.name for suggestion in suggestions}
    correct = {
        name
        for name in names
        if any(name in spellings for spellings in SEED_NAMED_ENTITIES.values())
    }
    found = {
        entity for entity, spellings in SEED_NAMED_ENTITIES.items() if spellings & names
    }
    recall = len(found) / len(SEED_NAMED_ENTITIES)
    precision = len(correct) / len(names)
    print(
        f"\nseed story: {len(names)} suggested, {len(correct)} correct; "
        f"recall {recall:.2f} ({len(found)}/{len(SEED_NAMED_ENTITIES)}), "
        f"precision {precision:.2f}; missed: {sorted(set(SEED_NAMED_ENTITIES) - found)}"
        f"; wrong: {sorted(names - correct)}"
    )
    assert recall >= 0.9
    assert precision >= 0.8


def test_suggestions_guess_each_kind_from_the_name_and_its_context(seed_file):
    suggestions = {
        s.name: s for s in suggest_entities(article_from(seed_file), Linker([]))
    }

    assert {name: suggestions[name].kind for name in [
        "Cui Dongshu", "Ralf Brandstätter", "Liverpool City Council",
        "China Passenger Car Association", "Shanghai Edrive", "Ford", "Geely",
        "Chery Commercial Vehicle", "China Electronic Architecture", "France",
        "China", "EU",
    ]} == {
        "Cui Dongshu": "person", "Ralf Brandstätter": "person",
        "Liverpool City Council": "organisation",
        "China Passenger Car Association": "organisation",
        "Shanghai Edrive": "company", "Ford": "company", "Geely": "company",
        "Chery Commercial Vehicle": "company",
        "China Electronic Architecture": "product", "France": "place",
        "China": "place", "EU": "organisation",
    }  # fmt: skip
    assert suggestions["Shanghai Edrive"].aliases == ["Shanghai Edrive Co."]
    assert suggestions["China"].count == 13


def test_known_entities_are_not_suggested():
    linker = Linker([Name("Volkswagen Group", 1), Name("Cui Dongshu", 2)])
    article = Article(
        body="Volkswagen Group and VOLKSWAGEN GROUP met Cui Dongshu and Lin Wei, "
        "secretary-general of the Harbour Council."
    )

    names = [s.name for s in suggest_entities(article, linker)]

    assert names == ["Lin Wei", "Harbour Council"]


@pytest.mark.parametrize(
    "body",
    [
        "Meanwhile, makers shipped more. Although sales fell, they grew. Such plans "
        "held.",
        "Chinese, French, European and Western makers of electric vehicles (EVs) "
        "sold more EVs.",
        "The company's CEO and its CFO met in March on a Monday.",
    ],
)
def test_common_words_adjectives_roles_and_spelled_out_acronyms_are_not_suggested(
    body,
):
    assert suggest_entities(Article(body=body), Linker([])) == []


def test_headline_and_headings_in_title_case_are_not_read():
    article = Article(
        headline="Foreign Automakers Pursue Partnerships",
        body="## Big Picture Thinking\n\nShe met Lin Wei in Harbin.",
    )

    names = [s.name for s in suggest_entities(article, Linker([]))]

    assert names == ["Lin Wei", "Harbin"]


# --- The admin ----------------------------------------------------------------


@pytest.fixture
def story():
    return factories.article(
        body="Lin Wei, chairman of Harbour Motors, met Cui Dongshu in Harbin."
    )


def create_url(article: Article) -> str:
    return reverse("admin:articles_article_create_entity", args=[article.pk])


@pytest.mark.django_db
def test_the_article_change_page_lists_suggestions_with_a_guessed_kind(
    admin_client, story
):
    html = admin_client.get(
        reverse("admin:articles_article_change", args=[story.pk])
    ).content.decode()

    assert f'formaction="{create_url(story)}"' in html
    for name, kind in [
        ("Lin Wei", "person"),
        ("Harbour Motors", "company"),
        ("Cui Dongshu", "person"),
        ("Harbin", "place"),
    ]:
        assert f'value="{name}">Create entity and confirm</button>' in html
        select = html[html.index(f'name="kind:{name}"') :]
        select = select[: select.index("</select>")]
        assert f'<option value="{kind}" selected>' in select


@pytest.mark.django_db
def test_one_action_creates_the_entity_and_confirms_its_mention(
    admin_client, story, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            create_url(story),
            {"create_entity": "Harbour Motors", "kind:Harbour Motors": "company"},
        )

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:articles_article_change", args=[story.pk]
    )
    entity = Entity.objects.get(slug="harbour-motors")
    assert (entity.name, entity.kind) == ("Harbour Motors", "company")
    mention = Mention.objects.get(entity=entity)
    assert (mention.article, mention.status, mention.by_editor, mention.count) == (
        story,
        Mention.Status.CONFIRMED,
        True,
        1,
    )
    story.refresh_from_db()
    assert '<a href="/entities/harbour-motors/"' in story.body_html


@pytest.mark.django_db
def test_the_editor_may_change_the_guessed_kind(admin_client, story):
    admin_client.post(
        create_url(story), {"create_entity": "Harbin", "kind:Harbin": "organisation"}
    )

    assert Entity.objects.get(name="Harbin").kind == "organisation"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"create_entity": "Nobody Here"}, "is not among this article"),
        (
            {"create_entity": "Harbin", "kind:Harbin": "planet"},
            "“Harbin” was not created: kind:",
        ),
    ],
)
def test_a_bad_creation_request_is_refused_with_a_message(
    admin_client, story, data, message
):
    response = admin_client.post(create_url(story), data, follow=True)

    assert message in response.content.decode()
    assert not Entity.objects.exists()


@pytest.mark.django_db
def test_an_entity_whose_address_is_taken_is_refused_clearly(admin_client, story):
    factories.entity(name="Harbin City", slug="harbin")

    response = admin_client.post(create_url(story), {"create_entity": "Harbin"})

    assert Entity.objects.count() == 1
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["“Harbin” was not created: slug: Entity with this Slug "
                        "already exists."]  # fmt: skip


@pytest.mark.django_db
def test_creating_from_a_suggestion_needs_post_and_both_permissions(client, story):
    assert (
        client.post(create_url(story), {"create_entity": "Harbin"}).status_code == 302
    )
    writer = User.objects.create_user("writer", password="x", is_staff=True)
    writer.user_permissions.add(Permission.objects.get(codename="change_article"))
    own_draft = factories.article(
        body=story.body, status=Article.Status.DRAFT, created_by=writer
    )
    client.force_login(writer)

    # Without the right to add entities; then on a story they may not edit.
    assert (
        client.post(create_url(own_draft), {"create_entity": "Harbin"}).status_code
        == 403
    )
    writer.user_permissions.add(Permission.objects.get(codename="add_entity"))
    writer = User.objects.get(pk=writer.pk)  # drop the cached permissions
    client.force_login(writer)
    assert (
        client.post(create_url(story), {"create_entity": "Harbin"}).status_code == 403
    )
    assert not Entity.objects.exists()

    assert client.get(create_url(own_draft)).status_code == 405
    response = client.post(create_url(own_draft), {"create_entity": "Harbin"})
    assert response.status_code == 302
    assert Mention.objects.get(entity__name="Harbin").article == own_draft
