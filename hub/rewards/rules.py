"""The points rules and badge triggers award() reads on every call, kept in the process.

Editors change rules and badges now and then; members earn points all the time. So each process
keeps one snapshot of them and asks the shared cache only for its generation, a token that saving
a rule or a badge deletes (at once, and again once the change commits). The next award() in every
process then finds a new generation and reloads the snapshot: two queries, once per change.
"""

import uuid
from dataclasses import dataclass

from django.core.cache import cache

from .actions import get_action
from .models import GENERATION_KEY, Badge, RewardRule


@dataclass(frozen=True)
class Rule:
    action: str
    points: int
    daily_cap: int | None
    enabled: bool


@dataclass(frozen=True)
class _Snapshot:
    generation: str
    rules: dict[str, Rule]
    badge_actions: frozenset[str]  # actions some badge counts


_snapshot: _Snapshot | None = None


def _current() -> _Snapshot:
    global _snapshot
    generation = cache.get(GENERATION_KEY)
    snapshot = _snapshot
    if snapshot is not None and generation is not None and snapshot.generation == generation:
        return snapshot
    if generation is None:
        generation = uuid.uuid4().hex
        if not cache.add(GENERATION_KEY, generation, None):
            generation = cache.get(GENERATION_KEY) or generation  # another process was first

    rules = {
        r.action: Rule(r.action, r.points, r.daily_cap, r.enabled)
        for r in RewardRule.objects.only("action", "points", "daily_cap", "enabled")
    }
    badge_actions = frozenset(
        Badge.objects.filter(count__isnull=False)
        .exclude(action="")
        .values_list("action", flat=True)
        .distinct()
    )
    _snapshot = _Snapshot(generation=generation, rules=rules, badge_actions=badge_actions)
    return _snapshot


def rule_for(action: str) -> Rule:
    """The rule award() applies to ``action``; its row is created from the registered default
    the first time the action earns anything."""
    rule = _current().rules.get(action)
    if rule is not None:
        return rule
    row, _created = RewardRule.objects.get_or_create(
        action=action, defaults={"points": get_action(action).default_points}
    )
    forget()  # the row exists now (created here or by the admin listing): load it next time
    return Rule(row.action, row.points, row.daily_cap, row.enabled)


def badge_counts(action: str) -> bool:
    """Whether some badge is earned by a count of ``action`` (if not, award() skips badges)."""
    return action in _current().badge_actions


def forget() -> None:
    """Drop this process's snapshot (the next call reloads it)."""
    global _snapshot
    _snapshot = None
