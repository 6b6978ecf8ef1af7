"""The event types an endpoint can subscribe to; apps register theirs from AppConfig.ready():

    register_event_type("rsvp.confirmed", _("An RSVP is confirmed (a seat is taken)"))

``emit()`` refuses a type nobody registered: that is a programming error, not a runtime one.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    code: str  # noun.verb in the past tense, as Standard Webhooks and most APIs name them
    label: str


_types: dict[str, EventType] = {}


def register_event_type(code: str, label) -> EventType:
    event_type = EventType(code=code, label=label)
    _types[code] = event_type
    return event_type


def get_event_type(code: str) -> EventType:
    try:
        return _types[code]
    except KeyError:
        raise LookupError(f"webhook event type {code!r} is not registered") from None


def all_event_types() -> list[EventType]:
    return sorted(_types.values(), key=lambda t: t.code)


def event_type_choices() -> list[tuple[str, str]]:
    return [(t.code, f"{t.code} — {t.label}") for t in all_event_types()]
