from django.urls import path, register_converter

from articles import converters, feeds, views

register_converter(converters.FourDigitYearConverter, "yyyy")
register_converter(converters.TwoDigitConverter, "dd")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("search/", views.search, name="search"),
    *feeds.feed_paths("feeds/", feeds.SiteFeed, "feed"),
    *feeds.feed_paths("feeds/sections/<slug:slug>/", feeds.SectionFeed, "section_feed"),
    *feeds.feed_paths("feeds/tags/<slug:slug>/", feeds.TagFeed, "tag_feed"),
    *feeds.feed_paths("feeds/authors/<slug:slug>/", feeds.AuthorFeed, "author_feed"),
    path("<slug:section>/", views.SectionView.as_view(), name="section"),
    path(
        "<slug:section>/<yyyy:year>/<dd:month>/<dd:day>/<slug:slug>/",
        views.article_detail,
        name="article",
    ),
]
