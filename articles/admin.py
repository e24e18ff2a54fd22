import taggit.models
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from reversion.models import Version

from articles import previews, publishing, recommendations, revisions
from articles.merge_admin import MergeAdminMixin
from articles.merging import merge_tags
from articles.models import (
    Article,
    Author,
    Byline,
    Correction,
    ReadNextEntry,
    ReadNextExclusion,
    ReadNextPin,
    Section,
    Tag,
)
from articles.views import render_preview
from entities.admin import ArticleEntitiesAdminMixin
from entities.models import Mention

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


def when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


class ArticleInlineMixin:
    """Inlines follow the article: nothing in them is editable where it is not."""

    def _article_editable(self, request, obj) -> bool:
        return obj is None or publishing.can_edit(request.user, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and self._article_editable(
            request, obj
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._article_editable(
            request, obj
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._article_editable(
            request, obj
        )


class BylineInline(ArticleInlineMixin, admin.TabularInline):
    model = Byline
    extra = 0
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = "author"
    verbose_name_plural = "authors, in byline order"


class MentionInline(ArticleInlineMixin, admin.TabularInline):
    model = Mention
    extra = 0
    autocomplete_fields = ["entity"]
    fields = ["entity", "status", "count", "salience", "by_editor"]
    readonly_fields = ["count", "salience", "by_editor"]
    verbose_name_plural = "entities mentioned"


class ReadNextPinInline(ArticleInlineMixin, admin.TabularInline):
    model = ReadNextPin
    fk_name = "article"
    extra = 0
    autocomplete_fields = ["target"]
    fields = ["target", "position"]
    verbose_name_plural = "Read These Next pins, in order"

    def get_max_num(self, request, obj=None, **kwargs) -> int:
        # The block shows this many stories: a pin beyond them would never be seen.
        return settings.NEWSROOM_READ_NEXT_COUNT

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_max=True, **kwargs)


class ReadNextExclusionInline(ArticleInlineMixin, admin.TabularInline):
    model = ReadNextExclusion
    fk_name = "article"
    extra = 0
    autocomplete_fields = ["target"]
    fields = ["target"]
    verbose_name = "story never to recommend here"
    verbose_name_plural = "Read These Next exclusions (never recommended here)"


class CorrectionInline(ArticleInlineMixin, admin.StackedInline):
    model = Correction
    extra = 0
    fields = ["kind", "note", "created_at"]
    verbose_name_plural = "corrections and updates (shown, dated, at the foot)"


class ArticleAdminForm(forms.ModelForm):
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(Article._meta.get_field("tags"), admin.site),
    )
    # The edit_version the editor's form was opened at: a save from an older
    # one would silently overwrite someone else's work.
    loaded_version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": "This form is incomplete; reload the page."},
    )
    transition_note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        label="Note for the workflow record",
        help_text="Optional. Kept with the step you take below.",
    )

    user = None  # set by ArticleAdmin.get_form: the person saving

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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.edit_version
        if self.instance.pk is None:
            self.fields["loaded_version"].required = False

    @property
    def requested_step(self) -> str:
        return self.data.get("_transition", "")

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None:
            self._refuse_stale_save(cleaned_data.get("loaded_version"))
        if self.requested_step:
            try:
                publishing.check(self.user, self.instance, self.requested_step)
            except (publishing.TransitionError, PermissionDenied) as error:
                raise ValidationError(str(error)) from None
        return cleaned_data

    def _refuse_stale_save(self, loaded_version: int | None) -> None:
        # The admin saves inside a transaction: locking the row here makes the
        # comparison and the save one step, on PostgreSQL as on SQLite (whose
        # IMMEDIATE transactions already hold the write lock).
        current = (
            # Only the article's row: PostgreSQL cannot lock the nullable side
            # of the outer join to revised_by.
            Article.objects.select_for_update(of=("self",))
            .select_related("revised_by")
            .only("edit_version", "revised_at", "revised_by")
            .get(pk=self.instance.pk)
        )
        if loaded_version is None or loaded_version == current.edit_version:
            return
        who = (
            (current.revised_by.get_full_name() or current.revised_by.get_username())
            if current.revised_by
            else "someone"
        )
        when = timezone.localtime(current.revised_at)
        raise ValidationError(
            "%(who)s saved this article at %(when)s, after you opened it. Your "
            "changes were not saved and are still in the form below: copy what "
            "you need, then reload the page to see their version.",
            code="stale",
            params={"who": who, "when": f"{when:%H:%M:%S on %d %b %Y}"},
        )


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Article.State.choices

    def queryset(self, request, queryset):
        if self.value() in Article.State.values:
            return queryset.in_state(self.value())
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "Mine")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.owned_by(request.user)
        return queryset


class ArticleChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list shows none of the long text; sorting rows without it is
        # what keeps a 100,000-article changelist under a second on SQLite.
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .defer("body", "body_html", "summary", "dek")
        )


@admin.register(Article)
class ArticleAdmin(ArticleEntitiesAdminMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ["headline", "section", "state", "published_at", "byline"]
    list_filter = [StateFilter, MineFilter, "section", "bylines__author"]
    list_select_related = ["section"]
    list_per_page = 50
    # A full-table COUNT(*) on every changelist view is what slows the admin
    # down at 100,000 articles; the filtered count is enough.
    show_full_result_count = False
    search_fields = ["headline", "dek", "body"]
    prepopulated_fields = {"slug": ["headline"]}
    date_hierarchy = "published_at"
    # Undated drafts first on every database (PostgreSQL and SQLite disagree
    # on where NULLs sort by default).
    ordering = [F("published_at").desc(nulls_first=True), "-pk"]
    inlines = [
        BylineInline,
        ReadNextPinInline,
        ReadNextExclusionInline,
        MentionInline,
        CorrectionInline,
    ]
    actions = ["submit_selected", "publish_selected", "withdraw_selected"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "headline",
                    "slug",
                    "dek",
                    "section",
                    "body",
                    "tags",
                    "loaded_version",
                ]
            },
        ),
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
            {
                "fields": [
                    "state",
                    "published_at",
                    "expires_at",
                    ("created_at", "created_by"),
                    ("revised_at", "revised_by"),
                    "updated_at",
                    "workflow_record",
                ]
            },
        ),
        (
            "Read These Next",
            {
                "fields": ["read_next_computed"],
                "description": "Computed when the article is published or saved. "
                "Pins come first; computed stories fill the remaining places, "
                "skipping any that is not live when a reader opens the page.",
            },
        ),
    ]

    # --- Permissions ------------------------------------------------------

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or publishing.can_edit(request.user, obj)
        )

    def has_publish_permission(self, request) -> bool:
        return publishing.can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = [
            *super().get_readonly_fields(request, obj),
            "state",
            "created_at",
            "created_by",
            "revised_at",
            "revised_by",
            "updated_at",
            "workflow_record",
            "read_next_computed",
        ]
        if not publishing.can_publish(request.user):
            # Writers neither schedule nor set expiry: that is publishing.
            fields += ["published_at", "expires_at"]
        return fields

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("bylines__author")

    # --- Columns and read-only fields ----------------------------------------

    @admin.display(description="authors")
    def byline(self, article: Article) -> str:
        return ", ".join(byline.author.name for byline in article.bylines.all())

    @admin.display(description="state")
    def state(self, article: Article) -> str:
        return article.state.label

    @admin.display(description="workflow record")
    def workflow_record(self, article: Article) -> str:
        if article.pk is None:
            return "—"
        transitions = article.transitions.select_related("user")
        if not transitions:
            return "No workflow steps yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
            (
                (
                    when(step.created_at),
                    step.user.get_username() if step.user else "—",
                    step.get_from_status_display(),
                    step.get_to_status_display(),
                    step.note,
                )
                for step in transitions
            ),
        )
        return format_html(
            '<table class="workflow-record"><thead><tr><th scope="col">When</th>'
            '<th scope="col">Who</th><th scope="col">Step</th>'
            '<th scope="col">Note</th></tr></thead><tbody>{}</tbody></table>',
            rows,
        )

    @admin.display(description="computed recommendations")
    def read_next_computed(self, article: Article) -> str:
        if article.pk is None:
            return "—"
        entries = ReadNextEntry.objects.filter(
            article=article, kind=ReadNextEntry.Kind.COMPUTED
        ).select_related("target")
        if not entries:
            return "None stored: the article is not published, or nothing is related."
        rows = format_html_join(
            "",
            '<tr><td>{}</td><td><a href="{}">{}</a></td><td>{}</td><td>{}</td>'
            "<td>{}</td></tr>",
            (
                (
                    entry.position + 1,
                    reverse("admin:articles_article_change", args=[entry.target_id]),
                    entry.target.headline,
                    entry.target.state.label,
                    f"{entry.score:.3f}",
                    entry.reason_text,
                )
                for entry in entries
            ),
        )
        return format_html(
            '<table class="read-next-computed"><thead><tr><th scope="col">#</th>'
            '<th scope="col">Story</th><th scope="col">State</th>'
            '<th scope="col">Score</th><th scope="col">Why</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            rows,
        )

    def view_on_site(self, article: Article) -> str | None:
        # Only live articles have a public page to show.
        return article.get_absolute_url() if article.is_live else None

    # --- Saving ----------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, **kwargs):
        article = context.get("original") or Article()
        editable = (
            self.has_add_permission(request)
            if add
            else self.has_change_permission(request, article)
        )
        context["workflow_steps"] = (
            publishing.available_steps(request.user, article) if editable else []
        )
        return super().render_change_form(request, context, add, change, **kwargs)

    def save_model(self, request, article, form, change) -> None:
        if not change:
            article.created_by = request.user
            article.edit_version = 0
        else:
            article.edit_version = form.cleaned_data["loaded_version"] + 1
        article.revised_by = request.user
        super().save_model(request, article, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        article = form.instance
        author = getattr(request.user, "author", None)
        if not change and author is not None and not article.bylines.exists():
            # A writer's own story carries their byline unless they chose others.
            Byline.objects.create(article=article, author=author)
        changed = [
            str(form.fields[name].label or name).lower()
            for name in form.changed_data
            if name not in {"loaded_version", "transition_note"}
        ] + [
            str(formset.model._meta.verbose_name_plural)
            for formset in formsets
            if formset.has_changed()
        ]
        if not change or changed:
            revisions.save_revision(
                article,
                user=request.user,
                comment="Created." if not change else f"Changed {', '.join(changed)}.",
            )
            if not form.requested_step:  # a workflow step updates it itself
                recommendations.update_article(article)
        if form.requested_step:
            step = publishing.transition(
                article,
                form.requested_step,
                user=request.user,
                note=form.cleaned_data.get("transition_note", ""),
            )
            self.message_user(
                request,
                f"{step.get_to_status_display()}: “{article.headline}”"
                + (
                    f", scheduled for {when(article.published_at)}."
                    if article.state == Article.State.SCHEDULED
                    else "."
                ),
                messages.SUCCESS,
            )

    # --- Bulk workflow actions ---------------------------------------------------

    def _bulk_step(self, request, queryset, action: str) -> None:
        for article in queryset.order_by("pk"):
            try:
                publishing.transition(article, action, user=request.user)
            except (publishing.TransitionError, PermissionDenied) as error:
                self.message_user(
                    request,
                    f"Not changed: “{article.headline}”. {error}",
                    messages.WARNING,
                )
            else:
                step = publishing.STEPS[action]
                self.message_user(
                    request, f"{step.done}: “{article.headline}”.", messages.SUCCESS
                )

    @admin.action(description="Submit selected articles for review")
    def submit_selected(self, request, queryset) -> None:
        self._bulk_step(request, queryset, "submit")

    @admin.action(description="Publish selected articles", permissions=["publish"])
    def publish_selected(self, request, queryset) -> None:
        self._bulk_step(request, queryset, "publish")

    @admin.action(description="Withdraw selected articles", permissions=["publish"])
    def withdraw_selected(self, request, queryset) -> None:
        self._bulk_step(request, queryset, "withdraw")

    # --- History, differences, previews, revert, share links ---------------------

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        info = "articles_article"
        return [
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name=f"{info}_compare",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/preview/",
                view(self.preview_view),
                name=f"{info}_preview",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/revert/",
                view(self.revert_view),
                name=f"{info}_revert",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/share/",
                view(self.share_view),
                name=f"{info}_share",
            ),
            *super().get_urls(),
        ]

    def _article_for(self, request, object_id: str, *, change: bool = False) -> Article:
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No article with that id.")
        allowed = (
            self.has_change_permission(request, article)
            if change
            else self.has_view_or_change_permission(request, article)
        )
        if not allowed:
            raise PermissionDenied
        return article

    def _version_for(self, article: Article, version_id) -> Version:
        version = revisions.version_of(article, version_id)
        if version is None:
            raise Http404("That revision does not belong to this article.")
        return version

    def _page(self, request, article: Article, template: str, title: str, **context):
        return TemplateResponse(
            request,
            f"admin/articles/article/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": article,
                "title": title,
                "can_change": self.has_change_permission(request, article),
                "can_share": publishing.can_publish(request.user),
                **context,
            },
        )

    def history_view(self, request, object_id, extra_context=None):
        article = self._article_for(request, object_id)
        return self._page(
            request,
            article,
            "revisions.html",
            f"History: {article.headline}",
            versions=revisions.versions_of(article)[:500],
            transitions=article.transitions.select_related("user"),
        )

    def compare_view(self, request, object_id):
        article = self._article_for(request, object_id)
        chosen = {}
        for name in ("from", "to"):
            raw = request.GET.get(name, "")
            version = revisions.version_of(article, int(raw)) if raw.isdigit() else None
            if version is None:
                self.message_user(
                    request,
                    f"Choose two revisions of this article to compare "
                    f"(“{name}” is missing or not one of them).",
                    messages.ERROR,
                )
                return redirect("admin:articles_article_history", article.pk)
            chosen[name] = version
        older, newer = sorted(chosen.values(), key=lambda version: version.pk)
        changes = revisions.differences(
            revisions.snapshot(older), revisions.snapshot(newer)
        )
        return self._page(
            request,
            article,
            "revision_compare.html",
            f"Changes to “{article.headline}”",
            older=older,
            newer=newer,
            changes=changes,
        )

    def preview_view(self, request, object_id, version_id):
        article = self._article_for(request, object_id)
        return render_preview(request, self._version_for(article, version_id))

    def revert_view(self, request, object_id, version_id):
        article = self._article_for(request, object_id, change=True)
        version = self._version_for(article, version_id)
        if request.method == "POST":
            try:
                revisions.revert(article, version, user=request.user)
            except revisions.RevertError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Reverted “{article.headline}” to the revision of "
                    f"{when(version.revision.date_created)}."
                    " The previous text is kept as a revision too.",
                    messages.SUCCESS,
                )
                return redirect("admin:articles_article_change", article.pk)
        latest = revisions.versions_of(article).first()
        changes = revisions.differences(
            revisions.snapshot(latest), revisions.snapshot(version)
        )
        return self._page(
            request,
            article,
            "revision_revert.html",
            f"Revert “{article.headline}”?",
            version=version,
            changes=changes,
        )

    def share_view(self, request, object_id, version_id):
        article = self._article_for(request, object_id)
        if not publishing.can_publish(request.user):
            raise PermissionDenied
        version = self._version_for(article, version_id)
        if request.method != "POST":
            return redirect("admin:articles_article_history", article.pk)
        form = ShareLinkForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("hours", []):
                self.message_user(request, error, messages.ERROR)
            return redirect("admin:articles_article_history", article.pk)
        path, expires = previews.share_path(version, hours=form.cleaned_data["hours"])
        return self._page(
            request,
            article,
            "revision_share.html",
            f"Preview link for “{article.headline}”",
            version=version,
            share_url=request.build_absolute_uri(path),
            expires=expires,
        )


class ShareLinkForm(forms.Form):
    hours = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=24 * 30,
        error_messages={
            "min_value": "A preview link must last at least one hour.",
            "max_value": "A preview link can last at most 30 days (720 hours).",
            "invalid": "Give the link's lifetime as a whole number of hours.",
        },
    )
