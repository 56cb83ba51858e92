# Two entry points for a fresh machine with Python 3.11+ and pip:
#   make panorama   creates .venv, installs panorama, builds the 2019 example panorama
#   make test       creates .venv, installs panorama with its test tools, and the browser
#                   accessibility check (Debian's chromium, node, axe-core), runs the tests
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
A11Y = tests/a11y
CHROMIUM ?= /usr/bin/chromium
# apt-get only as root (CI, a fresh machine); elsewhere the browser check says what is missing
APT_GET = DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Use-Pty=0 -qq

.PHONY: panorama test bench clean browser

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Debian's chromium and Node.js for the accessibility check (the browser is never downloaded
# by playwright: tests/a11y/check.mjs drives $(CHROMIUM)).
browser:
	@if [ ! -x $(CHROMIUM) ] || ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installation de chromium et de Node.js (apt-get)"; \
	    $(APT_GET) update && \
	    { [ -x $(CHROMIUM) ] || $(APT_GET) install -y --no-install-recommends chromium; } && \
	    { command -v node >/dev/null 2>&1 || $(APT_GET) install -y --no-install-recommends nodejs; } && \
	    { command -v npm >/dev/null 2>&1 || $(APT_GET) install -y --no-install-recommends npm; }; \
	  else \
	    echo "Attention : chromium ($(CHROMIUM)) ou Node.js manque ; le contrôle d'accessibilité dans le navigateur sera sauté (apt-get install chromium nodejs npm)."; \
	  fi; \
	fi

$(A11Y)/node_modules/.installed: $(A11Y)/package.json $(A11Y)/package-lock.json | browser
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(A11Y) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	fi

panorama: $(BIN)/.installed
	$(BIN)/panorama build 2019

test: $(BIN)/.installed $(A11Y)/node_modules/.installed
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf build .pytest_cache $(A11Y)/node_modules
