# Two commands are all a user needs:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test setup clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# set-up = install, compile the package's bytecode (so a command starts without compiling it, even where
# PYTHONDONTWRITEBYTECODE is set), build the fast route's static word vectors once (about a minute), then train
# the default model if it is missing or stale (deterministic, offline)
setup: $(STAMP)
	$(BIN)/python -m compileall -q src
	$(BIN)/python training/build_static_vectors.py --if-missing --quiet
	$(BIN)/mh-nlp train --if-needed

demo: setup
	$(BIN)/mh-nlp demo

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build src/*.egg-info
