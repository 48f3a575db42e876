# Fresh-machine entry points (see README): `make reproduce` and `make test`.
# Both create a virtual environment in .venv and install the package with its
# pinned-by-range dependencies from pyproject.toml; nothing is installed by hand.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= results

.PHONY: install reproduce test test-all docs bench clean

$(BIN)/isingsc: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Bytecode of the package compiled once here: an editable install leaves it to the first import, and where
# PYTHONDONTWRITEBYTECODE is set (as on this project's machines) every process, each sweep worker included,
# would compile the package's modules again (0.25 s each).  compileall skips modules that are up to date.
# The compiled kernels are written to Numba's on-disk cache here too (isingsc.backends.cpu.compile_kernels, about
# 5 s once; 1 s when the cache is current), so that the first command after installation loads them instead of
# compiling them.
install: $(BIN)/isingsc
	$(BIN)/python -m compileall -q src >/dev/null
	$(BIN)/python -c "from isingsc.backends.cpu import compile_kernels; compile_kernels()"

reproduce: install
	$(BIN)/isingsc reproduce --out $(OUT)

test: install
	$(BIN)/python -m pytest

test-all: install
	$(BIN)/python -m pytest -m "slow or not slow"

docs: install
	$(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
