"""Benchmark data for accounts: 20,000 members, and the public profile page to measure."""

import random

from django.contrib.auth.hashers import make_password
from django.urls import reverse

from hub.bench import BENCH_PASSWORD, USERNAME_PREFIX, register_bench_page, register_bench_seeder

from .models import User

MEMBERS = 20_000
BATCH_SIZE = 2_000
FIRST_NAMES = ["Ana", "Ben", "Chen", "Dara", "Eli", "Femi", "Gita", "Hugo", "Ines", "Jon", "Kai"]
LAST_NAMES = ["Souza", "Okafor", "Wei", "Byrne", "Novak", "Haddad", "Larsen", "Moreau", "Tanaka"]
BIOS = [
    "Weekend hiker and map collector.",
    "Trail runner. Asks too many questions about fabrics.",
    "Camp cook, reviewer of every stove ever made.",
    "",
]


def bench_username(number: int) -> str:
    return f"{USERNAME_PREFIX}{number:05d}"


def seed_bench_users(log, scale: float) -> None:
    target = max(1, round(MEMBERS * scale))
    existing = set(
        User.objects.filter(username__startswith=USERNAME_PREFIX).values_list("username", flat=True)
    )
    missing = [n for n in range(1, target + 1) if bench_username(n) not in existing]
    if not missing:
        log(f"{len(existing)} members exist")
        return
    # Hashing is deliberately slow; one hash shared by every bench user keeps seeding fast.
    password = make_password(BENCH_PASSWORD)
    rng = random.Random(20_000)
    for start in range(0, len(missing), BATCH_SIZE):
        User.objects.bulk_create(
            [_member(number, password, rng) for number in missing[start : start + BATCH_SIZE]]
        )
    log(f"created {len(missing)} members ({len(existing) + len(missing)} in all)")


def _member(number: int, password: str, rng: random.Random) -> User:
    username = bench_username(number)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return User(
        username=username,
        email=f"{username}@example.com",
        password=password,
        first_name=first,
        last_name=last,
        display_name=f"{first} {last}" if number % 3 else "",
        bio=BIOS[number % len(BIOS)],
    )


def profile_url() -> str | None:
    username = bench_username(MEMBERS // 2)
    if not User.objects.filter(username=username).exists():
        username = (
            User.objects.filter(username__startswith=USERNAME_PREFIX)
            .order_by("-username")
            .values_list("username", flat=True)
            .first()
        )
    return reverse("accounts:profile", kwargs={"username": username}) if username else None


# What `manage.py bench` measures of this app (this module is imported only by the bench).
register_bench_seeder("accounts", seed_bench_users, order=10)
register_bench_page("public profile", profile_url, order=80)
register_bench_page("login page", lambda: reverse("account_login"), order=85)
# The composer's @ suggestions as a member types "@bench-user-1…" (one indexed prefix query).
register_bench_page(
    "mention suggestions",
    lambda: reverse("accounts:suggest") + f"?q={USERNAME_PREFIX}1",
    as_user="member",
    order=86,
)
