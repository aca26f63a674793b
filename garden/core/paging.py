"""API paging: Ninja's limit/offset, and the lists that changed shape from v1 to v2.

In /api/v2/ every list is paged (``limit``/``offset`` → ``{"items", "count"}``). Some lists
of /api/v1/ answered a plain JSON array; v1 keeps answering them so, marked deprecated
(docs/api.md, "Versions"). Such a list's query is written once and registered with
``VersionedLists.get``: as the v1 array on ``legacy`` (mounted in v1 only) and as the v2 page
on ``paged`` (mounted in v2 only). garden/api.py mounts them.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import wraps
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination, paginate

# SQLite refuses a larger OFFSET ("datatype mismatch"), PostgreSQL one past bigint; either
# became a 500. No list here comes near it.
MAX_OFFSET = 2**31 - 1
MAX_LIMIT = 500

LEGACY_NAMESPACE = "api"  # /api/v1/
CURRENT_NAMESPACE = "api-v2"  # /api/v2/
# RFC 9745: the moment v1's array lists were deprecated, the day v2 was introduced.
DEPRECATED_SINCE = datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)
DEPRECATION = f"@{int(DEPRECATED_SINCE.timestamp())}"


class CappedLimitOffset(LimitOffsetPagination):
    """v1's paging: a ``limit`` above 500 is read as 500, as it always was."""

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class LimitOffset(CappedLimitOffset):
    """v2's paging: the schema says ``limit`` is at most 500, and a larger one is a 422."""

    class Input(CappedLimitOffset.Input):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT)


class Mapped(Sequence):
    """A queryset (or list) shown through ``out``, converted a slice at a time: a page
    converts only its own rows, and ``len`` is a ``COUNT``."""

    def __init__(self, rows: Any, out: Callable[[Any], Any]) -> None:
        self.rows = rows
        self.out = out

    def __len__(self) -> int:
        return self.rows.count() if isinstance(self.rows, QuerySet) else len(self.rows)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self.out(row) for row in self.rows[index]]
        return self.out(self.rows[index])

    def __iter__(self) -> Iterator[Any]:
        return (self.out(row) for row in self.rows)


def successor_url(request: HttpRequest) -> str:
    """The same request in /api/v2/: the paths below the API root are the same."""
    legacy = reverse(f"{LEGACY_NAMESPACE}:api-root")
    current = reverse(f"{CURRENT_NAMESPACE}:api-root")
    url = current + request.path.removeprefix(legacy)
    return f"{url}?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else url


def announce_successor(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every answer of a deprecated operation says so and names its successor (RFC 9745,
    RFC 8288)."""

    @wraps(run)
    def run_and_announce(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = run(request, *args, **kwargs)
        response.headers["Deprecation"] = DEPRECATION
        response.headers["Link"] = f'<{successor_url(request)}>; rel="successor-version"'
        return response

    return run_and_announce


class VersionedLists:
    """One app's lists: each query is registered for v1 (``routers(1)``: an array, or a page
    if v1 already paged it) and for v2 (``routers(2)``: a page)."""

    def __init__(self, tags: list[str] | None = None) -> None:
        self.deprecated = Router(tags=tags)
        self.deprecated.add_decorator(announce_successor, mode="view")
        self.legacy_paged = Router(tags=tags)
        self.paged = Router(tags=tags)

    def routers(self, version: int) -> list[Router]:
        return [self.deprecated, self.legacy_paged] if version == 1 else [self.paged]

    def get(
        self,
        path: str,
        item: type,
        *,
        errors: dict[int, type] | None = None,
        paged_in_v1: bool = False,
        legacy_limit: int | None = None,
        **options: Any,
    ) -> Callable[[Callable[..., Iterable]], Callable[..., Iterable]]:
        """Register ``query(request, …)`` — returning the list's items in order, or a
        ``Mapped`` queryset — as ``GET path``. In v1 it answers a (deprecated) array of at
        most ``legacy_limit`` items, unless v1 already paged it (``paged_in_v1``)."""
        response = {200: list[item], **(errors or {})}

        def register(query: Callable[..., Iterable]) -> Callable[..., Iterable]:
            @wraps(query)
            def as_array(request: HttpRequest, **kwargs: Any) -> list:
                items = query(request, **kwargs)
                return list(items if legacy_limit is None else items[:legacy_limit])

            if paged_in_v1:
                legacy = self.legacy_paged.get(path, response=response, **options)
                legacy(paginate(CappedLimitOffset)(query))
            else:
                legacy = self.deprecated.get(path, response=response, deprecated=True, **options)
                legacy(as_array)
            self.paged.get(path, response=response, **options)(paginate(LimitOffset)(query))
            return query

        return register
