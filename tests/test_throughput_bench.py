"""The bench's throughput phase: its pages resolve and answer 200 (anonymous and signed in), wrk's
output is read right, and the django-machina project it writes is valid Python with the settings
the comparison depends on. No load is generated here."""

import ast

import pytest
from django.test import Client

from hub.bench import bench_seeders, bench_user, throughput_pages
from hub.benchkit import machina
from hub.benchkit.throughput import CEILING_URL, WRK_MISSING, find_wrk, parse_wrk
from hub.demo import seeders as demo_seeders

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/robots.txt
  2 threads and 20 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.51ms    3.20ms  61.02ms   81.21%
    Req/Sec   801.12     60.31     0.92k    70.50%
  Latency Distribution
     50%   11.90ms
     75%   13.80ms
     90%   16.22ms
     99%    1.02s
  15960 requests in 10.01s, 5.12MB read
  Socket errors: connect 0, read 12, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:   1594.40
Transfer/sec:    523.80KB
"""


def test_wrk_output_is_read_with_its_units():
    result = parse_wrk(WRK_OUTPUT)
    assert result["requests_per_second"] == 1594.4
    assert result["requests"] == 15960
    assert result["p50_ms"] == 11.9
    assert result["p99_ms"] == 1020.0
    assert result["errors"] == 3  # timeouts; read errors are gunicorn closing connections
    assert result["read_errors"] == 12
    assert result["non_2xx_3xx"] == 4


def test_a_missing_wrk_is_named_with_its_install_command(monkeypatch):
    monkeypatch.setattr("hub.benchkit.throughput.shutil.which", lambda name: None)
    with pytest.raises(Exception, match="apt-get install -y wrk") as raised:
        find_wrk()
    assert str(raised.value) == WRK_MISSING


@pytest.mark.django_db
@pytest.mark.slow
def test_every_throughput_page_answers_200_anonymous_and_signed_in(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    log = lambda line: None  # noqa: E731
    for seeder in demo_seeders():
        seeder.func(log)
    for seeder in bench_seeders():
        if "throughput" in seeder.name:
            seeder.func(log, 1.0)
            seeder.func(log, 1.0)  # idempotent

    pages = {page.name: page.resolve() for page in throughput_pages()}
    assert set(pages) >= {
        "home",
        "story",
        "forum index",
        "forum category",
        "forum topic (50 posts)",
        "products",
        "product",
        "ideas",
        "events",
        "event",
    }
    anonymous, member = Client(), Client()
    member.force_login(bench_user("member"))
    assert anonymous.get(CEILING_URL).status_code == 200
    for name, url in pages.items():
        assert url, f"{name} has no URL after seeding"
        for who, client in (("anonymous", anonymous), ("member", member)):
            response = client.get(url)
            assert response.status_code == 200, (name, who, url, response.status_code)

    from community.models import Category, Post, Topic

    category = Category.objects.get(slug="throughput")
    assert Topic.objects.filter(category=category).count() == 201
    assert Post.objects.filter(topic__category=category).count() == 200 * 5 + 50


def test_the_machina_project_is_written_with_valid_settings(tmp_path):
    url = "postgres://bench:se%40cret@127.0.0.1:5433/advocate_hub_bench"
    assert machina.machina_database_url(url).endswith("/advocate_hub_bench_machina")
    project = machina.write_project(tmp_path, machina.machina_database_url(url), "k" * 50)
    written = sorted(path.name for path in project.rglob("*.py"))
    assert written == ["__init__.py", "manage.py", "seed.py", "settings.py", "urls.py", "wsgi.py"]
    for path in project.rglob("*.py"):
        ast.parse(path.read_text(), filename=str(path))  # valid Python, every file

    # The settings module, run without machina installed (its two path constants stubbed).
    source = (project / machina.PACKAGE / "settings.py").read_text()
    stub = "import sys, types\nsys.modules['machina'] = types.SimpleNamespace("
    stub += "MACHINA_MAIN_STATIC_DIR='s', MACHINA_MAIN_TEMPLATE_DIR='t')\n"
    namespace: dict = {}
    exec(compile(stub + source, "settings.py", "exec"), namespace)  # noqa: S102
    assert namespace["DEBUG"] is False
    database = namespace["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
        "advocate_hub_bench_machina",
        "bench",
        "se@cret",
    )
    assert (database["HOST"], database["PORT"]) == ("127.0.0.1", "5433")
    assert "machina.apps.forum_permission" in namespace["INSTALLED_APPS"]
    assert namespace["TEMPLATES"][0]["OPTIONS"]["loaders"][0][0].endswith("cached.Loader")
    assert namespace["MACHINA_TOPIC_POSTS_NUMBER_PER_PAGE"] == 20
    assert namespace["ROOT_URLCONF"] == f"{machina.PACKAGE}.urls"
    # The server is gunicorn with 2 sync workers.
    command, cwd = machina.server_command(tmp_path, 8123)
    assert command[1:3] == ["-m", "gunicorn"] and cwd == project
    assert command[command.index("--workers") + 1] == "2"
    assert "127.0.0.1:8123" in command


def test_the_report_sets_each_page_against_the_ceiling_and_machina():
    import io

    from hub.benchkit.throughput import CEILING, versus_machina
    from hub.management.commands.bench import Command

    def row(server, page, who, rps, **extra):
        base = {"server": server, "page": page, "as": who, "bytes": 2048, "errors": 0}
        return base | {"non_2xx_3xx": 0, "requests_per_second": rps, "p99_ms": 90.0} | extra

    rows = [
        row("gunicorn", CEILING, "anonymous", 1000.0, ratio_to_ceiling=1.0),
        row("gunicorn", "forum topic (50 posts)", "anonymous", 600.0, ratio_to_ceiling=0.6),
        row("gunicorn", "forum topic (50 posts)", "member", 150.0, ratio_to_ceiling=0.15),
    ]
    theirs = {"version": machina.MACHINA_REQUIREMENT, "rows": []}
    theirs["rows"] = [
        {"page": "topic", "as": "anonymous", "requests_per_second": 200.0},
        {"page": "topic", "as": "member", "requests_per_second": 100.0},
    ]
    report = {"rows": rows, "seconds": 10, "threads": 2, "connections": 20, "machina": theirs}
    report["versus_machina"] = versus_machina(rows, theirs)
    assert [(r["as"], r["ratio"]) for r in report["versus_machina"]] == [
        ("anonymous", 3.0),
        ("member", 1.5),
    ]
    out = io.StringIO()
    Command(stdout=out)._print_throughput(report)
    text = out.getvalue()
    assert "wrk -t2 -c20 -d10s" in text
    assert "0.60" in text and "3.00" in text and "1.50" in text


def test_cpu_time_is_read_for_a_process_and_its_children():
    import os

    from hub.benchkit.throughput import cpu_seconds

    used = cpu_seconds(os.getpid())
    assert used is not None and used > 0
    assert cpu_seconds(2**22 + 1) is None  # above Linux's largest pid: no such process
