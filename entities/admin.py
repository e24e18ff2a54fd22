from django.contrib import admin
from django.db.models import Count, Q

from entities.models import Entity, EntityAlias, Mention


class EntityAliasInline(admin.TabularInline):
    model = EntityAlias
    extra = 1


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "wikidata_id", "article_count"]
    list_filter = ["kind"]
    # Explicit: the count annotation groups rows, which drops Meta.ordering.
    ordering = ["name"]
    search_fields = ["name", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [EntityAliasInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                # distinct: a search through aliases joins them onto each mention.
                article_count=Count(
                    "mentions",
                    filter=Q(mentions__status=Mention.Status.CONFIRMED),
                    distinct=True,
                )
            )
        )

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, entity: Entity) -> int:
        return entity.article_count


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["entity", "article", "count", "status"]
    list_filter = ["status", "entity__kind"]
    list_select_related = ["entity", "article"]
    search_fields = ["entity__name", "article__headline"]
    autocomplete_fields = ["entity", "article"]
    list_editable = ["status"]
