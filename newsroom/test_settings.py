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

# Tests receive webhooks on a local http:// server.
NEWSROOM_WEBHOOKS_ALLOW_HTTP_LOCALHOST = True
# Usage counts are flushed by the tests that check them, not now and then by
# whichever request happens to come a minute later (and change its query count).
NEWSROOM_API_USAGE_FLUSH_SECONDS = 24 * 60 * 60
