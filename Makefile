# Two commands do everything: `make run` and `make test`. Both are idempotent: the venv is
# reinstalled only when pyproject.toml changes (the stamp carries its hash).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HASH := $(shell cat pyproject.toml | sha1sum | cut -c1-12)
RUN_STAMP := $(VENV)/.run-$(HASH)
DEV_STAMP := $(VENV)/.dev-$(HASH)
export PIP_DISABLE_PIP_VERSION_CHECK=1
# Two workers: the CI machine has two cores (each worker gets its own PostgreSQL database).
PYTEST_ARGS ?= -n 2

.PHONY: run test lint contracts pytest bench translations messages clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/activate
	$(PY) -m pip install -q -e .
	rm -f $(VENV)/.run-*; touch $@

$(DEV_STAMP): pyproject.toml | $(VENV)/bin/activate
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.dev-* $(VENV)/.run-*; touch $@ $(RUN_STAMP)

# Catalogues are compiled from the committed .po files on every install, never committed as .mo.
translations: $(RUN_STAMP)
	@for d in volunteer/translations/*/; do $(VENV)/bin/pybabel compile -d $$d >/dev/null || exit 1; done

run: $(RUN_STAMP) translations
	$(VENV)/bin/volunteer serve --host 127.0.0.1 --port 8000

test: $(DEV_STAMP) translations lint contracts pytest

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

contracts: $(DEV_STAMP)
	$(VENV)/bin/lint-imports

pytest: $(DEV_STAMP) translations
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(DEV_STAMP) translations
	$(PY) -m bench $(BENCH)

# List the strings no German catalogue translates yet (a developer's step, not the user's).
messages: $(DEV_STAMP)
	$(PY) -m volunteer.platform.i18n_check

clean:
	rm -rf $(VENV) *.egg-info
