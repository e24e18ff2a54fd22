"""Hero images: WebP renditions made once on save, served with srcset and sizes."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from articles.models import Article
from tests import factories
from tests.test_pages import parse

pytestmark = pytest.mark.django_db


def picture(width: int, height: int, *, fmt: str = "JPEG", **save) -> ContentFile:
    image = Image.new("RGB", (width, height), (180, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return ContentFile(buffer.getvalue(), name=f"photo.{fmt.lower()}")


def with_hero(width: int, height: int, **fields) -> Article:
    article = factories.article(
        hero_image=picture(width, height), hero_image_alt="A red square", **fields
    )
    article.refresh_from_db()
    return article


def test_saving_a_hero_image_makes_webp_renditions_at_each_width():
    article = with_hero(2000, 1000)

    renditions = article.hero_renditions["webp"]
    assert [(r["width"], r["height"]) for r in renditions] == [
        (320, 160), (640, 320), (960, 480), (1280, 640), (1600, 800)
    ]  # fmt: skip
    for rendition in renditions:
        with default_storage.open(rendition["name"]) as stored:
            image = Image.open(stored)
            assert image.format == "WEBP"
            assert image.size == (rendition["width"], rendition["height"])
    assert article.hero_renditions["source"] == article.hero_image.name


def test_the_original_upload_is_kept_as_it_was():
    article = with_hero(2000, 1000)

    with default_storage.open(article.hero_image.name) as stored:
        original = Image.open(stored)
        assert (original.format, original.size) == ("JPEG", (2000, 1000))
    assert (article.hero_image_width, article.hero_image_height) == (2000, 1000)


def test_a_small_image_is_not_enlarged():
    article = with_hero(500, 300)

    assert [
        (rendition["width"], rendition["height"])
        for rendition in article.hero_renditions["webp"]
    ] == [(320, 192), (500, 300)]


def test_a_photo_turned_by_its_exif_orientation_is_rendered_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    article = factories.article(
        hero_image=picture(400, 200, exif=exif.tobytes()), hero_image_alt="Turned"
    )

    assert [
        (rendition["width"], rendition["height"])
        for rendition in article.hero_renditions["webp"]
    ] == [(200, 400)]


def test_renditions_are_made_once_not_on_every_save(monkeypatch):
    article = with_hero(800, 600)
    before = article.hero_renditions

    def fail(*args, **kwargs):
        raise AssertionError("renditions were made again")

    monkeypatch.setattr("articles.models.make_renditions", fail)
    article.headline = "A new headline"
    article.save()
    article.refresh_from_db()

    assert article.hero_renditions == before


def test_replacing_the_image_replaces_its_renditions(
    django_capture_on_commit_callbacks,
):
    article = with_hero(800, 600)
    old_names = [rendition["name"] for rendition in article.hero_renditions["webp"]]

    with django_capture_on_commit_callbacks(execute=True):
        article.hero_image = picture(1000, 500)
        article.save()

    assert [r["width"] for r in article.hero_renditions["webp"]] == [
        320,
        640,
        960,
        1000,
    ]
    assert not [name for name in old_names if default_storage.exists(name)]


def test_removing_the_image_removes_its_renditions(django_capture_on_commit_callbacks):
    article = with_hero(800, 600)
    names = [rendition["name"] for rendition in article.hero_renditions["webp"]]

    with django_capture_on_commit_callbacks(execute=True):
        article.hero_image = ""
        article.save(update_fields=["hero_image"])
    article.refresh_from_db()

    assert article.hero_renditions == {}
    assert not [name for name in names if default_storage.exists(name)]


def test_article_page_offers_the_renditions_with_srcset_sizes_and_dimensions(client):
    article = with_hero(2000, 1000, hero_image_caption="A square.")

    figure = parse(client.get(article.get_absolute_url())).find(class_="story-hero")

    source = figure.find("source")
    assert source.attrs["type"] == "image/webp"
    assert source.attrs["srcset"] == article.hero_srcset
    assert article.hero_srcset.endswith(".1600w.webp 1600w")
    assert len(article.hero_srcset.split(", ")) == 5
    assert "42rem" in source.attrs["sizes"]
    img = figure.find("img")
    assert img.attrs["src"] == article.hero_image.url
    assert (img.attrs["width"], img.attrs["height"]) == ("2000", "1000")
    assert img.attrs["alt"] == "A red square"


def test_home_lead_and_read_next_use_the_renditions(client):
    lead = with_hero(1200, 800)
    pinned = with_hero(900, 600)
    factories.pin(lead, pinned)

    home = parse(client.get("/")).find(class_="lead-story")
    read_next = parse(client.get(lead.get_absolute_url())).find(class_="read-next")

    assert home.find("source").attrs["srcset"] == lead.hero_srcset
    assert read_next.find("source").attrs["srcset"] == pinned.hero_srcset
    assert read_next.find("img").attrs["loading"] == "lazy"


def test_article_page_with_hero_images_costs_no_more_queries(
    client, django_assert_max_num_queries
):
    article = with_hero(1200, 800)
    for _ in range(3):
        factories.pin(article, with_hero(900, 600))
    url = article.get_absolute_url()

    with django_assert_max_num_queries(8):
        page = parse(client.get(url))

    assert len(page.find(class_="read-next").find_all("source")) == 3


@pytest.fixture
def disk_storage(settings, tmp_path):
    """Files on disk, as in production: stored files come back closed."""
    from django.core.files.storage import FileSystemStorage

    field = Article._meta.get_field("hero_image")
    memory = field.storage
    field.storage = FileSystemStorage(location=tmp_path, base_url="/media/")
    yield field.storage
    field.storage = memory


def admin_resave(admin_client, article: Article):
    from django.urls import reverse

    from tests.admin_forms import form_data

    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(admin_client.get(url).content.decode())
    return admin_client.post(url, {**data, "_save": "Save"})


def test_saving_an_article_again_keeps_its_stored_hero_image(
    admin_client, disk_storage
):
    article = with_hero(800, 600)
    name = article.hero_image.name

    first = admin_resave(admin_client, article)
    second = admin_resave(admin_client, article)

    assert (first.status_code, second.status_code) == (302, 302)
    article.refresh_from_db()
    assert article.hero_image.name == name
    assert (article.hero_image_width, article.hero_image_height) == (800, 600)


def test_an_article_whose_hero_file_went_missing_can_still_be_saved(
    admin_client, disk_storage
):
    article = with_hero(800, 600, dek="Before.")
    disk_storage.delete(article.hero_image.name)

    response = admin_resave(admin_client, article)

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.hero_image_width, article.hero_image_height) == (800, 600)
