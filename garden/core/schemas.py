"""How the API declares its input, so the schema says exactly what the server enforces.

docs/api.md describes the conventions for clients; this module is them for the code:

- ``Input`` is the base of every JSON request body: an object with only the documented
  fields (``additionalProperties: false``); an array, a string or an unknown field is a 422.
- ``of(Model, "field")`` is a field's type with the limits the model (and so the forms and
  the federation inbox) already define: ``max_length``, non-blank → ``minLength: 1``,
  ``choices`` → an ``enum``, ``Min/MaxValueValidator`` → ``minimum``/``maximum``, a
  ``DecimalField``'s digits. One definition of each limit, the model's.
- ``Date``, ``DateTime``, ``Bool``, ``Int``, ``Number``: scalars that accept what their JSON
  Schema type says and nothing else (pydantic would otherwise take ``0`` for a date, ``"1"``
  for a boolean in a body, or ``"12"`` for an integer).
- ``optional()``: a field a client may leave out but not send as ``null``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.core import validators as django_validators
from django.db import models
from django.db.models.fields import PositiveIntegerRelDbTypeMixin
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, Strict, WithJsonSchema

# The largest integer every database here stores (PostgreSQL bigint); ids and counts.
MAX_INT = 2**63 - 1
MAX_ID = MAX_INT


class Input(Schema):
    """A JSON request body: an object holding only the fields the schema documents."""

    model_config = ConfigDict(extra="forbid")


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(**kwargs: Any) -> Any:
    """A body field that may be left out (it then keeps its value) but is never ``null``."""
    return Field(None, json_schema_extra=_no_default, **kwargs)


# --- scalars --------------------------------------------------------------------------------

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})?"
)


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        return value
    raise ValueError("Enter a date as YYYY-MM-DD.")


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATETIME.fullmatch(value):
        return value
    raise ValueError("Enter a date and time as YYYY-MM-DDTHH:MM:SS+01:00 (RFC 3339).")


def _bool_word(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError("Enter true or false.")


Date = Annotated[dt.date, BeforeValidator(_iso_date)]
DateTime = Annotated[dt.datetime, BeforeValidator(_iso_datetime)]
# In a query string a boolean is the word true or false; in a JSON body, true or false.
Bool = Annotated[bool, BeforeValidator(_bool_word)]
StrictBool = Annotated[bool, Strict()]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _json_integer(value: Any) -> Any:
    # JSON Schema counts 3.0 as an integer; a string or a boolean is not one.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("Enter a whole number.")
    return value


def Int(ge: int = 0, le: int = MAX_INT, *, body: bool = True) -> Any:  # noqa: N802
    """An integer within [ge, le]; in a body only a JSON integer (3 or 3.0, not "3")."""
    bounds = Field(ge=ge, le=le)
    if not body:  # a query string's "3"
        return Annotated[int, bounds]
    return Annotated[int, bounds, BeforeValidator(_json_integer)]


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("Enter a number.")
    return value


BodyId = Int(1, MAX_ID)


def Number(ge: float | None = None, le: float | None = None, *, body: bool = True) -> Any:  # noqa: N802
    """A finite number within [ge, le]; in a body only a JSON number (an integer is one)."""
    bounds = Field(ge=ge, le=le, allow_inf_nan=False)
    if not body:  # a query string's "2.5"
        return Annotated[float, bounds]
    return Annotated[float, bounds, BeforeValidator(_number)]


def _decimal_parser(places: int, ge: Decimal | None, le: Decimal | None):
    step = Decimal(1).scaleb(-places)

    def parse(value: Any) -> Decimal:
        # Numbers as JSON numbers; a decimal string ("2.5") is still read, as before.
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise ValueError("Enter a number.")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("Enter a finite number.")
        if isinstance(value, str) and not re.fullmatch(r"-?\d{1,12}(\.\d{1,12})?", value):
            raise ValueError("Enter a number.")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError("Enter a number.") from None
        if ge is not None and number < ge:
            raise ValueError(f"Enter a number of at least {ge}.")
        if le is not None and number > le:
            raise ValueError(f"Enter a number of at most {le}.")
        return number.quantize(step, rounding=ROUND_HALF_UP)

    return parse


def DecimalNumber(places: int, ge: Decimal | None = None, le: Decimal | None = None) -> Any:  # noqa: N802
    """A JSON number within [ge, le], stored rounded to ``places`` decimal places."""
    schema: dict[str, Any] = {"type": "number"}
    if ge is not None:
        schema["minimum"] = float(ge)
    if le is not None:
        schema["maximum"] = float(le)
    return Annotated[
        Decimal,
        BeforeValidator(_decimal_parser(places, ge, le)),
        WithJsonSchema(schema),
    ]


# --- limits from the models -----------------------------------------------------------------


def _bounds(field: models.Field) -> tuple[Any, Any]:
    ge = le = None
    for validator in field.validators:
        if isinstance(validator, django_validators.MinValueValidator):
            ge = validator.limit_value
        elif isinstance(validator, django_validators.MaxValueValidator):
            le = validator.limit_value
    return ge, le


def _decimal_limit(field: models.DecimalField) -> Decimal:
    digits = field.max_digits - field.decimal_places
    return Decimal(10**digits) - Decimal(1).scaleb(-field.decimal_places)


def choices_of(model: type[models.Model], name: str) -> Any:
    """``Literal`` of a field's choices: an ``enum`` in the schema."""
    field = model._meta.get_field(name)
    values = tuple(value for value, _label in field.flatchoices if value != "")
    return Literal[values]


def of(model: type[models.Model], name: str, *, blank: bool | None = None) -> Any:
    """The type of ``model.name`` in a request, with the model's limits.

    ``blank`` overrides the model's ``blank`` (an API may demand what a form leaves open)."""
    field = model._meta.get_field(name)
    allow_blank = field.blank if blank is None else blank
    if field.choices:
        choice = choices_of(model, name)
        if isinstance(field, models.IntegerField):
            # JSON's false and true equal 0 and 1 in Python: only JSON integers are choices.
            choice = Annotated[choice, BeforeValidator(_json_integer)]
        return choice | Literal[""] if allow_blank else choice
    if isinstance(field, models.CharField | models.TextField):
        if django_validators.validate_email in field.validators or isinstance(
            field, models.EmailField
        ):
            return Annotated[
                str, Field(max_length=field.max_length, json_schema_extra={"format": "email"})
            ]
        if any(getattr(v, "__name__", "") == "validate_timezone" for v in field.validators):
            return Literal[tuple(sorted(zoneinfo.available_timezones()))]
        return Annotated[
            str, Strict(), Field(min_length=0 if allow_blank else 1, max_length=field.max_length)
        ]
    if isinstance(field, models.DecimalField):
        ge, le = _bounds(field)
        limit = _decimal_limit(field)
        return DecimalNumber(
            field.decimal_places,
            ge if ge is not None else -limit,
            min(le, limit) if le is not None else limit,
        )
    if isinstance(field, models.FloatField):
        return Number(*_bounds(field))
    if isinstance(field, models.BooleanField):
        return StrictBool
    if isinstance(field, models.IntegerField):
        ge, le = _bounds(field)
        if isinstance(field, models.PositiveSmallIntegerField | models.SmallIntegerField):
            high = 32767
        elif isinstance(field, models.BigIntegerField):
            high = MAX_INT
        else:
            high = 2**31 - 1
        floor = 0 if isinstance(field, PositiveIntegerRelDbTypeMixin) else -high
        return Int(ge if ge is not None else floor, le if le is not None else high)
    if isinstance(field, models.DateTimeField):
        return DateTime
    if isinstance(field, models.DateField):
        return Date
    raise TypeError(f"No API type for {model.__name__}.{name} ({type(field).__name__})")


# --- answers: texts with a format ------------------------------------------------------------

# An ISO 8601 / RFC 3339 timestamp written by the view (``value.isoformat()``).
DateTimeText = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
# An absolute URL.
UriText = Annotated[str, Field(json_schema_extra={"format": "uri"})]
