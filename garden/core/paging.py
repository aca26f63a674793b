"""API paging: Ninja's limit/offset, with an offset every database accepts."""

from ninja import Field
from ninja.pagination import LimitOffsetPagination

# SQLite refuses a larger OFFSET ("datatype mismatch"), PostgreSQL one past bigint; either
# became a 500. No list here comes near it.
MAX_OFFSET = 2**31 - 1


class LimitOffset(LimitOffsetPagination):
    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
