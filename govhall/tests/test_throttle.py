from django.core.cache import cache

from govhall.throttle import attempt_count, attempts_counted


def test_attempts_are_counted_per_key() -> None:
    cache.delete_many(["throttle-a", "throttle-b"])
    assert attempts_counted("throttle-a") == 0
    assert [attempt_count("throttle-a", 60) for _ in range(3)] == [1, 2, 3]
    assert attempt_count("throttle-b", 60) == 1
    assert attempts_counted("throttle-a") == 3
