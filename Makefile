# Everything runs inside .venv, built from requirements.lock (the tested, pinned set).
# Targets that need Python depend on $(STAMP), so a fresh clone needs only Python 3.11 and make.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PY     := $(BIN)/python
export PATH := $(abspath $(BIN)):$(PATH)
export MPLBACKEND := agg
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv data helpers given expected sweeps release build demo test test-unit test-fast lint format lab bench lock clean

help:
	@echo "make demo     set up, build the release, autograde example submissions"
	@echo "make test     set up and run the whole test suite (what CI runs)"
	@echo "make test-unit the unit tier: the tests that need no kernel, sandbox or browser (<30 s)"
	@echo "make test-fast the same as test-unit (its former name)"
	@echo "make lab      JupyterLab on your copy of every lab, in my-labs/ (students)"
	@echo "make release  regenerate release/ from source/ with nbgrader"
	@echo "make helpers  copy labs/ and data/ into each lab's assignment folder"
	@echo "make given    copy earlier labs' solutions into the later labs' given cells"
	@echo "make expected regenerate the hidden tests' expected arrays from the solutions"
	@echo "make sweeps   rerun lab 2's learning-rate sweep from the solution when it is stale"
	@echo "make data     rewrite data/ from scikit-learn"
	@echo "make lint     ruff check and format check (code and notebooks)"
	@echo "make format   ruff format and fix"
	@echo "make bench    time the notebooks and grading (prints figures)"
	@echo "make lock     re-resolve requirements.lock from pyproject.toml"

venv: $(STAMP)

# System tools, installed with apt where we may (as root, with apt-get); otherwise `make` says
# what to install. The demo needs only bubblewrap (the sandbox it grades in); the tests and the
# bench also need Chromium (JupyterLab and the feedback pages in a browser), PostgreSQL (a
# PostgreSQL gradebook) and the system's Python 3.11 (which any user may run, as the Gradescope
# autograder's kernel does without a sandbox).
SANDBOX := $(VENV)/.sysdeps-sandbox
$(SANDBOX):
	@mkdir -p $(VENV)
	@if command -v bwrap >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			bubblewrap >/dev/null; \
	else echo "Install bubblewrap with your package manager (e.g. sudo apt-get install"; \
		echo "bubblewrap); without it, grading needs --no-sandbox."; fi
	@touch $(SANDBOX)

SYSDEPS := $(VENV)/.sysdeps
$(SYSDEPS):
	@mkdir -p $(VENV)
	@if command -v bwrap >/dev/null && command -v chromium >/dev/null \
		&& ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -x /usr/bin/python3.11 ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			bubblewrap chromium postgresql python3.11 >/dev/null; \
	else echo "Install bubblewrap, chromium, postgresql and python3.11 with your package manager"; \
		echo "(e.g. sudo apt-get install bubblewrap chromium postgresql python3.11); without"; \
		echo "bwrap, grading needs --no-sandbox; postgresql is only for the test of a PostgreSQL"; \
		echo "gradebook, the system's python3.11 for the Gradescope autograder's kernel without"; \
		echo "a sandbox."; fi
	@touch $(SYSDEPS)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

data: $(STAMP)
	$(PY) -m autograder data

helpers: $(STAMP)
	$(PY) -m autograder helpers

given: $(STAMP)
	$(PY) -m autograder given

expected: $(STAMP) helpers given
	$(PY) -m autograder expected

sweeps: $(STAMP) helpers given
	$(PY) -m autograder sweeps

release: $(STAMP) expected sweeps
	$(PY) -m autograder release

build: data helpers given expected sweeps release

demo: $(STAMP) $(SANDBOX) release
	$(PY) -m autograder demo

# The tiers are pytest markers (tests/conftest.py): the unit tier is every test without
# `slow`, that is without kernel, sandbox, browser, postgres or cluster. The tests keep
# Python's bytecode (their rewritten asserts too) in build/pycache, outside the course folders
# and out of the sandbox's sight: the first run compiles it, the others save seconds each.
TESTENV := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(abspath build/pycache)
# `make test` runs in two parts (tests/conftest.py): every test not marked `alone` on
# $(TEST_WORKERS) pytest-xdist workers, the users of each shared run grouped on one worker; then
# the `alone` tests with nothing beside them. Both parts run; either failing fails the target.
TEST_WORKERS ?= 2
test: $(STAMP) $(SYSDEPS)
	@rc=0; \
	$(TESTENV) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup -m "not alone" --durations=15 || rc=1; \
	$(TESTENV) $(PY) -m pytest -m alone --durations=5 || rc=1; \
	exit $$rc

test-unit: $(STAMP)
	$(TESTENV) $(PY) -m pytest -n $(TEST_WORKERS) -m "not slow"

test-fast: test-unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lab: $(STAMP)
	$(PY) -m autograder lab

bench: $(STAMP) $(SYSDEPS)
	$(PY) bench/notebooks.py
	$(PY) bench/grading.py

lock: $(STAMP)
	$(BIN)/pip-compile --quiet --extra=dev --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file=requirements.lock pyproject.toml

clean:
	rm -rf graded .pytest_cache .ruff_cache build/pycache
