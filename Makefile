# Foresight: `make run` (nightly job on the demo plant) and `make test` set themselves up.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PLANT  ?= plants/demo.yaml
export FORESIGHT_PLANT ?= $(abspath $(PLANT))

.PHONY: run test test-all ui bench lint train clean-state

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip uv

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/uv pip install --python $(BIN)/python --quiet -e ".[dev,celery]"
	touch $(STAMP)

run: $(STAMP)  ## the nightly job on the demo plant (simulates it first if needed)
	$(BIN)/foresight nightly --plant $(PLANT)

train: $(STAMP)
	$(BIN)/foresight train --plant $(PLANT)

test: $(STAMP)  ## fast tests (default markers)
	$(BIN)/python -m pytest -q

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m ""

ui: $(STAMP)  ## the Dagster UI on the same definitions, http://127.0.0.1:3000
	$(BIN)/foresight simulate --plant $(PLANT)
	DAGSTER_HOME=$${DAGSTER_HOME:-$$($(BIN)/python -c "from foresight.plant import load_plant; print(load_plant().state_dir / 'dagster')")} \
	  $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

bench: $(STAMP)  ## speed and memory figures; writes bench-results.json
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean-state:
	rm -rf .state
