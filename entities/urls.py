from django.urls import path

from articles.caching import cache_public_page
from articles.feeds import feed_paths
from entities import views
from entities.feeds import EntityFeed

app_name = "entities"

urlpatterns = [
    path(
        "entities/<slug:slug>/",
        cache_public_page(views.EntityView.as_view()),
        name="detail",
    ),
    *feed_paths("feeds/entities/<slug:slug>/", EntityFeed, "feed"),
]
