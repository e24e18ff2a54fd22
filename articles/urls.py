from django.urls import path, register_converter

from articles import converters, views
from articles.caching import cache_public_page

register_converter(converters.FourDigitYearConverter, "yyyy")
register_converter(converters.TwoDigitConverter, "dd")

app_name = "articles"

urlpatterns = [
    path("", cache_public_page(views.home), name="home"),
    path("archive/", cache_public_page(views.ArchiveView.as_view()), name="archive"),
    path("tags/<slug:slug>/", cache_public_page(views.TagView.as_view()), name="tag"),
    path(
        "authors/<slug:slug>/",
        cache_public_page(views.AuthorView.as_view()),
        name="author",
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
