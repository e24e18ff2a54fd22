from django.core.validators import RegexValidator
from django.db import models, transaction
from django.urls import reverse

from articles.models import Article


class CaseRule(models.TextChoices):
    """How the case of a name must match the text for the linker to count it."""

    AUTO = "auto", "Automatic: names in capitals (EU, VW) exactly, others as names"
    NAME = "name", "As a name: the first letter as written, the rest in any case"
    EXACT = "exact", "Exactly as written"
    ANY = "any", "In any case"

    @classmethod
    def resolve(cls, rule: str, name: str) -> str:
        """Turn AUTO into the rule it stands for with this name."""
        if rule != cls.AUTO:
            return rule
        # An acronym in lower case is another word ("eu", "us"), so capitals are exact.
        return cls.EXACT if name.isupper() else cls.NAME


class MentionPolicy(models.TextChoices):
    CONFIRM = "confirm", "Confirm new mentions automatically"
    SUGGEST = "suggest", "Suggest new mentions for an editor to confirm"


# Related entities are counted over this many of an entity's newest stories.
CO_OCCURRENCE_STORIES = 500
# An entity confirmed in at most this many stories has them looked up by its
# mentions; one in more, by walking the live stories newest first.
FEW_STORIES = 2000


class EntityQuerySet(models.QuerySet):
    def co_occurring_with(self, entity: "Entity") -> "EntityQuerySet":
        """Entities confirmed in the newest live articles that confirm ``entity``.

        Most shared first; each carries ``shared``: how many of those articles
        (``CO_OCCURRENCE_STORIES`` at most) mention both.
        """
        # Counted over its newest stories only: a place such as China is in a
        # fifth of a 100,000-story archive, and counting all their mentions
        # took seconds on every render of its page.
        # Found from its mentions when it has few stories, by walking the live
        # stories newest first when it has many: each way is slow for the
        # other kind, and SQLite, having no statistics, would always walk
        # (100 ms for an entity in thirty stories).
        mentioned = list(
            Mention.objects.confirmed()
            .filter(entity=entity)
            .values_list("article_id", flat=True)[: FEW_STORIES + 1]
        )
        if len(mentioned) <= FEW_STORIES:
            articles = Article.objects.live().filter(pk__in=mentioned)
        else:
            articles = Article.objects.live().mentioning(entity)
        articles = articles.order_by("-published_at", "-pk")[:CO_OCCURRENCE_STORIES]
        return (
            self.exclude(pk=entity.pk)
            .filter(
                mentions__status=Mention.Status.CONFIRMED,
                mentions__article__in=articles.values("pk"),
            )
            .annotate(shared=models.Count("mentions"))
            .order_by("-shared", "name")
        )


class Entity(models.Model):
    class Kind(models.TextChoices):
        ORGANISATION = "organisation", "Organisation"
        COMPANY = "company", "Company"
        PERSON = "person", "Person"
        PLACE = "place", "Place"
        PRODUCT = "product", "Product"
        EVENT = "event", "Event"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(max_length=2000, blank=True)
    wikidata_id = models.CharField(
        "Wikidata id",
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q6686.")
        ],
    )
    match_case = models.CharField(
        "match the name's case",
        max_length=10,
        choices=CaseRule.choices,
        default=CaseRule.AUTO,
    )
    mention_policy = models.CharField(
        max_length=10,
        choices=MentionPolicy.choices,
        default=MentionPolicy.CONFIRM,
        help_text="What happens when the linker finds this entity in an article.",
    )
    # The linker's version stamp reads the latest change; see entities/linker.py.
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"
        indexes = [
            models.Index(fields=["kind", "name"], name="entity_kind_name"),
            models.Index(fields=["updated_at"], name="entity_updated_at"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_slug = (
            Entity.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if self.pk
            else None
        )
        with transaction.atomic():
            super().save(*args, **kwargs)
            # The slug is this entity's now, whatever it used to redirect to.
            EntitySlugRedirect.objects.filter(old_slug=self.slug).delete()
            if old_slug and old_slug != self.slug:
                EntitySlugRedirect.objects.update_or_create(
                    old_slug=old_slug, defaults={"entity": self}
                )
                self._relink_articles_on_commit()

    def get_absolute_url(self) -> str:
        return reverse("entities:detail", kwargs={"slug": self.slug})

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            # Their bodies link to this entity's page, which is going away.
            self._relink_articles_on_commit()
            return super().delete(*args, **kwargs)

    @property
    def wikidata_url(self) -> str:
        return (
            f"https://www.wikidata.org/wiki/{self.wikidata_id}"
            if self.wikidata_id
            else ""
        )

    def _relink_articles_on_commit(self) -> None:
        from entities.mentions import relink_on_commit

        relink_on_commit(
            Mention.objects.filter(entity=self).values_list("article_id", flat=True)
        )


class EntityAlias(models.Model):
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    match_case = models.CharField(
        "match the alias's case",
        max_length=10,
        choices=CaseRule.choices,
        default=CaseRule.AUTO,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entity aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "name"], name="alias_unique_name"
            ),
        ]
        indexes = [models.Index(fields=["updated_at"], name="alias_updated_at")]

    def __str__(self) -> str:
        return self.name


class EntitySlugRedirect(models.Model):
    """An address an entity used to have: a merged duplicate's, or a changed slug."""

    old_slug = models.SlugField(max_length=200, unique=True)
    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="slug_redirects"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self) -> str:
        return self.old_slug


class MentionQuerySet(models.QuerySet):
    def confirmed(self) -> "MentionQuerySet":
        """Restrict to mentions an editor (or the entity's policy) confirmed."""
        return self.filter(status=Mention.Status.CONFIRMED)


class Mention(models.Model):
    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="mentions"
    )
    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="mentions"
    )
    count = models.PositiveIntegerField(
        default=0, help_text="Times the headline, dek and body name the entity."
    )
    first_position = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Where the first mention starts, in characters from the "
        "headline's start (headline, dek, then body text).",
    )
    salience = models.FloatField(
        default=0,
        help_text="Share of the article's weighted mentions, from 0 to 1; the "
        "headline counts three times, the dek and first paragraph twice.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.SUGGESTED
    )
    by_editor = models.BooleanField(
        "decided by an editor",
        default=False,
        help_text="Kept when re-linking, even once the text no longer names it.",
    )

    objects = MentionQuerySet.as_manager()

    class Meta:
        ordering = ["-salience", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "entity"], name="mention_unique_entity"
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "status"], name="mention_entity_status"),
        ]

    def __str__(self) -> str:
        return f"Mention ×{self.count} ({self.status})"

    def save(self, *args, **kwargs) -> None:
        # The linker writes mentions in bulk; one saved by itself is a person's
        # decision (an editor in the admin or the shell), which re-linking keeps.
        self.by_editor = True
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "by_editor"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            self._relink_article_on_commit()

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            self._relink_article_on_commit()
            return super().delete(*args, **kwargs)

    def _relink_article_on_commit(self) -> None:
        from entities.mentions import relink_on_commit

        # The body links the first mention of each confirmed entity.
        relink_on_commit([self.article_id])
