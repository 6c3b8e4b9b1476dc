"""Test settings shared by every suite: plain static storage, a fast hasher, an empty cache."""

from collections.abc import Iterator
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


@pytest.fixture(scope="session", autouse=True)
def _flush_keeps_triggers() -> Iterator[None]:
    """Let a transactional test's flush empty tables that have refusing triggers (the audit log's).

    On SQLite the flush is a DELETE per table, which those triggers refuse; PostgreSQL's TRUNCATE
    does not fire them. Here the flush drops them, empties the tables, and creates them again.
    """
    # The class through the backend's base module: importing its operations module first is a
    # circular import.
    from django.db.backends.sqlite3.base import DatabaseWrapper

    operations = DatabaseWrapper.ops_class
    original = operations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements: list[str] = original(self, style, tables, **kwargs)
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = [(name, sql) for name, sql in cursor.fetchall() if sql]
        drops = [f'DROP TRIGGER "{name}";' for name, _sql in triggers]
        return drops + statements + [sql for _name, sql in triggers]

    operations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    operations.sql_flush = original  # type: ignore[method-assign]
