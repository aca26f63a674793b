"""Errors the federation layer raises; each carries the HTTP status the inbox answers."""


class FederationError(Exception):
    """Something from or for a remote node that cannot be used; ``status`` is the answer."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = str(message)
        if status is not None:
            self.status = status


class ActivityRejected(FederationError):
    """A handler refuses an incoming activity: the inbox worker rolls its changes back and keeps
    the activity as refused, with ``status`` and the message (shown on the peers page)."""


class ProofError(FederationError):
    """The activity is unsigned, or its proof does not verify (401)."""

    status = 401


class FetchError(FederationError):
    """A remote document could not be fetched or is not usable."""

    status = 502


class WouldBlock(Exception):
    """A check cannot be made without a query or a fetch (asked not to do either): the
    caller makes it again where it may block."""
