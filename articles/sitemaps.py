"""Sitemaps of live content: articles, and the pages that list them.

Django's sitemap index splits each sitemap into pages of 50,000 addresses
(``Sitemap.limit``). Lists with no live story are left out: their page would
show nothing.
"""

from django.contrib.sitemaps import Sitemap
from django.db import models
from django.db.models import Max, OuterRef, Subquery

from articles.models import Article, Author, Section, Tag


class ArticleSitemap(Sitemap):
    """Every live article, dated by its last change."""

    def items(self) -> models.QuerySet:
        return (
            Article.objects.live()
            .select_related("section")
            .only("slug", "published_at", "created_at", "updated_at", "section__slug")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article: Article):
        return article.date_modified

    def get_latest_lastmod(self):
        latest = Article.objects.live().aggregate(
            updated=Max("updated_at"), published=Max("published_at")
        )
        return max(filter(None, latest.values()), default=None)


class ListingSitemap(Sitemap):
    """Pages listing live stories about one subject, dated by the newest story."""

    model: type[models.Model]

    def articles_about(self, subject) -> models.QuerySet:
        raise NotImplementedError

    def items(self) -> models.QuerySet:
        newest = self.articles_about(OuterRef("pk")).order_by("-published_at")
        return (
            self.model.objects.annotate(
                newest=Subquery(newest.values("published_at")[:1])
            )
            .filter(newest__isnull=False)
            .order_by("pk")
        )

    def lastmod(self, subject):
        return subject.newest

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("newest"))["latest"]


class SectionSitemap(ListingSitemap):
    model = Section

    def articles_about(self, section) -> models.QuerySet:
        return Article.objects.live().filter(section=section)


class TagSitemap(ListingSitemap):
    model = Tag

    def articles_about(self, tag) -> models.QuerySet:
        return Article.objects.live().filter(tagged_items__tag=tag)


class AuthorSitemap(ListingSitemap):
    model = Author

    def articles_about(self, author) -> models.QuerySet:
        return Article.objects.live().filter(bylines__author=author)
