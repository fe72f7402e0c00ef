# The two quick-start commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test bench clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Main job on the bundled data: clean and segment the bundled seed articles.
demo: $(STAMP)
	mkdir -p out
	$(BIN)/dangjian clean data/seeds > out/seeds.units.jsonl
	@echo "wrote out/seeds.units.jsonl ($$(wc -l < out/seeds.units.jsonl) paragraph units)"

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py

clean-venv:
	rm -rf $(VENV)
