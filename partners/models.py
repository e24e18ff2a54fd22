"""Partners who read published content through the API, and their keys."""

from django.db import models
from rest_framework_api_key.models import AbstractAPIKey


def validate_rate(value: str) -> None:
    from partners.throttling import parse_rate

    parse_rate(value)


class Partner(models.Model):
    name = models.CharField(max_length=200, unique=True)
    contact_email = models.EmailField(max_length=254, blank=True)
    is_active = models.BooleanField(
        default=True, help_text="An inactive partner's keys are all refused."
    )
    throttle_rate = models.CharField(
        max_length=32,
        blank=True,
        validators=[validate_rate],
        help_text='Requests allowed per key, such as "5000/hour". '
        "Blank uses the site default.",
    )
    cors_origins = models.TextField(
        max_length=4000,
        blank=True,
        help_text="Browser origins allowed to call the API with this partner's "
        "keys, one per line (https://app.example.com).",
    )
    notes = models.TextField(max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def allowed_origins(self) -> set[str]:
        """The browser origins configured for this partner's keys."""
        return {
            line.strip().rstrip("/")
            for line in self.cors_origins.splitlines()
            if line.strip()
        }


class PartnerKey(AbstractAPIKey):
    """A hashed key; the plain key is shown once, when it is made."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="keys")

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "partner key"
        verbose_name_plural = "partner keys"


class KeyUsage(models.Model):
    """How many requests one key made on one day (UTC), and how many were refused."""

    key = models.ForeignKey(PartnerKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    requests = models.PositiveIntegerField(default=0)
    throttled = models.PositiveIntegerField(
        default=0, help_text="Requests refused with 429 for going over the rate."
    )

    class Meta:
        ordering = ["-day", "key"]
        verbose_name = "key usage"
        verbose_name_plural = "key usage"
        constraints = [
            models.UniqueConstraint(fields=["key", "day"], name="key_usage_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.requests} requests"
