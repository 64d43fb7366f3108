# The two commands of the README: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: run test lint

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

# The app with demo data on the embedded defaults (SQLite, filesystem broker):
# web server, Celery worker and beat together; Ctrl-C stops all three.
run: $(STAMP)
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py build_call_lists
	DEBUG=true $(VENV)/bin/honcho start -f Procfile

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The whole suite: lint, migrations in step with the models, then pytest on real
# PostgreSQL when it is reachable (required under CI=true).
test: $(STAMP) lint
	DJANGO_SETTINGS_MODULE=callcenter.test_settings $(PY) manage.py makemigrations --check --dry-run
	DATABASE_URL="$$($(PY) tools/test_database.py)" && export DATABASE_URL && \
		$(PY) -m pytest -n 2 $(PYTEST_ARGS)
