"""The ``<id:…>`` path converter: a database id, or no match (404) for digits no row can have.

Django's ``<id:…>`` takes any run of digits, and a value above 2**63 - 1 then reaches the
database, where SQLite raises OverflowError and PostgreSQL an out-of-range error: a 500 for a
mistyped or hostile address. Every id in the project's URLs (and its WebSocket routes) uses
``<id:…>`` instead, registered by ``HubConfig.ready()``.
"""

from django.urls import register_converter

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("no row has this id")  # the URL does not match: 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def parse_id(value) -> int | None:
    """``value`` (from a query string, a form or a JSON message) as an id a row can have, or
    None: ``"²"`` (a digit to ``str.isdigit``, not to ``int``), ``"-1"``, ``True``, ``1.5``,
    ``Infinity`` and numbers beyond 2**63 - 1 are not ids."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_ID:
        return value
    return None


def register() -> None:
    register_converter(IdConverter, "id")
