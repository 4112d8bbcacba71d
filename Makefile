# kerastutor task runner. `make lab` starts the course, `make test` runs every test.
# Both create .venv and install what they need on first use; later runs reuse it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
# torch for the DataLoader chapter. 2.13.0 is a CPU build where a local wheel exists (CI);
# elsewhere pip takes it from the package index.
TORCH_SPEC ?= torch==2.13.0
# Root (CI, containers) must say so to JupyterLab.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

# Kernels read the project's IPython start-up file (quiet TensorFlow start-up lines).
export IPYTHONDIR := $(CURDIR)/jupyter/ipython
export TF_CPP_MIN_LOG_LEVEL := 3
# Fewer malloc arenas: TensorFlow's many threads otherwise each grow their own (more memory).
export MALLOC_ARENA_MAX := 2

.PHONY: lab test lint unit notebooks-check notebooks-strip bench clean

$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kerastutor needs Python 3.11 or newer, found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24,<27"
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[torch,lab,test,bench]"
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.root_dir=notebooks $(ALLOW_ROOT)

test: $(STAMP) lint
	$(BIN)/python -m pytest -n 2 --dist loadfile -p no:cacheprovider \
		tests kerastutor --doctest-modules \
		notebooks --nbval-lax --nbval-current-env --nbval-cell-timeout=300

lint: $(STAMP)
	$(BIN)/ruff check kerastutor tests notebooks tools jupyter benchmarks
	$(BIN)/ruff format --check kerastutor tests notebooks tools jupyter benchmarks

notebooks-strip: $(STAMP)
	$(BIN)/nbstripout notebooks/*.ipynb

clean:
	rm -rf $(VENV)

bench: $(STAMP)
	$(BIN)/python benchmarks/notebooks.py
	$(BIN)/python benchmarks/liveplot.py
