import pytest
from django.core.cache import cache


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what waits for the commit (emails, pushes) at the block's end."""

    def capture():
        return django_capture_on_commit_callbacks(execute=True)

    return capture


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits live in the cache; each test starts without them."""
    cache.clear()
    yield
    cache.clear()
