"""The scopes an API key can be given; apps register theirs from AppConfig.ready().

    register_scope("events:read", _("List events and their RSVPs"))

A scope is ``resource:verb``; every endpoint names the one scope it needs, and a key without it
is refused with 403.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    code: str
    label: str


_scopes: dict[str, Scope] = {}


def register_scope(code: str, label) -> Scope:
    scope = Scope(code=code, label=label)
    _scopes[code] = scope
    return scope


def all_scopes() -> list[Scope]:
    return sorted(_scopes.values(), key=lambda s: s.code)


def scope_choices() -> list[tuple[str, str]]:
    return [(s.code, f"{s.code} — {s.label}") for s in all_scopes()]


def is_scope(code: str) -> bool:
    return code in _scopes
