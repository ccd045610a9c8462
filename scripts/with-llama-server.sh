#!/usr/bin/env bash
# Runs a command with a local llama-server (SmolLM2-135M-Instruct) on 127.0.0.1 and stops the server
# afterwards, whatever the command's outcome. The command reads the server's OpenAI base URL from
# LOGCOT_LLM_URL. The first run builds llama-server into ~/.cache/logcot (about 5 minutes on 2 cores).
#
# Usage: scripts/with-llama-server.sh COMMAND [ARGUMENT...]
set -euo pipefail

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
state_dir="$(mktemp -d "${TMPDIR:-/tmp}/logcot-llm.XXXXXX")"
export LLAMA_URL_FILE="$state_dir/llama-server.url"
export LLAMA_PID_FILE="$state_dir/llama-server.pid"
# One thread per slot: llama.cpp's threads spin while waiting, so on a 2-core machine that also runs
# the tests, more threads than free cores make generation several times slower, not faster.
export LLAMA_EXTRA_ARGS="${LLAMA_EXTRA_ARGS:---threads 1 --parallel 2}"
# llama-server splits the context between its parallel slots: 8192 leaves 4096 tokens per request.
export LLAMA_CTX="${LLAMA_CTX:-8192}"

stop_server() {
  bash "$script_dir/llama-server.sh" stop "$LLAMA_PID_FILE" "$LLAMA_URL_FILE" || true
  rm -rf "$state_dir"
}
trap stop_server EXIT

bash "$script_dir/llama-server.sh" start "$LLAMA_URL_FILE" "$LLAMA_PID_FILE"
LOGCOT_LLM_URL="$(cat "$LLAMA_URL_FILE")"
export LOGCOT_LLM_URL
"$@"
