# Two commands set up a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast test-stress lint bench bench-quick seed gallery clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: the Discord bot when DISCORD_TOKEN is set, otherwise the local console
run: $(STAMP)
	$(BIN)/racebot run

# pytest-xdist workers for `make test`: one per CPU (2 in CI); JOBS=0 runs in one process
JOBS   ?= auto

## test: the whole test suite (sets up .venv first): in parallel, then the `serial` tests alone
test: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -q -n $(JOBS) -m "not serial"
	MPLBACKEND=Agg $(BIN)/python -m pytest -q -m serial

## test-fast: the unit layer only (tests/unit: grammar, normalisation, formatting, lookup, registries, layers; < 30 s)
test-fast: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -q tests/unit -m "not slow"

## lint: ruff (pyflakes, pycodestyle, bugbear, ...), mypy and vulture (dead code), as configured in pyproject.toml
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/vulture

## test-stress: the Discord tests three times in a row while a busy loop per core loads the machine
test-stress: $(STAMP)
	$(BIN)/python scripts/stress_tests.py --rounds 3

## bench: the benchmark suite (benchmarks/); writes BENCHMARKS.md
bench: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m benchmarks

## bench-quick: a smaller benchmark run while developing (report in /tmp/BENCHMARKS-quick.md)
bench-quick: $(STAMP)
	BENCH_QUICK=1 MPLBACKEND=Agg $(BIN)/python -m benchmarks --out /tmp/BENCHMARKS-quick.md

## seed: rebuild data/seed/ from ../shared/data
seed: $(STAMP)
	$(BIN)/python scripts/build_seed.py

## gallery: every chart kind as PNG in docs/gallery, from a fresh database built from data/seed (commit the result)
gallery: $(STAMP)
	d=$$(mktemp -d) && MPLBACKEND=Agg $(BIN)/racebot --db $$d/gallery.db gallery docs/gallery; s=$$?; rm -rf $$d; exit $$s

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache racebot.db*
