"""Complete the schema ninja builds, so it tells clients (and generated code) the truth.

Apps declare their own outcomes (200, 201, 202, 204 …). What comes from the conventions
around them is added here to every operation, new ones included (docs/api.md):

- the error answers an operation can meet, each with the one ``Error`` body: 401 without
  credentials and 403 for a role that may not (secured operations), 404 for an unknown id
  (a path parameter), 400 for a body that is not JSON, 422 for input the schema refuses and
  409 for input the garden's rules refuse now (operations with input), 429 where a rate
  limit applies (ratelimit.RATE_LIMITED_VIEWS), 503 while the database is unreachable;
- OpenAPI ``links`` from every operation that creates something (an answer with an ``id``)
  to the operations that take that id in their path, so clients and the stateful fuzzer can
  follow them: ``POST /offers`` → ``/offers/{offer_id}…``, ``POST /offers/{offer_id}/claims``
  → ``/claims/{claim_id}…``; and to the operations that name an object by kind and id
  (``POST /proposals`` → ``/threads/proposal/{object_id}/messages``);
- the ``Deprecation`` and ``Link`` headers of a deprecated operation's answer (v1's array
  lists, garden.core.paging).
"""

import json
import re
from typing import Any

from ninja import NinjaAPI
from ninja.router import BoundRouter
from ninja.utils import normalize_path, replace_path_param_notation

from .errors import ERROR_SCHEMA
from .paging import DEPRECATION

ERROR_REF = "#/components/schemas/Error"
DETAIL_REF = "#/components/schemas/Detail"
WRITE_METHODS = {"post", "put", "patch", "delete"}


def rate_limited_paths() -> set[str]:
    """The API paths a rate limit counts: the named views of garden/core/ratelimit.py."""
    from django.urls import NoReverseMatch, reverse

    from .ratelimit import RATE_LIMITED_VIEWS

    paths = set()
    for name in RATE_LIMITED_VIEWS:
        try:
            paths.add(reverse(name))
        except NoReverseMatch:
            continue  # not a URL without parameters (or not in this build)
    return paths


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
    }


def _common_errors(path: str, method: str, operation: dict, limited: set[str]) -> dict[str, dict]:
    common = {}
    has_input = bool(operation.get("requestBody") or operation.get("parameters"))
    body = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in body:
        # daphne's HTTP layer (twisted) answers an unparsable multipart body itself, before
        # the application sees it: a bare 400 without a body.
        common["400"] = {"description": "The multipart body cannot be parsed (no body)"}
    elif body:
        common["400"] = _error("The body is not JSON (or not the declared content type)")
    if operation.get("security"):
        common["401"] = _error("Not authenticated: send a Bearer token or a session")
        common["403"] = _error("Not allowed for this account's role")
    if "{" in path:
        common["404"] = _error("No such object")
    if has_input or method in WRITE_METHODS:
        common["409"] = _error("Well-formed, but the garden's rules or its current state refuse it")
    if has_input:
        common["422"] = _error("The input does not fit the schema; `fields` names each one")
    if path in limited and method in WRITE_METHODS:
        common["429"] = _error("Too many requests; retry after the Retry-After header's seconds")
    common["503"] = _error("The database is not answering; nothing was stored, retry later")
    return common


def _drop_null_from_parameters(operation: dict) -> None:
    """A query parameter is left out, never null: ``X | None`` becomes plain ``X``."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        variants = schema.get("anyOf")
        if variants and {"type": "null"} in variants:
            rest = [v for v in variants if v != {"type": "null"}]
            schema.pop("anyOf")
            if len(rest) == 1:
                schema.update(rest[0])
            else:
                schema["anyOf"] = rest


def document_common_errors(schema: dict[str, Any]) -> dict[str, Any]:
    # Apps' own ``Detail`` answers are the same shape as ``Error``: one name for all.
    schema = json.loads(json.dumps(schema).replace(DETAIL_REF, ERROR_REF))
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    limited = rate_limited_paths()
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            _drop_null_from_parameters(operation)
            responses = operation.setdefault("responses", {})
            for status, response in _common_errors(path, method, operation, limited).items():
                if status not in responses or _is_error(responses[status]):
                    responses[status] = response
    components.pop("Detail", None)
    return schema


SUCCESSOR_HEADERS = {
    "Deprecation": {
        "description": "When this operation was deprecated (RFC 9745: @ and Unix seconds)",
        "required": True,
        "schema": {"type": "string", "const": DEPRECATION},
    },
    "Link": {
        "description": 'The same request in the next version: `<url>; rel="successor-version"`',
        "required": True,
        "schema": {"type": "string", "pattern": 'rel="successor-version"'},
    },
}


def document_successors(schema: dict[str, Any]) -> dict[str, Any]:
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            success = operation.get("responses", {}).get("200")
            if operation.get("deprecated") and success is not None:
                success.setdefault("headers", {}).update(SUCCESSOR_HEADERS)
    return schema


def _is_error(response: dict) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref") == ERROR_REF


def _created_ref(operation: dict, components: dict) -> bool:
    """Does a success answer of this operation carry the created object's ``id``?"""
    for status in ("201", "202", "200"):
        content = operation.get("responses", {}).get(status, {}).get("content", {})
        ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
        if ref and "id" in components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}):
            return True
    return False


def _collection(path: str) -> str | None:
    """The collection a POST adds to: the path's last segment, if it is not a parameter."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return None if last.startswith("{") else last


def _kind_parameters(collection: str, path: str, operation: dict) -> dict[str, str] | None:
    """Link parameters for a path naming an object by kind and id (``/threads/{kind}/
    {object_id}/…``) when the kind's enum holds this collection's singular ("proposal")."""
    match = re.search(r"/\{(\w+)\}/\{(\w+)\}", path)
    if not match:
        return None
    kinds = next(
        (
            p.get("schema", {}).get("enum", [])
            for p in operation.get("parameters", [])
            if p.get("in") == "path" and p.get("name") == match[1]
        ),
        [],
    )
    kind = collection.removesuffix("s")
    return {match[1]: kind, match[2]: "$response.body#/id"} if kind in kinds else None


def add_links(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.get("components", {}).get("schemas", {})
    operations = [
        (path, method, operation)
        for path, methods in schema.get("paths", {}).items()
        for method, operation in methods.items()
    ]
    for path, method, operation in operations:
        collection = _collection(path)
        if method != "post" or not collection or not _created_ref(operation, components):
            continue
        source_params = set(re.findall(r"\{(\w+)\}", path))
        links = {}
        for target_path, target_method, target in operations:
            if target_path == path or "operationId" not in target:
                continue
            match = re.search(rf"/{re.escape(collection)}/\{{(\w+)\}}", target_path)
            if match:
                parameters = {match[1]: "$response.body#/id"}
            else:
                parameters = _kind_parameters(collection, target_path, target)
                if parameters is None:
                    continue
            for name in re.findall(r"\{(\w+)\}", target_path):
                if name not in parameters and name in source_params:
                    parameters[name] = f"$request.path.{name}"
            if set(re.findall(r"\{(\w+)\}", target_path)) - set(parameters):
                continue  # the target needs an id this answer does not give
            links[target["operationId"]] = {
                "operationId": target["operationId"],
                "parameters": parameters,
                "description": f"{target_method.upper()} {target_path} with the new id",
            }
        if links:
            for status in ("201", "202", "200"):
                if status in operation.get("responses", {}):
                    operation["responses"][status]["links"] = links
    return schema


def merge_shared_paths(bound_routers: list[BoundRouter]) -> None:
    """Ninja makes a URL pattern per router and path, and Django answers a path with its
    first pattern: a second router's methods on the same path (v1's array ``GET /offers``
    beside ``POST /offers``) would answer 405. So the first router's view of a path takes
    the operations of every later one."""
    views = {}
    for router in bound_routers:
        for path, view in list(router.path_operations.items()):
            route = normalize_path(f"{router.prefix}/{replace_path_param_notation(path)}")
            first = views.setdefault(route, view)
            if first is not view:
                first.operations.extend(view.operations)
                first.is_async = first.is_async or view.is_async
                del router.path_operations[path]


class AllmendeAPI(NinjaAPI):
    """Routers may share a path; the schema is built once per process: the routes do not
    change while it runs."""

    _schemas: dict[str, dict[str, Any]]

    def _get_bound_routers(self) -> list[BoundRouter]:
        unbound = self._bound_routers_cache is None
        bound_routers = super()._get_bound_routers()
        if unbound:
            merge_shared_paths(bound_routers)
        return bound_routers

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        key = repr((args, sorted(kwargs.items())))
        cache = self.__dict__.setdefault("_schemas", {})
        if key not in cache:
            schema = super().get_openapi_schema(*args, **kwargs)
            cache[key] = document_successors(add_links(document_common_errors(schema)))
        return json.loads(json.dumps(cache[key]))
