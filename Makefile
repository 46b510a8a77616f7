# Two commands: `make run` (install + start everything embedded) and `make test` (install + every test).
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= ./data

.PHONY: install run test lint format bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --python $(PYTHON) --quiet

run: install
	$(VENV)/bin/vinted-optimizer serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

lint: install
	$(VENV)/bin/ruff check src tests bench migrations
	$(VENV)/bin/ruff format --check src tests bench migrations

format: install
	$(VENV)/bin/ruff format src tests bench migrations
	$(VENV)/bin/ruff check --fix src tests bench migrations

test: install lint
	$(VENV)/bin/pytest

bench: install
	$(VENV)/bin/python bench/auth.py

clean:
	rm -rf $(TOOLS) $(VENV) .pytest_cache .ruff_cache
