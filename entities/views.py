from django.shortcuts import get_object_or_404

from articles.views import LiveArticleListView
from entities.models import Entity


class EntityView(LiveArticleListView):
    template_name = "entities/entity_detail.html"
    subject_name = "entity"

    def get_subject(self) -> Entity:
        return get_object_or_404(
            Entity.objects.prefetch_related("aliases"), slug=self.kwargs["slug"]
        )

    def narrow(self, articles, entity: Entity):
        return articles.mentioning(entity)
