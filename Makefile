# helsekit: the front door. `make demo` (ends serving the gallery) and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The norway database bench_generate.py makes, kept for bench_services.py (about 18 GB; reused while the specs match)
BENCH_NORWAY ?= $(or $(TMPDIR),/tmp)/hkbench/norway.db
# Keep Jupyter's and IPython's state inside the checkout, away from the user's home.
export JUPYTER_CONFIG_DIR := $(CURDIR)/.test-state/jupyter-config
export JUPYTER_DATA_DIR   := $(CURDIR)/.test-state/jupyter-data
export IPYTHONDIR         := $(CURDIR)/.test-state/ipython
export MPLCONFIGDIR       := $(CURDIR)/.test-state/matplotlib

.PHONY: help demo data gallery test bench venv clean

help: ## Show the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@mkdir -p $(JUPYTER_CONFIG_DIR) $(JUPYTER_DATA_DIR) $(IPYTHONDIR) $(MPLCONFIGDIR)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

venv: $(STAMP) ## Create the virtual environment and install helsekit (done by demo/test when needed)

demo: $(STAMP) ## Generate the default population if missing (else summarise it), then serve the gallery on http://127.0.0.1:8866 (Ctrl-C stops it)
	@mkdir -p $(JUPYTER_CONFIG_DIR) $(JUPYTER_DATA_DIR) $(IPYTHONDIR) $(MPLCONFIGDIR)
	@if [ -f synthetic_data/helsekit.db ]; then $(BIN)/helsekit summary; else $(BIN)/helsekit generate --profile default --seed 42 --summary; fi
	$(BIN)/helsekit serve

data: $(STAMP) ## Generate the default population and its health histories afresh into synthetic_data/ and summarise it (no server)
	$(BIN)/helsekit generate --profile default --seed 42 --summary

gallery: $(STAMP) ## Serve the running pilots and their gallery with Voilà on http://127.0.0.1:8866 (generates the default database if missing)
	@mkdir -p $(JUPYTER_CONFIG_DIR) $(JUPYTER_DATA_DIR) $(IPYTHONDIR) $(MPLCONFIGDIR)
	@test -f synthetic_data/helsekit.db || $(BIN)/helsekit generate --profile default --seed 42
	$(BIN)/helsekit serve

test: $(STAMP) ## Run the whole test suite (unit, generator, storage, CLI, notebooks)
	@mkdir -p $(JUPYTER_CONFIG_DIR) $(JUPYTER_DATA_DIR) $(IPYTHONDIR) $(MPLCONFIGDIR)
	$(BIN)/python -m pytest

bench: $(STAMP) ## Measure generator throughput against a per-row Faker baseline, the norway profile, one citizen's history and overview, the pilot pages' render time, the national visit log with its monthly report, the Velg behandlingssted search and the FHIR export of default
	$(BIN)/python benchmarks/bench_generate.py --keep-db $(BENCH_NORWAY)
	$(BIN)/python benchmarks/bench_services.py --db-norway $(BENCH_NORWAY)
	$(BIN)/python benchmarks/bench_pages.py
	$(BIN)/python benchmarks/bench_visits.py --db $(BENCH_NORWAY)
	$(BIN)/python benchmarks/bench_treatment_search.py --db-norway $(BENCH_NORWAY)
	$(BIN)/python benchmarks/bench_fhir.py

clean: ## Remove generated databases, executed notebooks and test state (keeps the venv)
	rm -rf synthetic_data/*.db synthetic_data/*.histories synthetic_data/*.derived reports/output .test-state .pytest_cache
