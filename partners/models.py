"""Partners who read published content through the API, and their keys."""

from django.db import models
from rest_framework_api_key.models import AbstractAPIKey


class Partner(models.Model):
    name = models.CharField(max_length=200, unique=True)
    contact_email = models.EmailField(max_length=254, blank=True)
    is_active = models.BooleanField(
        default=True, help_text="An inactive partner's keys are all refused."
    )
    throttle_rate = models.CharField(
        max_length=32,
        blank=True,
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


class PartnerKey(AbstractAPIKey):
    """A hashed key; the plain key is shown once, when it is made."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="keys")

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "partner key"
        verbose_name_plural = "partner keys"
