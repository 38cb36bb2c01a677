# 서울시 행정 AI 도우미 — the two quick-start commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Empty: 127.0.0.1 without sign-in (SEOULAI_AUTH__MODE=none), all interfaces with sign-in.
ADDRESS ?=
# llama.cpp is compiled from source by pip. A portable AVX2 build: the native one has crashed on CPUs with
# AMX/AVX-512, and a portable wheel stays usable from pip's cache on any recent x86 machine.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run test install install-test prepare clean-venv browser postgres

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 이상이 필요합니다"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

# The first time, pip compiles llama.cpp (about 10 minutes on 2 cores): its progress is printed as it goes.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@if ! $(BIN)/python -c 'import llama_cpp' 2>/dev/null; then \
		echo "llama.cpp를 소스에서 빌드합니다 (처음 한 번, 2코어에서 약 10분)…"; fi
	@set -o pipefail; $(BIN)/pip install -v -e '.[test,local]' 2>&1 | tee $(VENV)/install-local.log | \
		sed -u -n 's/.*\[ *\([0-9]*\)%\].*/  llama.cpp 빌드 \1%/p' | uniq || \
		{ tail -n 40 $(VENV)/install-local.log; echo "설치 실패: 전체 기록은 $(VENV)/install-local.log"; exit 1; }
	@touch $@ $(VENV)/.installed-app

install: $(VENV)/.installed-app

install-test: $(VENV)/.installed-test browser postgres

# Browser tests use Debian's chromium (Playwright's own browser download is not available here) and a
# Korean font so that screenshots show Hangul.
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=ko 2>/dev/null | grep -q . || \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null; }

# The several-servers tests start a throwaway PostgreSQL cluster from Debian's server binaries (nothing is
# configured system-wide; the single-machine default needs no PostgreSQL).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

prepare: install
	@mkdir -p data indexes
	$(BIN)/seoulai demo-library
	$(BIN)/seoulai doctor || true

# serve.py wraps app.py with the sign-in routes; Streamlit's per-file upload cap follows SEOULAI_INGEST__MAX_FILE_MB.
run: prepare
	ADDRESS=$(ADDRESS) $(BIN)/python -m seoulai.web.launch --port $(PORT)

# Lint, then types (strict on the services, answer and retrieval packages: [tool.mypy] in pyproject.toml), then tests.
test: install-test
	$(BIN)/ruff check .
	@$(BIN)/mypy || { echo "mypy가 타입 오류를 찾았습니다: 위에 적힌 파일과 줄을 고친 뒤 make test를 다시 실행하세요."; exit 1; }
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)
