"""The inbox under ASGI: the checks in the event loop when they need no I/O, and one INSERT
for the activities of all requests that wait for a store at the same moment.

A sender this process holds as an accepted peer (``inbox.cached_sender``) with its keys is
checked without a query or a fetch, so without a hop to a thread. Any other sender (a
query, perhaps a fetch of its actor) takes the whole of ``inbox.receive`` to a thread, as
before.

The store is a group commit: the first verified activity starts a flush in a thread at
once; the activities verified while it runs wait for the next flush, which stores them all
in one statement (``inbox.store_all``). At low load a flush holds one row, so nothing waits
longer than its own INSERT; under load one round trip, one commit and one thread hop serve
many requests. Every request is answered only after the commit of its flush. A database
error fails every request of that flush (503 from ``DatabaseUnavailableMiddleware``) and,
as the flush is one statement or one transaction, stores none of them.
"""

import asyncio
import logging
import weakref
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import SynchronousOnlyOperation
from django.db import InterfaceError, OperationalError, close_old_connections

from .authentication import SignedRequest
from .errors import WouldBlock
from .inbox import Outcome, Verified, apply_at_once, check, receive, store_all

log = logging.getLogger(__name__)

# The checks of uncached senders and the flushes run on a few threads of their own: one
# thread would make every request wait for the database calls of the others, a thread per
# request costs ~1.5 ms to start. Each keeps its connection only while it works (back to
# the pool).
_inbox_threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="inbox")
UNPROCESSABLE = Outcome(400, "The activity could not be processed.")


def _in_thread(function):
    def run_and_release(*args):
        try:
            return function(*args)
        finally:
            close_old_connections()

    return sync_to_async(run_and_release, thread_sensitive=False, executor=_inbox_threads)


_receive_in_thread = _in_thread(receive)


def _store_each(rows: list[Verified]) -> list[Outcome]:
    """Store the rows in one statement; if that fails for another reason than the database
    being away (a bug, or one unusable row), store them one by one, so one bad row does not
    fail the others (the unusable one is answered 400, as ``receive`` does)."""
    try:
        return store_all(rows)
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        if len(rows) == 1:
            log.exception("inbox could not store an activity")
            return [UNPROCESSABLE]
    outcomes = []
    for row in rows:
        try:
            outcomes += store_all([row])
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            log.exception("inbox could not store an activity")
            outcomes.append(UNPROCESSABLE)
    return outcomes


_store_in_thread = _in_thread(_store_each)


class GroupStore:
    """One per event loop: the activities waiting for a store, and whether a flush runs."""

    def __init__(self) -> None:
        self.waiting: list[tuple[Verified, asyncio.Future]] = []
        self.flush: asyncio.Task | None = None

    async def store(self, row: Verified) -> Outcome:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((row, future))
        if self.flush is None:
            self.flush = asyncio.create_task(self._flush_all())
        return await future

    async def _flush_all(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, []
                try:
                    outcomes = await _store_in_thread([row for row, _ in batch])
                except BaseException as exc:  # the database is away: every request of it fails
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                    continue
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if not future.done():  # not given up by a client that went away
                        future.set_result(outcome)
        finally:
            self.flush = None


_group_stores: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, GroupStore]" = (
    weakref.WeakKeyDictionary()
)


def group_store() -> GroupStore:
    loop = asyncio.get_running_loop()
    store = _group_stores.get(loop)
    if store is None:
        store = _group_stores[loop] = GroupStore()
    return store


async def receive_async(body: bytes, request: SignedRequest, parsed: object = None) -> Outcome:
    """``inbox.receive`` for the event loop: the same checks and answers."""
    try:
        checked = check(body, request, parsed, io=False)
    except (WouldBlock, SynchronousOnlyOperation):
        return await _receive_in_thread(body, request, parsed)
    except Exception:  # a bug must not become a 500
        log.exception("inbox could not process an activity")
        return UNPROCESSABLE
    if isinstance(checked, Outcome):
        return checked
    outcome = await group_store().store(checked)
    if getattr(settings, "FEDERATION_INBOX_APPLY_AT_ONCE", False):
        await _in_thread(apply_at_once)()
    return outcome
