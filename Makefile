# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_SCALE ?= 10
BENCH_OUT ?= bench-results.json
BENCH_DURATION ?= 10
BENCH_ROUNDS ?=

.PHONY: run serve test install install-dev browser wrk nginx node-tools java bench render-times lint format migrations content backup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The task worker (it sends the mail) in the background for as long as the command that follows it in the same
# recipe line runs in the foreground; stopped when that command ends, by Ctrl+C or otherwise.
WITH_WORKER = $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM;

## Set everything up and serve the site with the shipped roadmap on http://$(HOST):$(PORT), with the worker
## that sends the mail (printed in this terminal)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_roadmap
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	export DEBUG=$${DEBUG:-true}; $(WITH_WORKER) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Serve in production mode with gunicorn on http://$(HOST):$(PORT), and the task worker beside it. There is no
## TLS proxy in front locally, so the HTTPS redirect is off; a secret key is generated once into .secret_key
## (never committed).
serve: install
	@test -s .secret_key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(64))" > .secret_key
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_roadmap
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	export DJANGO_ENV=production SECRET_KEY_FILE=$${SECRET_KEY_FILE:-.secret_key} \
		ALLOWED_HOSTS=$${ALLOWED_HOSTS:-localhost,127.0.0.1} SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false}; \
		$(WITH_WORKER) HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py

## Install what the tests need (Python packages, Debian's Chromium for browser tests, nginx for the proxy test,
## the HTML and accessibility checkers with Node and Java) and run every test
test: install-dev browser wrk nginx node-tools java
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest --create-db -n 2 --cov --cov-report=term $(PYTEST_ARGS)

## Debian's Chromium, which the browser tests drive (Playwright cannot download its own browser here)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## Debian's wrk, the HTTP load generator behind `make bench` (and its smoke test)
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		echo "Installing Debian's wrk for the benchmark..."; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq -o DPkg::Lock::Timeout=600 && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 wrk >/dev/null; }

## Debian's nginx, which tests/ops/test_nginx.py runs in front of two gunicorn servers with deploy/nginx.conf.
## Only the program: the test starts it with its own configuration, never as a system service.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
		echo "Installing Debian's nginx for the proxy test..."; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq -o DPkg::Lock::Timeout=600 && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 nginx >/dev/null; }

## The checkers of tests/browser/test_valid_and_accessible.py, pinned in package-lock.json: the Nu HTML checker
## (vnu-jar) and axe-core. Debian's nodejs and npm install them when npm is missing. --ignore-scripts: vnu-jar's
## postinstall would download a Java runtime; Debian's (the `java` target) runs the checker instead.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		echo "Installing Debian's nodejs and npm for the HTML and accessibility checkers..."; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq -o DPkg::Lock::Timeout=600 && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

node-tools: node_modules/.package-lock.json

## Debian's Java runtime, which runs the Nu HTML checker (vnu.jar)
java:
	@command -v java >/dev/null 2>&1 || { \
		echo "Installing Debian's default-jre-headless for the Nu HTML checker..."; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq -o DPkg::Lock::Timeout=600 && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 default-jre-headless >/dev/null; }

## Load-test a production-mode gunicorn on a fresh PostgreSQL database filled by seed_demo (bench/run.py, which
## runs seed_demo with bench.settings, the only settings that install it): wrk on every main page and on the
## `mix` of learners and visitors (page cache on, then off), each in rounds interleaved with a static file of
## the track page's size; BENCH_ROUNDS empty: 3 to 5 rounds, by BENCH_DURATION. Needs PostgreSQL and Redis.
bench: install wrk
	$(BIN)/python -m bench.run --scale $(BENCH_SCALE) --out $(BENCH_OUT) --duration $(BENCH_DURATION) \
		$(if $(BENCH_ROUNDS),--rounds $(BENCH_ROUNDS))

## In-process render time of every page kind with the page cache off, on seed_demo data at scale 1 (bench/render.py).
## Needs PostgreSQL and Redis; exits 1 when a page is over its budget.
render-times: install
	$(BIN)/python -m bench.render --scale $${RENDER_SCALE:-1}

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations: install
	$(BIN)/python manage.py makemigrations

## Rewrite content/ in canonical form after editing it by hand (load, then export over it)
content: install
	$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BIN)/python manage.py load_roadmap
	$(BIN)/python manage.py export_roadmap --output content

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache node_modules
