# newsflow: `make demo` runs the main job on the embedded stack, `make test` the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test unit lint install stack-up stack-down stop bench bench-reliability eval schemas clean-stack help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (newsflow needs Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv/ and install newsflow with its pinned dependencies

demo: $(STAMP)  ## stack up, workers up, publish seeds/, wait until searchable, search
	$(BIN)/python -m services.operations.demo

test: $(STAMP)  ## the whole test suite against the real local stack (starts it if needed)
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest tests

unit: $(STAMP)  ## only the fast tests that need no stack
	$(BIN)/python -m pytest tests/unit

lint: $(STAMP)  ## ruff
	$(BIN)/ruff check .

stack-up: $(STAMP)  ## start the embedded Kafka and Elasticsearch
	$(BIN)/newsflow stack up

stop: $(STAMP)  ## stop demo workers and the embedded stack
	$(BIN)/newsflow demo-stop || true
	$(BIN)/newsflow stack down

stack-down: stop  ## same as stop

schemas: $(STAMP)  ## regenerate shared/contracts/jsonschema from the pydantic models
	$(BIN)/python -m shared.contracts.schemas

bench: $(STAMP)  ## run the benchmarks (they print their figures)
	$(BIN)/python bench/pipeline.py

bench-reliability: $(STAMP)  ## search cost under 20 concurrent worst-case queries, memory after large inputs
	$(BIN)/python bench/search_load.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/memory.py --no-release
