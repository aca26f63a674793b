import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what waits for the commit (emails, pushes) at the block's end."""

    def capture():
        return django_capture_on_commit_callbacks(execute=True)

    return capture
