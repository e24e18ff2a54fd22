from django.db import models

from articles.models import Article
from articles.sitemaps import ListingSitemap
from entities.models import Entity, Mention


class EntitySitemap(ListingSitemap):
    model = Entity

    def articles_about(self, entity) -> models.QuerySet:
        return Article.objects.live().filter(
            mentions__entity=entity, mentions__status=Mention.Status.CONFIRMED
        )
