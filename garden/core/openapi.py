"""Document the errors every operation can answer, so the schema tells clients the truth.

Apps declare their own outcomes (200, 201, 400, 409 …); the ones that come from the
framework around them are added here to every operation that can meet them: 401 without
credentials, 403 when the caller's role does not allow it, 404 for an unknown id, 422
when ninja's validation refuses the input, and 503 while the database is unreachable.
"""

from typing import Any

from ninja import NinjaAPI

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "title": "Error",
}
VALIDATION_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "array", "items": {"type": "object"}}},
    "required": ["detail"],
    "title": "ValidationError",
}


def _response(description: str, schema_name: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def document_common_errors(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR)
    components.setdefault("ValidationError", VALIDATION_ERROR)
    for path, methods in schema.get("paths", {}).items():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            common = {}
            if operation.get("security"):
                common["401"] = _response("Not authenticated", "Error")
                common["403"] = _response("Not allowed for this account", "Error")
            if "{" in path:
                common["404"] = _response("No such object", "Error")
            if operation.get("requestBody") or operation.get("parameters"):
                common["400"] = _response("The input breaks a rule or is not JSON", "Error")
                common["422"] = _response("The input is not valid", "ValidationError")
            common["503"] = _response("The database is not answering; retry later", "Error")
            for status, response in common.items():
                responses.setdefault(status, response)
    return schema


class AllmendeAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return document_common_errors(super().get_openapi_schema(*args, **kwargs))
