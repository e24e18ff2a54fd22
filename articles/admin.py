import taggit.models
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db.models import Count, F

from articles.merge_admin import MergeAdminMixin
from articles.merging import merge_tags
from articles.models import (
    Article,
    Author,
    Byline,
    Correction,
    ReadNextPin,
    Section,
    Tag,
)
from entities.admin import ArticleEntitiesAdminMixin

# Newsroom's tags are articles.Tag; taggit's own generic Tag model is unused, and
# two "Tags" pages would send editors to the wrong one.
admin.site.unregister(taggit.models.Tag)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


@admin.register(Tag)
class TagAdmin(MergeAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    # Explicit: the count annotation groups rows, which drops Meta.ordering.
    ordering = ["name"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    merge = staticmethod(merge_tags)
    merge_explanation = (
        "The tags you do not keep are deleted: their articles are tagged with "
        "the one you keep instead (once each) and their pages redirect to its page."
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=Count("tagged_articles", distinct=True))
        )

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, tag: Tag) -> int:
        return tag.article_count

    def merge_details(self, tag: Tag) -> str:
        return f"/{tag.slug}/, on {tag.article_count} articles"


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 0
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = "author"
    verbose_name_plural = "authors, in byline order"


class ReadNextPinInline(admin.TabularInline):
    model = ReadNextPin
    fk_name = "article"
    extra = 0
    autocomplete_fields = ["target"]
    fields = ["target", "position"]
    verbose_name_plural = "Read These Next pins, in order"


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    fields = ["kind", "note", "created_at"]


class ArticleAdminForm(forms.ModelForm):
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(Article._meta.get_field("tags"), admin.site),
    )

    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown
        # Editors write long headlines and whole stories: give them room.
        widgets = {
            name: forms.TextInput(attrs={"class": "vLargeTextField"})
            for name in [
                "headline",
                "slug",
                "dek",
                "hero_image_alt",
                "hero_image_caption",
                "hero_image_credit",
            ]
        } | {"body": forms.Textarea(attrs={"class": "vLargeTextField", "rows": 24})}


@admin.register(Article)
class ArticleAdmin(ArticleEntitiesAdminMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["headline", "section", "status", "published_at", "byline"]
    list_filter = ["status", "section", "published_at"]
    list_select_related = ["section"]
    search_fields = ["headline", "dek", "slug"]
    prepopulated_fields = {"slug": ["headline"]}
    date_hierarchy = "published_at"
    # Undated drafts first on every database (PostgreSQL and SQLite disagree
    # on where NULLs sort by default).
    ordering = [F("published_at").desc(nulls_first=True), "-pk"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [BylineInline, ReadNextPinInline, CorrectionInline]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "section", "body", "tags"]}),
        (
            "Hero image",
            {
                "fields": [
                    "hero_image",
                    "hero_image_alt",
                    "hero_image_caption",
                    "hero_image_credit",
                ]
            },
        ),
        (
            "Publishing",
            {"fields": ["status", "published_at", "created_at", "updated_at"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("bylines__author")

    @admin.display(description="authors")
    def byline(self, article: Article) -> str:
        return ", ".join(byline.author.name for byline in article.bylines.all())

    def view_on_site(self, article: Article) -> str | None:
        # Only live articles have a public page to show.
        return article.get_absolute_url() if article.is_live else None
