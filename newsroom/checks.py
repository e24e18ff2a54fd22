"""Deployment checks Django does not make itself."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Keys that live in this repository, for development and tests only.
KNOWN_KEYS = {
    "django-insecure-development-only-never-use-in-production",
    "tests-only-secret-key-not-for-production",
}


@register(Tags.security, deploy=True)
def check_secret_key_is_production(app_configs, **kwargs) -> list[Error]:
    if settings.SECRET_KEY in KNOWN_KEYS:
        return [
            Error(
                "DJANGO_SECRET_KEY is a development key from the repository.",
                hint="Set DJANGO_SECRET_KEY to a long random value, e.g. from "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="newsroom.E001",
            )
        ]
    return []
