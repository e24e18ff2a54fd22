import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, ReadNextEntry, ReadNextPin
from entities.models import Entity, Mention
from tests.conftest import PROJECT_SEEDS
from tests.test_pages import card_titles, links, parse

NEV_HEADLINE = "Foreign Automakers Pursue Partnerships in China's NEV Sector"
SEED_ENTITIES = [
    "Renault", "Shanghai Edrive", "Cleon", "France", "Ford", "Geely", "Cui Dongshu",
    "China Passenger Car Association", "Volkswagen Group",
    "China Electronic Architecture", "Ralf Brandstätter", "Canada", "European Union",
    "Liverpool City Council", "Chery Commercial Vehicle", "Liverpool",
    "United Kingdom", "China",
]  # fmt: skip


def load_demo() -> str:
    stdout = StringIO()
    call_command("load_demo", stdout=stdout, stderr=stdout)
    return stdout.getvalue()


@pytest.mark.django_db
def test_demo_loads_every_story_without_stand_ins_or_warnings():
    output = load_demo()

    story_files = sorted(PROJECT_SEEDS.glob("*.txt"))
    assert len(story_files) >= 9
    assert f"{len(story_files)} of {len(story_files)} files imported." in output
    assert "warning" not in output and "error" not in output
    # Every Read These Next target is a real story, not a stand-in made from a dek.
    assert Article.objects.count() == len(story_files)
    assert not [a.headline for a in Article.objects.all() if a.body == a.dek]
    assert Article.objects.live().count() == len(story_files)
    assert Article.objects.values("section").distinct().count() >= 3


@pytest.mark.django_db
def test_demo_nev_story_matches_the_seed():
    load_demo()

    story = Article.objects.for_detail().get(headline=NEV_HEADLINE)
    assert timezone.localdate(story.published_at) == datetime.date(2026, 2, 4)
    assert sorted(tag.name for tag in story.tags.all()) == [
        "Automotive Industry",
        "International Trade",
    ]
    pinned = story.read_next[0]
    assert pinned.kind == ReadNextEntry.Kind.PINNED
    assert pinned.target.headline == "Alphabet's Q4: A Sign of New AI Investment Era"
    assert pinned.target.section.slug == "regulation"
    linked = {mention.entity.name for mention in story.confirmed_mentions}
    assert set(SEED_ENTITIES) <= linked


@pytest.mark.django_db
def test_every_entity_of_the_nev_story_is_linked_in_its_body(client):
    load_demo()
    story = Article.objects.get(headline=NEV_HEADLINE)

    page = parse(client.get(story.get_absolute_url()))

    body_links = links(page.find(class_="story-body"))
    confirmed = Mention.objects.confirmed().filter(article=story)
    entities = [mention.entity for mention in confirmed.select_related("entity")]
    assert set(SEED_ENTITIES) <= {entity.name for entity in entities}
    for entity in entities:
        hrefs = [href for _, href in body_links]
        assert hrefs.count(entity.get_absolute_url()) == 1, entity.name
    assert len(body_links) == len(entities)


@pytest.mark.django_db
def test_each_demo_entity_page_lists_the_stories_that_mention_it(client):
    load_demo()

    for entity in Entity.objects.all():
        stories = Article.objects.filter(
            mentions__entity=entity, mentions__status=Mention.Status.CONFIRMED
        )
        page = parse(client.get(entity.get_absolute_url()))
        assert sorted(card_titles(page)) == sorted(s.headline for s in stories)
        assert stories.exists(), entity.name


@pytest.mark.django_db
def test_every_demo_entity_is_mentioned_by_some_story():
    load_demo()

    unmentioned = Entity.objects.exclude(
        pk__in=Mention.objects.confirmed().values("entity_id")
    )
    assert list(unmentioned.values_list("name", flat=True)) == []


@pytest.mark.django_db
def test_no_demo_story_claims_to_have_been_updated():
    load_demo()

    assert [a.slug for a in Article.objects.all() if a.was_updated] == []


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing():
    def snapshot():
        return (
            [
                model.objects.count()
                for model in (Article, Entity, Mention, ReadNextPin)
            ],
            list(Article.objects.order_by("pk").values_list("revised_at", flat=True)),
        )

    load_demo()
    before = snapshot()

    output = load_demo()

    assert snapshot() == before
    assert " created “" not in output and " updated “" not in output


@pytest.mark.django_db
def test_demo_stories_do_not_reuse_the_seed_sentences(seed_file):
    # Headlines and the date are facts the demo keeps; the prose must be ours.
    seed_sentences = {
        sentence.strip()
        for line in seed_file.read_text(encoding="utf-8").splitlines()
        if line.endswith(".") and not line.startswith("Published on")
        for sentence in line.split(". ")
        if len(sentence.split()) >= 6
    }
    assert len(seed_sentences) > 20
    demo_text = " ".join(
        path.read_text(encoding="utf-8").replace("\n", " ")
        for path in PROJECT_SEEDS.glob("*.txt")
    )

    copied = [sentence for sentence in seed_sentences if sentence in demo_text]
    assert copied == []


@pytest.mark.django_db
def test_ensure_editor_creates_the_superuser_once_with_the_given_password(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-demo-password")
    first, second = StringIO(), StringIO()

    call_command("ensure_editor", stdout=first)
    call_command("ensure_editor", stdout=second)

    editor = get_user_model().objects.get(username="editor")
    assert editor.is_superuser and editor.check_password("a-long-demo-password")
    assert "a-long-demo-password" not in first.getvalue()
    assert "already exists" in second.getvalue()


@pytest.mark.django_db
def test_ensure_editor_generates_and_prints_a_password_when_none_is_given(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    stdout = StringIO()

    call_command("ensure_editor", stdout=stdout)

    password = stdout.getvalue().split("password: ")[1].split()[0]
    assert get_user_model().objects.get(username="editor").check_password(password)


@pytest.mark.django_db
def test_demo_illustrations_give_every_story_a_labelled_hero_image_once():
    call_command("load_demo", "--illustrate", stdout=StringIO())
    first = {a.pk: a.hero_image.name for a in Article.objects.all()}
    output = StringIO()
    call_command("load_demo", "--illustrate", stdout=output)

    assert "0 hero illustrations drawn." in output.getvalue()
    for article in Article.objects.all():
        assert article.hero_image.name == first[article.pk]
        assert article.hero_image_alt.startswith("Abstract illustration")
        assert article.hero_image_credit == "Illustration drawn for the Newsroom demo"
        assert (article.hero_image_width, article.hero_image_height) == (1600, 900)
        assert [r["width"] for r in article.hero_renditions["webp"]] == [
            320, 640, 960, 1280, 1600
        ]  # fmt: skip
