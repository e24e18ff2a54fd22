from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse

from articles.importing import describe_validation_error
from articles.merge_admin import MergeAdminMixin
from articles.models import Article
from entities.linker import current_linker
from entities.mentions import relink_on_commit
from entities.merging import merge_entities
from entities.models import Entity, EntityAlias, Mention
from entities.suggestions import create_suggested_entity, suggest_entities


class EntityAliasInline(admin.TabularInline):
    model = EntityAlias
    extra = 1
    fields = ["name", "match_case"]


@admin.register(Entity)
class EntityAdmin(MergeAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "mention_policy", "wikidata_id", "article_count"]
    list_filter = ["kind", "mention_policy"]
    # Explicit: the count annotation groups rows, which drops Meta.ordering.
    ordering = ["name"]
    search_fields = ["name", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [EntityAliasInline]
    fields = [
        "name",
        "slug",
        "kind",
        "description",
        "wikidata_id",
        "match_case",
        "mention_policy",
    ]
    merge = staticmethod(merge_entities)
    merge_explanation = (
        "The entities you do not keep are deleted: their mentions and aliases "
        "move to the one you keep, their names become its aliases and their "
        "pages redirect to its page. Where an article mentions both, the kept "
        "entity's mention and its decision stand."
    )

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

    def merge_details(self, entity: Entity) -> str:
        return (
            f"{entity.get_kind_display()}, /{entity.slug}/, confirmed in "
            f"{entity.article_count} articles"
        )

    def delete_queryset(self, request, queryset) -> None:
        # A bulk delete skips Entity.delete(), which re-links the bodies that
        # link to the deleted pages.
        with transaction.atomic():
            relink_on_commit(
                Mention.objects.filter(entity__in=queryset).values_list(
                    "article_id", flat=True
                )
            )
            super().delete_queryset(request, queryset)


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["entity", "article", "count", "salience", "status", "by_editor"]
    list_filter = ["status", "by_editor", "entity__kind"]
    list_select_related = ["entity", "article"]
    search_fields = ["entity__name", "article__headline"]
    autocomplete_fields = ["entity", "article"]
    list_editable = ["status"]
    readonly_fields = ["count", "first_position", "salience", "by_editor"]


class ArticleEntitiesAdminMixin:
    """What the article admin shows and does about entities beyond the mentions.

    The names the linker could not place (suggestions), and the action that
    makes one of them an entity.
    """

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "entity_suggestions"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append(("Suggested entities", {"fields": ["entity_suggestions"]}))
        return fieldsets

    @admin.display(description="names that are not entities yet")
    def entity_suggestions(self, article: Article) -> str:
        return render_to_string(
            "admin/entities/suggestions.html",
            {
                "suggestions": suggest_entities(article, current_linker()),
                "kinds": Entity.Kind.choices,
                "action_url": reverse(
                    "admin:articles_article_create_entity", args=[article.pk]
                ),
            },
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/create-entity/",
                self.admin_site.admin_view(self.create_entity_view),
                name="articles_article_create_entity",
            ),
            *super().get_urls(),
        ]

    def create_entity_view(self, request: HttpRequest, object_id: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = get_object_or_404(Article, pk=object_id)
        if not (
            self.has_change_permission(request, article)
            and request.user.has_perm("entities.add_entity")
        ):
            raise PermissionDenied
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        name = request.POST.get("create_entity", "")
        suggestion = next(
            (s for s in suggest_entities(article, current_linker()) if s.name == name),
            None,
        )
        if suggestion is None:
            messages.error(
                request,
                f"“{name}” is not among this article's suggested names any more.",
            )
            return HttpResponseRedirect(change_url)
        kind = request.POST.get(f"kind:{name}", suggestion.kind)
        try:
            entity = create_suggested_entity(
                article=article, suggestion=suggestion, kind=kind
            )
        except ValidationError as error:
            messages.error(
                request, f"“{name}” was not created: {describe_validation_error(error)}"
            )
        else:
            messages.success(
                request,
                f"Created the {entity.get_kind_display().lower()} “{entity.name}” "
                "and confirmed its mention in this article.",
            )
        return HttpResponseRedirect(change_url)
