from articles.feeds import ArticleFeed
from entities.models import Entity


class EntityFeed(ArticleFeed):
    """The newest live articles with a confirmed mention of an entity."""

    model = Entity

    def narrow(self, articles, entity: Entity):
        return articles.mentioning(entity)
