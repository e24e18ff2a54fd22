"""Full-text search: matching, ranking, snippets, facets, visibility and the index."""

import datetime
import itertools
from io import StringIO

import feedparser
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.importing import ArticleImporter
from articles.merging import merge_tags
from articles.models import Article, SearchDocument, Tag
from articles.search import SearchFilters, ranked_ids, search
from entities.mentions import relink_article
from entities.merging import merge_entities
from entities.models import Entity, Mention
from newsroom.backups import DERIVED_MODELS, backed_up_models
from tests import factories
from tests.admin_forms import form_data
from tests.test_backups import fresh_database, run_fresh
from tests.test_pages import links, parse

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def found(query: str, **filters) -> list[str]:
    """The headlines search finds for ``query``, best first."""
    results = search(query, filters=SearchFilters(**filters), per_page=50)
    headlines = dict(Article.objects.values_list("pk", "headline"))
    return [headlines[pk] for pk in results.ids]


def story(headline: str, body: str = "Nothing to see.", **fields) -> Article:
    return factories.article(headline=headline, body=body, **fields)


def freeze_clock(monkeypatch, moment: datetime.datetime) -> None:
    monkeypatch.setattr("articles.models.timezone.now", lambda: moment)


# --- Matching -----------------------------------------------------------------


def test_search_matches_headline_dek_and_body():
    story("Renault builds engines at Cleon")
    story("Quiet week", dek="Geely considers a partner.")
    story("Markets", body="Chery opens a European headquarters.")

    assert found("renault") == ["Renault builds engines at Cleon"]
    assert found("geely") == ["Quiet week"]
    assert found("headquarters") == ["Markets"]


def test_search_stems_english_words():
    story("Battery makers expand", body="Factories are running day and night.")

    assert found("batteries") == ["Battery makers expand"]
    assert found("runs") == ["Battery makers expand"]
    assert found("factory") == ["Battery makers expand"]


def test_every_word_must_match():
    story("Renault and Geely", body="Talks continue.")
    story("Renault alone")

    assert found("renault geely") == ["Renault and Geely"]


def test_quoted_words_must_appear_together_in_order():
    story("The supply chain is long")
    story("A chain of supply")

    assert found('"supply chain"') == ["The supply chain is long"]
    assert sorted(found("supply chain")) == [
        "A chain of supply",
        "The supply chain is long",
    ]


def test_a_trailing_star_finds_words_that_start_with_it():
    story("Electricity prices fall")
    story("Electric vans sell out")
    story("Elections ahead")

    assert sorted(found("electr*")) == [
        "Electric vans sell out",
        "Electricity prices fall",
    ]


def test_or_finds_either_word_and_minus_leaves_a_word_out():
    story("Geely results")
    story("Ford results")
    story("Ford tariff worries")

    assert sorted(found("geely OR ford")) == [
        "Ford results",
        "Ford tariff worries",
        "Geely results",
    ]
    assert found("ford -tariff") == ["Ford results"]
    assert found('ford -"tariff worries"') == ["Ford results"]


def test_search_finds_tags_and_confirmed_entity_names():
    tagged = story("Quota announced")
    tagged.tags.add(factories.tag(name="Port Logistics", slug="port-logistics"))
    mentioned = story("VW opens a plant", body="VW said the plant opens soon.")
    volkswagen = factories.entity(name="Volkswagen Group", slug="volkswagen-group")
    factories.mention(mentioned, volkswagen)
    suggested = story("Cleon gets a new line")
    factories.mention(suggested, factories.entity(name="Normandy"), status="suggested")
    rejected = story("Another line")
    factories.mention(rejected, factories.entity(name="Brittany"), status="rejected")

    assert found("port logistics") == ["Quota announced"]
    assert found('"volkswagen group"') == ["VW opens a plant"]
    assert found("normandy") == []
    assert found("brittany") == []


# --- Ranking ------------------------------------------------------------------


def test_a_match_in_the_headline_outranks_one_in_the_body():
    story("Weather", body="Battery makers are mentioned once here.")
    story("Battery makers gather", body="Nothing else.")

    assert found("battery") == ["Battery makers gather", "Weather"]


def test_equally_relevant_stories_come_newest_first():
    for days in [30, 1, 300]:
        story(
            f"Battery plant, {days} days ago",
            body="A battery plant opens.",
            published_at=NOW - datetime.timedelta(days=days),
        )

    assert found("battery plant") == [
        "Battery plant, 1 days ago",
        "Battery plant, 30 days ago",
        "Battery plant, 300 days ago",
    ]


def test_recency_boosts_but_does_not_outweigh_relevance():
    story(
        "Battery prices: a battery report",
        body="Battery makers expect battery prices to fall.",
        published_at=NOW - datetime.timedelta(days=400),
    )
    story(
        "Markets today",
        body="One word about a battery in a long text about many other things.",
        published_at=NOW - datetime.timedelta(hours=1),
    )

    assert found("battery") == ["Battery prices: a battery report", "Markets today"]


def test_the_search_page_and_the_api_rank_alike():
    # search() scores its window in Python, ranked_ids() (the API's q) in SQL:
    # the two copies of the formula must not drift apart.
    for days_ago, mentions in [(1, 1), (3, 4), (40, 2), (400, 6), (900, 1)]:
        story(
            f"Report from {days_ago} days ago",
            body=" ".join(["Battery makers."] * mentions + ["Other news."] * 5),
            published_at=NOW - datetime.timedelta(days=days_ago),
        )

    page = search("battery", per_page=10).ids
    api = ranked_ids(Article.objects.live(), "battery", offset=0, limit=10)

    assert len(page) == 5
    assert page == api


# --- Snippets -----------------------------------------------------------------


def test_hits_highlight_matches_in_headline_and_snippet():
    story("Renault plans a new engine", body="The engine will be built at Cleon.")

    (hit,) = search("engine").hits

    assert hit.headline == "Renault plans a new <mark>engine</mark>"
    assert "<mark>engine</mark> will be built at Cleon" in hit.snippet


def test_snippets_escape_the_text_and_keep_only_our_marks():
    story(
        "<b>Bold</b> & <script>alert('x')</script> battery",
        body="With \ue000private\ue001 marks, <img src=x onerror=alert(1)> battery.",
    )

    (hit,) = search("battery").hits

    for html in [hit.headline, hit.snippet]:
        without_marks = html.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in without_marks, html
        assert "\ue000" not in html and "\ue001" not in html
    assert hit.headline.count("<mark>") == 1
    assert "&lt;script&gt;" in hit.headline
    assert "private" in hit.snippet and "<mark>private" not in hit.snippet


# --- Pages and facets -----------------------------------------------------------


def test_results_come_a_page_at_a_time_with_the_total():
    for number in range(25):
        story(f"Battery story {number}")

    first = search("battery", per_page=20)
    second = search("battery", page=2, per_page=20)
    beyond = search("battery", page=3, per_page=20)

    assert (first.total, first.num_pages, len(first.ids)) == (25, 2, 20)
    assert len(second.ids) == 5
    assert not set(first.ids) & set(second.ids)
    assert (beyond.total, beyond.ids) == (25, [])


@pytest.mark.parametrize(("page", "per_page"), [(0, 20), (1, 0), (-1, -1)])
def test_a_page_or_page_size_below_one_is_refused(page, per_page):
    with pytest.raises(ValueError, match="start at 1"):
        search("cars", page=page, per_page=per_page)


def test_facets_count_results_by_section_tag_entity_kind_and_month():
    business = factories.section(name="Business", slug="business")
    world = factories.section(name="World", slug="world")
    trade = Tag.objects.get(slug="international-trade")
    renault = factories.entity(name="Renault", slug="renault")
    cui = factories.entity(name="Cui Dongshu", slug="cui-dongshu", kind="person")
    hidden = factories.entity(name="Geely", slug="geely")
    january = datetime.datetime(2026, 1, 15, 12, tzinfo=datetime.UTC)
    february = datetime.datetime(2026, 2, 4, 12, tzinfo=datetime.UTC)
    stories = [
        story("Cars one", section=business, published_at=january),
        story("Cars two", section=business, published_at=february),
        story("Cars three", section=world, published_at=february),
    ]
    story("Unrelated", section=world)
    for article in stories[:2]:
        article.tags.add(trade)
        factories.mention(article, renault)
    factories.mention(stories[2], cui)
    factories.mention(stories[2], hidden, status=Mention.Status.SUGGESTED)

    facets = search("cars").facets

    assert [(f.value, f.label, f.count) for f in facets.sections] == [
        ("business", "Business", 2),
        ("world", "World", 1),
    ]
    assert [(f.value, f.count) for f in facets.tags] == [("international-trade", 2)]
    assert [
        (group.heading, [(f.value, f.count) for f in group.values])
        for group in facets.entities
    ] == [("Companies", [("renault", 2)]), ("People", [("cui-dongshu", 1)])]
    assert [(f.value, f.label, f.count) for f in facets.dates] == [
        ("2026-02", "February 2026", 2),
        ("2026-01", "January 2026", 1),
    ]


def test_facets_show_the_most_frequent_few_of_each_kind():
    companies = [factories.entity(name=f"Company {n:02}") for n in range(10)]
    places = [factories.entity(name=f"Place {n}", kind="place") for n in range(2)]
    for number in range(10):
        article = story(f"Cars {number}")
        # Company n is mentioned in n + 1 stories.
        for company in companies[9 - number :]:
            factories.mention(article, company)
        factories.mention(article, places[number % 2])

    groups = {group.heading: group.values for group in search("cars").facets.entities}

    assert [(f.label, f.count) for f in groups["Companies"]] == [
        (f"Company {n:02}", n + 1) for n in range(9, 1, -1)
    ]
    assert [(f.label, f.count) for f in groups["Places"]] == [
        ("Place 0", 5),
        ("Place 1", 5),
    ]


def test_results_spread_over_more_than_a_year_are_counted_by_year():
    for year, month in [(2024, 12), (2025, 6), (2025, 12), (2026, 2)]:
        story(
            f"Cars of {year}-{month}",
            published_at=datetime.datetime(year, month, 15, tzinfo=datetime.UTC),
        )

    dates = search("cars").facets.dates
    in_2025 = search(
        "cars",
        filters=SearchFilters(
            published_after=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
            published_before=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        ),
    ).facets.dates

    assert [(f.value, f.count) for f in dates] == [
        ("2026", 1),
        ("2025", 2),
        ("2024", 1),
    ]
    assert [(f.value, f.label) for f in in_2025] == [
        ("2025-12", "December 2025"),
        ("2025-06", "June 2025"),
    ]


def cars_over_two_years() -> tuple[list[Article], list[Article]]:
    """Two old stories about cars, three newer ones that only mention them."""
    business = factories.section(name="Business", slug="business")
    world = factories.section(name="World", slug="world")
    old = [
        story(
            f"Cars story {number}",
            section=world,
            published_at=datetime.datetime(2024, 5, 1 + number, tzinfo=datetime.UTC),
        )
        for number in range(2)
    ]
    new = [
        story(
            f"Weather {number}",
            body="Cars stood still.",
            section=business,
            published_at=datetime.datetime(2026, 2, 1 + number, tzinfo=datetime.UTC),
        )
        for number in range(3)
    ]
    return old, new


def test_a_search_matching_more_than_can_be_ranked_ranks_the_newest(monkeypatch):
    _, new = cars_over_two_years()
    monkeypatch.setattr("articles.search.RANKED_MATCHES", 3)

    results = search("cars")

    assert (results.total, results.more) == (3, True)
    # The old stories match better (in the headline) but lie outside the window.
    assert set(results.ids) == {article.pk for article in new}


def test_facets_of_a_broad_search_count_its_window_and_reach_back_in_time(
    monkeypatch,
):
    cars_over_two_years()
    monkeypatch.setattr("articles.search.RANKED_MATCHES", 3)

    facets = search("cars").facets

    assert [(f.value, f.count) for f in facets.sections] == [("business", 3)]
    # Every year back to the oldest match, uncounted: older stories are a
    # click away.
    assert [(f.value, f.count) for f in facets.dates] == [
        ("2026", None),
        ("2025", None),
        ("2024", None),
    ]


def test_a_search_within_the_window_ranks_and_counts_every_match():
    old, _ = cars_over_two_years()

    results = search("cars")

    assert (results.total, results.more) == (5, False)
    assert results.ids[:2] == [old[1].pk, old[0].pk]
    assert [(f.value, f.count) for f in results.facets.sections] == [
        ("business", 3),
        ("world", 2),
    ]
    assert [(f.value, f.count) for f in results.facets.dates] == [
        ("2026", 3),
        ("2024", 2),
    ]


def test_pages_of_a_broad_search_cover_its_window_once(monkeypatch):
    cars_over_two_years()
    monkeypatch.setattr("articles.search.RANKED_MATCHES", 3)

    pages = [search("cars", page=page, per_page=2) for page in (1, 2, 3)]

    assert [len(results.ids) for results in pages] == [2, 1, 0]
    assert pages[0].num_pages == 2
    assert not set(pages[0].ids) & set(pages[1].ids)


def test_filters_narrow_results_and_their_facets():
    business = factories.section(name="Business", slug="business")
    trade = factories.tag(name="Trade", slug="trade")
    renault = factories.entity(name="Renault", slug="renault")
    in_section = story("Cars in business", section=business)
    tagged = story("Cars with a tag")
    tagged.tags.add(trade)
    mentioning = story("Cars and Renault")
    factories.mention(mentioning, renault)
    old = story(
        "Cars long ago", published_at=datetime.datetime(2025, 3, 3, tzinfo=datetime.UTC)
    )

    assert found("cars", section=business) == [in_section.headline]
    assert found("cars", tag=trade) == [tagged.headline]
    assert found("cars", entity=renault) == [mentioning.headline]
    assert found(
        "cars",
        published_after=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC),
        published_before=datetime.datetime(2025, 4, 1, tzinfo=datetime.UTC),
    ) == [old.headline]
    narrowed = search("cars", filters=SearchFilters(section=business))
    assert narrowed.total == 1
    assert [f.value for f in narrowed.facets.sections] == ["business"]


# --- Only live articles -----------------------------------------------------------


@pytest.mark.parametrize(
    "status", [Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.WITHDRAWN]
)
def test_search_finds_no_article_that_is_not_published(status):
    story("Hidden battery story", status=status, published_at=NOW)

    assert found("battery") == []
    assert search("battery").facets.sections == []


def test_a_scheduled_article_is_found_from_its_time_with_no_one_acting(monkeypatch):
    story("Scheduled battery story", published_at=NOW + datetime.timedelta(hours=1))

    freeze_clock(monkeypatch, NOW)
    before = found("battery")
    freeze_clock(monkeypatch, NOW + datetime.timedelta(hours=1))
    after = found("battery")

    assert before == []
    assert after == ["Scheduled battery story"]


def test_an_expiring_article_leaves_results_at_its_expiry_with_no_one_acting(
    monkeypatch,
):
    story("Expiring battery story", expires_at=NOW + datetime.timedelta(hours=1))

    freeze_clock(monkeypatch, NOW)
    before = found("battery")
    freeze_clock(monkeypatch, NOW + datetime.timedelta(hours=1))
    after = found("battery")

    assert before == ["Expiring battery story"]
    assert after == []


def test_a_withdrawn_article_disappears_from_results_at_once():
    article = story("Battery story")
    assert found("battery") == ["Battery story"]

    article.status = Article.Status.WITHDRAWN
    article.save()

    assert found("battery") == []


# --- Keeping the index current ------------------------------------------------------


def test_publishing_a_draft_through_the_workflow_makes_it_findable(admin_user):
    article = story("Battery draft", status=Article.Status.DRAFT)
    as_draft = found("battery")

    publishing.transition(article, "submit", user=admin_user)
    publishing.transition(article, "publish", user=admin_user)

    assert as_draft == []
    assert found("battery") == ["Battery draft"]


def test_an_edit_saved_in_the_admin_is_found_by_its_new_words(admin_client):
    article = story("Battery story", body="About cells.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(admin_client.get(url).content.decode())

    response = admin_client.post(
        url, data | {"headline": "Hydrogen story", "body": "About tanks."}
    )

    assert response.status_code == 302
    assert found("battery") == []
    assert found("hydrogen tanks") == ["Hydrogen story"]


def test_an_edited_article_is_found_by_its_new_words_only():
    article = story("Battery story", body="About cells.")

    article.headline = "Hydrogen story"
    article.body = "About tanks."
    article.save()

    assert found("battery") == [] and found("cells") == []
    assert found("hydrogen tanks") == ["Hydrogen story"]


def test_a_deleted_article_leaves_the_index(django_assert_max_num_queries):
    article = story("Battery story")
    article.tags.add(factories.tag())
    factories.mention(article, factories.entity())
    other = story("Battery news")

    article.delete()

    assert not SearchDocument.objects.filter(pk=article.pk).exists()
    assert found("battery") == [other.headline]
    connection.check_constraints()  # no document was written back for the dead article


def test_adding_and_removing_a_tag_updates_the_index():
    article = story("Quota announced")
    tag = factories.tag(name="Port Logistics", slug="port-logistics")

    article.tags.add(tag)
    with_tag = found("logistics")
    article.tags.remove(tag)

    assert with_tag == ["Quota announced"]
    assert found("logistics") == []


def test_renaming_or_deleting_a_tag_updates_every_article_with_it():
    tag = factories.tag(name="Port Logistics", slug="port-logistics")
    for number in range(3):
        story(f"Quota {number}").tags.add(tag)

    tag.name = "Tariffs"
    tag.save()
    renamed = (len(found("tariffs")), len(found("logistics")))
    tag.delete()

    assert renamed == (3, 0)
    assert found("tariffs") == []


def index_writes(action) -> int:
    """How many statements ``action`` sends to the search document table."""
    with CaptureQueriesContext(connection) as captured:
        action()
    return sum("articles_searchdocument" in query["sql"] for query in captured)


def test_a_save_of_fields_that_are_not_text_leaves_the_document_alone():
    article = story("Battery story")
    article.headline = "Hydrogen story"

    status_only = index_writes(lambda: article.save(update_fields=["status"]))
    with_text = index_writes(lambda: article.save(update_fields=["headline"]))

    assert status_only == 0
    assert with_text > 0
    assert found("hydrogen") == ["Hydrogen story"]


def test_editing_an_entity_without_renaming_it_rewrites_no_document():
    entity = factories.entity(name="Renault")
    for number in range(3):
        factories.mention(story(f"Plant {number}"), entity)
    entity.description = "A carmaker."

    assert index_writes(entity.save) == 0


def test_confirming_rejecting_and_deleting_mentions_updates_the_index():
    article = story("Plant opens")
    mention = factories.mention(
        article, factories.entity(name="Renault"), status=Mention.Status.SUGGESTED
    )
    suggested = found("renault")

    mention.status = Mention.Status.CONFIRMED
    mention.save()
    confirmed = found("renault")
    mention.delete()

    assert (suggested, confirmed) == ([], ["Plant opens"])
    assert found("renault") == []


def test_renaming_or_deleting_an_entity_updates_every_article_mentioning_it():
    entity = factories.entity(name="Shanghai Edrive")
    for number in range(3):
        factories.mention(story(f"Plant {number}"), entity)

    entity.name = "Edrive Shanghai Co"
    entity.save()
    renamed = len(found("co"))
    entity.delete()

    assert renamed == 3
    assert found("edrive") == []


def test_linking_an_article_indexes_the_entities_it_found():
    article = story("A new plant", body="Renault will build it at Cleon.")
    renault = factories.entity(name="Régie Renault", slug="regie-renault")
    factories.alias(renault, "Renault")

    relink_article(article)

    assert found("régie") == ["A new plant"]


def test_merging_entities_indexes_the_survivors_name():
    survivor = factories.entity(name="Geely Holding")
    other = factories.entity(name="Zhejiang Geely")
    factories.mention(story("Plant opens"), other)

    merge_entities(survivor=survivor, others=[other])

    assert found('"geely holding"') == ["Plant opens"]


def test_merging_tags_indexes_the_survivors_name():
    survivor = factories.tag(name="Shipping Lanes")
    other = factories.tag(name="Port Logistics")
    story("Quota announced").tags.add(other)

    merge_tags(survivor=survivor, others=[other])

    assert found("shipping lanes") == ["Quota announced"]
    assert found("logistics") == []


def test_an_imported_article_is_found_with_its_tags_and_entities(write_file):
    factories.entity(name="Cleon", slug="cleon", kind=Entity.Kind.PLACE)
    path = write_file(
        "story.txt",
        "Engines for Normandy\n\nPublished on Feb 04, 2026.\n\n"
        "A plant at Cleon will build engines.\n\nINTERNATIONAL TRADE\n",
    )

    ArticleImporter().import_file(path)

    assert found('"international trade" cleon engines') == ["Engines for Normandy"]


def test_raw_saves_of_a_restore_leave_the_index_to_the_rebuild_after_it():
    article = story("Battery story")
    mention = factories.mention(article, factories.entity(name="Renault"))
    SearchDocument.objects.all().delete()

    for instance in [article, mention]:
        post_save.send(
            type(instance),
            instance=instance,
            created=True,
            raw=True,
            using="default",
            update_fields=None,
        )

    assert not SearchDocument.objects.exists()
    assert "articles.searchdocument" not in {
        model._meta.label_lower for model in backed_up_models()
    }
    assert DERIVED_MODELS["articles.searchdocument"] == "rebuild_search_index"


def test_a_restored_backup_is_searchable(tmp_path):
    story("Battery story")
    backup = tmp_path / "backup.json"
    call_command("export_content", str(backup), stdout=StringIO())
    find = "from articles.search import search; print(search('batteries').total)"

    with fresh_database(tmp_path) as url:
        restored = run_fresh(url, "import_content", str(backup))
        searched = run_fresh(url, "shell", "--no-imports", "-c", find)

    assert restored.returncode == 0, restored.stderr
    assert searched.stdout.strip() == "1", searched.stderr


def test_rebuild_search_index_rewrites_every_document():
    for number in range(3):
        story(f"Battery story {number}")
    SearchDocument.objects.all().delete()
    assert found("battery") == []

    output = StringIO()
    call_command("rebuild_search_index", stdout=output)

    assert len(found("battery")) == 3
    assert "Indexed 3 of 3 articles" in output.getvalue()
    assert "Search index rebuilt: 3 articles." in output.getvalue()


# --- Any input at all -----------------------------------------------------------------

NASTY_QUERIES = [
    "",
    " ",
    '"',
    '""',
    '"unclosed phrase',
    "'",
    "''; DROP TABLE articles_article; --",
    "1 OR 1=1",
    "battery\x00cells",
    "\x00",
    "😀🔋🚗",
    "battery 😀",
    "NEAR(battery cells, 2)",
    "battery AND OR NOT",
    "(battery",
    "battery)",
    "body:battery",
    "headline:battery*",
    "battery^2",
    "-battery",
    "--battery",
    "* * *",
    "a*",
    "!battery & cells | <->",
    "'battery':* & !cells",
    "%_%",
    "\\",
    "\\x00",
    "ÿ" * 300,
    "中国 电动车",
    "مرحبا",
    "x" * 10_000,
    "battery " * 1_250,
    "the of and",
    "\u202e\u200b\ufeff",
    "\ue000battery\ue001",
    "<script>alert(1)</script>",
    "{{ 7*7 }} {% debug %}",
    "$(rm -rf /)",
]


@pytest.mark.parametrize("query", NASTY_QUERIES, ids=range(len(NASTY_QUERIES)))
def test_any_query_gives_results_or_an_empty_page(client, query):
    story("Battery cells story", body="Battery cells and more cells.")

    results = search(query)
    response = client.get("/search/", {"q": query})

    assert results.total == len(results.ids) in (0, 1)
    assert response.status_code == 200


# --- The search page ----------------------------------------------------------------


def test_the_search_page_without_a_query_shows_a_labelled_form(client):
    response = client.get("/search/")
    page = parse(response)

    form = page.find("form")
    field = form.find("input")
    (label,) = form.find_all("label")
    assert response.status_code == 200
    assert (form.attrs["role"], form.attrs["method"], form.attrs["action"]) == (
        "search",
        "get",
        "/search/",
    )
    assert (field.attrs["type"], field.attrs["name"]) == ("search", "q")
    assert label.attrs["for"] == field.attrs["id"]
    assert page.find_all(class_="search-results") == []


def test_the_search_page_lists_highlighted_results_linking_to_articles(client):
    article = story("Renault plans a new engine", body="The engine is small.")

    page = parse(client.get("/search/", {"q": "engine"}))

    results = page.find(class_="search-results")
    assert results.find("h2").text == "1 result for “engine”"
    title = results.find(class_="card-title")
    assert links(title) == [(article.headline, article.get_absolute_url())]
    assert [mark.text for mark in title.find_all("mark")] == ["engine"]
    assert "engine is small" in results.find(class_="search-snippet").text
    assert page.find("input").attrs["value"] == "engine"


def test_facet_links_keep_the_query_and_narrow_the_results(client):
    business = factories.section(name="Business", slug="business")
    story("Cars in business", section=business)
    story("Cars elsewhere")

    page = parse(client.get("/search/", {"q": "cars", "page": "1"}))
    facets = page.find(class_="search-facets")
    business_link = dict(links(facets))["Business"]
    narrowed = parse(client.get("/search/" + business_link))

    assert business_link == "?q=cars&section=business"
    assert narrowed.find(class_="search-results").find("h2").text == (
        "1 result for “cars”"
    )
    assert links(narrowed.find(class_="search-active")) == [
        ("Remove section Business", "?q=cars")
    ]


def test_the_page_says_when_only_the_newest_matches_are_ranked(client, monkeypatch):
    cars_over_two_years()
    monkeypatch.setattr("articles.search.RANKED_MATCHES", 3)

    page = parse(client.get("/search/", {"q": "cars"}))
    results = page.find(class_="search-results")
    facets = page.find(class_="search-facets")
    older = parse(client.get("/search/" + dict(links(facets))["2024"]))

    assert results.find("h2").text == "More than 3 results for “cars”"
    assert results.find(class_="search-note").text.startswith(
        "So many stories match that only the newest 3 are ranked."
    )
    assert facets.find(class_="search-note").text == (
        "Counted over the newest 3 matching stories."
    )
    assert "(" not in facets.find_all("ul")[-1].text
    assert older.find(class_="search-results").find("h2").text == (
        "2 results for “cars”"
    )


def test_a_search_within_the_window_says_nothing_of_one(client):
    cars_over_two_years()

    page = parse(client.get("/search/", {"q": "cars"}))

    assert page.find(class_="search-results").find("h2").text == (
        "5 results for “cars”"
    )
    assert page.find_all(class_="search-note") == []


def test_a_date_facet_narrows_to_its_month_and_shows_as_removable(client):
    story(
        "Cars in February",
        published_at=datetime.datetime(2026, 2, 4, tzinfo=datetime.UTC),
    )
    story(
        "Cars in January",
        published_at=datetime.datetime(2026, 1, 9, tzinfo=datetime.UTC),
    )

    page = parse(client.get("/search/", {"q": "cars"}))
    february = dict(links(page.find(class_="search-facets")))["February 2026"]
    narrowed = parse(client.get("/search/" + february))

    assert february == "?q=cars&date=2026-02"
    assert [title.text for title in narrowed.find_all(class_="card-title")] == [
        "Cars in February"
    ]
    assert narrowed.find(class_="search-active").text.startswith("Date: February 2026")


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("section", "no-such-section"),
        ("tag", "bad slug\x00"),
        ("entity", "nobody"),
        ("date", "2026-13"),
        ("date", "0000-01"),
        ("date", "26"),
        ("page", "abc"),
        ("page", "0"),
        ("page", "99999999999999999999"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(client, parameter, value):
    story("Cars story")

    response = client.get("/search/", {"q": "cars", parameter: value})

    errors = parse(response).find(class_="search-errors")
    assert response.status_code == 400
    assert [code.text for code in errors.find_all("code")] == [parameter]


def test_a_page_beyond_the_last_is_an_empty_page_with_a_way_back(client):
    story("Cars story")

    response = client.get("/search/", {"q": "cars", "page": "3"})

    results = parse(response).find(class_="search-results")
    assert response.status_code == 200
    assert results.find_all(class_="card") == []
    assert links(results) == [("Back to the first page", "?q=cars")]


def test_results_pages_link_to_each_other_keeping_the_query(client):
    for number in range(21):
        story(f"Cars story {number}")

    first = parse(client.get("/search/", {"q": "cars"}))
    second = parse(client.get("/search/", {"q": "cars", "page": "2"}))

    assert links(first.find(class_="pagination")) == [
        ("More results", "?q=cars&page=2")
    ]
    assert links(second.find(class_="pagination")) == [
        ("Previous results", "?q=cars&page=1")
    ]
    assert len(second.find_all(class_="card")) == 1


def test_a_huge_query_is_searched_by_its_start_and_the_page_says_so(client):
    story("Cars story")

    page = parse(client.get("/search/", {"q": "cars " * 2_000}))

    assert "Only the first 1000 characters" in page.find(class_="search-note").text
    assert len(page.find("input").attrs["value"]) <= 1000


def test_the_search_page_headings_never_skip_a_level(client):
    article = story("Cars story")
    article.tags.add(factories.tag())
    factories.mention(article, factories.entity(kind=Entity.Kind.PERSON))

    page = parse(client.get("/search/", {"q": "cars"}))

    levels = [
        int(node.tag[1]) for node in page.iter() if node.tag in {"h1", "h2", "h3"}
    ]
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in itertools.pairwise(levels))
    assert page.find("main").find("aside").find("h2").text == "Narrow your search"


def test_the_search_page_runs_no_inline_script_or_style(client):
    article = story("Cars story")
    article.tags.add(factories.tag())

    page = parse(client.get("/search/", {"q": "cars"}))

    for element in page.iter():
        assert "style" not in element.attrs, element
        assert not [name for name in element.attrs if name.startswith("on")], element
        assert element.tag not in {"script", "style"}, element


def test_search_pages_are_not_indexed_and_set_no_cookies(client):
    response = client.get("/search/", {"q": "cars"})

    robots = [
        meta.attrs["content"]
        for meta in parse(response).find_all("meta")
        if meta.attrs.get("name") == "robots"
    ]
    assert robots == ["noindex, follow"]
    assert not response.cookies


def many_matching_stories(count: int) -> dict:
    """``count`` stories matching "cars", sharing a section, tag and entity."""
    section = factories.section()
    tag = factories.tag()
    entity = factories.entity()
    for number in range(count):
        article = story(f"Cars story {number}", section=section)
        article.tags.add(tag, factories.tag())
        factories.mention(article, entity)
        factories.mention(article, factories.entity(kind=Entity.Kind.PLACE))
        for position in range(3):
            factories.byline(article, factories.author(), position=position)
    return {"section": section.slug, "tag": tag.slug, "entity": entity.slug}


@pytest.mark.parametrize(("count", "ranked"), [(3, 1000), (30, 1000), (30, 10)])
def test_the_search_page_costs_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, monkeypatch, count, ranked
):
    filters = many_matching_stories(count)
    monkeypatch.setattr("articles.search.RANKED_MATCHES", ranked)

    # The newest matches, their relevance, highlights, four facets, the page's
    # articles and their bylines, the navigation; and one lookup per filter.
    with django_assert_max_num_queries(10):
        plain = client.get("/search/", {"q": "cars"})
    with django_assert_max_num_queries(13):
        filtered = client.get("/search/", {"q": "cars", **filters})

    assert len(parse(plain).find_all(class_="card")) == min(count, ranked, 20)
    assert len(parse(filtered).find_all(class_="card")) == min(count, ranked, 20)


# --- The demo newsroom ----------------------------------------------------------------


def test_a_reader_finds_the_nev_story_by_search_feed_and_preview(client):
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    nev = Article.objects.get(headline__contains="China's NEV Sector")
    url = "http://testserver" + nev.get_absolute_url()

    searched = parse(client.get("/search/", {"q": "NEV partnerships"}))
    top_result = links(searched.find(class_="card-title"))
    by_entity = parse(client.get("/search/", {"q": "Brandstätter"}))
    feed = feedparser.parse(client.get("/feeds/entities/renault/atom.xml").content)
    article = parse(client.get(nev.get_absolute_url()))
    og_title = [
        meta.attrs["content"]
        for meta in article.find_all("meta")
        if meta.attrs.get("property") == "og:title"
    ]

    assert top_result == [(nev.headline, nev.get_absolute_url())]
    assert (
        nev.get_absolute_url()
        in dict(links(by_entity.find(class_="search-hits"))).values()
    )
    assert url in [entry.link for entry in feed.entries]
    assert og_title == [nev.headline]
