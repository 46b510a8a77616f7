# Two commands: `make run` (install + start everything embedded) and `make test` (install + every test).
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export NEXT_TELEMETRY_DISABLED := 1

HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= ./data

WEB := web
NPM := npm --prefix $(WEB) --no-audit --no-fund --loglevel=error

.PHONY: install web-install web-build api-client extension run demo test lint format bench wrk resilience clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV) web-install
	$(UV) sync --frozen --python $(PYTHON) --quiet

# npm ci only when the lock file changed since the last install.
$(WEB)/node_modules/.installed: $(WEB)/package-lock.json
	$(NPM) ci
	touch $@

web-install: $(WEB)/node_modules/.installed

web-build: install
	cd $(WEB) && npx next build

# Regenerate the dashboard's typed client from the API (commit both files with the API change).
api-client: install
	$(VENV)/bin/vinted-optimizer openapi --output $(WEB)/openapi.json
	cd $(WEB) && npm run --silent gen:api

# The browser extension (extension/, no build step): one zip for the Chrome Web Store and Firefox's add-ons
# site, or load the folder itself unpacked (chrome://extensions → "Carica estensione non pacchettizzata").
extension: install
	$(VENV)/bin/python -c "import pathlib, zipfile; root = pathlib.Path('extension'); \
	files = sorted(p for p in root.rglob('*') if p.is_file() and p.name != 'README.md'); \
	z = zipfile.ZipFile('vinted-optimizer-extension.zip', 'w', zipfile.ZIP_DEFLATED); \
	[z.write(p, p.relative_to(root)) for p in files]; z.close(); print('vinted-optimizer-extension.zip:', len(files), 'files')"

run: web-build
	$(VENV)/bin/vinted-optimizer serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

# The demo family (README, "Dati di prova"): seeded into the embedded database of DATA_DIR (started here if
# needed, then migrated); `make demo DEMO_ARGS=--reset` seeds it again. Then `make run`.
DEMO_ARGS ?=
demo: install
	$(VENV)/bin/vinted-optimizer demo-data --data-dir $(DATA_DIR) $(DEMO_ARGS)

# Style, types (mypy --strict on src/) and the layers (import-linter contracts in pyproject.toml).
lint: install
	$(VENV)/bin/ruff check src tests bench migrations resilience
	$(VENV)/bin/ruff format --check src tests bench migrations resilience
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff format src tests bench migrations resilience
	$(VENV)/bin/ruff check --fix src tests bench migrations resilience

# Two workers (pytest-xdist), one a core: tests/conftest.py keeps each module, and all the browser tests,
# on one worker. PYTEST_WORKERS=0 runs every test in one process, one after the other.
PYTEST_WORKERS ?= 2
test: web-build lint
	cd $(WEB) && npx tsc --noEmit
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup

# wrk is the load generator of bench/api.py (a separate process): Debian's package, installed here.
wrk:
	@command -v wrk >/dev/null || { echo "installing wrk (Debian package)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; \
	  else sudo apt-get install -y -qq wrk >/dev/null || { sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null; }; fi; }

bench: web-build wrk
	$(VENV)/bin/python bench/api.py
	$(VENV)/bin/python bench/jobs.py
	$(VENV)/bin/python bench/events.py
	$(VENV)/bin/python bench/auth.py
	$(VENV)/bin/python bench/web_size.py
	$(VENV)/bin/python bench/images.py
	$(VENV)/bin/python bench/ocr.py
	$(VENV)/bin/python bench/sales.py
	$(VENV)/bin/python bench/scraper.py
	$(VENV)/bin/python bench/chat.py
	$(VENV)/bin/python bench/dashboard.py
	$(VENV)/bin/python bench/perf.py

# The long abuse and fault drill (minutes): schemathesis at length, SIGKILLed Redis and PostgreSQL, and
# the accessibility tour on every viewport (`make test` tours the phone only).
resilience: web-build
	$(VENV)/bin/python resilience/run.py
	$(VENV)/bin/python resilience/findings.py

clean:
	rm -rf $(TOOLS) $(VENV) .pytest_cache .ruff_cache $(WEB)/node_modules $(WEB)/.next $(WEB)/out
