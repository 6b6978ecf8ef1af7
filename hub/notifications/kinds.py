"""The registry of notification kinds; apps register the kinds they send from AppConfig.ready()."""

from dataclasses import dataclass

INAPP = "inapp"
EMAIL = "email"
OFF = "off"
CHANNEL_CHOICES = [INAPP, EMAIL, OFF]


@dataclass(frozen=True)
class Kind:
    code: str  # app.noun.verb in the past tense, e.g. "community.reply.created"
    label: str
    default_channel: str = INAPP
    description: str = ""


_kinds: dict[str, Kind] = {}


def register_kind(code: str, label, *, default_channel: str = INAPP, description="") -> Kind:
    if default_channel not in CHANNEL_CHOICES:
        raise ValueError(f"unknown channel {default_channel!r} for {code}")
    kind = Kind(code=code, label=label, default_channel=default_channel, description=description)
    _kinds[code] = kind
    return kind


def get_kind(code: str) -> Kind:
    try:
        return _kinds[code]
    except KeyError:
        raise LookupError(f"notification kind {code!r} is not registered") from None


def all_kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda k: k.code)
