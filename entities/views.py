from django.shortcuts import get_object_or_404

from articles.views import LiveArticleListView
from entities.models import Entity, EntitySlugRedirect, Mention

RELATED_ENTITIES = 12


class EntityView(LiveArticleListView):
    template_name = "entities/entity_detail.html"
    subject_name = "entity"

    def get_subject(self) -> Entity:
        return get_object_or_404(
            Entity.objects.prefetch_related("aliases"), slug=self.kwargs["slug"]
        )

    def narrow(self, articles, entity: Entity):
        mentioning = Mention.objects.confirmed().filter(entity=entity)
        return articles.filter(pk__in=mentioning.values("article_id"))

    def moved_to(self) -> str | None:
        moved = EntitySlugRedirect.objects.select_related("entity").filter(
            old_slug=self.kwargs["slug"]
        )
        return next((redirect.entity.get_absolute_url() for redirect in moved), None)

    def get_context_data(self, **kwargs):
        kwargs["related_entities"] = Entity.objects.co_occurring_with(self.subject)[
            :RELATED_ENTITIES
        ]
        return super().get_context_data(**kwargs)
