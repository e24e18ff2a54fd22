from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

from articles.models import Article


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

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"
        indexes = [models.Index(fields=["kind", "name"], name="entity_kind_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("entities:detail", kwargs={"slug": self.slug})

    @property
    def wikidata_url(self) -> str:
        return (
            f"https://www.wikidata.org/wiki/{self.wikidata_id}"
            if self.wikidata_id
            else ""
        )


class EntityAlias(models.Model):
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entity aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "name"], name="alias_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


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
    count = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.SUGGESTED
    )

    objects = MentionQuerySet.as_manager()

    class Meta:
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
