"""The partner API, version 1: mounted at /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from articles.api import ArticleViewSet, AuthorViewSet, SectionViewSet, TagViewSet
from entities.api import EntityViewSet
from newsroom.api_docs import APIDocsView, SchemaView

app_name = "api"

router = SimpleRouter()
router.register("articles", ArticleViewSet, basename="article")
router.register("sections", SectionViewSet, basename="section")
router.register("tags", TagViewSet, basename="tag")
router.register("authors", AuthorViewSet, basename="author")
router.register("entities", EntityViewSet, basename="entity")

urlpatterns = [
    *router.urls,
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", APIDocsView.as_view(), name="docs"),
]
