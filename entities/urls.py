from django.urls import path

from articles.caching import cache_public_page
from entities import views

app_name = "entities"

urlpatterns = [
    path(
        "entities/<slug:slug>/",
        cache_public_page(views.EntityView.as_view()),
        name="detail",
    ),
]
