"""Hypothesis strategies for hostile input: any JSON, schema-shaped bodies, and mutations."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# Strings that have broken real servers: NUL (PostgreSQL refuses it), lone surrogates,
# right-to-left marks, very long text, markup and SQL.
NASTY_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\ud800",
        "\u202e",
        "x" * 10_000,
        "<script>alert(1)</script>",
        "'; DROP TABLE members_membership; --",
        "../../etc/passwd",
        "https://evil.example/actor",
        "9" * 400,
        "2026-02-30",
        "2026-13-01T25:61:00Z",
        "NaN",
        "-1",
    ]
)
NASTY_NUMBERS = st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1, 2**200, 1e308, -1e-308])

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | NASTY_NUMBERS
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50)
    | NASTY_STRINGS
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def from_schema(schema: dict, components: dict, depth: int = 0) -> st.SearchStrategy:
    """Values shaped like the schema (mostly valid): enough to get past validation."""
    schema = _resolve(schema, components)
    if depth > 4:
        return st.none()
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return st.one_of([from_schema(s, components, depth + 1) for s in schema[combinator]])
    if "allOf" in schema:
        return from_schema(schema["allOf"][0], components, depth + 1)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {
                k: from_schema(v, components, depth + 1)
                for k, v in properties.items()
                if k in required
            },
            optional={
                k: from_schema(v, components, depth + 1)
                for k, v in properties.items()
                if k not in required
            },
        )
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), components, depth + 1), max_size=3)
    if kind == "integer":
        return st.integers(
            min_value=schema.get("minimum", -(2**31)), max_value=schema.get("maximum", 2**31)
        )
    if kind == "number":
        return st.floats(
            min_value=schema.get("minimum", -1e6),
            max_value=schema.get("maximum", 1e6),
            allow_nan=False,
        )
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return st.datetimes().map(lambda d: d.isoformat() + "Z")
        if fmt == "date":
            return st.dates().map(lambda d: d.isoformat())
        if fmt == "time":
            return st.times().map(lambda t: t.isoformat())
        return st.text(
            min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 40), 200)
        )
    if kind == "null":
        return st.none()
    return json_values


@st.composite
def mutated(draw, base: st.SearchStrategy) -> Any:
    """A plausible body, then broken in one or more ways."""
    body = draw(base)
    if not isinstance(body, dict):
        return draw(json_values)
    body = dict(body)
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["drop", "replace", "add", "nasty", "wrap"]))
        keys = sorted(body)
        if action == "drop" and keys:
            body.pop(draw(st.sampled_from(keys)))
        elif action == "replace" and keys:
            body[draw(st.sampled_from(keys))] = draw(json_values)
        elif action == "nasty" and keys:
            body[draw(st.sampled_from(keys))] = draw(NASTY_STRINGS | NASTY_NUMBERS)
        elif action == "add":
            body[draw(st.text(max_size=12))] = draw(json_values)
        elif action == "wrap" and keys:
            key = draw(st.sampled_from(keys))
            body[key] = [body[key]] if draw(st.booleans()) else {"value": body[key]}
    return body


RAW_BODIES = st.sampled_from(
    [
        b"",
        b"{",
        b"[]",
        b"null",
        b'"text"',
        b"{'single': 'quotes'}",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b"\xff\xfe\x00",
        b'{"a": 1, "a": 2}',
        b"[" * 5000 + b"]" * 5000,
        b'{"a": "' + b"x" * 200_000 + b'"}',
    ]
) | st.binary(max_size=200)


def encode(body: Any) -> bytes:
    # surrogatepass: lone surrogates are part of the hostile input, not a test failure.
    return json.dumps(body).encode("utf-8", "surrogatepass")
