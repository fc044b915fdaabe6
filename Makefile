# make run: the playground; make test: lint and every test; make bench: speed table;
# make bench-live: the playground's live latencies in headless Chromium (apt-get install chromium).
# Each target creates .venv with the pinned requirements first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench bench-live load memory lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(BIN)/streamlit run app.py

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

bench: $(VENV)/.dev
	$(BIN)/python bench/speed.py
	$(BIN)/python bench/lr_finder.py
	$(BIN)/python bench/flow.py

bench-live: $(VENV)/.dev
	$(BIN)/python bench/live.py

load: $(VENV)/.dev
	$(BIN)/python bench/load.py

memory: $(VENV)/.dev
	$(BIN)/python bench/memory.py

clean:
	rm -rf $(VENV)
