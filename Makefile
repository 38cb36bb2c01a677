# 서울시 행정 AI 도우미 — the two quick-start commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Empty: 127.0.0.1 without sign-in (SEOULAI_AUTH__MODE=none), all interfaces with sign-in.
ADDRESS ?=
# llama.cpp is compiled from source by pip; a portable build keeps the cached wheel usable on any x86 CPU.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF

SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run test install install-test prepare clean-venv browser

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 이상이 필요합니다"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,local]'
	@touch $@ $(VENV)/.installed-app

install: $(VENV)/.installed-app

install-test: $(VENV)/.installed-test browser

# Browser tests use Debian's chromium (Playwright's own browser download is not available here) and a
# Korean font so that screenshots show Hangul.
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=ko 2>/dev/null | grep -q . || \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null; }

prepare: install
	@mkdir -p data indexes
	$(BIN)/seoulai demo-library
	$(BIN)/seoulai doctor || true

# serve.py wraps app.py with the sign-in routes; Streamlit's per-file upload cap follows SEOULAI_INGEST__MAX_FILE_MB.
run: prepare
	ADDRESS=$(ADDRESS) $(BIN)/python -m seoulai.web.launch --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)
