"""Test settings shared by every suite: plain static storage, a fast hasher, an empty cache."""

from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # Each test builds its own database: what an earlier test cached is not its business.
    cache.clear()
