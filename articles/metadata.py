"""What a page tells search engines, feed readers and link previews about itself.

``description()`` is every page's (and feed's) one-sentence description;
``page_meta()`` builds, for the home page or a section, tag, author, entity or
article, the Open Graph and Twitter card values, feed links and JSON-LD;
``templatetags/metadata.py`` renders them. The canonical link is the view's.
Everything is read from the objects the page already loaded: an article page
gets its NewsArticle from the prefetched bylines, tags, mentions and
corrections, at no extra query.
"""

import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, Author, Section, Tag
from entities.models import Entity

# The publisher's logo for JSON-LD (Google asks for a raster image) and the
# picture a link preview shows when a page has none of its own.
LOGO = ("img/logo.png", 600, 60)
SHARE_IMAGE = ("img/share.png", 1200, 630)

SCHEMA_TYPES = {
    "company": "Corporation",
    "organisation": "Organization",
    "person": "Person",
    "place": "Place",
    "product": "Product",
    "event": "Event",
}

# Inside <script> only these could end the element or start markup; JSON
# allows writing them as \u escapes, which leaves the data unchanged.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class Image:
    url: str
    width: int | None
    height: int | None
    alt: str


@dataclass(frozen=True)
class FeedLink:
    title: str
    rss: str
    atom: str


@dataclass(frozen=True)
class PageMeta:
    title: str
    description: str
    url: str  # the canonical address, absolute
    type: str  # Open Graph type: website or article
    image: Image
    feeds: list[FeedLink]
    structured_data: list[dict] = field(default_factory=list)
    # Open Graph article:* properties, in order, as (property, content) pairs.
    article_properties: list[tuple[str, str]] = field(default_factory=list)


def site_name() -> str:
    return settings.NEWSROOM_SITE_NAME


def description(subject=None) -> str:
    """The one-sentence description of a page (or feed) about ``subject``."""
    if subject is None:
        return f"News and analysis from {site_name()}."
    if isinstance(subject, Section):
        return subject.description or f"The latest {subject.name} stories."
    if isinstance(subject, Tag):
        return f"Stories tagged {subject.name}."
    if isinstance(subject, Author):
        return subject.bio or f"Stories by {subject.name}."
    if isinstance(subject, Entity):
        return subject.description or f"Stories about {subject.name}."
    return subject.summary


FEED_URL_NAMES = {
    Section: "articles:section_feed",
    Tag: "articles:tag_feed",
    Author: "articles:author_feed",
    Entity: "entities:feed",
}


def feed_links(subject=None) -> list[FeedLink]:
    """The site's feeds, then those of the page's subject (an article's section)."""
    links = [
        FeedLink(
            site_name(), reverse("articles:feed_rss"), reverse("articles:feed_atom")
        )
    ]
    if isinstance(subject, Article):
        subject = subject.section
    if subject is not None:
        name = FEED_URL_NAMES[type(subject)]
        kwargs = {"slug": subject.slug}
        links.append(
            FeedLink(
                f"{subject} · {site_name()}",
                reverse(f"{name}_rss", kwargs=kwargs),
                reverse(f"{name}_atom", kwargs=kwargs),
            )
        )
    return links


def page_meta(subject=None, *, base_url: str, url: str = "") -> PageMeta:
    """Describe the home page (no subject), a list page or an article page.

    ``url`` is the page's canonical address (the view's, with its page
    number); without one, the subject's own address.
    """
    path = (
        subject.get_absolute_url() if subject is not None else reverse("articles:home")
    )
    common = {
        "description": description(subject),
        "url": url or base_url + path,
        "feeds": feed_links(subject),
    }
    share_image = Image(
        base_url + static(SHARE_IMAGE[0]), *SHARE_IMAGE[1:], alt=site_name()
    )
    if subject is None:
        return PageMeta(
            title=site_name(),
            type="website",
            image=share_image,
            structured_data=[website_structured_data(base_url=base_url)],
            **common,
        )
    if not isinstance(subject, Article):
        return PageMeta(title=str(subject), type="website", image=share_image, **common)
    article = subject
    image = share_image
    if article.hero_image:
        image = Image(
            absolute(article.hero_image.url, base_url),
            article.hero_image_width,
            article.hero_image_height,
            article.hero_image_alt,
        )
    return PageMeta(
        title=article.headline,
        type="article",
        image=image,
        structured_data=article.structured_data(base_url=base_url),
        article_properties=[
            *(
                (name, iso(moment))
                for name, moment in [
                    ("article:published_time", article.published_at),
                    ("article:modified_time", article.date_modified),
                ]
                if moment is not None  # a preview of an unpublished draft
            ),
            ("article:section", article.section.name),
            *(("article:tag", tag.name) for tag in article.tags.all()),
            *(
                ("article:author", base_url + byline.author.get_absolute_url())
                for byline in article.bylines.all()
            ),
        ],
        **common,
    )


def absolute(url: str, base_url: str) -> str:
    return url if "://" in url else base_url + url


def publisher(*, base_url: str) -> dict:
    path, width, height = LOGO
    return {
        "@type": "NewsMediaOrganization",
        "name": site_name(),
        "url": base_url + reverse("articles:home"),
        "logo": {
            "@type": "ImageObject",
            "url": base_url + static(path),
            "width": width,
            "height": height,
        },
    }


def website_structured_data(*, base_url: str) -> dict:
    """The site itself, with the search box search engines may offer."""
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site_name(),
        "url": base_url + reverse("articles:home"),
        "publisher": publisher(base_url=base_url),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": base_url
                + reverse("articles:search")
                + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }


def article_structured_data(article: Article, *, base_url: str) -> list[dict]:
    """A NewsArticle and its BreadcrumbList, from what the article page prefetched."""
    url = base_url + article.get_absolute_url()
    news_article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline,
        "description": article.summary,
        "author": [
            {
                "@type": "Person",
                "name": byline.author.name,
                "url": base_url + byline.author.get_absolute_url(),
            }
            for byline in article.bylines.all()
        ],
        "publisher": publisher(base_url=base_url),
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "inLanguage": settings.LANGUAGE_CODE,
        "isAccessibleForFree": True,
    }
    if article.published_at is not None:  # None only in a preview of a draft
        news_article["datePublished"] = iso(article.published_at)
        news_article["dateModified"] = iso(article.date_modified)
    if article.hero_image:
        news_article["image"] = [absolute(article.hero_image.url, base_url)]
    corrections = [
        {
            "@type": "CorrectionComment",
            "text": correction.note,
            "datePublished": iso(correction.created_at),
        }
        for correction in article.corrections.all()
        if correction.kind == correction.Kind.CORRECTION
    ]
    if corrections:
        news_article["correction"] = corrections
    about, mentioned = split_entities(article)
    if about:
        news_article["about"] = [thing(entity, base_url=base_url) for entity in about]
    if mentioned:
        news_article["mentions"] = [
            thing(entity, base_url=base_url) for entity in mentioned
        ]
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": item}
            for position, (name, item) in enumerate(
                [
                    (site_name(), base_url + reverse("articles:home")),
                    (
                        article.section.name,
                        base_url + article.section.get_absolute_url(),
                    ),
                    (article.headline, url),
                ],
                start=1,
            )
        ],
    }
    return [news_article, breadcrumbs]


def split_entities(article: Article) -> tuple[list, list]:
    """The entities a story is about (named in its headline, else the most
    mentioned one) and the others it mentions."""
    mentions = article.confirmed_mentions
    about = [
        mention.entity
        for mention in mentions
        if re.search(
            rf"(?<!\w){re.escape(mention.entity.name)}(?!\w)", article.headline
        )
    ]
    if not about and mentions:
        about = [max(mentions, key=lambda mention: mention.count).entity]
    return about, [m.entity for m in mentions if m.entity not in about]


def thing(entity, *, base_url: str) -> dict:
    data = {
        "@type": SCHEMA_TYPES[entity.kind],
        "name": entity.name,
        "url": base_url + entity.get_absolute_url(),
    }
    if entity.wikidata_url:
        data["sameAs"] = entity.wikidata_url
    return data


def iso(moment) -> str:
    return timezone.localtime(moment).isoformat()


def json_ld_script(data: dict) -> SafeString:
    """A <script type="application/ld+json"> element that no text can break out of."""
    text = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(text)
    )
