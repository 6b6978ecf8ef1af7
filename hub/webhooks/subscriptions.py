"""Which endpoints want which event type, kept in each process so emit() costs nothing when no
endpoint subscribes (award() is hot).

Like the points rules (hub.rewards.rules): each process keeps a snapshot and asks the shared
cache only for its generation, a token that saving or deleting an endpoint drops (at once and
again after commit); the next emit() in every process then reloads the snapshot in one query.
"""

import uuid
from dataclasses import dataclass

from django.core.cache import cache

from .models import GENERATION_KEY, WebhookEndpoint


@dataclass(frozen=True)
class _Snapshot:
    generation: str
    endpoints: dict[str, tuple[int, ...]]  # event type -> endpoint ids


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
            generation = cache.get(GENERATION_KEY) or generation
    endpoints: dict[str, list[int]] = {}
    for pk, types in WebhookEndpoint.objects.values_list("pk", "event_types"):
        for code in types or []:
            endpoints.setdefault(code, []).append(pk)
    _snapshot = _Snapshot(
        generation=generation, endpoints={k: tuple(v) for k, v in endpoints.items()}
    )
    return _snapshot


def endpoints_for(event_type: str) -> tuple[int, ...]:
    """The ids of the endpoints subscribed to ``event_type`` (paused ones included: their
    deliveries wait until they are resumed)."""
    return _current().endpoints.get(event_type, ())


def forget() -> None:
    global _snapshot
    _snapshot = None
