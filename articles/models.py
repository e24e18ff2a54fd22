import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from articles.images import delete_renditions, make_renditions
from articles.rendering import first_paragraph_summary, render_markdown
from articles.uploads import HeroImageField, hero_image_path, validate_hero_image

# First path segments that belong to the site itself, so no section may take them.
RESERVED_SECTION_SLUGS = frozenset(
    {"admin", "api", "archive", "authors", "entities", "feeds", "healthz", "media",
     "news-sitemap.xml", "preview", "robots.txt", "search", "sitemap.xml", "static",
     "tags"}
)  # fmt: skip


def validate_section_slug(value: str) -> None:
    if value in RESERVED_SECTION_SLUGS:
        raise ValidationError(
            "“%(value)s” is used by the site itself; choose another slug.",
            code="reserved",
            params={"value": value},
        )


class Section(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(
        max_length=100, unique=True, validators=[validate_section_slug]
    )
    description = models.TextField(max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Sections are listed in this order, then by name."
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:section", kwargs={"section": self.slug})


class Author(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    bio = models.TextField(max_length=2000, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text="The staff account that writes as this author, if any.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:author", kwargs={"slug": self.slug})


class Tag(TagBase):
    class Meta:
        ordering = ["name"]

    def get_absolute_url(self) -> str:
        return reverse("articles:tag", kwargs={"slug": self.slug})


class TagSlugRedirect(models.Model):
    """A merged tag's address and name, now its survivor's."""

    old_slug = models.SlugField(max_length=100, unique=True)
    old_name = models.CharField(max_length=100)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self) -> str:
        return self.old_slug


class ArticleQuerySet(models.QuerySet):
    def live(self) -> "ArticleQuerySet":
        """Restrict to articles readers and partners may see right now.

        Scheduled and expiring articles appear and vanish by this comparison
        with the clock alone: no process has to run at either moment.
        """
        now = timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
        )

    def next_visibility_changes(self, *, after: datetime.datetime) -> dict:
        """The next scheduled publication and expiry after ``after``, as two
        scalar subqueries to annotate any query with (each one index seek)."""
        published = self.filter(status=Article.Status.PUBLISHED).order_by()
        # An aggregate with FILTER read every published row: 240 ms at 100,000.
        return {
            f"next_{name}": Subquery(
                published.filter(**{f"{field}__gt": after})
                .order_by(field)
                .values(field)[:1]
            )
            for name, field in [
                ("publication", "published_at"),
                ("expiry", "expires_at"),
            ]
        }

    def in_state(self, state: str) -> "ArticleQuerySet":
        """Restrict to articles in one of ``Article.State``'s states, right now."""
        now = timezone.now()
        published = self.filter(status=Article.Status.PUBLISHED)
        not_expired = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        if state == Article.State.SCHEDULED:
            return published.filter(published_at__gt=now)
        if state == Article.State.LIVE:
            return self.live()
        if state == Article.State.EXPIRED:
            return published.filter(published_at__lte=now).exclude(not_expired)
        return self.filter(status=state)

    def owned_by(self, user) -> "ArticleQuerySet":
        """Articles the user started or writes under their byline."""
        return self.filter(
            Q(created_by=user) | Q(bylines__author__user=user)
        ).distinct()

    def mentioning(self, entity) -> "ArticleQuerySet":
        """Restrict to articles with a confirmed mention of ``entity``."""
        from entities.models import Mention

        mentions = Mention.objects.confirmed().filter(entity=entity)
        return self.filter(pk__in=mentions.values("article_id"))

    def for_listing(self) -> "ArticleQuerySet":
        """Fetch what an article card shows: section and ordered bylines."""
        return self.with_related({"section", "bylines"})

    def with_related(self, parts: set[str]) -> "ArticleQuerySet":
        """Fetch the named related data, one query each, whatever the row count.

        Parts: section, bylines, tags, mentions (confirmed, as
        ``confirmed_mentions``), read_next (live, as ``read_next``), corrections.
        """
        from entities.models import Mention

        unknown = parts - RELATED_PARTS
        if unknown:
            raise ValueError(f"unknown related parts: {sorted(unknown)}")
        articles = self.select_related("section") if "section" in parts else self
        prefetches = {
            "bylines": lambda: Prefetch(
                "bylines", queryset=Byline.objects.select_related("author")
            ),
            "tags": lambda: "tags",  # ordered by name through Tag.Meta
            "mentions": lambda: Prefetch(
                "mentions",
                queryset=Mention.objects.confirmed()
                .select_related("entity")
                .order_by("entity__kind", "entity__name"),
                to_attr="confirmed_mentions",
            ),
            # Pins, then computed recommendations: the first ones still live.
            "read_next": lambda: Prefetch(
                "read_next_entries",
                queryset=ReadNextEntry.objects.live()
                .select_related("target__section")
                .order_by("kind", "position")[: settings.NEWSROOM_READ_NEXT_COUNT],
                to_attr="read_next",
            ),
            "corrections": lambda: "corrections",
        }
        wanted = [make() for part, make in prefetches.items() if part in parts]
        return articles.prefetch_related(*wanted) if wanted else articles

    def latest_by_section(
        self, *, sections: Iterable["Section"], per_section: int
    ) -> "ArticleQuerySet":
        """Keep each section's newest ``per_section`` articles, grouped by section."""
        # One LIMIT per section, each read from the article_section_live
        # index, joined with UNION ALL. A window numbering every article by
        # section (the obvious query) sorted the whole archive on each render:
        # five seconds at 100,000 articles on SQLite.
        parts, params = [], []
        for number, section in enumerate(sections):
            newest = (
                self.filter(section=section)
                .order_by("-published_at", "-pk")
                .values("pk")[:per_section]
            )
            sql, section_params = newest.query.sql_with_params()
            parts.append(f"SELECT * FROM ({sql}) AS section_{number}")
            params.extend(section_params)
        if not parts:
            return self.none()
        return self.filter(pk__in=RawSQL(" UNION ALL ".join(parts), params)).order_by(
            "section__position", "section__name", "-published_at", "-pk"
        )

    def for_detail(self) -> "ArticleQuerySet":
        """Fetch everything the article page shows, in a constant number of queries."""
        return self.with_related(RELATED_PARTS)

    def for_page_data(self) -> "ArticleQuerySet":
        """Fetch what ``articles.page_data`` stores: as for_detail, but every
        Read These Next entry whose target is or may become live by the clock."""
        return self.select_related("section").prefetch_related(*page_prefetches())


RELATED_PARTS = frozenset(
    {"section", "bylines", "tags", "mentions", "read_next", "corrections"}
)


def page_prefetches() -> list:
    """The lookups that load an article page's parts onto loaded articles,
    with every Read These Next entry whose target is published and not
    expired: the page picks the live ones by the clock."""
    from entities.models import Mention

    # A check per entry, not a join condition: without statistics SQLite
    # would walk every published story to find a few articles' entries
    # (0.7 s per saved article at 100,000 stories, instead of 1 ms).
    target_may_show = Article.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
        pk=OuterRef("target"),
        status=Article.Status.PUBLISHED,
    )
    read_next = ReadNextEntry.objects.filter(Exists(target_may_show)).order_by(
        "kind", "position"
    )
    return [
        Prefetch("bylines", queryset=Byline.objects.select_related("author")),
        "tags",  # ordered by name through Tag.Meta
        Prefetch(
            "mentions",
            queryset=Mention.objects.confirmed()
            .select_related("entity")
            .order_by("entity__kind", "entity__name"),
            to_attr="confirmed_mentions",
        ),
        Prefetch(
            "read_next_entries",
            queryset=read_next.select_related("target__section"),
            to_attr="read_next",
        ),
        "corrections",
    ]


# The fields whose change is a real edit of what readers read: they move
# ``updated_at`` (and so JSON-LD's dateModified) once the article is public.
TEXT_FIELDS = ("headline", "dek", "body")
# What a save compares with the loaded row: the text, the address, and the
# schedule (webhooks announce a publication, a withdrawal or a new schedule).
TRACKED_FIELDS = (*TEXT_FIELDS, "slug", "status", "published_at", "expires_at")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class State(models.TextChoices):
        """What a status means right now, with the clock taken into account."""

        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        SCHEDULED = "scheduled", "Scheduled"
        LIVE = "live", "Live"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    headline = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True)
    dek = models.CharField(
        max_length=500, blank=True, help_text="The standfirst under the headline."
    )
    body = models.TextField(max_length=100_000, help_text="Markdown.")
    body_html = models.TextField(editable=False, default="")
    summary = models.CharField(
        max_length=500,
        editable=False,
        default="",
        help_text="The dek, or the opening of the body: used on cards and in feeds.",
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles"
    )
    authors = models.ManyToManyField(
        Author, through="Byline", related_name="articles", blank=True
    )
    tags = TaggableManager(through="TaggedArticle", blank=True)
    hero_image = HeroImageField(
        upload_to=hero_image_path,
        validators=[validate_hero_image],
        blank=True,
        help_text="JPEG, PNG, WebP or GIF; not SVG.",
        width_field="hero_image_width",
        height_field="hero_image_height",
    )
    # Stored so pages can state image dimensions without opening the file.
    hero_image_width = models.PositiveIntegerField(
        null=True, blank=True, editable=False
    )
    hero_image_height = models.PositiveIntegerField(
        null=True, blank=True, editable=False
    )
    # WebP renditions made when the image is saved: {"source": name, "webp":
    # [{"name", "width", "height"}, ...]}. A JSON column, so pages listing many
    # articles read them with no query of their own.
    hero_renditions = models.JSONField(default=dict, editable=False, blank=True)
    hero_image_alt = models.CharField(
        "hero image alt text",
        max_length=300,
        blank=True,
        help_text="What the image shows, for readers who cannot see it.",
    )
    hero_image_caption = models.CharField(max_length=500, blank=True)
    hero_image_credit = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A future time schedules the article: it goes live then.",
    )
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Optional. The article leaves the site at this time.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the published text last changed, or a note was added.",
    )
    # Every save, by anyone: what "no lost edits" compares against.
    revised_at = models.DateTimeField(auto_now=True)
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    edit_version = models.PositiveIntegerField(default=0, editable=False)
    # The article page's parts, rendered ahead by articles.page_data; None
    # until built and again whenever something they show changes.
    page_data = models.JSONField(null=True, blank=True, editable=False)
    # A new random value at every invalidation, so that a build begun before
    # a change cannot store its outdated result after it. Random, not a
    # counter: a full save of a stale instance writes an old value back.
    page_data_token = models.PositiveIntegerField(default=0, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        permissions = [
            ("publish_article", "Can publish, schedule and withdraw articles"),
        ]
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        indexes = [
            # live() reads these three columns of every listed row. SQLite
            # stores expires_at after the long text columns, in overflow pages,
            # so counting a section's or the archive's live stories read the
            # whole table; from these indexes alone it reads no row at all.
            models.Index(
                fields=["status", "published_at", "expires_at"], name="article_live"
            ),
            models.Index(
                fields=["section", "status", "published_at", "expires_at"],
                name="article_section_live",
            ),
            # The next scheduled expiry, for the page cache's content version.
            models.Index(
                fields=["status", "expires_at"], name="article_status_expires"
            ),
            # Date ranges and the admin's date hierarchy over every status.
            models.Index(fields=["published_at"], name="article_published_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(published_at__isnull=True)
                | Q(expires_at__gt=F("published_at")),
                name="article_expires_after_publication",
            ),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.headline)[:255]
        self.body_html = render_markdown(self.body)
        self.summary = self.dek or first_paragraph_summary(self.body_html)
        self._refresh_hero_renditions()
        derived = {"body_html", "summary"}
        if self.is_live and self.text_changed():
            self.updated_at = timezone.now()
            derived.add("updated_at")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            # What is derived from the text and the image is saved with them.
            if {"body", "dek", "headline"} & set(update_fields):
                update_fields = {*update_fields, *derived}
            if "hero_image" in update_fields:
                update_fields = {*update_fields, "hero_renditions"}
            kwargs["update_fields"] = update_fields
        old_slug = getattr(self, "_loaded", {}).get("slug")
        with transaction.atomic():
            super().save(*args, **kwargs)
            self._keep_old_url(old_slug)
            # Entity mentions, and their links in body_html, are recomputed once
            # the transaction commits: the admin saves the mention inline after this.
            from entities.mentions import relink_on_commit

            relink_on_commit([self.pk])
        self._loaded = {name: getattr(self, name) for name in TRACKED_FIELDS}

    def get_absolute_url(self) -> str:
        when = timezone.localtime(self.published_at or self.created_at)
        return reverse(
            "articles:article",
            kwargs={
                "section": self.section.slug,
                "year": when.year,
                "month": when.month,
                "day": when.day,
                "slug": self.slug,
            },
        )

    def text_changed(self) -> bool:
        loaded = getattr(self, "_loaded", {})
        return any(
            name in loaded and loaded[name] != getattr(self, name)
            for name in TEXT_FIELDS
        )

    def _keep_old_url(self, old_slug: str | None) -> None:
        # The current slug always answers for itself, even if it once was
        # another article's old one.
        ArticleSlugRedirect.objects.filter(old_slug=self.slug).delete()
        if old_slug and old_slug != self.slug and self.published_at is not None:
            ArticleSlugRedirect.objects.update_or_create(
                old_slug=old_slug, defaults={"article": self}
            )

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # Remember what was loaded, to tell a real edit from a mere save.
        article._loaded = {
            name: value
            for name, value in zip(field_names, values, strict=True)
            if name in TRACKED_FIELDS
        }
        return article

    def clean(self) -> None:
        errors = {}
        if self.hero_image and not self.hero_image_alt.strip():
            errors["hero_image_alt"] = "Describe the hero image for screen readers."
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            errors["published_at"] = "A published article needs a publication time."
        if (
            self.expires_at is not None
            and self.published_at is not None
            and self.expires_at <= self.published_at
        ):
            errors["expires_at"] = "The expiry must come after the publication time."
        if errors:
            raise ValidationError(errors)

    def structured_data(self, *, base_url: str) -> list[dict]:
        """JSON-LD for the article page: its NewsArticle and its breadcrumbs."""
        from articles.metadata import article_structured_data

        return article_structured_data(self, base_url=base_url)

    @property
    def hero_srcset(self) -> str:
        """The WebP renditions as an ``srcset`` value, widest last."""
        storage = self.hero_image.storage
        return ", ".join(
            f"{storage.url(rendition['name'])} {rendition['width']}w"
            for rendition in self.hero_renditions.get("webp", [])
        )

    def _refresh_hero_renditions(self) -> None:
        source = self.hero_image.name if self.hero_image else ""
        if self.hero_renditions.get("source", "") == source:
            return
        previous = self.hero_renditions
        if source:
            if not self.hero_image._committed:
                # Store the upload first, so the renditions sit beside its final name.
                self.hero_image.save(source, self.hero_image.file, save=False)
            self.hero_renditions = make_renditions(self.hero_image)
        else:
            self.hero_renditions = {}
        if previous:
            storage = self.hero_image.storage
            transaction.on_commit(lambda: delete_renditions(previous, storage))

    @property
    def state(self) -> "Article.State":
        if self.status != self.Status.PUBLISHED:
            return self.State(self.status)
        now = timezone.now()
        if self.published_at is None or self.published_at > now:
            return self.State.SCHEDULED
        if self.expires_at is not None and self.expires_at <= now:
            return self.State.EXPIRED
        return self.State.LIVE

    @property
    def is_live(self) -> bool:
        return self.state == self.State.LIVE

    @property
    def was_updated(self) -> bool:
        """Whether readers should be told the article changed after publication."""
        return (
            self.updated_at is not None
            and self.published_at is not None
            and self.updated_at > self.published_at
        )

    @property
    def date_modified(self):
        return self.updated_at if self.was_updated else self.published_at


class Byline(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="bylines"
    )
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author"], name="byline_unique_author"
            ),
        ]

    def __str__(self) -> str:
        return f"Byline #{self.position}"


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="tagged_articles"
    )

    class Meta:
        verbose_name = "article tag"
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="tagged_article_unique"
            ),
        ]


class ReadNextPin(models.Model):
    """An editor's choice for an article's "Read These Next" block."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="read_next_pins"
    )
    target = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="pinned_from"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "Read These Next pin"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "target"], name="read_next_pin_unique"
            ),
            models.CheckConstraint(
                condition=~Q(article=F("target")), name="read_next_pin_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"Pin #{self.position}"

    def clean(self) -> None:
        if self.article_id and self.article_id == self.target_id:
            raise ValidationError({"target": "An article cannot recommend itself."})


class ReadNextExclusion(models.Model):
    """A story an editor never wants computed into one article's Read These Next."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="read_next_exclusions"
    )
    target = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Read These Next exclusion"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "target"], name="read_next_exclusion_unique"
            ),
            models.CheckConstraint(
                condition=~Q(article=F("target")), name="read_next_exclusion_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"Exclusion #{self.pk}"

    def clean(self) -> None:
        if self.article_id and self.article_id == self.target_id:
            raise ValidationError(
                {"target": "An article is never recommended under itself anyway."}
            )


class ReadNextEntryQuerySet(models.QuerySet):
    def live(self) -> "ReadNextEntryQuerySet":
        """Restrict to entries whose target readers may see right now."""
        # EXISTS, looked up by primary key for each entry read: ``target__in``
        # made SQLite list every live article first (300 ms at 100,000
        # articles, for the eight entries one page reads).
        return self.filter(Exists(Article.objects.live().filter(pk=OuterRef("target"))))


class ReadNextEntry(models.Model):
    """One line of an article's stored Read These Next list: a pin or a computed one.

    Derived data, written only by ``articles.recommendations``: pins are
    mirrored from ReadNextPin, computed entries hold a buffer beyond the
    number shown so that targets which are not live at read time can be
    skipped and the block still fills.
    """

    class Kind(models.IntegerChoices):
        # The values order the list: pins before computed recommendations.
        PINNED = 0, "Pinned"
        COMPUTED = 1, "Computed"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="read_next_entries"
    )
    target = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="recommended_in"
    )
    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    position = models.PositiveSmallIntegerField()
    score = models.FloatField(null=True, blank=True)
    # [{"kind": "entity" or "tag", "name": ..., "slug": ...}], strongest first;
    # empty for a computed entry linked by wording alone, and for pins.
    reasons = models.JSONField(default=list, blank=True)

    objects = ReadNextEntryQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "position"]
        verbose_name = "Read These Next entry"
        verbose_name_plural = "Read These Next entries"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "target"], name="read_next_entry_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["article", "kind", "position"], name="read_next_entry_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.position}"

    @property
    def reason_text(self) -> str:
        """Why the story is recommended, for readers: "Also about Renault and Geely"."""
        if self.kind == self.Kind.PINNED:
            return ""
        names = [reason["name"] for reason in self.reasons]
        if not names:
            return "Similar wording"
        if len(names) == 1:
            return f"Also about {names[0]}"
        return f"Also about {', '.join(names[:-1])} and {names[-1]}"


class RecommendationFeature(models.Model):
    """A word, confirmed entity or tag that articles are compared by.

    ``key`` is "w:<word>", "e:<entity id>" or "t:<tag id>". The document
    frequency (how many indexed articles have it) gives the feature's rarity;
    the row keyed "n" holds the number of articles itself.
    """

    key = models.CharField(max_length=120, unique=True)
    document_frequency = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.key


class ArticleFeatureWeight(models.Model):
    """One weight of an indexed article's stored feature vector."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    feature = models.ForeignKey(
        RecommendationFeature,
        on_delete=models.CASCADE,
        related_name="weights",
        db_index=False,  # the covering index below starts with it
    )
    weight = models.FloatField()

    class Meta:
        indexes = [
            # Finding every article that shares a feature, with its weight,
            # reads this index alone.
            models.Index(
                fields=["feature", "article", "weight"], name="feature_weight_lookup"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weight:.3f}"


class ArticleSlugRedirect(models.Model):
    """A slug an article was published under, kept so its old URLs still work."""

    old_slug = models.SlugField(max_length=255, unique=True)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="slug_redirects"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.old_slug


class Transition(models.Model):
    """One step of an article through the workflow: who, when, from, to, why."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=20, choices=Article.Status.choices)
    to_status = models.CharField(max_length=20, choices=Article.Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    note = models.TextField(max_length=2000, blank=True)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="The publication time set by this step."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Correction(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.CORRECTION
    )
    note = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.created_at:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            # A note on a public article is an update readers must be told of.
            Article.objects.filter(
                Q(updated_at__isnull=True) | Q(updated_at__lt=self.created_at),
                pk=self.article_id,
                published_at__lt=self.created_at,
            ).update(updated_at=self.created_at)


class SearchDocument(models.Model):
    """An article's searchable text, written by ``articles.search`` on every change.

    On SQLite the FTS5 table ``articles_search_fts`` indexes these columns (an
    external-content table kept in step by triggers); on PostgreSQL ``vector``
    holds the weighted tsvector under a GIN index. Migration 0009 makes both,
    outside the model state, because neither exists on the other database.
    """

    article = models.OneToOneField(
        Article,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    # Copies of limited fields, written by code alone: no form ever edits them.
    headline = models.TextField(editable=False)
    dek = models.TextField(blank=True, editable=False)
    body = models.TextField(blank=True, editable=False)
    tags = models.TextField(blank=True, editable=False)
    entities = models.TextField(blank=True, editable=False)
    vector = SearchVectorField(null=True, editable=False)

    def __str__(self) -> str:
        return f"Search document of article #{self.pk}"


class Tombstone(models.Model):
    """An article partners may have copied that is no longer live: take it down.

    Written when a published article is withdrawn or deleted (see
    ``articles.tombstones``); read by the API's ``updated_since``. No foreign
    key: the article may be gone.
    """

    class Reason(models.TextChoices):
        WITHDRAWN = "withdrawn", "Withdrawn"
        DELETED = "deleted", "Deleted"

    article_id = models.BigIntegerField()
    slug = models.SlugField(max_length=255)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.slug} ({self.reason})"
