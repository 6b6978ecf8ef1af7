"""Demo data registry: each app registers how it fills the demo site; `seed_demo` runs them in order.

Feature apps register their seeders in AppConfig.ready(), so `hub` never imports them.
Every seeder must be idempotent: running `seed_demo` twice changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

DEMO_PASSWORD = "demo12345"  # noqa: S105  (documented demo credential, refused in production)


@dataclass(frozen=True)
class Seeder:
    name: str
    func: Callable[[Callable[[str], None]], None]
    order: int


_seeders: dict[str, Seeder] = {}


def register_seeder(name: str, func, *, order: int) -> None:
    """``func(log)`` creates what is missing of an app's demo data; ``log`` prints a line."""
    _seeders[name] = Seeder(name=name, func=func, order=order)


def seeders() -> list[Seeder]:
    return sorted(_seeders.values(), key=lambda s: s.order)
