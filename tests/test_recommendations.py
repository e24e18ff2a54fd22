"""Read These Next: pins, computed recommendations, reasons, updates, and their cost."""

import datetime
import itertools
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import publishing, recommendations, revisions, synthetic
from articles.models import (
    Article,
    ArticleFeatureWeight,
    ReadNextEntry,
    ReadNextExclusion,
    RecommendationFeature,
    Section,
    Tag,
)
from entities.models import Entity
from tests import factories
from tests.admin_forms import form_data
from tests.test_pages import links, parse, queries_for

pytestmark = pytest.mark.django_db

Kind = ReadNextEntry.Kind
DAY = datetime.timedelta(days=1)
_unique = itertools.count(1)


# --- A small newsroom -----------------------------------------------------------------


def story(
    label: str,
    *,
    words: str = "",
    entities=(),
    tags=(),
    age: datetime.timedelta = DAY,
    section: Section | None = None,
    **fields,
) -> Article:
    """A live story linked to others only by the words, entities and tags given.

    Its headline, its first body word and one entity are its own, so that two
    stories sharing the same links are alike but not duplicates.
    """
    number = next(_unique)
    fields.setdefault("published_at", timezone.now() - age)
    article = factories.article(
        headline=f"{label}{number}",
        slug=f"{label.lower()}-{number}",
        body=f"Bodytext{number} {words}".strip(),
        section=section or shared_section(),
        **fields,
    )
    for linked in [*entities, entity(f"Own {number}")]:
        factories.mention(article, linked)
    article.tags.add(*tags)
    return article


def shared_section() -> Section:
    return Section.objects.get_or_create(slug="news", defaults={"name": "News"})[0]


def listed(article: Article, kind: int = Kind.COMPUTED) -> list[Article]:
    """The stored list of one kind, in order."""
    return [
        entry.target
        for entry in ReadNextEntry.objects.filter(article=article, kind=kind)
        .select_related("target")
        .order_by("position")
    ]


def shown(client, article: Article) -> list[str]:
    """The headlines in the article page's Read These Next block, in order."""
    page = parse(client.get(article.get_absolute_url()))
    return [
        item.find(class_="read-next-title").text
        for item in page.find_all(class_="read-next-item")
    ]


def entity(name: str) -> Entity:
    return factories.entity(name=name, slug=name.lower().replace(" ", "-"))


@pytest.fixture
def editor() -> User:
    return User.objects.create_superuser("editor", password="not-used")


# --- The engine -----------------------------------------------------------------------


def test_words_leave_out_stop_words_possessives_and_numbers():
    assert recommendations.words("The EU's 49,000 EVs and China’s Q4 plans") == [
        "eu",
        "evs",
        "china",
        "q4",
        "plans",
    ]


def test_headline_and_dek_words_count_more_than_body_words():
    counts = recommendations.word_counts("Battery", "Battery plant", "Battery grid")

    assert counts == {
        "battery": 1 + recommendations.DEK_REPEAT + recommendations.HEADLINE_REPEAT,
        "plant": recommendations.DEK_REPEAT,
        "grid": 1,
    }


def test_never_the_article_itself_nor_one_that_is_not_published():
    shared = entity("Renault")
    source = story("Source", entities=[shared])
    live = story("Live", entities=[shared])
    for status in (Article.Status.DRAFT, Article.Status.REVIEW):
        story(status, entities=[shared], status=status, published_at=None)
    story("Withdrawn", entities=[shared], status=Article.Status.WITHDRAWN)
    story("Expired", entities=[shared], expires_at=timezone.now() - DAY, age=2 * DAY)

    recommendations.rebuild()

    assert listed(source) == [live]
    assert not ReadNextEntry.objects.filter(target__status__in=["draft", "review"])
    for entry in ReadNextEntry.objects.all():
        assert entry.article_id != entry.target_id
    pairs = list(ReadNextEntry.objects.values_list("article", "target"))
    assert len(pairs) == len(set(pairs))


def test_a_rare_shared_entity_counts_more_than_a_common_one():
    rare, common = entity("Shanghai Edrive"), entity("China")
    source = story("Source", entities=[rare, common])
    for _ in range(6):
        story("Other", entities=[common])
    sharing_rare = story("Rare", entities=[rare])
    sharing_common = story("Common", entities=[common])

    recommendations.rebuild()

    ranked = listed(source)
    assert ranked.index(sharing_rare) < ranked.index(sharing_common)


def test_words_tags_and_entities_each_link_stories():
    tag = Tag.objects.get(name="Electric Vehicles")
    source = story(
        "Source", words="zorblax quintessa", entities=[entity("Geely")], tags=[tag]
    )
    by_words = story("Words", words="zorblax quintessa")
    by_entity = story("Entity", entities=[Entity.objects.get(name="Geely")])
    by_tag = story("Tag", tags=[tag])
    story("Unrelated", words="marmalade")

    recommendations.rebuild()

    assert set(listed(source)) == {by_words, by_entity, by_tag}


def test_an_older_story_needs_a_much_stronger_link():
    first, second, third = entity("Ford"), entity("Geely"), entity("Cui Dongshu")
    source = story("Source", entities=[first, second, third])
    # Alike in every entity, but two years older than the source.
    old_and_close = story("Old", entities=[first, second, third], age=731 * DAY)
    # One entity in common, from the same week.
    recent_and_loose = story("Recent", entities=[first, entity("Volvo")], age=2 * DAY)

    recommendations.rebuild()

    assert listed(source) == [recent_and_loose, old_and_close]


def test_newer_stories_are_not_penalised_for_being_newer():
    shared = entity("Chery")
    source = story("Source", entities=[shared], age=30 * DAY)
    older = story("Older", entities=[shared], age=60 * DAY)
    newer = story("Newer", entities=[shared], age=DAY)

    recommendations.rebuild()

    assert listed(source) == [newer, older]


def test_the_same_section_wins_between_equal_candidates():
    shared, elsewhere = entity("Volkswagen"), factories.section(name="World")
    published = timezone.now() - DAY
    source = story("Source", entities=[shared], published_at=published)
    other_section = story(
        "Elsewhere", entities=[shared], section=elsewhere, published_at=published
    )
    same_section = story("Same", entities=[shared], published_at=published)

    recommendations.rebuild()

    assert other_section.pk < same_section.pk
    assert listed(source) == [same_section, other_section]


def test_equal_scores_are_ordered_by_id():
    shared = entity("Alphabet")
    published = timezone.now() - DAY
    source = story("Source", entities=[shared], published_at=published)
    later_id = story("B", entities=[shared, entity("Waymo")], published_at=published)
    earlier_id = story("A", entities=[shared, entity("Verily")], published_at=published)
    assert later_id.pk < earlier_id.pk

    recommendations.rebuild()

    assert listed(source) == [later_id, earlier_id]


def test_a_near_duplicate_of_a_chosen_story_is_skipped():
    first, second = entity("Cleon"), entity("Renault")
    source = story("Source", words="zorblax", entities=[first, second])
    original = story("Original", words="zorblax", entities=[first, second])
    rewrite = factories.article(
        headline=original.headline + " again",
        body=original.body,
        section=original.section,
        published_at=original.published_at,
    )
    for mention in original.mentions.all():
        factories.mention(rewrite, mention.entity)
    weaker = story("Weaker", entities=[first])

    recommendations.rebuild()

    chosen = listed(source)
    assert chosen[0] in {original, rewrite}
    assert not {original, rewrite} <= set(chosen)
    assert weaker in chosen


def test_each_list_keeps_a_buffer_of_twice_the_shown_count(settings):
    settings.NEWSROOM_READ_NEXT_COUNT = 2
    shared = entity("Canada")
    source = story("Source", entities=[shared])
    for _ in range(7):
        story("Related", entities=[shared])

    recommendations.rebuild()

    assert len(listed(source)) == 4


def test_rebuilding_the_same_corpus_gives_the_same_lists():
    def lists():
        return list(
            ReadNextEntry.objects.order_by(
                "article__slug", "kind", "position"
            ).values_list("article__slug", "target__slug", "kind", "score", "reasons")
        )

    synthetic.generate(articles=150, seed=3, until=datetime.date(2026, 1, 31))
    recommendations.rebuild()
    first = lists()
    recommendations.rebuild()
    assert lists() == first

    Article.objects.filter(slug__startswith=synthetic.SLUG_PREFIX).delete()
    synthetic.generate(articles=150, seed=3, until=datetime.date(2026, 1, 31))
    recommendations.rebuild()
    assert lists() == first
    assert len(first) > 100


# --- Editors stay in charge -----------------------------------------------------------


def test_pins_come_first_in_the_editors_order_then_computed_ones(client, settings):
    settings.NEWSROOM_READ_NEXT_COUNT = 4
    shared = entity("Liverpool")
    source = story("Source", entities=[shared])
    related = [story(f"Related{n}", entities=[shared]) for n in range(4)]
    pinned_second, pinned_first = story("PinB"), story("PinA")
    factories.pin(source, pinned_second, position=2)
    factories.pin(source, pinned_first, position=1)

    recommendations.rebuild()

    headlines = shown(client, source)
    assert headlines[:2] == [pinned_first.headline, pinned_second.headline]
    assert len(headlines) == 4
    assert set(headlines[2:]) <= {article.headline for article in related}


def test_a_pinned_story_is_not_also_computed():
    shared = entity("Geely")
    source = story("Source", entities=[shared])
    target = story("Target", entities=[shared])
    recommendations.rebuild()
    assert listed(source) == [target]

    factories.pin(source, target)

    assert listed(source, Kind.PINNED) == [target]
    assert listed(source) == []


def test_an_excluded_story_is_never_recommended_even_after_a_rebuild(editor):
    shared = entity("Ford")
    source = story("Source", entities=[shared])
    excluded = story("Excluded", entities=[shared])
    kept = story("Kept", entities=[shared])
    recommendations.rebuild()
    assert set(listed(source)) == {excluded, kept}

    ReadNextExclusion.objects.create(article=source, target=excluded)
    recommendations.update_article(source)
    assert listed(source) == [kept]

    recommendations.rebuild()
    assert listed(source) == [kept]
    # Excluded from one list only.
    assert source in listed(excluded)


# --- Explainable ----------------------------------------------------------------------


def test_reasons_name_the_shared_entities_and_tags_strongest_first():
    common = entity("China")
    renault, geely = entity("Renault"), entity("Geely")
    for _ in range(3):
        story("Other", entities=[common])
    tag = Tag.objects.get(name="Trade Policy")
    source = story("Source", entities=[renault, geely, common], tags=[tag])
    target = story("Target", entities=[renault, common], tags=[tag])

    recommendations.rebuild()

    entry = ReadNextEntry.objects.get(article=source, target=target)
    # The one tag of each is all of its tag block; China is everywhere.
    assert [reason["name"] for reason in entry.reasons] == [
        "Trade Policy",
        "Renault",
        "China",
    ]
    assert entry.reasons[1] == {"kind": "entity", "name": "Renault", "slug": "renault"}
    assert entry.reason_text == "Also about Trade Policy, Renault and China"


def test_a_story_linked_by_words_alone_says_similar_wording():
    source = story("Source", words="zorblax quintessa")
    target = story("Target", words="zorblax quintessa")

    recommendations.rebuild()

    entry = ReadNextEntry.objects.get(article=source, target=target)
    assert entry.reasons == []
    assert entry.reason_text == "Similar wording"


def test_the_article_page_shows_each_reason_discreetly(client):
    renault = entity("Renault")
    source = story("Source", entities=[renault])
    story("Target", entities=[renault])
    recommendations.rebuild()

    block = parse(client.get(source.get_absolute_url())).find(class_="read-next")

    assert block.find(class_="read-next-reason").text == "Also about Renault"


# --- Incremental updates --------------------------------------------------------------


def test_publishing_puts_a_story_in_its_own_list_and_in_the_lists_it_belongs_in(
    client, editor
):
    ford, geely = entity("Ford"), entity("Geely")
    first = story("First", entities=[ford, geely])
    second = story("Second", entities=[ford])
    recommendations.rebuild()
    new = story(
        "New", entities=[ford, geely], status=Article.Status.REVIEW, published_at=None
    )

    publishing.transition(new, "publish", user=editor)

    assert listed(new) == [first, second]
    assert listed(first)[0] == new
    assert new in listed(second)
    assert shown(client, first)[0] == new.headline


def test_withdrawing_takes_a_story_out_of_every_list_and_the_buffer_fills_in(
    client, editor, settings
):
    settings.NEWSROOM_READ_NEXT_COUNT = 2
    shared = entity("Chery")
    source = story("Source", entities=[shared])
    others = [story(f"Other{n}", entities=[shared]) for n in range(4)]
    recommendations.rebuild()
    withdrawn = listed(source)[0]

    publishing.transition(withdrawn, "withdraw", user=editor)

    assert withdrawn not in listed(source)
    assert not ReadNextEntry.objects.filter(target=withdrawn, kind=Kind.COMPUTED)
    assert not ArticleFeatureWeight.objects.filter(article=withdrawn)
    assert len(shown(client, source)) == 2
    assert withdrawn.headline not in shown(client, source)
    assert withdrawn in others


def test_the_article_count_moves_with_the_index_instead_of_being_counted(editor):
    def counted() -> int:
        return RecommendationFeature.objects.get(
            key=recommendations.CORPUS_KEY
        ).document_frequency

    shared = entity("Chery")
    for _ in range(3):
        story("Old", entities=[shared])
    recommendations.rebuild()
    assert counted() == 3
    new = story("New", entities=[shared], status=Article.Status.REVIEW)

    with CaptureQueriesContext(connection) as captured:
        publishing.transition(new, "publish", user=editor)
    assert counted() == 4
    assert not [
        q
        for q in captured
        if 'COUNT(*) AS "__count" FROM "articles_article"' in q["sql"]
    ]

    publishing.transition(new, "withdraw", user=editor)
    assert counted() == 3

    # Lists rebuilt before the count was stored: counted once, at the next update.
    RecommendationFeature.objects.filter(key=recommendations.CORPUS_KEY).delete()
    later = story("Later", entities=[shared], status=Article.Status.REVIEW)
    publishing.transition(later, "publish", user=editor)
    assert counted() == 4


def test_a_list_short_of_stories_after_a_withdrawal_is_computed_again(editor):
    shared = entity("Alphabet")
    source = story("Source", entities=[shared])
    kept = story("Kept", entities=[shared])
    leaving = story("Leaving", entities=[shared])
    recommendations.rebuild()
    # Lists are filled from scratch when they run short, not only trimmed.
    ReadNextEntry.objects.filter(article=source, target=kept).delete()

    publishing.transition(leaving, "withdraw", user=editor)

    assert listed(source) == [kept]


def test_a_scheduled_story_appears_in_lists_at_its_moment_with_nothing_running(
    client, editor
):
    moment = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=2)
    shared = entity("Canada")
    source = story("Source", entities=[shared])
    recommendations.rebuild()
    scheduled = story(
        "Scheduled", entities=[shared], status=Article.Status.REVIEW, published_at=None
    )
    publishing.transition(scheduled, "publish", user=editor, publish_at=moment)
    assert listed(source) == [scheduled]

    with time_machine.travel(moment - datetime.timedelta(seconds=1), tick=False):
        assert shown(client, source) == []
    with time_machine.travel(moment, tick=False):
        assert shown(client, source) == [scheduled.headline]
        assert shown(client, scheduled) == [source.headline]


def test_an_expired_story_leaves_the_block_at_its_moment(client):
    moment = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=2)
    shared = entity("Geely")
    source = story("Source", entities=[shared])
    expiring = story("Expiring", entities=[shared, entity("Volvo")], expires_at=moment)
    lasting = story("Lasting", entities=[shared])
    recommendations.rebuild()
    assert listed(source) == [lasting, expiring] or listed(source) == [
        expiring,
        lasting,
    ]

    with time_machine.travel(moment - datetime.timedelta(seconds=1), tick=False):
        assert expiring.headline in shown(client, source)
    with time_machine.travel(moment, tick=False):
        assert shown(client, source) == [lasting.headline]


def test_editing_a_live_story_in_the_admin_updates_its_lists(admin_client):
    source = story("Source", words="zorblax quintessa")
    other = story("Other", words="zorblax quintessa")
    target = story("Target", words="marmalade")
    recommendations.rebuild()
    assert listed(target) == []
    url = reverse("admin:articles_article_change", args=[target.pk])
    data = form_data(admin_client.get(url).content.decode())
    data["body"] = "Marmalade zorblax quintessa"

    response = admin_client.post(url, data | {"_continue": "Continue"})

    assert response.status_code == 302
    assert set(listed(target)) == {source, other}
    assert target in listed(source)


def test_an_exclusion_added_in_the_admin_takes_effect_at_once(admin_client):
    shared = entity("Ford")
    source = story("Source", entities=[shared])
    target = story("Target", entities=[shared])
    recommendations.rebuild()
    url = reverse("admin:articles_article_change", args=[source.pk])
    data = form_data(admin_client.get(url).content.decode())
    data |= {
        "read_next_exclusions-TOTAL_FORMS": "1",
        "read_next_exclusions-0-target": str(target.pk),
    }

    response = admin_client.post(url, data | {"_continue": "Continue"})

    assert response.status_code == 302
    assert ReadNextExclusion.objects.filter(article=source, target=target).exists()
    assert listed(source) == []


def test_an_update_costs_the_same_queries_however_many_stories_are_related(
    editor, django_assert_max_num_queries
):
    def publish_among(related: int) -> int:
        shared = entity(f"Entity {related}")
        for _ in range(related):
            story("Related", entities=[shared])
        recommendations.rebuild()
        # Closer to each of them than they are to one another: it enters
        # every list.
        new = factories.article(headline=f"New{related}", body=f"Text{related}")
        factories.mention(new, shared)
        with CaptureQueriesContext(connection) as captured:
            recommendations.update_article(new)
        return len(captured)

    # Twenty lists of eight still fit in one INSERT on SQLite.
    assert publish_among(5) == publish_among(20)
    last = story("Last", entities=[entity("Solo")])
    with django_assert_max_num_queries(30):
        recommendations.update_article(last)


# --- Reading the lists ----------------------------------------------------------------


def test_the_article_page_reads_pins_and_recommendations_in_one_query(client):
    shared = entity("Renault")
    bare = story("Bare")
    source = story("Source", entities=[shared])
    for _ in range(8):
        story("Related", entities=[shared])
    factories.pin(source, story("Pinned"))
    factories.pin(
        source, story("Draft", status=Article.Status.DRAFT, published_at=None)
    )
    recommendations.rebuild()

    # A page without any Read These Next costs the same: the block is one
    # of the page's seven queries.
    assert queries_for(client, source.get_absolute_url()) == 7
    assert queries_for(client, bare.get_absolute_url()) == 7
    assert len(shown(client, source)) == 4


def test_the_block_looks_up_each_target_instead_of_listing_every_live_article():
    shared = entity("Renault")
    source = story("Source", entities=[shared])
    for _ in range(3):
        story("Related", entities=[shared])
    recommendations.rebuild()

    with CaptureQueriesContext(connection) as captured:
        assert len(ReadNextEntry.objects.live().filter(article=source)) == 3

    # A list of the live articles grows with the archive (300 ms a page at
    # 100,000 articles on SQLite); one key lookup per entry does not.
    (query,) = captured.captured_queries
    assert "EXISTS" in query["sql"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plan = [row[-1] for row in cursor.fetchall()]
        assert not [line for line in plan if line.startswith("LIST SUBQUERY")]
        subquery = plan.index("CORRELATED SCALAR SUBQUERY 1")
        assert "USING INTEGER PRIMARY KEY" in plan[subquery + 1]


def test_a_preview_shows_the_pins_of_its_revision_before_computed_stories(
    admin_client,
):
    shared = entity("Cleon")
    source = story("Source", entities=[shared])
    related = story("Related", entities=[shared])
    pinned = story("Pinned")
    factories.pin(source, pinned)
    revisions.save_revision(source, user=None, comment="Pinned one.")
    version = revisions.versions_of(source).first()
    source.read_next_pins.all().delete()
    recommendations.rebuild()

    response = admin_client.get(
        reverse("admin:articles_article_preview", args=[source.pk, version.pk])
    )

    block = parse(response).find(class_="read-next")
    assert [title for title, _ in links(block)] == [pinned.headline, related.headline]


# --- Admin ----------------------------------------------------------------------------


def test_the_article_form_shows_computed_stories_with_their_reasons(admin_client):
    renault = entity("Renault")
    source = story("Source", entities=[renault])
    target = story("Target", entities=[renault])
    recommendations.rebuild()

    response = admin_client.get(
        reverse("admin:articles_article_change", args=[source.pk])
    )

    table = parse(response).find(class_="read-next-computed")
    row = table.find("tbody").find("tr")
    assert [cell.text for cell in row.find_all("td")][:3] == [
        "1",
        target.headline,
        "Live",
    ]
    assert row.find_all("td")[-1].text == "Also about Renault"


def test_the_admin_refuses_more_pins_than_the_block_shows(admin_client, settings):
    settings.NEWSROOM_READ_NEXT_COUNT = 1
    source = story("Source")
    url = reverse("admin:articles_article_change", args=[source.pk])
    data = form_data(admin_client.get(url).content.decode())
    data |= {
        "read_next_pins-TOTAL_FORMS": "2",
        "read_next_pins-0-target": str(story("One").pk),
        "read_next_pins-0-position": "0",
        "read_next_pins-1-target": str(story("Two").pk),
        "read_next_pins-1-position": "1",
    }

    response = admin_client.post(url, data | {"_continue": "Continue"})

    assert response.status_code == 200
    assert "Please submit at most 1 form." in response.content.decode()
    assert not source.read_next_pins.exists()


# --- Commands -------------------------------------------------------------------------


def test_rebuild_recommendations_reports_progress_and_what_it_built():
    shared = entity("Ford")
    story("One", entities=[shared])
    story("Two", entities=[shared])
    output = StringIO()

    call_command("rebuild_recommendations", stdout=output)

    text = output.getvalue()
    assert "Comparing articles" in text and "100%" in text
    assert "Rebuilt Read These Next for 2 articles: 2 recommendations" in text


def test_generate_corpus_refuses_to_run_without_a_seed():
    with pytest.raises(CommandError, match="--seed"):
        call_command("generate_corpus", "--articles", "10", stdout=StringIO())
    assert not Article.objects.exists()


def test_generate_corpus_refuses_a_bad_date_or_a_second_corpus():
    with pytest.raises(CommandError, match="2026-02-04"):
        call_command("generate_corpus", "--articles=10", "--seed=1", "--until=tomorrow")
    call_command("generate_corpus", "--articles=10", "--seed=1", stdout=StringIO())
    with pytest.raises(CommandError, match="already holds 10 synthetic articles"):
        call_command("generate_corpus", "--articles=10", "--seed=2", stdout=StringIO())


def test_every_generated_article_is_marked_synthetic_and_names_its_cluster():
    call_command("generate_corpus", "--articles=120", "--seed=5", stdout=StringIO())

    articles = Article.objects.prefetch_related("tags")
    assert articles.count() == 120
    for article in articles:
        assert article.headline.startswith("[Synthetic] ")
        assert synthetic.MARKER_SENTENCE in article.body
        assert "Synthetic" in {tag.name for tag in article.tags.all()}
        assert synthetic.cluster_of(article.slug) is not None
    clusters = {synthetic.cluster_of(article.slug) for article in articles}
    assert 5 <= len(clusters) <= 20
    assert synthetic.cluster_of("renault-cleon") is None
    assert articles.values("section").distinct().count() > 1
    assert Article.objects.live().count() < 120  # drafts, withdrawn, scheduled


# --- The demo -------------------------------------------------------------------------


def test_the_demo_nev_story_shows_the_alphabet_pin_then_three_related_stories(client):
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    nev = Article.objects.get(headline__startswith="Foreign Automakers Pursue")

    block = parse(client.get(nev.get_absolute_url())).find(class_="read-next")
    items = block.find_all(class_="read-next-item")

    titles = [item.find(class_="read-next-title").text for item in items]
    assert titles[0] == "Alphabet's Q4: A Sign of New AI Investment Era"
    assert not items[0].find_all(class_="read-next-reason")
    assert len(items) == 4
    for item in items[1:]:
        reason = item.find(class_="read-next-reason").text
        assert reason.startswith("Also about ")
    assert len(set(titles)) == 4 and nev.headline not in titles


def test_loading_the_demo_again_leaves_the_same_recommendations():
    def lists():
        return list(
            ReadNextEntry.objects.order_by(
                "article__slug", "kind", "position"
            ).values_list("article__slug", "target__slug", "score", "reasons")
        )

    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    first = lists()
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())

    assert lists() == first
    assert len(first) > 10
