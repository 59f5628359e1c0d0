# treatybot: `make demo` sets up and answers a sample question (and serves Discord when a
# token is configured); `make test` sets up with the test extras and runs every test.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QUESTION ?= Can the authorities search and seize stored electronic data?

DISCORD_RENDER := tools/discord-render

.PHONY: demo test install install-serve index serve bench lint clean postgresql screenshots

demo: index
	$(BIN)/treatybot ask "$(QUESTION)"
	@if $(BIN)/treatybot serve --check; then $(BIN)/treatybot serve; \
	else echo "(The Discord bot was not started. Configure a token, then: make serve)"; fi

test: $(VENV)/.test-installed postgresql $(DISCORD_RENDER)/node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/pytest

# The Discord Markdown parser the rendering tests read every message with, and the components
# the screenshots are drawn with (npm, pinned by package-lock.json; the tests skip without node).
$(DISCORD_RENDER)/node_modules/.installed: $(DISCORD_RENDER)/package-lock.json
	@if command -v npm >/dev/null; then cd $(DISCORD_RENDER) && npm ci --no-audit --no-fund --silent && touch node_modules/.installed; \
	else echo "npm not found: the Discord Markdown tests will be skipped"; fi

# PNGs of real answers in docs/screenshots/: the real bot against the loopback Discord, each
# message drawn in headless Chromium (Debian's chromium, installed if missing).
screenshots: index $(VENV)/.test-installed $(DISCORD_RENDER)/node_modules/.installed
	@bash scripts/ensure-chromium
	$(BIN)/python scripts/screenshots.py

# The feedback tests start a throwaway PostgreSQL cluster: Debian's package, installed if missing.
postgresql:
	@bash scripts/ensure-postgresql

install: $(VENV)/.installed

# Without a corpus there is nothing to build: say, in one line, how to fetch one.
index: install
	@corpus="$$($(BIN)/python -c 'from index_contract.config import load_settings; print(load_settings().corpus)')" && \
	if [ ! -d "$$corpus" ]; then \
	  echo "No corpus at $$corpus: fetch one with $(BIN)/treatybot corpus fetch --to $$corpus"; exit 1; fi
	@$(BIN)/treatybot build --check || $(BIN)/treatybot build

serve: index
	$(BIN)/treatybot serve

# Cold start, memory and warm latency on the real corpus; then synthetic corpora of 10k and
# 100k passages and 1M vectors (rows not yet embedded get derived vectors: see scale.py).
bench: index
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/scale.py --embed-budget 0

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) index .cache

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The default install builds and serves; `make install-serve` (or `pip install .`) only serves,
# without torch, from an index built elsewhere and copied (see docs/operating.md).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[build]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[build,test]'
	touch $@ $(VENV)/.installed

install-serve: | $(BIN)/python
	$(BIN)/pip install --quiet .
