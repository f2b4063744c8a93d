# Two commands a newcomer needs:  make demo   and   make test
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: setup demo test bench docs identity clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash sample_data/demo.sh

test: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -p no:cacheprovider -n 2

# the CLI reference is written from the commands (tests/test_docs.py checks it is current)
docs: $(STAMP)
	$(BIN)/python -m avoid_survey.cli.docgen > docs/cli.md

# every command's --format json on the sample data and fixtures, into DIR (compare two with
# $(BIN)/python tests/json_identity.py --compare DIR_A DIR_B)
identity: $(STAMP)
	$(BIN)/python tests/json_identity.py --run $(or $(DIR),json-identity) --exe $(BIN)/avoid-survey

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) demo_out json-identity
