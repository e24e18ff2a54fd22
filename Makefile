# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint format install load demo clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Newsroom needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres,redis]"
	touch $@

install: $(VENV)/.installed

## Serve the demo site for development on http://$(HOST):$(PORT)
run: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py load_demo --illustrate
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py ensure_editor
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Serve in production mode with gunicorn (needs DJANGO_SECRET_KEY; see README)
serve: install
	@test -n "$$DJANGO_SECRET_KEY" || { echo "make serve: set DJANGO_SECRET_KEY to a long random value (see README, Production)." >&2; exit 1; }
	DJANGO_DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=0 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=0 $(BIN)/python manage.py rebuild_page_data
	DJANGO_DEBUG=0 $(BIN)/python manage.py check --deploy
	DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-$(HOST),localhost} \
		GUNICORN_BIND=$${GUNICORN_BIND:-$(HOST):$(PORT)} \
		$(BIN)/gunicorn --config newsroom/gunicorn.py newsroom.wsgi

## Lint, check migrations, run the whole suite (SQLite, or DATABASE_URL)
test: install lint
	DJANGO_SETTINGS_MODULE=newsroom.test_settings $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

## Load held: readers, partners and two editors against 100,000 articles (see README)
load: install
	$(BIN)/python -m pip install --quiet -e ".[load]"
	$(BIN)/python -m benchmarks.load $(LOAD_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
