# The two quick-start commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-fast bench clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Main job on the bundled data: train the default model from data/, then label
# the bundled seed articles and 300 bundled news items, with a summary and a report.
demo: $(STAMP)
	$(BIN)/dangjian train
	mkdir -p out
	awk 'NR % 10 == 1' data/raw/xwlb_news_sample.jsonl > out/news_sample.jsonl  # 300 items spread over 2012-2026
	$(BIN)/dangjian label data/seeds out/news_sample.jsonl -o out/labels.jsonl \
		--summary out/summary.csv --report out/report.html
	@echo "wrote out/labels.jsonl, out/summary.csv and out/report.html; model report: models/latest/report.md"

test: $(STAMP)
	@scripts/ensure-browser.sh
	$(BIN)/python -m pytest

# The inner loop: every test that trains no model on the full data and drives no browser.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py
	$(BIN)/python benchmarks/bench_predict.py
	$(BIN)/python benchmarks/bench_http.py
	$(BIN)/python benchmarks/bench_label.py

clean-venv:
	rm -rf $(VENV)
