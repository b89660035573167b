# Two commands for a newcomer: `make run` and `make test`. Both set up what is missing.
PYTHON310 ?= $(shell command -v python3.10 2>/dev/null || (pyenv prefix 3.10 2>/dev/null | sed 's|$$|/bin/python3.10|') || true)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help setup model run test eval bench check clean

help:  ## list the commands
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml constraints.txt
	@test -x "$(BIN)/python" || { \
	  py="$(PYTHON310)"; \
	  if [ -z "$$py" ] || ! "$$py" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then \
	    echo "Python 3.10 is needed (Rasa 3.6 supports 3.8-3.10 only). Install it with pyenv ('pyenv install 3.10'), deadsnakes ('apt install python3.10 python3.10-venv') or uv ('uv python install 3.10'), then run make again." >&2; exit 1; fi; \
	  "$$py" -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade "pip<24" "setuptools==70.3.0" wheel
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)  ## create .venv with Python 3.10 and install the project

model: setup  ## train the model if the training data changed
	$(BIN)/sanctuary train

run: model  ## start the Telegram bot if TELEGRAM_BOT_TOKEN is set, else a terminal chat
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then $(BIN)/sanctuary telegram; \
	else echo "TELEGRAM_BOT_TOKEN is not set: starting a terminal chat. See README to run on Telegram."; $(BIN)/sanctuary chat; fi

test: model  ## run the tests (trains the model once if needed)
	$(BIN)/python -m pytest -q

check: setup  ## validate the content files
	$(BIN)/sanctuary content check

eval: model  ## NLU and safety evaluation per language
	$(BIN)/sanctuary eval

bench: model  ## start-up, latency, throughput and memory figures
	$(BIN)/sanctuary bench

clean:  ## remove the virtualenv, models and caches
	rm -rf $(VENV) models .rasa var .pytest_cache
