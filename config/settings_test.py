"""The test suite's settings (pytest-django's DJANGO_SETTINGS_MODULE, in pyproject.toml): the production
settings, minus the secret and collectstatic, with tasks run inline and a cache per test process."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")

from config.settings import *  # noqa: F403 - the settings under test, with the overrides below
from config.settings import STORAGES

# Hashing strength is not under test; a fast hasher keeps the suite quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Static files straight from static/, without collectstatic.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True

# Tasks run inline; the tests that need a real worker and Redis configure their own.
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# Tests run in parallel processes: a shared Redis cache would let one test's writes (and its
# cache.clear()) reach into another's, so each process keeps its own.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
