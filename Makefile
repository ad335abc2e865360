# The two commands: `make run` serves everything, `make test` runs the tests.
# Both create .venv/ and install the pinned requirements on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: run test lint setup bench-setup soak clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

setup: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap

run: setup
	$(PY) manage.py runall

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench-setup: $(STAMP)
	$(PY) -m pip install --quiet -r requirements-bench.txt

# The whole product on private servers under load while they fail (bench/soak.py;
# needs root for the read-only upload disk). SOAK_ARGS="--minutes 2" for a quick run.
SOAK_ARGS ?=
soak: $(STAMP)
	$(PY) bench/soak.py $(SOAK_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
