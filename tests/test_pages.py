"""What readers get from each public page: layout, addresses, lists and their cost."""

import datetime
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver

from articles import caching
from articles.models import RESERVED_SECTION_SLUGS, Article, Section, Tag
from entities.models import Entity, Mention
from newsroom import views as newsroom_views
from tests import factories

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.datetime(2026, 2, 4, 10, 0, tzinfo=datetime.UTC)
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
     "source", "track", "wbr"}
)  # fmt: skip


# --- Reading HTML -------------------------------------------------------------


class Node:
    """An element of a parsed page, with just enough lookup for these tests."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node | str] = []

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"

    @property
    def text(self) -> str:
        """The element's text with whitespace collapsed, as a reader sees it."""
        return " ".join("".join(self._strings()).split())

    def _strings(self):
        for child in self.children:
            if isinstance(child, str):
                yield child
            else:
                yield from child._strings()

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, class_: str | None = None):
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and (class_ is None or class_ in (node.attrs.get("class") or "").split())
        ]

    def find(self, tag: str | None = None, *, class_: str | None = None) -> "Node":
        found = self.find_all(tag, class_=class_)
        assert found, f"no <{tag or '*'} class={class_!r}> in the page"
        return found[0]


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.open[-1].children.append(node)
        if tag not in VOID_ELEMENTS:
            self.open.append(node)

    def handle_startendtag(self, tag, attrs):
        self.open[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        self.open[-1].children.append(data)


def parse(response) -> Node:
    parser = PageParser()
    parser.feed(response.content.decode())
    parser.close()
    return parser.root


def links(node: Node) -> list[tuple[str, str]]:
    return [(a.text, a.attrs.get("href")) for a in node.find_all("a")]


def card_titles(page: Node) -> list[str]:
    return [title.text for title in page.find_all(class_="card-title")]


# --- The article page ---------------------------------------------------------


@pytest.fixture
def story():
    """The seed story's shape: bylines, tags, entities of each kind and pins."""
    business = factories.section(name="Business", slug="business")
    regulation = factories.section(name="regulation", slug="regulation")
    article = factories.article(
        headline="Foreign Automakers Pursue Partnerships in China's NEV Sector",
        slug="foreign-automakers-nev-partnerships",
        section=business,
        published_at=PUBLISHED,
        body=(
            "Foreign automakers are increasingly pursuing *partnerships* in China.\n\n"
            "In a recent development, Renault has announced plans for a new engine.\n\n"
            "Meanwhile, Ford is reportedly in discussions with Geely."
        ),
    )
    second = factories.author(name="Bea Writer", slug="bea-writer")
    first = factories.author(name="Alex Reporter", slug="alex-reporter")
    factories.byline(article, second, position=1)
    factories.byline(article, first, position=0)
    article.tags.add(
        Tag.objects.get(name="International Trade"),
        Tag.objects.get(name="Automotive Industry"),
    )
    confirmed = [
        factories.entity(name="Renault", slug="renault"),
        factories.entity(name="Ford", slug="ford"),
        factories.entity(
            name="China Passenger Car Association",
            slug="cpca",
            kind=Entity.Kind.ORGANISATION,
        ),
        factories.entity(
            name="Cui Dongshu", slug="cui-dongshu", kind=Entity.Kind.PERSON
        ),
        factories.entity(name="Canada", slug="canada", kind=Entity.Kind.PLACE),
    ]
    for entity in confirmed:
        factories.mention(article, entity)
    factories.mention(
        article,
        factories.entity(name="Geely", slug="geely"),
        status=Mention.Status.SUGGESTED,
    )
    factories.mention(
        article,
        factories.entity(
            name="Liverpool City Council",
            slug="liverpool-city-council",
            kind=Entity.Kind.ORGANISATION,
        ),
        status=Mention.Status.REJECTED,
    )
    quota = factories.article(
        headline="Canada Opens Its Market to Chinese EVs",
        dek="A quota of 49,000 vehicles a year.",
        section=regulation,
    )
    prices = factories.article(
        headline="China and the EU Agree EV Price Commitments",
        dek="Minimum prices replace tariffs.",
        section=regulation,
    )
    unpublished = factories.article(
        headline="An Unpublished Follow-up", status=Article.Status.DRAFT
    )
    factories.pin(article, quota, position=1)
    factories.pin(article, prices, position=0)
    factories.pin(article, unpublished, position=2)
    return article


def test_article_page_lays_out_the_story_like_the_seed(client, story):
    response = client.get(story.get_absolute_url())
    page = parse(response)

    assert response.status_code == 200
    assert [h1.text for h1 in page.find_all("h1")] == [story.headline]
    dateline = page.find(class_="story-dateline")
    assert dateline.text == "Published on Feb 04, 2026."
    assert dateline.find("time").attrs["datetime"] == "2026-02-04T10:00:00+00:00"
    byline = page.find(class_="story-byline")
    assert byline.text == "By Alex Reporter and Bea Writer"
    assert links(byline) == [
        ("Alex Reporter", "/authors/alex-reporter/"),
        ("Bea Writer", "/authors/bea-writer/"),
    ]
    body = page.find(class_="story-body")
    assert [p.text for p in body.find_all("p")] == [
        "Foreign automakers are increasingly pursuing partnerships in China.",
        "In a recent development, Renault has announced plans for a new engine.",
        "Meanwhile, Ford is reportedly in discussions with Geely.",
    ]
    assert [em.text for em in body.find_all("em")] == ["partnerships"]
    assert links(page.find(class_="story-tags")) == [
        ("Automotive Industry", "/tags/automotive-industry/"),
        ("International Trade", "/tags/international-trade/"),
    ]


def test_article_page_lists_confirmed_entities_grouped_by_kind(client, story):
    entities = parse(client.get(story.get_absolute_url())).find(class_="story-entities")

    kinds = [dt.text for dt in entities.find_all("dt")]
    groups = {
        dt.text: links(dd)
        for dt, dd in zip(entities.find_all("dt"), entities.find_all("dd"), strict=True)
    }
    assert len(kinds) == len(set(kinds)), "each kind is one group"
    assert groups == {
        "Company": [("Ford", "/entities/ford/"), ("Renault", "/entities/renault/")],
        "Organisation": [("China Passenger Car Association", "/entities/cpca/")],
        "Person": [("Cui Dongshu", "/entities/cui-dongshu/")],
        "Place": [("Canada", "/entities/canada/")],
    }


def test_article_page_hides_suggested_and_rejected_entities(client, story):
    html = client.get(story.get_absolute_url()).content.decode()

    assert "/entities/geely/" not in html
    assert "Liverpool City Council" not in html


def test_read_these_next_shows_live_pins_in_pin_order(client, story):
    read_next = parse(client.get(story.get_absolute_url())).find(class_="read-next")

    items = [
        (
            item.find(class_="read-next-section").text,
            links(item.find(class_="read-next-title")),
            item.find(class_="read-next-dek").text,
        )
        for item in read_next.find_all(class_="read-next-item")
    ]
    prices = Article.objects.get(headline="China and the EU Agree EV Price Commitments")
    quota = Article.objects.get(headline="Canada Opens Its Market to Chinese EVs")
    assert items == [
        (
            "regulation",
            [(prices.headline, prices.get_absolute_url())],
            "Minimum prices replace tariffs.",
        ),
        (
            "regulation",
            [(quota.headline, quota.get_absolute_url())],
            "A quota of 49,000 vehicles a year.",
        ),
    ]
    assert read_next.find("h2").text == "Read These Next"


def story_with(count: int) -> Article:
    """A live article with ``count`` tags, confirmed entities and live pins."""
    article = factories.article()
    for position in range(3):
        factories.byline(article, factories.author(), position=position)
    factories.correction(article)
    article.tags.add(*[factories.tag() for _ in range(count)])
    for number in range(count):
        kind = list(Entity.Kind)[number % len(Entity.Kind)]
        factories.mention(article, factories.entity(kind=kind))
        factories.mention(article, factories.entity(), status=Mention.Status.SUGGESTED)
        factories.pin(article, factories.article(dek="A dek."), position=number)
        factories.pin(
            article,
            factories.article(status=Article.Status.DRAFT),
            position=count + number,
        )
    return article


def forget_stored_pages() -> None:
    """Empty the page cache but keep the content version, as after a page expires."""
    version = cache.get(caching.VERSION_KEY)
    cache.clear()
    cache.set(caching.VERSION_KEY, version)


def queries_for(client, url: str) -> int:
    """Count the queries of a cache miss for ``url``, the content version known."""
    client.get(url)
    forget_stored_pages()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("count", [1, 30])
def test_article_page_costs_at_most_eight_queries(
    client, django_assert_max_num_queries, settings, count
):
    article = story_with(count)

    with django_assert_max_num_queries(8):
        response = client.get(article.get_absolute_url())

    page = parse(response)
    assert len(page.find(class_="story-tags").find_all("a")) == count
    assert len(page.find(class_="story-entities").find_all("a")) == count
    assert len(page.find_all(class_="read-next-item")) == min(
        count, settings.NEWSROOM_READ_NEXT_COUNT
    )


def test_article_page_query_count_does_not_grow_with_tags_entities_and_pins(client):
    small = story_with(1)
    large = story_with(30)

    assert queries_for(client, large.get_absolute_url()) == queries_for(
        client, small.get_absolute_url()
    )


# --- Article addresses --------------------------------------------------------


def test_article_url_is_section_date_and_slug_with_zero_padded_month_and_day():
    article = factories.article(
        slug="renault-cleon",
        section=factories.section(slug="business"),
        published_at=datetime.datetime(2026, 3, 7, 10, 0, tzinfo=datetime.UTC),
    )

    assert article.get_absolute_url() == "/business/2026/03/07/renault-cleon/"


@pytest.mark.parametrize(
    "wrong_url",
    [
        "/markets/2026/02/04/renault-cleon/",
        "/business/2025/02/04/renault-cleon/",
        "/business/2026/03/04/renault-cleon/",
        "/business/2026/02/05/renault-cleon/",
    ],
    ids=["section", "year", "month", "day"],
)
def test_article_at_a_wrong_section_or_date_redirects_permanently_to_canonical(
    client, wrong_url
):
    factories.section(slug="markets")
    factories.article(
        slug="renault-cleon",
        section=factories.section(slug="business"),
        published_at=PUBLISHED,
    )

    response = client.get(wrong_url)

    assert response.status_code == 301
    assert response["Location"] == "/business/2026/02/04/renault-cleon/"


def test_article_with_an_unknown_slug_is_not_found(client):
    article = factories.article(published_at=PUBLISHED)

    response = client.get(
        article.get_absolute_url().replace(article.slug, "no-such-story")
    )

    assert response.status_code == 404


# --- Lists --------------------------------------------------------------------


def test_home_lists_live_articles_newest_first(client):
    for hours_ago, headline in [(3, "Oldest"), (1, "Newest"), (2, "Middle")]:
        factories.article(
            headline=f"{headline} story",
            published_at=PUBLISHED - datetime.timedelta(hours=hours_ago),
        )
    factories.article(headline="Draft story", status=Article.Status.DRAFT)

    page = parse(client.get("/"))

    assert card_titles(page) == ["Newest story", "Middle story", "Oldest story"]


def test_article_card_shows_section_summary_date_and_authors(client):
    article = factories.article(
        headline="Ford and Geely in talks",
        dek="A partnership is on the table.",
        section=factories.section(name="Markets", slug="markets"),
        published_at=PUBLISHED,
    )
    factories.byline(article, factories.author(name="Bea Writer"), position=1)
    factories.byline(article, factories.author(name="Alex Reporter"), position=0)

    card = parse(client.get("/")).find(class_="card")

    assert links(card.find(class_="card-section")) == [("Markets", "/markets/")]
    assert links(card.find(class_="card-title")) == [
        ("Ford and Geely in talks", article.get_absolute_url())
    ]
    assert card.find(class_="card-dek").text == "A partnership is on the table."
    assert card.find(class_="card-meta").text == (
        "Feb 04, 2026 · By Alex Reporter and Bea Writer"
    )


def test_section_page_lists_only_its_own_articles(client):
    markets = factories.section(name="Markets", slug="markets")
    factories.article(headline="Markets story", section=markets)
    factories.article(headline="Elsewhere story")

    page = parse(client.get("/markets/"))

    assert page.find("h1").text == "Markets"
    assert card_titles(page) == ["Markets story"]


def test_unknown_section_is_not_found(client):
    assert client.get("/no-such-section/").status_code == 404


def test_tag_page_lists_articles_with_the_tag_under_its_display_name(client):
    trade = Tag.objects.get(name="International Trade")
    factories.article(headline="Tagged story").tags.add(trade)
    factories.article(headline="Untagged story")

    page = parse(client.get("/tags/international-trade/"))

    assert page.find("h1").text == "International Trade"
    assert card_titles(page) == ["Tagged story"]


def test_unknown_tag_is_not_found(client):
    assert client.get("/tags/no-such-tag/").status_code == 404


def test_author_page_lists_the_authors_articles(client):
    author = factories.author(name="Ada Reporter", slug="ada-reporter", bio="Cars.")
    factories.byline(factories.article(headline="Ada's story"), author)
    factories.byline(
        factories.article(headline="Someone else's story"), factories.author()
    )

    page = parse(client.get("/authors/ada-reporter/"))

    assert page.find("h1").text == "Ada Reporter"
    assert page.find(class_="page-intro").text == "Cars."
    assert card_titles(page) == ["Ada's story"]


def test_entity_page_shows_the_entity_and_articles_with_confirmed_mentions(client):
    renault = factories.entity(
        name="Renault",
        slug="renault",
        kind=Entity.Kind.COMPANY,
        description="French carmaker.",
        wikidata_id="Q6686",
    )
    factories.alias(renault, "Groupe Renault")
    factories.alias(renault, "Renault SA")
    factories.mention(factories.article(headline="Confirmed story"), renault)
    for status in [Mention.Status.SUGGESTED, Mention.Status.REJECTED]:
        factories.mention(
            factories.article(headline=f"{status.label} story"), renault, status=status
        )

    page = parse(client.get("/entities/renault/"))

    assert page.find("h1").text == "Renault"
    assert page.find(class_="page-kicker").text == "Company"
    assert page.find(class_="page-intro").text == "French carmaker."
    assert page.find(class_="entity-aliases").text == (
        "Also known as Groupe Renault and Renault SA"
    )
    assert ("Renault on Wikidata (Q6686)", "https://www.wikidata.org/wiki/Q6686") in (
        links(page)
    )
    assert card_titles(page) == ["Confirmed story"]


def test_entity_page_has_no_wikidata_link_without_an_id(client):
    factories.entity(name="Cui Dongshu", slug="cui-dongshu", wikidata_id="")

    html = client.get("/entities/cui-dongshu/").content.decode()

    assert "wikidata.org" not in html


def test_unknown_entity_is_not_found(client):
    assert client.get("/entities/no-such-entity/").status_code == 404


@pytest.fixture
def shared_lists():
    """Return a function adding live articles to one section, tag, author and entity.

    Each article has three authors, so a query per card would show in the counts.
    """
    section = factories.section(slug="markets")
    tag = factories.tag(slug="trade")
    author = factories.author(slug="ada-reporter")
    entity = factories.entity(slug="renault")
    urls = {
        "archive": "/archive/",
        "section": "/markets/",
        "tag": "/tags/trade/",
        "author": "/authors/ada-reporter/",
        "entity": "/entities/renault/",
    }

    def add(count: int) -> dict[str, str]:
        for _ in range(count):
            article = factories.article(section=section)
            article.tags.add(tag)
            factories.byline(article, author, position=0)
            factories.byline(article, factories.author(), position=1)
            factories.byline(article, factories.author(), position=2)
            factories.mention(article, entity)
        return urls

    return add


LIST_PAGES = ["archive", "section", "tag", "author", "entity"]


@pytest.mark.parametrize("page_name", LIST_PAGES)
def test_list_pages_show_twenty_articles_a_page(client, shared_lists, page_name):
    url = shared_lists(25)[page_name]

    first = parse(client.get(url))
    second = parse(client.get(url, {"page": 2}))

    assert len(card_titles(first)) == 20
    assert len(card_titles(second)) == 5
    assert set(card_titles(first)).isdisjoint(card_titles(second))
    assert second.find(class_="pagination").find("span").text == "Page 2 of 2"
    assert client.get(url, {"page": 3}).status_code == 404


# The entity page also lists related entities.
LIST_PAGE_QUERIES = {"archive": 6, "section": 6, "tag": 6, "author": 6, "entity": 7}


@pytest.mark.parametrize("page_name", LIST_PAGES)
def test_list_pages_cost_a_fixed_number_of_queries_with_many_authors(
    client, shared_lists, django_assert_max_num_queries, page_name
):
    url = shared_lists(25)[page_name]
    client.get(url)
    forget_stored_pages()

    with django_assert_max_num_queries(LIST_PAGE_QUERIES[page_name]):
        response = client.get(url)

    assert len(card_titles(parse(response))) == 20


@pytest.mark.parametrize("page_name", LIST_PAGES)
def test_list_page_query_count_does_not_grow_with_articles(
    client, shared_lists, page_name
):
    url = shared_lists(1)[page_name]
    one_article = queries_for(client, url)
    shared_lists(24)

    assert queries_for(client, url) == one_article


# --- Health check ---------------------------------------------------------------


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("the database is down")

    monkeypatch.setattr(newsroom_views.connection, "cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] != "ok"


# --- What every public page leaves out ------------------------------------------


@pytest.fixture
def public_pages(story):
    """One URL for each kind of public page, on a site with content to show."""
    return {
        "home": "/",
        "archive": "/archive/",
        "section": story.section.get_absolute_url(),
        "tag": "/tags/international-trade/",
        "author": "/authors/alex-reporter/",
        "entity": "/entities/renault/",
        "article": story.get_absolute_url(),
        "not found": "/no-such-section/",
    }


@pytest.mark.parametrize(
    "page_name",
    ["home", "archive", "section", "tag", "author", "entity", "article", "not found"],
)
def test_public_pages_have_no_inline_scripts_or_style_attributes(
    client, public_pages, page_name
):
    page = parse(client.get(public_pages[page_name]))

    elements = list(page.iter())
    assert len(elements) > 20, "the page should have been parsed"
    for element in elements:
        assert "style" not in element.attrs, element
        assert not [name for name in element.attrs if name.startswith("on")], element
        if element.tag == "script":
            # An external script or a data block (JSON-LD) runs no inline code.
            assert element.attrs.get("src") or (
                element.attrs.get("type") == "application/ld+json"
            ), element


@pytest.mark.parametrize(
    "page_name",
    ["home", "archive", "section", "tag", "author", "entity", "article", "not found"],
)
def test_public_pages_set_no_cookies_for_anonymous_readers(
    client, public_pages, page_name
):
    response = client.get(public_pages[page_name])

    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


# --- Sections and the site's own addresses --------------------------------------


@pytest.mark.parametrize("slug", sorted(RESERVED_SECTION_SLUGS))
def test_section_cannot_take_a_slug_the_site_uses(slug):
    section = Section(name=slug.title(), slug=slug)

    with pytest.raises(ValidationError) as raised:
        section.full_clean()

    assert "slug" in raised.value.message_dict


def first_path_segments(patterns) -> Iterator[str]:
    for pattern in patterns:
        route = str(pattern.pattern).lstrip("^")
        if isinstance(pattern, URLResolver) and not route:
            yield from first_path_segments(pattern.url_patterns)
            continue
        segment = route.split("/", 1)[0]
        if segment and "<" not in segment:
            yield segment


def test_every_first_path_segment_the_site_uses_is_reserved_from_sections():
    used = set(first_path_segments(get_resolver().url_patterns))

    assert {"admin", "healthz", "tags", "authors", "entities"} <= used
    assert used <= RESERVED_SECTION_SLUGS


# --- Home, archive and what every page carries ----------------------------------


def test_home_leads_with_the_newest_story_then_the_latest(client):
    for hours_ago in range(1, 10):
        factories.article(
            headline=f"Story {hours_ago}h old",
            published_at=PUBLISHED - datetime.timedelta(hours=hours_ago),
        )

    page = parse(client.get("/"))

    lead = page.find(class_="lead-story")
    assert lead.find(class_="card-title").text == "Story 1h old"
    assert lead.find(class_="card-title").tag == "h2"
    latest = page.find(class_="latest")
    assert card_titles(latest) == [f"Story {hours}h old" for hours in range(2, 8)]
    assert links(page.find(class_="more")) == [
        ("All stories, newest first", "/archive/")
    ]


def test_home_has_a_rail_of_each_sections_newest_stories(client):
    markets = factories.section(name="Markets", slug="markets", position=1)
    energy = factories.section(name="Energy", slug="energy", position=2)
    factories.section(name="Empty", slug="empty", position=3)
    for hours_ago in range(1, 7):
        factories.article(
            headline=f"Markets {hours_ago}",
            section=markets,
            published_at=PUBLISHED - datetime.timedelta(hours=hours_ago),
        )
    factories.article(headline="Energy 1", section=energy)
    factories.article(
        headline="Energy draft", section=energy, status=Article.Status.DRAFT
    )

    rails = parse(client.get("/")).find_all(class_="rail")

    assert [links(rail.find("h2")) for rail in rails] == [
        [("Markets", "/markets/")],
        [("Energy", "/energy/")],
    ]
    assert [
        [item.find("a").text for item in rail.find_all(class_="rail-item")]
        for rail in rails
    ] == [["Markets 1", "Markets 2", "Markets 3", "Markets 4"], ["Energy 1"]]


def test_home_costs_at_most_six_queries_whatever_the_number_of_sections(
    client, django_assert_max_num_queries
):
    for _ in range(8):
        section = factories.section()
        for _ in range(5):
            article = factories.article(section=section)
            factories.byline(article, factories.author())

    with django_assert_max_num_queries(6):
        page = parse(client.get("/"))

    assert len(page.find_all(class_="rail")) == 8


def test_home_without_stories_says_so(client):
    page = parse(client.get("/"))

    assert page.find(class_="empty").text == "No stories here yet."


@pytest.mark.parametrize("page_number", ["abc", "0", "-1", "1.5", "last"])
def test_a_malformed_page_number_is_a_bad_request_naming_the_parameter(
    client, page_number
):
    factories.article()

    response = client.get("/archive/", {"page": page_number})

    assert response.status_code == 400
    assert "“page” must be a page number" in response.content.decode()


def canonical(response) -> str:
    links_ = [
        link.attrs["href"]
        for link in parse(response).find_all("link")
        if link.attrs.get("rel") == "canonical"
    ]
    assert len(links_) == 1
    return links_[0]


def test_every_page_names_its_absolute_canonical_address(client, public_pages, story):
    for name, url in public_pages.items():
        if name == "not found":
            continue
        response = client.get(url, {"utm_source": "newsletter"})
        assert canonical(response) == f"http://testserver{url}", name


def test_later_pages_of_a_list_are_their_own_canonical_address(client, shared_lists):
    shared_lists(25)

    assert canonical(client.get("/archive/", {"page": 2})) == (
        "http://testserver/archive/?page=2"
    )
    assert canonical(client.get("/archive/", {"page": 1})) == (
        "http://testserver/archive/"
    )


def test_article_page_has_breadcrumbs_home_section_story(client, story):
    breadcrumbs = parse(client.get(story.get_absolute_url())).find(class_="breadcrumbs")

    assert breadcrumbs.tag == "nav"
    assert breadcrumbs.attrs["aria-label"] == "Breadcrumb"
    assert links(breadcrumbs) == [
        ("Home", "/"),
        ("Business", "/business/"),
        (story.headline, story.get_absolute_url()),
    ]
    assert breadcrumbs.find_all("a")[-1].attrs["aria-current"] == "page"


@pytest.mark.parametrize("page_name", ["section", "article"])
def test_the_navigation_marks_the_section_being_read(client, public_pages, page_name):
    nav = parse(client.get(public_pages[page_name])).find(class_="site-nav")

    current = [a.text for a in nav.find_all("a") if a.attrs.get("aria-current")]
    assert current == ["Business"]


def test_not_found_page_explains_and_leads_home(client):
    response = client.get("/no-such-section/")

    page = parse(response)
    assert response.status_code == 404
    assert page.find("h1").text == "Page not found"
    assert ("Go to the latest stories", "/") in links(page)


def test_server_error_page_needs_neither_database_nor_context(
    django_assert_num_queries,
):
    from django.views.defaults import server_error

    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))

    page = parse(response)
    assert response.status_code == 500
    assert page.find("h1").text == "Something went wrong"
    assert [link.attrs["href"] for link in page.find_all("link")] == [
        "/static/img/favicon.svg",
        "/static/css/site.css",
    ]
