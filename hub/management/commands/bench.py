"""Measure the registered pages against a large data set: SQL queries and server time per request,
then (the throughput phase, hub/benchkit/throughput.py) req/s and p99 under 20 concurrent clients
on the production servers, beside django-machina.

    python -m hub.dbtools ensure "$DATABASE_URL"        # Django cannot create its own database
    DJANGO_SETTINGS_MODULE=hub.settings.bench python manage.py migrate
    DJANGO_SETTINGS_MODULE=hub.settings.bench python manage.py bench --requests 200

Runs on PostgreSQL only (DATABASE_URL), with a database and a Redis database of its own: it seeds
the demo site, then every app's benchmark data set (see hub/bench.py), both idempotently.
"""

import datetime
import json
import os
import platform
import secrets
import time
from pathlib import Path

import django
import wagtail
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hub.bench import (
    ProbeResult,
    bench_pages,
    bench_probes,
    bench_seeders,
    bench_user,
    percentile,
    throughput_pages,
)
from hub.demo import seeders as demo_seeders


def table_lines(header: tuple[str, ...], lines: list[tuple[str, ...]]) -> list[str]:
    """A header, a rule and the lines: the first column left-aligned, the others right-aligned."""
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]

    def format_line(cells) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    rule = "  ".join("-" * width for width in widths)
    return [format_line(header), rule, *(format_line(line) for line in lines)]


class Command(BaseCommand):
    help = (
        "Seed a large data set, then request every registered page N times and report query "
        "counts and p50/p95 server time. PostgreSQL only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200, help="requests per page")
        parser.add_argument("--output", default="bench-results/bench.json", help="JSON report")
        parser.add_argument("--scale", type=float, default=1.0, help="data set size factor")
        parser.add_argument(
            "--show-sql",
            action="append",
            default=[],
            metavar="PAGE",
            help="print the SQL of one request to this page (repeatable)",
        )
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="TEXT",
            help="measure only the pages and probes whose names contain TEXT (repeatable)",
        )
        parser.add_argument(
            "--seeder",
            action="append",
            default=[],
            metavar="TEXT",
            help=(
                "run only the bench seeders whose names contain TEXT (repeatable; the demo data "
                "is always seeded): e.g. --seeder rewards --seeder shop for the purchase bench"
            ),
        )
        parser.add_argument(
            "--throughput-seconds",
            type=int,
            default=10,
            metavar="N",
            help=(
                "the throughput phase's wrk run per page and visitor, in seconds (0 skips the "
                "phase; `--only throughput` runs it alone)"
            ),
        )
        parser.add_argument(
            "--throughput-server",
            action="append",
            default=[],
            metavar="TEXT",
            help="load only the servers whose names contain TEXT: uvicorn, gunicorn (repeatable)",
        )
        parser.add_argument(
            "--throughput-only",
            action="store_true",
            help="run the throughput phase alone (no page timings, no probes)",
        )
        parser.add_argument(
            "--no-machina",
            action="store_true",
            help="skip django-machina in the throughput phase",
        )
        parser.add_argument(
            "--throughput-output",
            default="bench-results/throughput.json",
            help="the throughput phase's JSON report",
        )
        parser.add_argument(
            "--seed-only",
            action="store_true",
            help="fill the database and stop (the next run measures without seeding again)",
        )

    def handle(self, *args, requests, output, scale, show_sql, seed_only, only, seeder, **options):
        self._refuse_unless_benchable()
        if requests < 1 or scale <= 0:
            raise CommandError("--requests must be at least 1 and --scale above 0.")
        throughput_seconds = options["throughput_seconds"]
        throughput_only = options["throughput_only"]
        if throughput_only and throughput_seconds < 1:
            raise CommandError("--throughput-only needs --throughput-seconds of at least 1.")
        run_throughput = throughput_seconds > 0 and (
            throughput_only or not only or any(text in "throughput" for text in only)
        )
        if run_throughput and not seed_only:
            from hub.benchkit.throughput import ThroughputError, find_wrk

            try:
                find_wrk()  # before the seeding and the page phase, not after them
            except ThroughputError as error:
                raise CommandError(str(error)) from error

        seeding = self._seed(scale, seeder)
        if seed_only:
            self.stdout.write(
                self.style.SUCCESS("seeded; run again without --seed-only to measure")
            )
            return

        def wanted(name: str) -> bool:
            if throughput_only:
                return False
            return not only or any(text in name for text in only)

        rows = []
        for page in bench_pages():
            if wanted(page.name):
                rows.append(self._measure_page(page, requests, show_sql=page.name in show_sql))
        probes = self._run_probes(requests, wanted)

        throughput = None
        if run_throughput:
            throughput = self._throughput(throughput_seconds, options)

        if rows:
            self._print_table(rows)
        if probes:
            self.stdout.write("")
            self._print_probes(probes)
        elif not only:
            self.stdout.write("no WebSocket probes registered yet")
        if throughput:
            self.stdout.write("")
            self._print_throughput(throughput)
        machine = self._machine()
        self.stdout.write(
            f"{machine['cpu_count']} CPUs, load average {' '.join(map(str, machine['load_average']))}"
        )
        report = {
            "machine": machine,
            "run": {
                "requests": requests,
                "scale": scale,
                "seeders": seeder or "all",
                "settings": os.environ.get("DJANGO_SETTINGS_MODULE", ""),
            },
            "seeding": seeding,
            "pages": rows,
            "probes": probes,
        }
        if throughput:
            path = Path(options["throughput_output"])
            path.parent.mkdir(parents=True, exist_ok=True)
            throughput_report = {"machine": machine, **throughput}
            path.write_text(json.dumps(throughput_report, indent=2) + "\n")
            self.stdout.write(self.style.SUCCESS(f"wrote {path}"))
            if not rows and not probes:
                return  # the throughput phase alone: bench.json keeps the last page phase
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2) + "\n")
        self.stdout.write(self.style.SUCCESS(f"wrote {path}"))

    def _throughput(self, seconds: int, options) -> dict:
        """Load the throughput pages on uvicorn and gunicorn, then django-machina's forum."""
        from hub.benchkit import machina
        from hub.benchkit.throughput import ThroughputError, run_phase
        from hub.dbtools import ensure_database

        pages = []
        for page in throughput_pages():
            url = page.resolve()
            if url is None:
                self.stdout.write(self.style.WARNING(f"  [throughput] {page.name}: no URL"))
            else:
                pages.append((page.name, url))
        client = Client()
        client.force_login(bench_user("member"))
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        machina_root = machina_url = None
        if not options["no_machina"]:
            machina_root = Path(settings.BASE_DIR) / "bench-results" / "machina"
            machina_url = machina.machina_database_url(os.environ.get("DATABASE_URL", ""))
            ensure_database(machina_url)
        try:
            return run_phase(
                pages=pages,
                member_cookie=cookie,
                seconds=seconds,
                base_dir=Path(settings.BASE_DIR),
                env=dict(os.environ),
                log=lambda line: self.stdout.write(f"  [throughput] {line}"),
                machina_root=machina_root,
                machina_database_url=machina_url or "",
                secret_key=secrets.token_urlsafe(50),
                server_names=options["throughput_server"],
            )
        except ThroughputError as error:
            raise CommandError(str(error)) from error

    def _print_throughput(self, report: dict) -> None:
        """req/s, p99 and the ratio to the ceiling per page and visitor, one column group per
        server; then the forum pages against django-machina."""
        rows = report["rows"]
        servers = list(dict.fromkeys(row["server"] for row in rows))
        self.stdout.write(
            "cpu ms: the server's CPU time per request (not PostgreSQL's or Redis's); "
            "cpu ratio: machina's cpu ms over ours"
        )
        self.stdout.write(
            f"throughput: wrk -t{report['threads']} -c{report['connections']} "
            f"-d{report['seconds']}s; servers: "
            + "; ".join(f"[{n}] {name}" for n, name in enumerate(servers, start=1))
        )
        header = ["page", "as", "KB"]
        for n, _ in enumerate(servers, start=1):
            header += [f"[{n}] req/s", "p99 ms", "x ceiling", "cpu ms"]
        by_key = {(row["server"], row["page"], row["as"]): row for row in rows}
        keys = list(dict.fromkeys((row["page"], row["as"]) for row in rows))
        lines = []
        for page, who in keys:
            sizes = [by_key[(s, page, who)]["bytes"] for s in servers if (s, page, who) in by_key]
            cells = [page, who, f"{sizes[0] / 1024:.0f}" if sizes else "-"]
            for server in servers:
                row = by_key.get((server, page, who), {})
                if "error" in row or "requests_per_second" not in row:
                    cells += [row.get("error", "-"), "-", "-", "-"]
                    continue
                failed = row["errors"] + row["non_2xx_3xx"]
                cells += [
                    f"{row['requests_per_second']:.0f}" + (f" ({failed} failed)" if failed else ""),
                    f"{row.get('p99_ms', 0):.0f}",
                    f"{row.get('ratio_to_ceiling', 0):.2f}",
                    f"{row['cpu_ms_per_request']:.1f}" if "cpu_ms_per_request" in row else "-",
                ]
            lines.append(tuple(cells))
        for text in table_lines(tuple(header), lines):
            self.stdout.write(text)
        if report.get("machina", {}).get("error"):
            self.stdout.write("")
            self.stdout.write(f"django-machina not measured: {report['machina']['error']}")
        elif report.get("machina"):
            self.stdout.write("")
            self.stdout.write(f"against {report['machina']['version']} (gunicorn, 2 sync workers)")
            header = ("page", "as", "server", "req/s", "machina req/s", "ratio", "cpu ratio")
            lines = [
                (
                    row["page"],
                    row["as"],
                    row["server"],
                    f"{row['requests_per_second']:.0f}",
                    f"{row['machina_requests_per_second'] or 0:.0f}",
                    f"{row['ratio']:.2f}" if row["ratio"] else "-",
                    f"{row['cpu_ratio']:.2f}" if row.get("cpu_ratio") else "-",
                )
                for row in report["versus_machina"]
            ]
            for text in table_lines(header, lines):
                self.stdout.write(text)

    def _refuse_unless_benchable(self) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                f"bench runs on PostgreSQL only, and this database is {connection.vendor}: "
                "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/advocate_hub_bench "
                "(create it with `python -m hub.dbtools ensure $DATABASE_URL`, then migrate)."
            )
        if settings.DEBUG:
            raise CommandError(
                "bench refuses to run with DEBUG on (it records every query and skews timings): "
                "use DJANGO_SETTINGS_MODULE=hub.settings.bench."
            )
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "bench refuses to run here: it creates thousands of users with a known password "
                "(DEMO_DATA_ALLOWED is off, as in production)."
            )

    def _seed(self, scale: float, only: list[str] = ()) -> list[dict]:
        timings = []
        steps = [(f"demo {s.name}", lambda log, s=s: s.func(log)) for s in demo_seeders()]
        steps += [
            (f"bench {s.name}", lambda log, s=s: s.func(log, scale))
            for s in bench_seeders()
            if not only or any(text in s.name for text in only)
        ]
        for name, run in steps:
            started = time.perf_counter()
            with transaction.atomic():
                run(lambda line, name=name: self.stdout.write(f"  [{name}] {line}"))
            seconds = time.perf_counter() - started
            timings.append({"name": name, "seconds": round(seconds, 2)})
            self.stdout.write(f"  [{name}] done in {seconds:.1f} s")
        # Bulk inserts leave the planner's statistics and the visibility map behind until
        # autovacuum catches up (it may be off); a production database has both, so this one
        # should too: index-only scans (a leaderboard rank) depend on pages marked all-visible.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        return timings

    def _measure_page(self, page, requests: int, *, show_sql: bool) -> dict:
        url = page.resolve()
        row = {"name": page.name, "url": url, "as_user": page.as_user}
        if url is None:
            self.stdout.write(self.style.WARNING(f"  {page.name}: no URL (its data is missing)"))
            return {**row, "status": "skipped"}
        client = Client(raise_request_exception=False, headers=page.resolve_headers())
        if page.as_user:
            client.force_login(bench_user(page.as_user))

        # The first request draws image renditions and fills caches; it is not measured.
        warm = client.get(url)
        if warm.status_code != 200:
            self.stdout.write(self.style.WARNING(f"  {page.name}: {url} -> {warm.status_code}"))

        statuses, queries, durations = set(), [], []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                durations.append(time.perf_counter() - started)
            statuses.add(response.status_code)
            queries.append(len(captured.captured_queries))
        if show_sql:
            self.stdout.write(f"--- SQL of one request to {page.name} ({url}):")
            for number, query in enumerate(captured.captured_queries, start=1):
                self.stdout.write(f"{number:3d}. {query['sql']}")
        return {
            **row,
            "status": "/".join(str(code) for code in sorted(statuses)),
            "queries_min": min(queries),
            "queries_max": max(queries),
            **self._timings(durations),
        }

    def _run_probes(self, samples: int, wanted=lambda name: True) -> list[dict]:
        rows = []
        for probe in bench_probes():
            if not wanted(probe.name):
                continue
            self.stdout.write(f"  [probe {probe.name}] running")
            started = time.perf_counter()
            try:
                results = async_to_sync(probe.func)(samples)
            except Exception as exc:  # a broken probe must not lose the page timings above
                results = [ProbeResult(name=probe.name, error=f"{exc.__class__.__name__}: {exc}")]
            seconds = time.perf_counter() - started
            self.stdout.write(f"  [probe {probe.name}] done in {seconds:.1f} s")
            if results and not isinstance(results[0], ProbeResult):
                results = [ProbeResult(name=probe.name, durations=list(results))]
            rows.extend(self._probe_row(result) for result in results)
        return rows

    @classmethod
    def _probe_row(cls, result: ProbeResult) -> dict:
        if result.error:
            status = f"error: {result.error}"
        elif result.failures:
            status = f"{result.failures} failed"
        else:
            status = "ok"
        row = {
            "name": result.name,
            "status": status,
            "samples": len(result.durations) + result.failures,
            "failures": result.failures,
        }
        if result.durations:
            row |= cls._timings(result.durations)
            row["p99_ms"] = round(percentile([d * 1000 for d in result.durations], 0.99), 1)
        return row | result.extra

    def _print_probes(self, rows: list[dict]) -> None:
        """One line per probe row: its timings, then its extra facts as key=value."""
        standard = {"name", "status", "samples", "failures", "mean_ms", "max_ms"}
        standard |= {"p50_ms", "p95_ms", "p99_ms"}
        header = ("probe", "samples", "failed", "p50 ms", "p99 ms", "max ms")
        lines = []
        for row in rows:
            lines.append(
                (
                    row["name"],
                    str(row["samples"]),
                    str(row["failures"]),
                    *(
                        f"{row[key]:.1f}" if key in row else "-"
                        for key in ("p50_ms", "p99_ms", "max_ms")
                    ),
                )
            )
        texts = table_lines(header, lines)
        self.stdout.write(texts[0])
        self.stdout.write(texts[1])
        for row, text in zip(rows, texts[2:], strict=True):
            self.stdout.write(text)
            facts = [f"{key}={value}" for key, value in row.items() if key not in standard]
            if row["status"] != "ok":
                facts.insert(0, f"status={row['status']}")
            if facts:
                self.stdout.write("    " + "  ".join(facts))

    @staticmethod
    def _timings(durations: list[float]) -> dict:
        ms = [d * 1000 for d in durations]
        return {
            "p50_ms": round(percentile(ms, 0.50), 1),
            "p95_ms": round(percentile(ms, 0.95), 1),
            "mean_ms": round(sum(ms) / len(ms), 1),
            "max_ms": round(max(ms), 1),
        }

    def _print_table(self, rows: list[dict]) -> None:
        header = ("page", "status", "queries", "p50 ms", "p95 ms")
        lines = []
        for row in rows:
            if "queries_min" in row:
                low, high = row["queries_min"], row["queries_max"]
                queries = str(low) if low == high else f"{low}-{high}"
            else:
                queries = "-"
            lines.append(
                (
                    row["name"],
                    row["status"],
                    queries,
                    f"{row['p50_ms']:.1f}" if "p50_ms" in row else "-",
                    f"{row['p95_ms']:.1f}" if "p95_ms" in row else "-",
                )
            )
        for text in table_lines(header, lines):
            self.stdout.write(text)

    @staticmethod
    def _machine() -> dict:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = cursor.fetchone()[0]
        return {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "wagtail": wagtail.__version__,
            "postgres": postgres,
            "load_average": [round(load, 2) for load in os.getloadavg()],
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        }
