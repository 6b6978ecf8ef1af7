"""The registry of actions that earn points; apps register theirs from AppConfig.ready()."""

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
