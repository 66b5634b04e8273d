# Two commands do everything: `make run` and `make test`. Both are idempotent: the venv is
# reinstalled only when pyproject.toml or a lock file changes (the stamp carries their hash).
# Dependencies come from the hash-pinned lock files in requirements/ (`make lock` renews them).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LOCKS := requirements/run.lock requirements/dev.lock requirements/build.lock
HASH := $(shell cat pyproject.toml $(LOCKS) | sha1sum | cut -c1-12)
COMPILE := $(VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links pyproject.toml
RUN_STAMP := $(VENV)/.run-$(HASH)
DEV_STAMP := $(VENV)/.dev-$(HASH)
export PIP_DISABLE_PIP_VERSION_CHECK=1
# Python may cache compiled modules (__pycache__/, git-ignored): with PYTHONDONTWRITEBYTECODE in
# the environment, every test worker and every process a test starts (the CLI, gunicorn, the
# scheduler) compiled the project's modules again, ~0.35 s of CPU each.
unexport PYTHONDONTWRITEBYTECODE
# Three workers on the CI machine's two cores (each worker gets its own PostgreSQL database):
# many tests wait — for a subprocess to start, a lease to run out on the real clock, a browser —
# and a third worker fills those waits (measured: 1,414 tests in 311 s with -n 3, 343 s with -n 2).
# --dist worksteal: each worker starts with a contiguous third of the tests (module fixtures stay
# in one process) and one that runs dry takes half of the largest queue left, so the workers end
# together. Measured back to back on the 2 cores with other jobs running (load 3.5-5): default
# `load` 1,457 tests in 340 s, workers ending 11 s apart, 465 CPU-s (pytest and its children);
# worksteal with the lighter app imports 1,464 tests in 322 s, ending 1.3 s apart, 447 CPU-s;
# -n 4 with worksteal 327 s and 468 CPU-s (a fourth worker's start and contention cost more than
# the waits it fills).
PYTEST_ARGS ?= -n 3 --dist worksteal

.PHONY: run test lint contracts security pytest bench translations kernels messages lock clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

# Every dependency from a lock (with --require-hashes), then the project itself without deps.
$(RUN_STAMP): pyproject.toml $(LOCKS) | $(VENV)/bin/activate
	$(PY) -m pip install -q --require-hashes -r requirements/run.lock -r requirements/build.lock
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.run-*; touch $@

$(DEV_STAMP): pyproject.toml $(LOCKS) | $(VENV)/bin/activate
	$(PY) -m pip install -q --require-hashes -r requirements/dev.lock -r requirements/build.lock
	$(PY) -m pip install -q --no-deps --no-build-isolation -e '.[dev]'
	rm -f $(VENV)/.dev-* $(VENV)/.run-*; touch $@ $(RUN_STAMP)

# The engine's numba kernels compiled once into their on-disk cache (a few seconds when it is
# current), so the test workers do not each compile them inside their tests (matching/warm.py).
kernels: $(RUN_STAMP)
	$(PY) -m matching.warm

# Catalogues are compiled from the committed .po files on every install, never committed as .mo.
translations: $(RUN_STAMP)
	@for d in volunteer/translations/*/; do $(VENV)/bin/pybabel compile -d $$d >/dev/null || exit 1; done

run: $(RUN_STAMP) translations
	$(VENV)/bin/volunteer serve --host 127.0.0.1 --port 8000

test: $(DEV_STAMP) translations kernels lint contracts security pytest

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) tools/dead_code.py

contracts: $(DEV_STAMP)
	$(VENV)/bin/lint-imports

# Static security scan (settings in pyproject.toml [tool.bandit]; each skip is justified there).
security: $(DEV_STAMP)
	$(VENV)/bin/bandit -q -c pyproject.toml -r volunteer notifications matching

# Renew the locks after changing dependencies in pyproject.toml (see SECURITY.md, "Dependencies").
lock: $(DEV_STAMP)
	$(COMPILE) -o requirements/run.lock
	$(COMPILE) --extra dev -o requirements/dev.lock
	$(COMPILE) --only-build-deps --all-build-deps -o requirements/build.lock

pytest: $(DEV_STAMP) translations kernels
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(DEV_STAMP) translations
	$(PY) -m bench $(BENCH)

# List the strings no German catalogue translates yet (a developer's step, not the user's).
messages: $(DEV_STAMP)
	$(PY) -m volunteer.platform.i18n_check

clean:
	rm -rf $(VENV) *.egg-info
