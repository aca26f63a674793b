class RuleError(Exception):
    """A request the garden's rules do not allow. The message is shown to the person;
    the status is what the API answers (400 bad input, 403 forbidden, 409 conflict)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = str(message)
        self.status = status


# --- the one shape of every error the API answers (docs/api.md) ------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "title": "Error",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for a person to read."},
        "fields": {
            "type": "array",
            "description": "422 only: each refused input, where it was and why.",
            "items": {
                "type": "object",
                "title": "FieldError",
                "properties": {
                    "in": {"type": "string", "enum": ["body", "query", "path", "file", "form"]},
                    "field": {"type": "string", "description": "dotted, e.g. items.0.name"},
                    "message": {"type": "string"},
                },
                "required": ["in", "field", "message"],
            },
        },
    },
    "required": ["detail"],
}


def field_errors(errors: list[dict]) -> list[dict]:
    """Ninja's validation errors as {"in", "field", "message"}, the parameter name dropped
    from body locations (``("body", "payload", "title")`` is the body's ``title``)."""
    out = []
    for error in errors:
        location, *path = [str(part) for part in error.get("loc", ())] or ["body"]
        if location == "body" and path:
            path = path[1:]
        out.append(
            {
                "in": location,
                "field": ".".join(path),
                "message": str(error.get("msg", "Invalid value.")).removeprefix("Value error, "),
            }
        )
    return out


def validation_error_body(errors: list[dict]) -> dict:
    fields = field_errors(errors)
    named = "; ".join(
        f"{f['field'] + ' (' + f['in'] + ')' if f['field'] else 'the ' + f['in']}: {f['message']}"
        for f in fields
    )
    return {"detail": f"Invalid input: {named}", "fields": fields}
