"""The registry of notification kinds; apps register the kinds they send from AppConfig.ready()."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

INAPP = "inapp"
EMAIL = "email"
OFF = "off"
# On the site, and e-mailed in the member's daily summary rather than within minutes.
DIGEST = "digest"
CHANNEL_CHOICES = [INAPP, EMAIL, DIGEST, OFF]


# The preferences page groups kinds by the first part of their code, in this order; a kind
# whose app is not listed falls under "Account and site".
AREAS = [
    ("community", _("Forum and comments")),
    ("feedback", _("Reviews and ideas")),
    ("events", _("Events")),
    ("rewards", _("Points and rewards")),
    ("shop", _("Orders")),
    ("other", _("Account and site")),
]
AREA_LABELS = dict(AREAS)


@dataclass(frozen=True)
class Kind:
    code: str  # app.noun.verb in the past tense, e.g. "community.reply.created"
    label: str
    default_channel: str = INAPP
    description: str = ""

    @property
    def area(self) -> str:
        prefix = self.code.split(".", 1)[0]
        return prefix if prefix in AREA_LABELS and prefix != "other" else "other"


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


def kinds_by_area() -> list[tuple[str, str, list[Kind]]]:
    """(area key, label, its kinds) for every area that has a kind, in AREAS order."""
    kinds = all_kinds()
    return [
        (key, label, [k for k in kinds if k.area == key])
        for key, label in AREAS
        if any(k.area == key for k in kinds)
    ]
