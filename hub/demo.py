"""Demo data registry: each app registers how it fills the demo site; `seed_demo` runs them in order.

Each app registers its seeders from its own ``demo`` module, at import; asking for the seeders
imports every installed app's ``demo`` module first (Django's ``autodiscover_modules``), so only
`seed_demo` and the bench ever load them, and `hub` never imports a feature app.
Every seeder must be idempotent: running `seed_demo` twice changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

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
    """Every app's seeders, in order (their ``demo`` modules are imported on the first call)."""
    autodiscover_modules("demo")
    return sorted(_seeders.values(), key=lambda s: s.order)
