"""The registries of actions that earn points and of referral conditions; apps register theirs
from AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    code: str  # app.noun.verb in the past tense, e.g. "community.post.created"
    label: str
    default_points: int


_actions: dict[str, Action] = {}


def register_action(code: str, label, *, default_points: int) -> Action:
    action = Action(code=code, label=label, default_points=default_points)
    _actions[code] = action
    return action


def get_action(code: str) -> Action:
    try:
        return _actions[code]
    except KeyError:
        raise LookupError(f"points action {code!r} is not registered") from None


def all_actions() -> list[Action]:
    return sorted(_actions.values(), key=lambda a: a.code)


@dataclass(frozen=True)
class ReferralCondition:
    """Something a referred member must have done before their referral qualifies, checked by
    the part of the hub that knows (the shop: "a first paid order")."""

    code: str
    label: str
    met: Callable[[object], bool]  # met(user) -> bool


_conditions: dict[str, ReferralCondition] = {}


def register_referral_condition(code: str, label, *, met) -> ReferralCondition:
    condition = ReferralCondition(code=code, label=label, met=met)
    _conditions[code] = condition
    return condition


def get_referral_condition(code: str) -> ReferralCondition | None:
    return _conditions.get(code)


def all_referral_conditions() -> list[ReferralCondition]:
    return sorted(_conditions.values(), key=lambda c: c.code)
