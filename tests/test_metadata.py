"""What pages say about themselves: titles, descriptions, canonical links, Open
Graph, Twitter cards, feed links and JSON-LD."""

import datetime
import json

import pytest
from django.templatetags.static import static

from articles.metadata import json_ld_script
from articles.models import Article, Correction, Tag
from entities.models import Entity, Mention
from tests import factories
from tests.test_feeds import png
from tests.test_pages import parse

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.datetime(2026, 2, 4, 10, 0, tzinfo=datetime.UTC)
BASE = "http://testserver"


class Head:
    """The metadata in a page's <head>, read as a crawler reads it."""

    def __init__(self, response) -> None:
        assert response.status_code == 200
        page = parse(response)
        head = page.find("head")
        self.title = head.find("title").text
        self.meta: dict[str, list[str]] = {}
        for meta in head.find_all("meta"):
            key = meta.attrs.get("property") or meta.attrs.get("name")
            if key:
                self.meta.setdefault(key, []).append(meta.attrs["content"])
        self.links = [link.attrs for link in head.find_all("link")]
        self.json_ld = [
            json.loads("".join(script.children))
            for script in page.find_all("script")
            if script.attrs.get("type") == "application/ld+json"
        ]

    def one(self, key: str) -> str:
        (value,) = self.meta[key]
        return value

    def canonical(self) -> str:
        (href,) = [link["href"] for link in self.links if link["rel"] == "canonical"]
        return href

    def feeds(self) -> list[tuple[str, str, str]]:
        return [
            (link["type"], link["title"], link["href"])
            for link in self.links
            if link["rel"] == "alternate"
        ]

    def schema(self, kind: str) -> dict:
        (data,) = [data for data in self.json_ld if data["@type"] == kind]
        return data


def site_feeds() -> list[tuple[str, str, str]]:
    return [
        ("application/rss+xml", "Newsroom (RSS)", "/feeds/rss.xml"),
        ("application/atom+xml", "Newsroom (Atom)", "/feeds/atom.xml"),
    ]


@pytest.fixture
def story():
    """The seed story's shape, with a correction, an update and a hero image."""
    business = factories.section(name="Business", slug="business")
    article = factories.article(
        headline="Foreign Automakers Pursue Partnerships in China's NEV Sector",
        slug="foreign-automakers-nev-partnerships",
        dek="Renault, Ford and Volkswagen deepen ties with China's suppliers.",
        section=business,
        published_at=PUBLISHED,
        hero_image=png(1200, 800),
        hero_image_alt="A car plant",
    )
    factories.byline(
        article, factories.author(name="Mara Ellison", slug="mara-ellison")
    )
    factories.byline(
        article, factories.author(name="Priya Nair", slug="priya-nair"), position=1
    )
    article.tags.add(
        Tag.objects.get(name="International Trade"),
        Tag.objects.get(name="Automotive Industry"),
    )
    china = factories.entity(
        name="China", slug="china", kind=Entity.Kind.PLACE, wikidata_id="Q148"
    )
    renault = factories.entity(name="Renault", slug="renault", wikidata_id="Q6686")
    cui = factories.entity(name="Cui Dongshu", slug="cui-dongshu", kind="person")
    factories.mention(article, china, count=4)
    factories.mention(article, renault, count=6)
    factories.mention(article, cui)
    factories.mention(
        article, factories.entity(name="Geely"), status=Mention.Status.SUGGESTED
    )
    factories.correction(
        article,
        note="An earlier version misstated the quota.",
        created_at=PUBLISHED + datetime.timedelta(days=1),
    )
    factories.correction(
        article,
        kind=Correction.Kind.UPDATE,
        note="Adds comment from Ford.",
        created_at=PUBLISHED + datetime.timedelta(days=2),
    )
    return article


# --- The article page ---------------------------------------------------------


def test_article_json_ld_is_a_complete_news_article(client, story):
    head = Head(client.get(story.get_absolute_url()))

    data = head.schema("NewsArticle")
    url = BASE + story.get_absolute_url()
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == story.headline
    assert data["description"] == story.dek
    assert data["url"] == url
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["datePublished"] == "2026-02-04T10:00:00+00:00"
    assert data["dateModified"] >= data["datePublished"]
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Mara Ellison",
            "url": f"{BASE}/authors/mara-ellison/",
        },
        {"@type": "Person", "name": "Priya Nair", "url": f"{BASE}/authors/priya-nair/"},
    ]
    assert data["image"] == [BASE + story.hero_image.url]
    assert data["publisher"] == {
        "@type": "NewsMediaOrganization",
        "name": "Newsroom",
        "url": f"{BASE}/",
        "logo": {
            "@type": "ImageObject",
            "url": BASE + static("img/logo.png"),
            "width": 600,
            "height": 60,
        },
    }
    assert data["articleSection"] == "Business"
    assert data["keywords"] == ["Automotive Industry", "International Trade"]
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "An earlier version misstated the quota.",
            "datePublished": "2026-02-05T10:00:00+00:00",
        }
    ]


def test_article_json_ld_names_what_it_is_about_and_mentions_with_wikidata(
    client, story
):
    data = Head(client.get(story.get_absolute_url())).schema("NewsArticle")

    # China is in the headline; the others are mentioned; suggestions are not.
    assert data["about"] == [
        {
            "@type": "Place",
            "name": "China",
            "url": f"{BASE}/entities/china/",
            "sameAs": "https://www.wikidata.org/wiki/Q148",
        }
    ]
    assert data["mentions"] == [
        {
            "@type": "Corporation",
            "name": "Renault",
            "url": f"{BASE}/entities/renault/",
            "sameAs": "https://www.wikidata.org/wiki/Q6686",
        },
        {
            "@type": "Person",
            "name": "Cui Dongshu",
            "url": f"{BASE}/entities/cui-dongshu/",
        },
    ]


def test_without_an_entity_in_the_headline_the_story_is_about_its_most_mentioned():
    quota = factories.article(headline="Quota announced")
    factories.mention(quota, factories.entity(name="Canada"), count=5)
    factories.mention(quota, factories.entity(name="Ottawa"), count=2)
    # "EU" inside "Europe" does not name the EU in the headline.
    europe = factories.article(headline="Europe waits")
    factories.mention(europe, factories.entity(name="EU", slug="eu"), count=1)
    factories.mention(europe, factories.entity(name="Brussels"), count=3)
    detailed = Article.objects.for_detail().in_bulk([quota.pk, europe.pk])

    quota_data = detailed[quota.pk].structured_data(base_url=BASE)[0]
    europe_data = detailed[europe.pk].structured_data(base_url=BASE)[0]

    assert [thing["name"] for thing in quota_data["about"]] == ["Canada"]
    assert [thing["name"] for thing in quota_data["mentions"]] == ["Ottawa"]
    assert [thing["name"] for thing in europe_data["about"]] == ["Brussels"]
    assert [thing["name"] for thing in europe_data["mentions"]] == ["EU"]


def test_article_breadcrumbs_lead_home_to_section_to_story(client, story):
    data = Head(client.get(story.get_absolute_url())).schema("BreadcrumbList")

    assert data["itemListElement"] == [
        {"@type": "ListItem", "position": 1, "name": "Newsroom", "item": f"{BASE}/"},
        {
            "@type": "ListItem",
            "position": 2,
            "name": "Business",
            "item": f"{BASE}/business/",
        },
        {
            "@type": "ListItem",
            "position": 3,
            "name": story.headline,
            "item": BASE + story.get_absolute_url(),
        },
    ]


def test_article_page_has_description_canonical_open_graph_and_twitter_card(
    client, story
):
    head = Head(client.get(story.get_absolute_url()))

    url = BASE + story.get_absolute_url()
    image = BASE + story.hero_image.url
    assert head.title == f"{story.headline} · Newsroom"
    assert head.one("description") == story.dek
    assert head.canonical() == url
    assert {key: head.one(key) for key in [
        "og:site_name", "og:type", "og:title", "og:description", "og:url",
        "og:image", "og:image:width", "og:image:height", "og:image:alt",
        "article:published_time", "article:section",
        "twitter:card", "twitter:title", "twitter:description", "twitter:image",
        "twitter:image:alt",
    ]} == {
        "og:site_name": "Newsroom",
        "og:type": "article",
        "og:title": story.headline,
        "og:description": story.dek,
        "og:url": url,
        "og:image": image,
        "og:image:width": "1200",
        "og:image:height": "800",
        "og:image:alt": "A car plant",
        "article:published_time": "2026-02-04T10:00:00+00:00",
        "article:section": "Business",
        "twitter:card": "summary_large_image",
        "twitter:title": story.headline,
        "twitter:description": story.dek,
        "twitter:image": image,
        "twitter:image:alt": "A car plant",
    }  # fmt: skip
    assert head.meta["article:tag"] == ["Automotive Industry", "International Trade"]
    assert head.meta["article:author"] == [
        f"{BASE}/authors/mara-ellison/",
        f"{BASE}/authors/priya-nair/",
    ]


def test_an_article_without_an_image_previews_with_the_sites_card(client):
    article = factories.article()

    head = Head(client.get(article.get_absolute_url()))

    assert head.one("og:image") == BASE + static("img/share.png")
    assert (head.one("og:image:width"), head.one("og:image:height")) == ("1200", "630")
    assert "image" not in head.schema("NewsArticle")


def test_a_headline_cannot_break_out_of_the_json_ld_script(client):
    headline = 'Markets </script><script>alert("x")</script> & <!-- more'
    article = factories.article(headline=headline)

    response = client.get(article.get_absolute_url())
    html = response.content.decode()

    assert "</script><script>alert" not in html
    assert "\\u003c/script\\u003e" in html
    assert Head(response).schema("NewsArticle")["headline"] == headline


def test_json_ld_script_escapes_every_character_that_could_end_it():
    script = json_ld_script({"text": "</script> <!-- & -->"})

    body = script.removeprefix('<script type="application/ld+json">').removesuffix(
        "</script>"
    )
    assert not set(body) & {"<", ">", "&"}
    assert json.loads(body) == {"text": "</script> <!-- & -->"}


def test_the_article_page_links_the_site_and_section_feeds(client, story):
    head = Head(client.get(story.get_absolute_url()))

    section_feeds = [
        ("application/rss+xml", "Business · Newsroom (RSS)", "sections/business/rss"),
        (
            "application/atom+xml",
            "Business · Newsroom (Atom)",
            "sections/business/atom",
        ),
    ]
    assert head.feeds() == [
        *site_feeds(),
        *((kind, title, f"/feeds/{path}.xml") for kind, title, path in section_feeds),
    ]


# --- Every other page -----------------------------------------------------------


def test_the_home_page_describes_the_site_and_its_search(client):
    head = Head(client.get("/"))

    website = head.schema("WebSite")
    assert head.one("description") == "News and analysis from Newsroom."
    assert head.canonical() == f"{BASE}/"
    assert head.one("og:type") == "website"
    assert head.feeds() == site_feeds()
    assert website["url"] == f"{BASE}/"
    assert website["potentialAction"]["target"]["urlTemplate"] == (
        f"{BASE}/search/?q={{search_term_string}}"
    )


@pytest.fixture
def subjects():
    section = factories.section(name="Business", slug="business")
    author = factories.author(name="Mara Ellison", slug="mara-ellison")
    tag = factories.tag(name="Port Logistics", slug="port-logistics")
    entity = factories.entity(
        name="Renault", slug="renault", description="French carmaker."
    )
    article = factories.article(section=section)
    factories.byline(article, author)
    article.tags.add(tag)
    factories.mention(article, entity)
    return {"section": section, "tag": tag, "author": author, "entity": entity}


@pytest.mark.parametrize(
    ("subject", "description", "feed"),
    [
        ("section", "The latest Business stories.", "sections/business"),
        ("tag", "Stories tagged Port Logistics.", "tags/port-logistics"),
        ("author", "Stories by Mara Ellison.", "authors/mara-ellison"),
        ("entity", "French carmaker.", "entities/renault"),
    ],
)
def test_list_pages_describe_themselves_and_link_their_feeds(
    client, subjects, subject, description, feed
):
    item = subjects[subject]

    head = Head(client.get(item.get_absolute_url()))

    assert head.one("description") == head.one("og:description") == description
    assert head.canonical() == BASE + item.get_absolute_url()
    assert head.one("og:title") == str(item)
    assert head.feeds() == [
        *site_feeds(),
        ("application/rss+xml", f"{item} · Newsroom (RSS)", f"/feeds/{feed}/rss.xml"),
        (
            "application/atom+xml",
            f"{item} · Newsroom (Atom)",
            f"/feeds/{feed}/atom.xml",
        ),
    ]


def test_a_later_page_of_a_list_is_its_own_canonical_page(client):
    section = factories.section(slug="business")
    for _ in range(21):
        factories.article(section=section)

    head = Head(client.get("/business/?page=2"))

    assert head.canonical() == f"{BASE}/business/?page=2"


def test_pages_about_no_subject_link_the_site_feeds(client):
    head = Head(client.get("/search/"))

    assert head.feeds() == site_feeds()
    assert head.one("description") == "News and analysis from Newsroom."
