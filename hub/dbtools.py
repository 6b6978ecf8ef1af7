"""Database chores that run before Django starts (so they import psycopg and redis, never Django).

``python -m hub.dbtools ensure [DATABASE_URL]`` creates a PostgreSQL database if it is missing.
``python -m hub.dbtools ping DATABASE_URL REDIS_URL`` exits 0 when both answer (make test uses it to
decide whether to run the PostgreSQL + Redis pass).
``python -m hub.dbtools wait URL [SECONDS]`` waits until a web server answers at URL (make run waits
for the development server before it prints the demo logins).
"""

import os
import sys
import time
import urllib.error
import urllib.request

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

MAINTENANCE_DB = "postgres"


def ensure_database(url: str) -> bool:
    """Create the database that ``url`` names unless it exists; True when it was created."""
    params = conninfo_to_dict(url)
    name = params.get("dbname")
    if not name:
        raise ValueError(f"the database URL names no database: {url!r}")
    maintenance = make_conninfo(url, dbname=MAINTENANCE_DB)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        # CREATE DATABASE takes no parameters and cannot run in a transaction (hence autocommit).
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


PING_TIMEOUT = 3


def ping(database_url: str, redis_url: str) -> list[str]:
    """What does not answer, as readable lines; empty when both PostgreSQL and Redis do."""
    import redis

    problems = []
    try:
        with psycopg.connect(
            make_conninfo(database_url, dbname=MAINTENANCE_DB), connect_timeout=PING_TIMEOUT
        ) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        problems.append(f"PostgreSQL at {database_url}: {str(exc).strip().splitlines()[0]}")
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=PING_TIMEOUT).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis at {redis_url}: {exc}")
    return problems


def wait_for(url: str, seconds: float = 60) -> bool:
    """Whether a web server answered at ``url`` (any HTTP status) within ``seconds``."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not a web address: {url!r}")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 (http(s) only, checked above)
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.3)
    return False


def main(argv: list[str]) -> int:
    if argv[:1] == ["wait"] and len(argv) in (2, 3):
        return 0 if wait_for(argv[1], float(argv[2]) if len(argv) == 3 else 60) else 1
    if argv[:1] == ["ping"] and len(argv) == 3:
        problems = ping(argv[1], argv[2])
        for line in problems:
            print(f"hub.dbtools: {line}", file=sys.stderr)
        return 1 if problems else 0
    if len(argv) not in (1, 2) or argv[0] != "ensure":
        print(
            "usage: python -m hub.dbtools ensure [DATABASE_URL] | ping DATABASE_URL REDIS_URL"
            " | wait URL [SECONDS]",
            file=sys.stderr,
        )
        return 2
    url = argv[1] if len(argv) == 2 else os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"hub.dbtools: not a PostgreSQL URL: {url!r}", file=sys.stderr)
        return 2
    try:
        created = ensure_database(url)
    except psycopg.Error as exc:
        print(f"hub.dbtools: cannot create the database: {exc}", file=sys.stderr)
        return 1
    name = conninfo_to_dict(url)["dbname"]
    print(f"created database {name}" if created else f"database {name} exists")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
