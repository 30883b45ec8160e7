# The two commands a newcomer needs: `make demo` and `make test`. CI runs `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck unit browser-deps llm-server llm-server-stop clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/warmline demo

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

# Debian's Chromium for the browser tests; Playwright never downloads a browser here.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "browser tests need Debian's chromium: sudo apt-get install chromium"; fi; }

# pytest runs with a real small model served by llama.cpp on 127.0.0.1 (tests/llm, docs/llm.md);
# the server build and the model are cached in ~/.cache/warmline after the first run.
test: install lint typecheck browser-deps
	scripts/llm-server run -- $(BIN)/pytest

llm-server:
	scripts/llm-server start

llm-server-stop:
	scripts/llm-server stop

unit: install
	$(BIN)/pytest tests/unit

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
