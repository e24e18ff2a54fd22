"""Settings for the test suite: the environment's database, fast and hermetic."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-production")

from newsroom.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# With REDIS_URL (as CI's PostgreSQL run sets it) the suite keeps the cache of
# the production settings, in Redis, which every test empties: give it a
# database of its own. Without, each test process has its own memory cache.
if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Serve static files from the app directories, as in development, without a
# collectstatic run.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# The test client speaks plain HTTP; header tests make secure requests
# themselves where HTTPS matters (HSTS).
SECURE_SSL_REDIRECT = False
