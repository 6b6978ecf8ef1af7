"""The bench's throughput phase: the site under 20 concurrent clients, on its production servers.

For each server — uvicorn with 2 workers (ASGI, hub.asgi) and gunicorn with 2 sync workers (WSGI,
hub.wsgi), both on hub.settings.throughput — ``wrk -t2 -c20 -d<N>s --latency`` loads the ceiling
view (robots.txt: no database work, the same middleware) and every registered throughput page
(hub.bench.register_throughput_page) as an anonymous visitor and as the bench member (with a
session cookie the bench signs in). Then django-machina (hub/benchkit/machina.py), seeded with
the same forum shape on the same PostgreSQL, is loaded the same way under gunicorn, and the
forum pages' req/s are set against its. Loads go to 127.0.0.1 only, each bounded by its duration.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CEILING = "robots.txt (ceiling)"
CEILING_URL = "/robots.txt"
THREADS = 2
CONNECTIONS = 20
START_TIMEOUT = 90
STOP_TIMEOUT = 15
# Our pages set against machina's: (our page, who, machina's page).
MACHINA_PAIRS = [
    ("forum category", "anonymous", "category"),
    ("forum topic (50 posts)", "anonymous", "topic"),
    ("forum topic (50 posts)", "member", "topic"),
]
WRK_MISSING = (
    "wrk is missing: the throughput phase drives the servers with wrk. Install it with "
    "`apt-get install -y wrk` (Debian's package), or skip the phase with --throughput-seconds 0."
)


class ThroughputError(Exception):
    """The phase cannot run (wrk missing, a server that never answered...)."""


def find_wrk() -> str:
    path = shutil.which("wrk")
    if not path:
        raise ThroughputError(WRK_MISSING)
    return path


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> dict:
    """req/s, latency percentiles (ms), requests, errors and non-2xx/3xx count from wrk's output
    with ``--latency``."""
    result = {"requests_per_second": 0.0, "requests": 0, "errors": 0, "non_2xx_3xx": 0}
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result["requests_per_second"] = round(float(match.group(1)), 1)
    if match := re.search(r"(\d+) requests in", output):
        result["requests"] = int(match.group(1))
    for percent in ("50", "90", "99"):
        if match := re.search(rf"^\s+{percent}(?:\.000)?%\s+(\S+)", output, re.MULTILINE):
            result[f"p{percent}_ms"] = round(_ms(match.group(1)), 1)
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        # gunicorn's sync workers close every connection after its response, which wrk counts
        # as read errors; connect, write and timeout errors are real failures.
        connect, read, write, timeout = map(int, match.groups())
        result["errors"] = connect + write + timeout
        result["read_errors"] = read
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result["non_2xx_3xx"] = int(match.group(1))
    return result


def run_wrk(wrk: str, url: str, seconds: int, headers: dict | None = None) -> dict:
    # A 10 s time-out (wrk's default is 2 s): a slow answer counts in the latencies, not as lost.
    command = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
    command.append("--latency")
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    done = subprocess.run(  # noqa: S603  (wrk, on a loopback URL)
        command, capture_output=True, text=True, timeout=seconds + 60
    )
    if done.returncode != 0:
        raise ThroughputError(f"wrk failed on {url}: {done.stderr.strip() or done.stdout.strip()}")
    return parse_wrk(done.stdout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    """One GET through no proxy: (status, body)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310  (loopback only)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@dataclass
class Server:
    """A server process on a free loopback port, its output in a temporary file."""

    name: str
    command: list[str]
    cwd: Path
    env: dict
    port: int = 0
    process: subprocess.Popen | None = None
    log: object = None
    extra: dict = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str) -> None:
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(  # noqa: S603  (our interpreters and arguments)
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if fetch(self.base + ready_path)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        tail = self.log_tail()
        self.stop()
        raise ThroughputError(f"{self.name} did not answer on {ready_path}: {tail}")

    def log_tail(self) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        lines = self.log.read().decode(errors="replace").strip().splitlines()
        return " | ".join(lines[-5:]) or f"exit code {self.process.poll() if self.process else '?'}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)  # its own session: the server and its workers
                self.process.wait(STOP_TIMEOUT)
        if self.log is not None:
            self.log.close()
            self.log = None


def hub_servers(base_dir: Path, env: dict) -> list[Server]:
    """uvicorn (2 workers, ASGI) and gunicorn (2 sync workers, WSGI) on hub.settings.throughput."""
    env = {**env, "DJANGO_SETTINGS_MODULE": "hub.settings.throughput"}
    servers = []
    for name, args in (
        (
            "uvicorn, 2 workers (ASGI)",
            ["uvicorn", "hub.asgi:application", "--workers", "2", "--no-access-log"]
            + ["--log-level", "warning", "--lifespan", "off", "--host", "127.0.0.1", "--port"],
        ),
        (
            "gunicorn, 2 sync workers (WSGI)",
            ["gunicorn", "hub.wsgi:application", "--workers", "2", "--worker-class", "sync"]
            + ["--log-level", "warning", "--bind"],
        ),
    ):
        port = free_port()
        address = str(port) if name.startswith("uvicorn") else f"127.0.0.1:{port}"
        servers.append(
            Server(
                name=name,
                command=[sys.executable, "-m", *args, address],
                cwd=base_dir,
                env=env,
                port=port,
            )
        )
    return servers


def collect_static(base_dir: Path, env: dict, log) -> None:
    """collectstatic into hub.settings.throughput's STATIC_ROOT (WhiteNoise serves the manifest)."""
    started = time.monotonic()
    subprocess.run(  # noqa: S603  (our interpreter, our manage.py)
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=base_dir,
        env={**env, "DJANGO_SETTINGS_MODULE": "hub.settings.throughput"},
        check=True,
    )
    log(f"static files collected in {time.monotonic() - started:.0f} s")


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by a process and its children (the workers), from
    /proc; None where there is no /proc."""
    clock = os.sysconf("SC_CLK_TCK")
    total, pending, seen = 0.0, [pid], set()
    try:
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            stat = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(stat[11]) + int(stat[12])) / clock
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
    except (OSError, ValueError, IndexError):
        return None  # a process gone mid-read: no figure rather than a wrong one
    return total


def load_page(wrk: str, server: Server, name: str, url: str, who: str, headers, seconds) -> dict:
    """Warm the page (and check it answers 200), then load it with wrk.

    Besides req/s, the row has the server's CPU time per request (its processes only, not
    PostgreSQL's or Redis's): unlike req/s it hardly moves when other processes share the CPU.
    """
    status, body = 0, b""
    for _ in range(3):
        status, body = fetch(server.base + url, headers)
    row = {"server": server.name, "page": name, "url": url, "as": who, "status": status}
    row["bytes"] = len(body)
    if status != 200:
        return {**row, "error": f"answered {status}"}
    before = cpu_seconds(server.process.pid)
    row |= run_wrk(wrk, server.base + url, seconds, headers)
    after = cpu_seconds(server.process.pid)
    used = after - before if before is not None and after is not None else None
    # More CPU than the machine has (a worker replaced during the load): no figure.
    if used is not None and 0 <= used <= seconds * (os.cpu_count() or 1) and row["requests"]:
        row["cpu_ms_per_request"] = round(1000 * used / row["requests"], 1)
        row["server_cpu_cores"] = round(used / seconds, 2)
    return row


def run_phase(
    *,
    pages: list[tuple[str, str]],
    member_cookie: str,
    seconds: int,
    base_dir: Path,
    env: dict,
    log,
    machina_root: Path | None = None,
    machina_database_url: str = "",
    secret_key: str = "",
    server_names: list[str] | None = None,
) -> dict:
    """Load every page on every server (and machina's forum when ``machina_root`` is given).

    ``pages`` are (name, path) pairs; returns ``{"rows": [...], "machina": {...}, ...}`` where
    each row has req/s, p50/p99 ms, errors and its ratio to the ceiling on the same server.
    """
    wrk = find_wrk()
    load_before = [round(load, 2) for load in os.getloadavg()]
    collect_static(base_dir, env, log)
    member = {"Cookie": member_cookie}
    rows: list[dict] = []
    servers = hub_servers(base_dir, env)
    if server_names:
        servers = [s for s in servers if any(text in s.name for text in server_names)]
    for server in servers:
        log(f"{server.name}: starting")
        server.start(CEILING_URL)
        try:
            ceiling = load_page(wrk, server, CEILING, CEILING_URL, "anonymous", {}, seconds)
            rows.append(ceiling)
            log(f"{server.name}: ceiling {ceiling.get('requests_per_second', 0):.0f} req/s")
            for name, url in pages:
                for who, headers in (("anonymous", {}), ("member", member)):
                    row = load_page(wrk, server, name, url, who, headers, seconds)
                    rows.append(row)
                    log(
                        f"{server.name}: {name} ({who}) "
                        f"{row.get('requests_per_second', 0):.0f} req/s"
                        + (f" - {row['error']}" if "error" in row else "")
                    )
        finally:
            server.stop()
        top = ceiling.get("requests_per_second") or 0
        for row in rows:
            if row["server"] == server.name and top and "requests_per_second" in row:
                row["ratio_to_ceiling"] = round(row["requests_per_second"] / top, 2)

    report: dict = {
        "rows": rows,
        "seconds": seconds,
        "threads": THREADS,
        "connections": CONNECTIONS,
        # Other processes on the machine skew every figure: the load before says how much.
        "load_average_before": load_before,
    }
    if machina_root is not None:
        try:
            report["machina"] = run_machina(
                wrk, machina_root, machina_database_url, secret_key, seconds, env, log
            )
        except (subprocess.SubprocessError, ThroughputError, OSError, ValueError) as error:
            # No PyPI, a failed seed...: the hub's figures above are kept, machina's row says why.
            log(f"machina: not measured ({error.__class__.__name__}: {error})")
            report["machina"] = {"error": f"{error.__class__.__name__}: {error}", "rows": []}
        report["versus_machina"] = versus_machina(rows, report["machina"])
    return report


def run_machina(wrk, root: Path, database_url: str, secret_key: str, seconds, env, log) -> dict:
    from . import machina

    started = time.monotonic()
    seeded = machina.prepare(root, database_url, secret_key, log)
    log(
        f"machina: {seeded['topics']} topics, {seeded['posts']} posts ready in "
        f"{time.monotonic() - started:.0f} s"
    )
    command, cwd = machina.server_command(root, free_port())
    port = int(command[command.index("--bind") + 1].rsplit(":", 1)[1])
    env = {k: v for k, v in env.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    server = Server(name="machina, gunicorn 2 sync workers", command=command, cwd=cwd, env=env)
    server.port = port
    server.start(seeded["index"])
    rows = []
    try:
        member = {"Cookie": seeded["session_cookie"]}
        for page, who in (("category", "anonymous"), ("topic", "anonymous"), ("topic", "member")):
            headers = member if who == "member" else {}
            row = load_page(wrk, server, page, seeded[page], who, headers, seconds)
            rows.append(row)
            log(f"machina: {page} ({who}) {row.get('requests_per_second', 0):.0f} req/s")
    finally:
        server.stop()
    return {
        "version": machina.MACHINA_REQUIREMENT,
        "django": machina.DJANGO_REQUIREMENT,
        "rows": rows,
    }


def versus_machina(rows: list[dict], machina_report: dict) -> list[dict]:
    """Our req/s over machina's for each forum page, per server of ours."""
    theirs = {(r["page"], r["as"]): r.get("requests_per_second") for r in machina_report["rows"]}
    their_cpus = {(r["page"], r["as"]): r.get("cpu_ms_per_request") for r in machina_report["rows"]}
    out = []
    for page, who, their_page in MACHINA_PAIRS:
        their_rps = theirs.get((their_page, who))
        their_cpu = their_cpus.get((their_page, who))
        for row in rows:
            if row["page"] == page and row["as"] == who and row.get("requests_per_second"):
                out.append(
                    {
                        "page": page,
                        "as": who,
                        "server": row["server"],
                        "requests_per_second": row["requests_per_second"],
                        "machina_requests_per_second": their_rps,
                        "ratio": round(row["requests_per_second"] / their_rps, 2)
                        if their_rps
                        else None,
                        # Machina's CPU per request over ours: the same comparison, robust to
                        # other processes on the machine.
                        "cpu_ratio": round(their_cpu / row["cpu_ms_per_request"], 2)
                        if their_cpu and row.get("cpu_ms_per_request")
                        else None,
                    }
                )
    return out
