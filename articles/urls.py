from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from articles import converters, feeds, sitemaps, views
from articles.caching import cache_public_page
from entities.sitemaps import EntitySitemap

register_converter(converters.FourDigitYearConverter, "yyyy")
register_converter(converters.TwoDigitConverter, "dd")

app_name = "articles"

SITEMAPS = {
    "articles": sitemaps.ArticleSitemap,
    "sections": sitemaps.SectionSitemap,
    "tags": sitemaps.TagSitemap,
    "authors": sitemaps.AuthorSitemap,
    "entities": EntitySitemap,
}

urlpatterns = [
    path("", cache_public_page(views.home), name="home"),
    path("archive/", cache_public_page(views.ArchiveView.as_view()), name="archive"),
    path("tags/<slug:slug>/", cache_public_page(views.TagView.as_view()), name="tag"),
    path(
        "authors/<slug:slug>/",
        cache_public_page(views.AuthorView.as_view()),
        name="author",
    ),
    # Not cached: every query is a new address, and results are cheap to miss.
    path("search/", views.search, name="search"),
    *feeds.feed_paths("feeds/", feeds.SiteFeed, "feed"),
    *feeds.feed_paths("feeds/sections/<slug:slug>/", feeds.SectionFeed, "section_feed"),
    *feeds.feed_paths("feeds/tags/<slug:slug>/", feeds.TagFeed, "tag_feed"),
    *feeds.feed_paths("feeds/authors/<slug:slug>/", feeds.AuthorFeed, "author_feed"),
    path(
        "sitemap.xml",
        cache_public_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "articles:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_public_page(sitemap_views.sitemap),
        # Django's own template dates entries by the day; news changes by the minute.
        {"sitemaps": SITEMAPS, "template_name": "sitemaps/sitemap.xml"},
        name="sitemap_section",
    ),
    path(
        "news-sitemap.xml", cache_public_page(views.news_sitemap), name="news_sitemap"
    ),
    path(
        "<slug:section>/",
        cache_public_page(views.SectionView.as_view()),
        name="section",
    ),
    path(
        "<slug:section>/<yyyy:year>/<dd:month>/<dd:day>/<slug:slug>/",
        cache_public_page(views.article_detail),
        name="article",
    ),
]
