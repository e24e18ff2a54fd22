"""Headers, cookies, login lockout, input limits, uploads and the deploy check."""

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import pytest
from django import forms
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, models
from django.test import Client
from django.urls import reverse
from PIL import Image

from articles.models import Article
from articles.uploads import hero_image_path, validate_hero_image
from partners.models import Partner, PartnerKey
from tests import factories, observatory
from tests.admin_forms import form_data
from tests.test_admin import (
    REGISTERED,
    REGISTERED_IDS,
    admin_url,
    editorial_data,  # noqa: F401  (a fixture, used by name)
)

# Fields that take free text (not choices, numbers, dates or addresses' parts).
TEXT_FORM_FIELDS = (forms.CharField, forms.SlugField, forms.EmailField, forms.URLField)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


# --- Headers --------------------------------------------------------------------------


# Every kind of page readers, crawlers, partners and editors get. Add each new
# kind here: the header, cookie and Observatory tests below walk these lists.
PUBLIC_PAGES = [
    "home",
    "archive",
    "section",
    "article",
    "tag",
    "author",
    "entity",
    "search",
    "site rss",
    "tag atom",
    "entity rss",
    "sitemap",
    "news sitemap",
    "robots",
    "health",
    "not found",
    "bad request",
    "api list",
    "api article",
    "api without key",
    "api schema",
    "api docs",
]
KEYED_PAGES = {"api list", "api article"}
EDITOR_PAGES = [
    "admin login",
    "admin index",
    "admin article list",
    "admin article",
    "admin article history",
    "admin entity list",
]


@pytest.fixture
def page_urls() -> dict[str, str]:
    article = factories.article()
    tag = factories.tag()
    article.tags.add(tag)
    author = factories.author()
    factories.byline(article, author)
    entity = factories.entity()
    factories.mention(article, entity)
    return {
        "home": "/",
        "archive": "/archive/",
        "section": article.section.get_absolute_url(),
        "article": article.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "author": author.get_absolute_url(),
        "entity": entity.get_absolute_url(),
        "search": reverse("articles:search") + "?q=story",
        "site rss": reverse("articles:feed_rss"),
        "tag atom": reverse("articles:tag_feed_atom", args=[tag.slug]),
        "entity rss": reverse("entities:feed_rss", args=[entity.slug]),
        "sitemap": reverse("articles:sitemap"),
        "news sitemap": reverse("articles:news_sitemap"),
        "robots": "/robots.txt",
        "health": "/healthz",
        "not found": "/no-such-section/",
        "bad request": "/archive/?page=first",
        "admin login": reverse("admin:login"),
        "admin index": reverse("admin:index"),
        "admin article list": reverse("admin:articles_article_changelist"),
        "admin article": reverse("admin:articles_article_change", args=[article.pk]),
        "admin article history": reverse(
            "admin:articles_article_history", args=[article.pk]
        ),
        "admin entity list": reverse("admin:entities_entity_changelist"),
        "api list": "/api/v1/articles/",
        "api article": f"/api/v1/articles/{article.slug}/",
        "api without key": "/api/v1/articles/",
        "api schema": "/api/v1/schema/",
        "api docs": "/api/v1/docs/",
    }


@pytest.fixture
def partner_key() -> str:
    partner = Partner.objects.create(name="Header Partner")
    _, key = PartnerKey.objects.create_key(name="headers", partner=partner)
    return key


@pytest.fixture
def editor_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("chief", password="x"))
    return client


def fetch(page: str, url: str, editor_client: Client, key: str = ""):
    client = editor_client if page in EDITOR_PAGES else Client()
    headers = {"Authorization": f"Api-Key {key}"} if page in KEYED_PAGES else {}
    return client.get(url, secure=True, headers=headers)


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("page", PUBLIC_PAGES + EDITOR_PAGES)
def test_every_response_carries_the_security_headers(
    page_urls, editor_client, partner_key, page
):
    response = fetch(page, page_urls[page], editor_client, partner_key)

    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    hsts = dict(
        item.strip().partition("=")[::2]
        for item in response["Strict-Transport-Security"].split(";")
    )
    assert int(hsts["max-age"]) >= 15_768_000  # six months: the Observatory's bar
    assert "includeSubDomains" in hsts
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("page", PUBLIC_PAGES + EDITOR_PAGES)
def test_every_page_scores_a_plus_by_the_observatory_rules(
    page_urls, editor_client, partner_key, page
):
    score = observatory.score(fetch(page, page_urls[page], editor_client, partner_key))

    assert score.penalties == {}
    assert score.grade == "A+", score.modifiers
    assert score.modifiers["x-frame-options-implemented-via-csp"] == 5
    assert score.modifiers["referrer-policy-private"] == 5


def test_signing_in_sets_cookies_that_earn_the_observatory_bonus():
    User.objects.create_user("ed", password="a-long-passphrase", is_staff=True)
    client = Client()
    client.get(reverse("admin:login"), secure=True)

    response = client.post(
        reverse("admin:login"),
        {"username": "ed", "password": "a-long-passphrase"},
        secure=True,
    )

    assert set(response.cookies) >= {"sessionid", "csrftoken"}
    score = observatory.score(response)
    assert score.penalties == {}
    assert score.modifiers["cookies-secure-with-httponly-sessions-and-samesite"] == 5
    assert score.grade == "A+"


def test_plain_http_is_redirected_to_https_on_the_same_host(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["news.example.org"]

    response = Client().get("/archive/?page=2", HTTP_HOST="news.example.org")

    assert response.status_code == 301
    assert response["Location"] == "https://news.example.org/archive/?page=2"


CSP = "Content-Security-Policy"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "csp-not-implemented"),
        (
            {CSP: "default-src 'self'; script-src 'unsafe-inline'"},
            "csp-implemented-with-unsafe-inline",
        ),
        (
            {CSP: "default-src 'self' 'unsafe-eval'"},
            "csp-implemented-with-unsafe-eval",
        ),
        (
            {CSP: "default-src 'self'; style-src 'unsafe-inline'"},
            "csp-implemented-with-unsafe-inline-in-style-src-only",
        ),
        (
            {CSP: "default-src 'none'"},
            "csp-implemented-with-no-unsafe-default-src-none",
        ),
    ],
)
def test_the_observatory_scorer_tells_policies_apart(headers, expected):
    assert observatory.content_security_policy(headers)[0] == expected


def test_the_observatory_scorer_penalises_what_it_should():
    weak = observatory.Score(
        dict(
            [
                observatory.strict_transport_security(
                    {"Strict-Transport-Security": "max-age=300"}
                ),
                observatory.cookies(["sessionid=x; Path=/"], hsts=False),
                observatory.x_frame_options({}),
                observatory.referrer_policy({"Referrer-Policy": "unsafe-url"}),
            ]
        )
    )

    assert weak.penalties == {
        "hsts-implemented-max-age-less-than-six-months": -10,
        "cookies-session-without-secure-flag": -40,
        "x-frame-options-not-implemented": -20,
        "referrer-policy-unsafe": -5,
    }
    assert weak.grade == "D-"


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_anonymous_public_pages_set_no_cookies(page_urls, partner_key, page):
    response = fetch(page, page_urls[page], Client(), partner_key)

    assert not response.cookies


def test_the_login_cookies_are_secure_httponly_and_lax():
    client = Client()
    client.get(reverse("admin:login"), secure=True)
    User.objects.create_user("ed", password="a-long-passphrase", is_staff=True)
    response = client.post(
        reverse("admin:login"),
        {"username": "ed", "password": "a-long-passphrase"},
        secure=True,
    )

    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        cookie = response.cookies.get(name) or client.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


# --- Admin login ----------------------------------------------------------------------


def attempt(client: Client, username: str, password: str, address: str):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_repeated_failures_lock_that_username_from_that_address(settings):
    User.objects.create_user("ed", password="the-right-one", is_staff=True)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "ed", "wrong", "10.0.0.1").status_code == 200
    assert attempt(client, "ed", "wrong", "10.0.0.1").status_code == 429

    locked = attempt(client, "ed", "the-right-one", "10.0.0.1")
    elsewhere = attempt(Client(), "ed", "the-right-one", "10.0.0.2")

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert elsewhere.status_code == 302


def test_unknown_users_and_wrong_passwords_get_the_same_answer():
    User.objects.create_user("ed", password="the-right-one", is_staff=True)

    unknown = attempt(Client(), "nobody", "wrong", "10.0.0.3")
    wrong = attempt(Client(), "ed", "wrong", "10.0.0.4")

    def visible(response) -> str:
        page = response.content.decode()
        return page.split('name="csrfmiddlewaretoken" value="')[0]

    assert unknown.status_code == wrong.status_code == 200
    assert visible(unknown).replace("nobody", "ed") == visible(wrong)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "/\\evil.example/steal",
        "https:evil.example",
        " https://evil.example",
        "javascript:alert(1)",
        "http://testserver@evil.example/",
    ],
)
def test_after_login_next_only_leads_within_the_site(target):
    User.objects.create_user("ed", password="the-right-one", is_staff=True)

    response = Client().post(
        reverse("admin:login") + "?" + urlencode({"next": target}),
        {"username": "ed", "password": "the-right-one", "next": target},
    )

    assert response.status_code == 302
    assert "evil" not in response["Location"]
    assert "javascript" not in response["Location"]


def test_after_login_next_leads_to_a_page_of_this_site():
    User.objects.create_user("ed", password="the-right-one", is_staff=True)
    target = "/admin/articles/article/"

    response = Client().post(
        reverse("admin:login") + "?" + urlencode({"next": target}),
        {"username": "ed", "password": "the-right-one", "next": target},
    )

    assert response["Location"] == target


# --- Input limits ---------------------------------------------------------------------


def test_a_request_body_over_the_limit_is_refused_with_a_clear_page(settings):
    response = Client().generic(
        "POST",
        reverse("admin:login"),
        b"x",
        CONTENT_LENGTH=str(settings.NEWSROOM_MAX_REQUEST_BYTES + 1),
    )

    assert response.status_code == 413
    assert "larger than this site accepts" in response.content.decode()


def test_a_form_with_too_many_fields_is_refused_with_the_same_page():
    fields = {f"field{number}": "x" for number in range(2_100)}

    response = Client().post(reverse("admin:login"), fields)

    assert response.status_code == 413
    assert "larger than this site accepts" in response.content.decode()


# Apps whose models editors, importers and partners write.
NEWSROOM_APPS = ("articles", "entities", "partners", "newsroom")


def test_every_editable_text_field_has_an_explicit_max_length():
    # A TextField's max_length is a form-level limit: without it an admin form
    # takes as much text as the body limit lets through.
    unlimited = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in NEWSROOM_APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField)
        and field.editable
        and field.max_length is None
    ]

    assert unlimited == []


def admin_forms(response) -> list:
    context = response.context
    forms = [context["adminform"].form]
    for inline in context.get("inline_admin_formsets", []):
        forms += [*inline.formset.forms, inline.formset.empty_form]
    return forms


@pytest.mark.usefixtures("editorial_data")
@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_every_text_input_in_the_admin_has_a_length_limit(
    admin_client, model, model_admin
):
    obj = model._default_manager.order_by("pk").first()
    pages = [admin_url(model, "change", obj.pk)]
    if model_admin.has_add_permission(admin_client.get("/").wsgi_request):
        pages.append(admin_url(model, "add"))

    unlimited = []
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        for form in admin_forms(response):
            unlimited += [
                f"{page} {form.prefix or ''} {name}"
                for name, field in form.fields.items()
                if type(field) in TEXT_FORM_FIELDS
                and field.max_length is None
                # A password is hashed with HMAC, which shortens a long key
                # first: its length costs nothing, and it is never stored.
                and not isinstance(field.widget, forms.PasswordInput)
            ]

    assert unlimited == []


def test_a_nul_character_in_admin_input_is_a_form_error(admin_client):
    section = factories.section()
    add = admin_url(Article, "add")
    data = form_data(admin_client.get(add).content.decode())

    response = admin_client.post(
        add,
        {
            **data,
            "headline": "Nul\x00 headline",
            "section": section.pk,
            "body": "A body\x00 with a NUL.",
            "_save": "Save",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Null characters are not allowed." in errors["headline"]
    assert "Null characters are not allowed." in errors["body"]
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/articles/article/?q=%00",
        "/admin/entities/entity/?q=a%00b",
        "/admin/login/?next=/admin/%00",
    ],
)
def test_a_nul_character_in_an_admin_address_is_not_a_server_error(admin_client, url):
    response = admin_client.get(url)

    assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize(
    "url", ["/search/?q=%00", "/search/?q=renault%00", "/archive/?page=%00"]
)
def test_a_nul_character_in_a_public_address_is_not_a_server_error(url):
    factories.article(headline="Renault plans")

    response = Client().get(url)

    assert response.status_code in (200, 400)


def test_a_form_body_over_djangos_memory_limit_gets_the_same_page(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000

    response = Client().post(
        reverse("admin:login"), {"username": "x" * 2_000, "password": "y"}
    )

    assert response.status_code == 413
    assert "larger than this site accepts" in response.content.decode()


def test_other_bad_requests_still_get_the_400_page():
    response = Client().get("/archive/?page=first")

    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


# --- Uploads --------------------------------------------------------------------------


def image_file(format_: str, name: str, size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format=format_)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize("format_", ["JPEG", "PNG", "WEBP", "GIF"])
def test_raster_images_are_accepted_and_stored_under_a_random_name(format_):
    upload = image_file(format_, "../../etc/passwd.svg")
    validate_hero_image(upload)
    article = factories.article()
    article.hero_image = upload

    path = hero_image_path(article, upload.name)

    assert "passwd" not in path and ".." not in path
    expected = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
    assert path.endswith(expected[format_])
    assert path != hero_image_path(article, upload.name)


@pytest.mark.parametrize(
    "content",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"%PDF-1.4 not an image",
        b"GIF89a but then nothing",
    ],
)
def test_anything_but_a_raster_image_is_refused(content):
    with pytest.raises(Exception, match="JPEG, PNG, WebP or GIF"):
        validate_hero_image(SimpleUploadedFile("photo.jpg", content))


def test_an_image_over_the_size_limit_is_refused(settings):
    settings.NEWSROOM_MAX_IMAGE_BYTES = 10

    with pytest.raises(Exception, match="the limit is 0 MB"):
        validate_hero_image(image_file("PNG", "big.png"))


# --- The database going away ----------------------------------------------------------


def test_pages_answer_503_while_the_database_is_away():
    with mock.patch(
        "articles.views.ArchiveView.get_queryset",
        side_effect=OperationalError("could not connect to server"),
    ):
        response = Client().get("/archive/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "cannot reach its database" in response.content.decode()

    assert Client().get("/archive/").status_code == 200  # and back by itself


def test_a_missing_table_is_a_bug_not_an_outage():
    client = Client(raise_request_exception=False)
    with mock.patch(
        "articles.views.ArchiveView.get_queryset",
        side_effect=OperationalError("no such table: articles_article"),
    ):
        response = client.get("/archive/")

    assert response.status_code == 500


# --- check --deploy -------------------------------------------------------------------


def deploy_check(**environment: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NEWSROOM_"))
    }
    env |= {"DJANGO_ALLOWED_HOSTS": "news.example.org"} | environment
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings",
            "newsroom.settings",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_production_settings_pass_the_deploy_check():
    result = deploy_check(DJANGO_SECRET_KEY=secrets.token_urlsafe(50))

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_check_fails_without_a_secret_key():
    result = deploy_check()

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_the_deploy_check_fails_with_a_development_key():
    result = deploy_check(
        DJANGO_SECRET_KEY="django-insecure-development-only-never-use-in-production"
    )

    assert result.returncode != 0
    assert "newsroom.E001" in result.stdout + result.stderr
