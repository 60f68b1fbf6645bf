# Carrier portal. `make help` lists every target.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install demo serve test test-fast lint format check-migrations bench worker beat clean

help: ## List every target
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# constraints.txt pins every package, so a fresh clone installs what the suite was last run with.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]" -c constraints.txt
	touch $@

install: $(VENV)/.installed ## Create .venv and install the project with its test tools

demo: install ## Build the demo (SQLite, in-process tasks, console email) and serve it on $(PORT)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "Serving on http://127.0.0.1:$(PORT) -- logins are in README.md (password portal-demo-2026)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install ## Run the whole test suite (set DATABASE_URL/REDIS_URL for PostgreSQL and a Celery worker)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

test-fast: install ## Run the suite without the browser tests
	$(BIN)/python -m pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

lint: install ## ruff lint and format check, and models/migrations in step
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install ## Format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## Benchmarks on a PostgreSQL scale database (BENCH_SCALE, default 26 = ~100k members)
	$(BIN)/python -m bench

worker: install ## Run a Celery worker (needs REDIS_URL)
	$(BIN)/celery -A portal worker --loglevel=INFO

beat: install ## Run celery beat for recurring work (needs REDIS_URL)
	$(BIN)/celery -A portal beat --loglevel=INFO

clean: ## Remove the demo database, report files and the virtualenv
	rm -rf var $(VENV)
