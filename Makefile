# Two entry points for a fresh machine with Python 3.11+ and pip:
#   make panorama   creates .venv, installs panorama, builds the 2019 example panorama
#   make test       creates .venv, installs panorama with its test tools, runs the tests
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: panorama test bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

panorama: $(BIN)/.installed
	$(BIN)/panorama build 2019

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf build .pytest_cache
