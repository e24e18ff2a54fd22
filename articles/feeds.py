"""RSS 2.0 and Atom feeds of live articles: the site, a section, a tag, an author.

Each feed class serves both formats (``SiteFeed()`` is RSS, ``SiteFeed(atom=True)``
Atom). Entries carry the full text with the hero image, the real publication
and update times, and a GUID that survives a change of headline, slug or
section: a ``tag:`` URI made of the site's domain, the article's creation date
and its id.
"""

import copy
import datetime
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db import models
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from articles import metadata
from articles.caching import cache_public_page
from articles.models import Article, Author, Section, Tag

FEED_LENGTH = 30

# nh3 writes every attribute in double quotes, so a site-relative address in
# the stored body always starts like this.
SITE_RELATIVE_URL = re.compile(r'(\s(?:href|src)=")/(?!/)')

# Characters XML 1.0 does not allow anywhere, not even escaped. Word puts a
# vertical tab where a writer pressed Shift+Enter; Django refuses to write a
# feed holding one, and a feed reader would refuse to read it.
XML_SPACES = {0x0B: " ", 0x0C: " "}
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value):
    """``value`` without the characters XML 1.0 forbids, in strings, lists and dicts."""
    if isinstance(value, str):
        # The two that separate words become spaces; the rest go.
        return XML_FORBIDDEN.sub("", value.translate(XML_SPACES))
    if isinstance(value, list | tuple):
        return type(value)(xml_text(item) for item in value)
    if isinstance(value, dict):
        return {key: xml_text(item) for key, item in value.items()}
    return value


class XmlSafeFeedMixin:
    """Drop XML-forbidden characters from everything a feed is given to write."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*xml_text(args), **xml_text(kwargs))

    def add_item(self, *args, **kwargs) -> None:
        super().add_item(*xml_text(args), **xml_text(kwargs))


class FullTextRssFeed(XmlSafeFeedMixin, Rss201rev2Feed):
    """RSS 2.0 with the article in content:encoded and its image in media:content."""

    def rss_attributes(self) -> dict[str, str]:
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:media": "http://search.yahoo.com/mrss/",
        }

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])
        if image := item["image"]:
            handler.addQuickElement("media:content", "", image)


class FullTextAtomFeed(XmlSafeFeedMixin, Atom1Feed):
    """Atom with the whole article as HTML content."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class ArticleFeed(Feed):
    """The newest live articles, narrowed to a subject by subclasses."""

    model: type[models.Model] | None = None  # the subject's model; None: the site

    def __init__(self, *, atom: bool = False) -> None:
        self.feed_type = FullTextAtomFeed if atom else FullTextRssFeed

    def get_feed(self, obj, request: HttpRequest):
        # One Feed instance serves every request: what depends on the request
        # goes on a per-request copy, never on the shared instance.
        feed = copy.copy(self)
        feed.site_url = f"{request.scheme}://{request.get_host()}"
        feed.domain = request.get_host().rsplit(":", 1)[0]
        return Feed.get_feed(feed, obj, request)

    # --- The channel ---

    def get_object(self, request: HttpRequest, slug: str = "") -> models.Model | None:
        return get_object_or_404(self.model, slug=slug) if self.model else None

    def title(self, subject) -> str:
        name = settings.NEWSROOM_SITE_NAME
        return f"{subject} · {name}" if subject else name

    def description(self, subject) -> str:
        # RSS readers show a description as HTML; the text must stay text.
        return escape(metadata.description(subject))

    def subtitle(self, subject) -> str:
        # Atom's subtitle is plain text (no type="html").
        return metadata.description(subject)

    def link(self, subject) -> str:
        return subject.get_absolute_url() if subject else reverse("articles:home")

    def feed_copyright(self, subject) -> str:
        return f"© {timezone.localdate().year} {settings.NEWSROOM_SITE_NAME}"

    def items(self, subject) -> models.QuerySet:
        articles = self.narrow(Article.objects.live(), subject)
        return articles.for_listing().prefetch_related("tags", "corrections")[
            :FEED_LENGTH
        ]

    def narrow(self, articles: models.QuerySet, subject) -> models.QuerySet:
        return articles

    # --- Each article ---

    def item_title(self, article: Article) -> str:
        return article.headline

    def item_description(self, article: Article) -> str:
        # RSS readers show it as HTML and Atom marks it type="html": the
        # summary is plain text, so it goes in escaped, to be shown as text.
        return escape(article.summary)

    def item_pubdate(self, article: Article) -> datetime.datetime:
        return article.published_at

    def item_updateddate(self, article: Article) -> datetime.datetime:
        return article.date_modified

    def item_guid(self, article: Article) -> str:
        return f"tag:{self.domain},{article.created_at:%Y-%m-%d}:article:{article.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, article: Article) -> str:
        names = [byline.author.name for byline in article.bylines.all()]
        return " and ".join(filter(None, [", ".join(names[:-1]), *names[-1:]]))

    def item_categories(self, article: Article) -> list[str]:
        return [tag.name for tag in article.tags.all()]

    def item_extra_kwargs(self, article: Article) -> dict:
        content = render_to_string("articles/feed_content.html", {"article": article})
        image = None
        if article.hero_image:
            image = {
                "url": metadata.absolute(article.hero_image.url, self.site_url),
                "medium": "image",
            }
            if article.hero_image_width and article.hero_image_height:
                image["width"] = str(article.hero_image_width)
                image["height"] = str(article.hero_image_height)
        return {
            "content": SITE_RELATIVE_URL.sub(rf"\1{self.site_url}/", content),
            "image": image,
        }


class SiteFeed(ArticleFeed):
    pass


class SectionFeed(ArticleFeed):
    model = Section

    def narrow(self, articles, section: Section):
        return articles.filter(section=section)


class TagFeed(ArticleFeed):
    model = Tag

    def narrow(self, articles, tag: Tag):
        return articles.filter(tagged_items__tag=tag)


class AuthorFeed(ArticleFeed):
    model = Author

    def narrow(self, articles, author: Author):
        return articles.filter(bylines__author=author)


def feed_paths(prefix: str, feed: type[ArticleFeed], name: str) -> list[URLPattern]:
    """The RSS (``<name>_rss``) and Atom (``<name>_atom``) addresses of a feed,
    served through the public page cache."""
    return [
        path(f"{prefix}rss.xml", cache_public_page(feed()), name=f"{name}_rss"),
        path(
            f"{prefix}atom.xml",
            cache_public_page(feed(atom=True)),
            name=f"{name}_atom",
        ),
    ]
