"""Every URL the node answers: named page URLs from the URL conf, operations from the API schema.

The authorisation matrix and the CSRF test are generated from these lists, so a URL added
anywhere shows up here at once and fails until someone declares who may use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

# Ninja's operations are covered from its OpenAPI schemas (v1 and v2), not as URL names.
API_NAMESPACES = ("api", "api-v2")
API_PAGES = {
    f"{namespace}:{page}"
    for namespace in API_NAMESPACES
    for page in ("openapi-json", "openapi-view", "api-root")
}


@dataclass(frozen=True)
class PageUrl:
    name: str  # "namespace:name", or the route itself for an unnamed pattern
    route: str
    converters: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def kwarg_names(self) -> list[str]:
        return list(self.converters)


def _converters(pattern) -> dict:
    converters = dict(getattr(pattern, "converters", {}) or {})
    regex = getattr(pattern, "regex", None)
    if not converters and regex is not None:
        converters = dict.fromkeys(regex.groupindex, None)
    return converters


def _walk(patterns, namespace: str, route: str, converters: dict):
    for pattern in patterns:
        here_route = route + str(pattern.pattern)
        here_converters = {**converters, **_converters(pattern.pattern)}
        if isinstance(pattern, URLResolver):
            ns = namespace + (pattern.namespace + ":" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, ns, here_route, here_converters)
        elif isinstance(pattern, URLPattern):
            name = namespace + pattern.name if pattern.name else here_route
            yield PageUrl(name, here_route, here_converters)


def page_urls() -> list[PageUrl]:
    """Every URL pattern except the API's operations, deduplicated by name."""
    seen: dict[str, PageUrl] = {}
    for url in _walk(get_resolver().url_patterns, "", "/", {}):
        if url.name.partition(":")[0] in API_NAMESPACES and url.name not in API_PAGES:
            continue
        seen.setdefault(url.name, url)
    return sorted(seen.values(), key=lambda url: url.name)


@dataclass(frozen=True)
class ApiOperation:
    method: str  # upper case
    path: str  # as in the schema, "/api/v1/plots/{plot_id}"
    operation: dict = field(compare=False, hash=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def url(self, kwargs: dict) -> str:
        return re.sub(r"{(\w+)}", lambda m: str(kwargs[m.group(1)]), self.path)


def openapi_schema(version: int = 2) -> dict:
    from garden import api

    return {1: api.v1, 2: api.v2}[version].get_openapi_schema()


def api_operations(versions: tuple[int, ...] = (1, 2)) -> list[ApiOperation]:
    operations = []
    for version in versions:
        for path, methods in openapi_schema(version)["paths"].items():
            for method, operation in methods.items():
                operations.append(ApiOperation(method.upper(), path, operation))
    return sorted(operations, key=lambda op: op.key)


def write_operations(versions: tuple[int, ...] = (1, 2)) -> list[ApiOperation]:
    writes = {"POST", "PUT", "PATCH", "DELETE"}
    return [op for op in api_operations(versions) if op.method in writes]
