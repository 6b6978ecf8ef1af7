# Advocate Hub: `make run` serves the demo site, `make test` runs every check CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The server and the links it writes (BASE_URL in development) follow PORT.
export PORT
# PostgreSQL + Redis used by the second test pass and the benchmark.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/advocate_hub
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/advocate_hub_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/2
BENCH_REQUESTS ?= 200
BENCH_ARGS ?=
# The throughput phase's wrk run per page and visitor (0 skips it; see README "Benchmark").
THROUGHPUT_SECONDS ?= 10

.PHONY: help install run test lint test-sqlite test-postgres test-e2e bench throughput bench-tools messages clean

help:
	@echo "make run    serve the demo site on http://127.0.0.1:$(PORT) (PORT=... to change)"
	@echo "make test   ruff, then pytest on SQLite, on PostgreSQL + Redis, and in Chromium"
	@echo "make bench  seed a large data set into PostgreSQL and time every page, then req/s under load"
	@echo "make throughput  only the req/s phase (uvicorn, gunicorn, django-machina beside), small data"

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@# The background worker's routine lines go to worker.log; the server's own lines stay here,
	@# with any e-mail the site sends (sign-up verification...), and the logins are printed last.
	@$(BIN)/python manage.py db_worker > worker.log 2>&1 & worker=$$!; \
		$(BIN)/python manage.py runserver 127.0.0.1:$(PORT) & server=$$!; \
		trap 'kill $$worker $$server 2>/dev/null; wait $$worker $$server 2>/dev/null' EXIT INT TERM; \
		$(BIN)/python -m hub.dbtools wait http://127.0.0.1:$(PORT)/healthz 120; \
		echo ""; \
		echo "  Advocate Hub is running on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"; \
		echo "  Background jobs (e-mail digests, reminders, webhooks) run in a worker: tail -f worker.log"; \
		echo "  E-mails the site sends (sign-up verification...) are printed below."; \
		echo "  Demo logins, all with password demo12345:"; \
		echo "    admin   superuser"; \
		echo "    editor  Wagtail editor and moderator"; \
		echo "    ana, ben, chen, dara  community members"; \
		echo "    noa, nino  members reading in Hebrew and Georgian"; \
		echo "  Press Ctrl+C to stop."; \
		echo ""; \
		wait $$server

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DATABASE_URL= REDIS_URL= $(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite: install
	@echo "==> pytest on SQLite, in-memory channel layer, local-memory cache"
	DATABASE_URL= REDIS_URL= $(BIN)/pytest -m "not e2e"

test-postgres: install
	@if $(BIN)/python -m hub.dbtools ping "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"; then \
		echo "==> pytest on PostgreSQL + Redis"; \
		DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" $(BIN)/pytest -m "not e2e"; \
	else \
		echo ""; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!!  SKIPPED: the PostgreSQL + Redis pass. They do not answer at           "; \
		echo "!!  $(TEST_DATABASE_URL) / $(TEST_REDIS_URL)"; \
		echo "!!  Row locks, concurrency and cross-process tests did NOT run.           "; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo ""; \
	fi

test-e2e: install
	@if [ -x /usr/bin/chromium ]; then \
		echo "==> browser tests in Chromium"; \
		DATABASE_URL= REDIS_URL= $(BIN)/pytest -m e2e; \
	else \
		echo ""; \
		echo "!!  SKIPPED: browser tests. /usr/bin/chromium is missing (apt-get install chromium)."; \
		echo ""; \
	fi

# The SQLite and PostgreSQL passes run side by side (each prints its whole output when it ends),
# then the browser tests: on 2 cores this saves about a third of the wall time.
test: lint
	@echo "==> pytest on SQLite and on PostgreSQL + Redis, side by side (output follows each pass)"
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres
	@$(MAKE) --no-print-directory test-e2e

bench: install bench-tools
	$(BIN)/python -m hub.dbtools ensure "$(BENCH_DATABASE_URL)"
	DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(BENCH_REDIS_URL)" DJANGO_SETTINGS_MODULE=hub.settings.bench \
		$(BIN)/python manage.py migrate --noinput
	DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(BENCH_REDIS_URL)" DJANGO_SETTINGS_MODULE=hub.settings.bench \
		$(BIN)/python manage.py bench --requests $(BENCH_REQUESTS) --output bench-results/bench.json \
		--throughput-seconds $(THROUGHPUT_SECONDS) $(BENCH_ARGS)

# The throughput phase alone, on the demo data and the small throughput forum (no large seed).
throughput:
	$(MAKE) bench BENCH_ARGS="--throughput-only --seeder throughput $(BENCH_ARGS)"

# wrk (Debian's package) drives the throughput phase; installed here when missing and root.
bench-tools:
	@if [ "$(THROUGHPUT_SECONDS)" != "0" ] && ! command -v wrk >/dev/null 2>&1; then \
		echo "==> wrk is missing; installing Debian's package (apt-get install -y wrk)"; \
		apt-get install -y wrk >/dev/null || { \
			echo "!! could not install wrk: run 'apt-get install -y wrk' as root, or THROUGHPUT_SECONDS=0"; \
			exit 1; }; \
	fi

# Re-extract every catalog from the source (translations kept) and compile the .mo files.
LOCALES := fr ar ka af he hy fi
messages: install
	DATABASE_URL= REDIS_URL= $(BIN)/python manage.py makemessages $(addprefix -l ,$(LOCALES)) \
		--ignore='.venv/*' --ignore='tests/*' --ignore='static/*' --ignore='test-artifacts/*' --ignore='bench-results/*' --ignore='media/*' --no-obsolete
	DATABASE_URL= REDIS_URL= $(BIN)/python manage.py compilemessages $(addprefix -l ,$(LOCALES)) --ignore=.venv --ignore=bench-results

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles test-artifacts .pytest_cache .ruff_cache
