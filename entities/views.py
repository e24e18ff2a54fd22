from django.shortcuts import get_object_or_404

from articles.views import LiveArticleListView
from entities.models import Entity, Mention


class EntityView(LiveArticleListView):
    template_name = "entities/entity_detail.html"

    def narrow(self, articles):
        self.entity = get_object_or_404(
            Entity.objects.prefetch_related("aliases"), slug=self.kwargs["slug"]
        )
        return articles.filter(
            pk__in=Mention.objects.confirmed()
            .filter(entity=self.entity)
            .values("article_id")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(entity=self.entity, **kwargs)
