#!/usr/bin/env bash
# Prepare an Ollama server for 서울시 행정 AI 도우미:
#   1. pull the base chat model and the embedding model,
#   2. create the assistant model from ollama/Modelfile on that base.
# Settings (environment): SEOULAI_BASE_MODEL (default gemma3:12b), SEOULAI_LLM__MODEL (default seoulai),
# SEOULAI_EMBED__MODEL (default bge-m3), SEOULAI_OLLAMA_URL (default http://127.0.0.1:11434).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base="${SEOULAI_BASE_MODEL:-gemma3:12b}"
name="${SEOULAI_LLM__MODEL:-seoulai}"
embed="${SEOULAI_EMBED__MODEL:-bge-m3}"
export OLLAMA_HOST="${SEOULAI_OLLAMA_URL:-${OLLAMA_HOST:-http://127.0.0.1:11434}}"

if ! command -v ollama >/dev/null 2>&1; then
  echo "ollama 명령을 찾을 수 없습니다. https://ollama.com 의 설치 안내에 따라 설치한 뒤 다시 실행하세요." >&2
  exit 2
fi

echo "기본 모델 내려받기: $base"
ollama pull "$base"
echo "임베딩 모델 내려받기: $embed"
ollama pull "$embed"

modelfile="$(mktemp)"
trap 'rm -f "$modelfile"' EXIT
sed "s|^FROM .*|FROM ${base}|" "$here/Modelfile" > "$modelfile"
echo "도우미 모델 만들기: $name (기반: $base)"
ollama create "$name" -f "$modelfile"
echo "완료: SEOULAI_LLM__MODEL=$name, SEOULAI_EMBED__MODEL=$embed 로 앱을 실행하세요. 확인: seoulai doctor"
