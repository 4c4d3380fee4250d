# newsflow: `make demo` runs the main job on the embedded stack, `make test` the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test unit lint install k8s-tools stack-up stack-down stop bench bench-quick bench-reliability eval eval-stories schemas clean-stack help model headline-model

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

test: $(STAMP) k8s-tools  ## the whole test suite against the real local stack (starts it if needed)
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest tests

unit: $(STAMP) k8s-tools  ## only the fast tests that need no stack
	$(BIN)/python -m pytest tests/unit

k8s-tools: $(STAMP)  ## build helm, kubeconform and the Kubernetes/KEDA schemas into .tools/ (for the chart tests)
	PYTHON=$(BIN)/python bash scripts/ensure-k8s-tools.sh

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

eval: $(STAMP)  ## print the quality figures: cleaning (seeds, fixture pages, held-out openings and reader pages, development corpus), extraction (seeds, CoNLL-2003, recent web news), stories
	$(BIN)/python -m eval.cleaning --no-baseline
	$(BIN)/python -m eval.extraction
	$(BIN)/python -m eval.stories

model: $(STAMP)  ## retrain the news entity model (fetches CoNLL-2003 with pip; ~30 min on one core)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python -m services.extractor.model.train

headline-model: $(STAMP)  ## retrain the scraped-text headline ranker on the development corpus (seconds; deterministic)
	$(BIN)/python -m eval.train_headline

bench: $(STAMP)  ## run the benchmarks (they print their figures; a quiet machine: ~20 min)
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/alerts.py

bench-quick: $(STAMP)  ## a short run of bench/pipeline.py that checks it works (rough figures)
	$(BIN)/python bench/pipeline.py --quick

eval-stories: $(STAMP)  ## near-duplicate stories on a generated syndication set: duplicate-pair precision and recall
	$(BIN)/python -m eval.stories

bench-reliability: $(STAMP)  ## search cost under 20 concurrent worst-case queries, memory after large inputs
	$(BIN)/python bench/search_load.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/memory.py --no-release
