"""URL converters that replace Werkzeug's defaults for every route of the app."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: The largest id of uxlab's tables that a URL names: their primary keys are INTEGER, 32-bit on
#: PostgreSQL (which refuses a larger parameter: "integer out of range"), and SQLite refuses
#: anything past 64 bits. A route over a BIGINT key would say ``<int(max=…):…>``.
MAX_ID = 2**31 - 1


class DatabaseIntegerConverter(IntegerConverter):
    """``<int:…>`` limited to what an id can be, so ``/attempts/9223372036854775808`` is a 404
    (no such page) rather than a database error (a 500) in the view."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)
