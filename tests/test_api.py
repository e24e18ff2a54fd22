"""The partner API: resources, filters, errors, HTTP caching, and query counts."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.api import ARTICLE_FIELDS, ArticleSerializer
from articles.models import Article, Tag, Tombstone
from partners.models import Partner, PartnerKey
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return Partner.objects.create(name="Aggregator", cors_origins="https://app.example")


@pytest.fixture
def key(partner):
    _key, secret = PartnerKey.objects.create_key(partner=partner, name="tests")
    return secret


@pytest.fixture
def api(client, key):
    """A client that sends the partner's key with every request."""

    class Client:
        def get(self, url, **headers):
            return client.get(url, HTTP_AUTHORIZATION=f"Api-Key {key}", **headers)

    return Client()


def error_of(response) -> dict:
    return response.json()["error"]


@pytest.fixture
def newsroom():
    now = timezone.now()
    business = factories.section(name="Business", slug="business")
    # Both are in the standard vocabulary (a data migration).
    trade = Tag.objects.get(slug="international-trade")
    cars = Tag.objects.get(slug="automotive-industry")
    renault = factories.entity(
        name="Renault", slug="renault", kind="company", wikidata_id="Q6686"
    )
    geely = factories.entity(name="Geely", slug="geely", kind="company")
    mara = factories.author(name="Mara Ellison", slug="mara-ellison")
    old = factories.article(
        headline="Renault and Geely in Shanghai",
        slug="renault-geely-shanghai",
        body="Renault talks to Geely about batteries. Ünïcode “quotes”.",
        section=business,
        published_at=now - datetime.timedelta(days=3),
    )
    new = factories.article(
        headline="Renault trade deal",
        slug="renault-trade-deal",
        body="Renault signs a trade deal.",
        section=business,
        published_at=now - datetime.timedelta(days=1),
    )
    other = factories.article(
        headline="Geely opens a factory",
        slug="geely-factory",
        published_at=now - datetime.timedelta(days=2),
    )
    old.tags.add(trade, cars)
    new.tags.add(trade)
    other.tags.add(cars)
    factories.byline(old, mara)
    factories.mention(old, renault)
    factories.mention(old, geely)
    factories.mention(new, renault)
    factories.mention(other, geely)
    factories.correction(old, note="Geely's name was misspelt.")
    return {"old": old, "new": new, "other": other, "section": business}


# --- Keys ---------------------------------------------------------------------


def test_a_request_without_a_key_is_refused_saying_so(client):
    response = client.get("/api/v1/articles/")

    assert response.status_code == 401
    assert error_of(response)["code"] == "missing_api_key"
    assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize(
    "header",
    ["Bearer abc", "Api-Key", "Api-Key not-a-key", "api-key abcdefgh.x"],
)
def test_a_malformed_key_is_refused_saying_so(client, header):
    response = client.get("/api/v1/articles/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert error_of(response)["code"] == "malformed_api_key"


def test_an_unknown_key_is_refused_saying_so(client, key):
    wrong = key[:9] + ("A" if key[9] != "A" else "B") + key[10:]
    response = client.get("/api/v1/articles/", HTTP_AUTHORIZATION=f"Api-Key {wrong}")
    unknown_prefix = client.get(
        "/api/v1/articles/", HTTP_AUTHORIZATION="Api-Key abcdefgh." + "x" * 32
    )

    assert response.status_code == 401
    assert error_of(response)["code"] == "unknown_api_key"
    assert error_of(unknown_prefix)["code"] == "unknown_api_key"


def test_a_revoked_key_is_refused_saying_so(api, key):
    PartnerKey.objects.filter(prefix=key[:8]).update(revoked=True)

    response = api.get("/api/v1/articles/")

    assert response.status_code == 403
    assert error_of(response)["code"] == "revoked_api_key"


def test_an_expired_key_is_refused_saying_so(api, key):
    PartnerKey.objects.filter(prefix=key[:8]).update(
        expiry_date=timezone.now() - datetime.timedelta(minutes=1)
    )

    response = api.get("/api/v1/articles/")

    assert response.status_code == 403
    assert error_of(response)["code"] == "expired_api_key"


def test_an_inactive_partners_key_is_refused_saying_so(api, partner):
    partner.is_active = False
    partner.save()

    response = api.get("/api/v1/articles/")

    assert response.status_code == 403
    assert error_of(response)["code"] == "inactive_partner"


def test_revoking_a_key_refuses_it_at_once(api, key):
    assert api.get("/api/v1/tags/").status_code == 200  # now in the key cache
    partner_key = PartnerKey.objects.get(prefix=key[:8])
    partner_key.revoked = True
    partner_key.save()

    assert error_of(api.get("/api/v1/tags/"))["code"] == "revoked_api_key"


def test_deactivating_a_partner_refuses_its_cached_keys_at_once(api, partner):
    assert api.get("/api/v1/tags/").status_code == 200
    partner.is_active = False
    partner.save()

    assert error_of(api.get("/api/v1/tags/"))["code"] == "inactive_partner"


def test_a_cached_key_costs_no_query(
    api, newsroom, content_version, django_assert_max_num_queries
):
    api.get("/api/v1/articles/renault-trade-deal/")

    with django_assert_max_num_queries(0):
        response = api.get("/api/v1/articles/renault-trade-deal/")
    assert response.status_code == 200


def test_a_valid_key_is_let_in(api):
    assert api.get("/api/v1/articles/").status_code == 200


# --- Resources ----------------------------------------------------------------


def test_an_article_carries_every_documented_field(api, newsroom):
    response = api.get("/api/v1/articles/renault-geely-shanghai/")
    body = response.json()

    assert response.status_code == 200
    assert list(body) == list(ArticleSerializer().fields) == list(ARTICLE_FIELDS)
    assert body["id"] == newsroom["old"].pk
    assert body["url"] == "http://testserver" + newsroom["old"].get_absolute_url()
    assert body["section"]["slug"] == "business"
    assert body["authors"] == [
        {
            "slug": "mara-ellison",
            "name": "Mara Ellison",
            "url": "http://testserver/authors/mara-ellison/",
        }
    ]
    assert {tag["slug"] for tag in body["tags"]} == {
        "international-trade",
        "automotive-industry",
    }
    renault = next(e for e in body["entities"] if e["slug"] == "renault")
    assert renault == {
        "slug": "renault",
        "name": "Renault",
        "kind": "company",
        "wikidata_id": "Q6686",
    }
    assert "<p>" in body["body_html"]
    assert "<" not in body["body_text"]
    assert "Ünïcode “quotes”" in body["body_text"]
    assert body["corrections"][0]["note"] == "Geely's name was misspelt."
    assert body["hero_image"] is None


def test_json_is_utf8_without_escapes(api, newsroom):
    response = api.get("/api/v1/articles/renault-geely-shanghai/?fields=body_text")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "Ünïcode “quotes”".encode() in response.content


def test_read_next_carries_reasons(api, newsroom):
    from articles import recommendations

    recommendations.rebuild()
    body = api.get("/api/v1/articles/renault-trade-deal/?fields=read_next").json()

    assert body["read_next"], "the two Renault stories recommend each other"
    first = body["read_next"][0]
    assert first["slug"] == "renault-geely-shanghai"
    assert first["reason"].startswith("Also about")
    assert {"kind": "entity", "name": "Renault", "slug": "renault"} in first["reasons"]


def test_lists_of_sections_tags_authors_and_entities_count_live_articles(api, newsroom):
    sections = api.get("/api/v1/sections/").json()["results"]
    tags = api.get("/api/v1/tags/").json()["results"]
    authors = api.get("/api/v1/authors/").json()["results"]
    entities = api.get("/api/v1/entities/").json()["results"]

    assert {
        s["slug"]: s["article_count"] for s in sections if s["slug"] == "business"
    } == {"business": 2}
    assert {t["slug"]: t["article_count"] for t in tags} == {
        "automotive-industry": 2,
        "international-trade": 2,
    }
    assert [a["slug"] for a in authors] == ["mara-ellison"]
    assert {e["slug"]: e["article_count"] for e in entities} == {
        "geely": 2,
        "renault": 2,
    }
    assert entities[1]["wikidata_id"] == "Q6686"


def test_an_entity_lists_its_articles(api, newsroom):
    body = api.get("/api/v1/entities/renault/").json()

    assert body["wikidata_id"] == "Q6686"
    assert [a["slug"] for a in body["articles"]] == [
        "renault-trade-deal",
        "renault-geely-shanghai",
    ]
    assert body["articles_url"].endswith("/api/v1/articles/?entity=renault")


def test_an_unknown_slug_is_a_json_404(api):
    for url in ["/api/v1/articles/nope/", "/api/v1/entities/nope/", "/api/v1/nope/"]:
        response = api.get(url)
        assert response.status_code == 404, url
        assert error_of(response)["code"] == "not_found", url


def test_writing_is_a_json_405(client, key):
    response = client.post("/api/v1/articles/", {}, HTTP_AUTHORIZATION=f"Api-Key {key}")

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


# --- Visibility -----------------------------------------------------------------


@pytest.fixture
def hidden(newsroom):
    """A draft, a scheduled, a withdrawn and an expired story sharing everything."""
    now = timezone.now()
    stories = [
        factories.article(
            headline="Hidden draft", slug="hidden-draft", status=Article.Status.DRAFT
        ),
        factories.article(
            headline="Hidden scheduled",
            slug="hidden-scheduled",
            published_at=now + datetime.timedelta(days=1),
        ),
        factories.article(
            headline="Hidden withdrawn",
            slug="hidden-withdrawn",
            status=Article.Status.WITHDRAWN,
            published_at=now - datetime.timedelta(hours=1),
        ),
        factories.article(
            headline="Hidden expired",
            slug="hidden-expired",
            published_at=now - datetime.timedelta(days=2),
            expires_at=now - datetime.timedelta(hours=1),
        ),
    ]
    secret_tag = factories.tag(name="Secret", slug="secret")
    secret_entity = factories.entity(name="Secretco", slug="secretco")
    secret_author = factories.author(name="Ghost Writer", slug="ghost-writer")
    for story in stories:
        story.section = newsroom["section"]
        story.save()
        story.tags.add(secret_tag, *newsroom["old"].tags.all())
        factories.mention(story, secret_entity)
        factories.byline(story, secret_author)
    for position, story in enumerate(stories):
        factories.pin(newsroom["old"], story, position=position)
    return stories


def test_hidden_articles_appear_in_no_api_resource(api, hidden):
    from articles import recommendations

    recommendations.rebuild()
    urls = [
        "/api/v1/articles/",
        "/api/v1/articles/?fields=" + ",".join(ARTICLE_FIELDS) + "&page_size=100",
        "/api/v1/articles/renault-geely-shanghai/",
        "/api/v1/articles/?q=hidden",
        "/api/v1/articles/?section=business",
        "/api/v1/articles/?tag=international-trade",
        "/api/v1/articles/?updated_since=2000-01-01&ordering=updated_at",
        "/api/v1/sections/",
        "/api/v1/tags/",
        "/api/v1/authors/",
        "/api/v1/entities/",
        "/api/v1/entities/renault/",
    ]
    for url in urls:
        response = api.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "Hidden" not in text, url
        assert "hidden-draft" not in text and "hidden-scheduled" not in text, url
        assert "Secret" not in text and "ghost-writer" not in text, url
    tags = api.get("/api/v1/tags/").json()["results"]
    sections = api.get("/api/v1/sections/").json()["results"]
    assert {t["slug"]: t["article_count"] for t in tags} == {
        "automotive-industry": 2,
        "international-trade": 2,
    }, "hidden stories are not counted"
    assert next(s for s in sections if s["slug"] == "business")["article_count"] == 2
    for story in hidden:
        assert api.get(f"/api/v1/articles/{story.slug}/").status_code == 404
    for url in [
        "/api/v1/entities/secretco/",
        "/api/v1/articles/?tag=secret",
        "/api/v1/articles/?author=ghost-writer",
    ]:
        response = api.get(url)
        assert response.status_code in (200, 404), url
        assert "Hidden" not in response.content.decode(), url


def test_every_api_route_is_walked_by_the_visibility_test():
    from newsroom.api_urls import urlpatterns

    names = {pattern.name for pattern in urlpatterns}

    assert names == {
        "article-list",
        "article-detail",
        "section-list",
        "tag-list",
        "author-list",
        "entity-list",
        "entity-detail",
        "schema",
        "docs",
    }


# --- Filters --------------------------------------------------------------------


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [article["slug"] for article in response.json()["results"]]


def test_articles_come_newest_first(api, newsroom):
    assert slugs(api.get("/api/v1/articles/")) == [
        "renault-trade-deal",
        "geely-factory",
        "renault-geely-shanghai",
    ]


def test_tag_repeated_needs_every_tag_and_tag_any_one(api, newsroom):
    both = "tag=international-trade&tag=automotive-industry"
    either = "tag_any=international-trade&tag_any=automotive-industry"

    assert slugs(api.get(f"/api/v1/articles/?{both}")) == ["renault-geely-shanghai"]
    assert len(slugs(api.get(f"/api/v1/articles/?{either}"))) == 3


def test_entity_section_and_author_filters(api, newsroom):
    assert slugs(api.get("/api/v1/articles/?entity=renault")) == [
        "renault-trade-deal",
        "renault-geely-shanghai",
    ]
    assert set(slugs(api.get("/api/v1/articles/?section=business"))) == {
        "renault-trade-deal",
        "renault-geely-shanghai",
    }
    assert slugs(api.get("/api/v1/articles/?author=mara-ellison")) == [
        "renault-geely-shanghai"
    ]


def test_published_after_and_before_take_dates_and_datetimes(api, newsroom):
    two_days_ago = timezone.now() - datetime.timedelta(days=2, hours=1)
    moment = two_days_ago.strftime("%Y-%m-%dT%H:%M:%SZ")

    assert slugs(api.get(f"/api/v1/articles/?published_after={moment}")) == [
        "renault-trade-deal",
        "geely-factory",
    ]
    assert slugs(api.get(f"/api/v1/articles/?published_before={moment}")) == [
        "renault-geely-shanghai"
    ]
    tomorrow = (timezone.now() + datetime.timedelta(days=1)).date().isoformat()
    assert len(slugs(api.get(f"/api/v1/articles/?published_before={tomorrow}"))) == 3
    offset = two_days_ago.strftime("%Y-%m-%dT%H:%M:%S") + "%2B00:00"
    assert len(slugs(api.get(f"/api/v1/articles/?published_after={offset}"))) == 2


def test_q_searches_like_the_site_and_orders_by_relevance(api, newsroom):
    found = slugs(api.get("/api/v1/articles/?q=renault"))
    by_date = slugs(api.get("/api/v1/articles/?q=renault&ordering=published_at"))

    assert set(found) == {"renault-trade-deal", "renault-geely-shanghai"}
    assert by_date == ["renault-geely-shanghai", "renault-trade-deal"]
    assert slugs(api.get("/api/v1/articles/?q=zzzzqqq")) == []


def test_fields_returns_only_the_named_fields(api, newsroom):
    body = api.get("/api/v1/articles/?fields=slug,headline").json()

    assert all(list(item) == ["slug", "headline"] for item in body["results"])


def test_fields_does_not_fetch_what_is_not_asked(
    api, newsroom, content_version, django_assert_max_num_queries
):
    # The key (1) and the articles (1): no bylines, tags, entities, corrections.
    with django_assert_max_num_queries(2):
        response = api.get("/api/v1/articles/?fields=slug,headline,section")
    assert response.status_code == 200


def test_cursor_pages_stay_stable_while_articles_are_published(api, newsroom):
    first = api.get("/api/v1/articles/?page_size=2").json()
    factories.article(headline="Breaking", slug="breaking", published_at=timezone.now())
    second = api.get(first["next"].replace("http://testserver", "")).json()

    assert [a["slug"] for a in first["results"]] == [
        "renault-trade-deal",
        "geely-factory",
    ]
    assert [a["slug"] for a in second["results"]] == ["renault-geely-shanghai"]
    assert second["next"] is None


def test_cursor_pages_through_search_results(api, newsroom):
    first = api.get("/api/v1/articles/?q=renault&page_size=1").json()
    second = api.get(first["next"].replace("http://testserver", "")).json()

    assert len(first["results"]) == len(second["results"]) == 1
    assert first["results"][0]["slug"] != second["results"][0]["slug"]
    assert second["next"] is None


def test_taxonomy_lists_page_by_cursor(api, newsroom):
    first = api.get("/api/v1/entities/?page_size=1").json()
    second = api.get(first["next"].replace("http://testserver", "")).json()

    assert [e["slug"] for e in first["results"] + second["results"]] == [
        "geely",
        "renault",
    ]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("tag=no-such-tag", "tag"),
        ("tag_any=no-such-tag", "tag_any"),
        ("entity=nobody", "entity"),
        ("section=nowhere", "section"),
        ("author=nobody", "author"),
        ("published_after=yesterday", "published_after"),
        ("published_before=2026-13-01", "published_before"),
        ("updated_since=2026-02-30T10:00:00Z", "updated_since"),
        ("ordering=headline", "ordering"),
        ("ordering=relevance", "ordering"),
        ("fields=slug,secret", "fields"),
        ("fields=", "fields"),
        ("page_size=0", "page_size"),
        ("page_size=10000", "page_size"),
        ("page_size=ten", "page_size"),
        ("cursor=garbage", "cursor"),
        ("q=" + "x" * 1001, "q"),
        ("colour=blue", "colour"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api, newsroom, query, param):
    response = api.get(f"/api/v1/articles/?{query}")

    assert response.status_code == 400
    error = error_of(response)
    assert error["param"] == param
    assert error["message"]


def test_a_cursor_for_another_ordering_is_refused(api, newsroom):
    first = api.get("/api/v1/articles/?page_size=1").json()
    cursor = first["next"].split("cursor=")[1]

    response = api.get(f"/api/v1/articles/?ordering=updated_at&cursor={cursor}")

    assert error_of(response)["param"] == "cursor"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/sections/?page=2",
        "/api/v1/tags/?page_size=101",
        "/api/v1/entities/renault/?fields=name",
        "/api/v1/articles/renault-trade-deal/?format=xml",
    ],
)
def test_other_endpoints_refuse_bad_parameters_too(api, newsroom, url):
    response = api.get(url)

    assert response.status_code == 400
    assert error_of(response)["param"]


# --- Incremental sync and tombstones -------------------------------------------------


def test_updated_since_returns_changes_and_tombstones(api, newsroom, admin_user):
    since = timezone.now() - datetime.timedelta(minutes=5)
    old = newsroom["old"]
    old.body = "Renault and Geely sign, after all."
    old.save()
    publishing.transition(newsroom["other"], "withdraw", user=admin_user)
    deleted_slug = newsroom["new"].slug
    newsroom["new"].delete()
    stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")

    body = api.get(f"/api/v1/articles/?updated_since={stamp}&ordering=updated_at")
    data = body.json()

    assert [a["slug"] for a in data["results"]] == ["renault-geely-shanghai"]
    assert [(t["slug"], t["reason"]) for t in data["tombstones"]] == [
        ("geely-factory", "withdrawn"),
        (deleted_slug, "deleted"),
    ]
    assert Tombstone.objects.count() == 2


def test_an_expired_article_is_a_tombstone(api, newsroom, monkeypatch):
    since = timezone.now()
    Article.objects.filter(pk=newsroom["new"].pk).update(
        expires_at=since + datetime.timedelta(seconds=1)
    )
    later = since + datetime.timedelta(seconds=2)
    monkeypatch.setattr("articles.models.timezone.now", lambda: later)
    monkeypatch.setattr("articles.api.timezone.now", lambda: later)

    stamp = since.isoformat().replace("+00:00", "Z")
    data = api.get(f"/api/v1/articles/?updated_since={stamp}").json()

    assert data["tombstones"] == [
        {
            "id": newsroom["new"].pk,
            "slug": "renault-trade-deal",
            "reason": "expired",
            "at": data["tombstones"][0]["at"],
        }
    ]


def test_deleting_a_draft_leaves_no_tombstone(newsroom):
    factories.article(status=Article.Status.DRAFT, slug="never-public").delete()

    assert not Tombstone.objects.exists()


# --- HTTP -------------------------------------------------------------------------


def test_every_answer_has_validators_and_cache_control(api, newsroom):
    for url in [
        "/api/v1/articles/",
        "/api/v1/articles/renault-trade-deal/",
        "/api/v1/sections/",
        "/api/v1/tags/",
        "/api/v1/authors/",
        "/api/v1/entities/",
        "/api/v1/entities/renault/",
        "/api/v1/schema/",
    ]:
        response = api.get(url)
        assert response["ETag"].startswith('"'), url
        assert response["Last-Modified"], url
        assert "max-age" in response["Cache-Control"], url


def test_a_conditional_get_is_answered_304(api, newsroom):
    first = api.get("/api/v1/articles/renault-trade-deal/")

    by_etag = api.get(
        "/api/v1/articles/renault-trade-deal/", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    by_date = api.get(
        "/api/v1/articles/renault-trade-deal/",
        HTTP_IF_MODIFIED_SINCE=first["Last-Modified"],
    )

    assert by_etag.status_code == 304
    assert by_date.status_code == 304


def test_a_change_makes_the_etag_stale(api, newsroom):
    first = api.get("/api/v1/articles/renault-trade-deal/")
    newsroom["new"].headline = "Renault trade deal signed"
    newsroom["new"].save()

    again = api.get(
        "/api/v1/articles/renault-trade-deal/", HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert again.status_code == 200
    assert again.json()["headline"] == "Renault trade deal signed"


def test_a_database_outage_is_a_json_503(api, monkeypatch):
    from django.db import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(
        "partners.authentication.PartnerKey.objects.select_related", down
    )
    response = api.get("/api/v1/articles/")

    assert response.status_code == 503
    assert error_of(response)["code"] == "service_unavailable"
    assert response["Retry-After"] == "30"


def test_an_unexpected_error_is_a_json_500(key, monkeypatch, newsroom):
    from django.test import Client

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("articles.api.represent", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/articles/", HTTP_AUTHORIZATION=f"Api-Key {key}")

    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"


# --- CORS -------------------------------------------------------------------------


def test_cors_answers_only_the_partners_origins(api):
    allowed = api.get("/api/v1/articles/", HTTP_ORIGIN="https://app.example")
    other = api.get("/api/v1/articles/", HTTP_ORIGIN="https://evil.example")

    assert allowed["Access-Control-Allow-Origin"] == "https://app.example"
    assert "X-RateLimit-Remaining" in allowed["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in other


def test_a_preflight_is_answered_for_a_configured_origin_only(client, partner):
    def preflight(origin):
        return client.options(
            "/api/v1/articles/",
            HTTP_ORIGIN=origin,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
        )

    allowed = preflight("https://app.example")
    refused = preflight("https://evil.example")

    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Authorization" in allowed["Access-Control-Allow-Headers"]
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused


# --- Query counts -------------------------------------------------------------------


@pytest.fixture
def content_version():
    """Compute the content version: done once per change site-wide, not per page."""
    from articles import caching

    caching.current_version(timezone.now(), None)


@pytest.fixture
def fifty_rich_articles():
    section = factories.section()
    tags = [factories.tag() for _ in range(3)]
    entities = [factories.entity() for _ in range(3)]
    writer = factories.author()
    for _ in range(50):
        story = factories.article(section=section)
        story.tags.add(*tags)
        factories.byline(story, writer)
        for entity in entities:
            factories.mention(story, entity)
        factories.correction(story, note="Fixed.")


@pytest.mark.parametrize("size", [10, 50])
def test_a_page_costs_six_queries_whatever_its_size(
    api, fifty_rich_articles, content_version, django_assert_max_num_queries, size
):
    with django_assert_max_num_queries(6):
        response = api.get(f"/api/v1/articles/?page_size={size}")

    results = response.json()["results"]
    assert len(results) == size
    assert all(len(a["tags"]) == 3 and len(a["entities"]) == 3 for a in results)
    assert all(a["authors"] for a in results)


def test_an_article_with_everything_costs_a_constant_number_of_queries(
    api, fifty_rich_articles, content_version, django_assert_max_num_queries
):
    slug = Article.objects.first().slug
    with django_assert_max_num_queries(8):
        response = api.get(f"/api/v1/articles/{slug}/")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/v1/tags/", "/api/v1/entities/", "/api/v1/authors/"]
)
def test_taxonomy_lists_cost_two_queries(
    api, fifty_rich_articles, content_version, django_assert_max_num_queries, url
):
    with django_assert_max_num_queries(2):
        assert api.get(url).status_code == 200


def test_the_schema_and_docs_need_no_key(client):
    schema = client.get(reverse("api:schema"))
    docs = client.get(reverse("api:docs"))

    assert schema.status_code == 200
    assert json.loads(schema.content)["openapi"].startswith("3.")
    assert docs.status_code == 200
    assert b"<script>" not in docs.content


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def test_article_urls_agree_with_the_sites_canonical_addresses(
    api, fifty_rich_articles, settings, zone
):
    settings.TIME_ZONE = zone
    results = api.get("/api/v1/articles/?page_size=50&fields=slug,url").json()

    expected = {
        article.slug: "http://testserver" + article.get_absolute_url()
        for article in Article.objects.select_related("section")
    }
    assert {item["slug"]: item["url"] for item in results["results"]} == {
        item["slug"]: expected[item["slug"]] for item in results["results"]
    }
