#!/usr/bin/env bash
# Starts or stops a llama.cpp llama-server on 127.0.0.1 for tests, demos and manual checks.
#
# Usage:
#   scripts/llama-server.sh start [URL_FILE [PID_FILE]]
#   scripts/llama-server.sh stop [PID_FILE [URL_FILE]]
#
# start picks a free port, starts llama-server with the model in LLAMA_MODEL, waits until GET /health returns 200,
# then writes the OpenAI base URL (http://127.0.0.1:PORT/v1) to URL_FILE and the process id to PID_FILE.
# stop sends SIGTERM to the process in PID_FILE, waits up to 10 s, then sends SIGKILL, and removes both files.
# stop's URL_FILE defaults to $LLAMA_URL_FILE, then to PID_FILE with .url in place of .pid.
#
# Files default to $LLAMA_URL_FILE and $LLAMA_PID_FILE, then to llama-server.url and llama-server.pid in
# ${TMPDIR:-/tmp}/logcot-llama-server/.
#
# Environment:
#   LLAMA_SERVER, LLAMA_MODEL  the llama-server binary and the GGUF model. When either is unset, the script runs
#                              setup-llm.sh next to it (or $LOGCOT_SETUP_LLM) and reads both from its output.
#   LLAMA_CTX                  context size in tokens (default 4096)
#   LLAMA_START_TIMEOUT        seconds to wait for /health (default 300)
#   LLAMA_LOG_FILE             server log (default: the PID file path with .log in place of .pid)
#   LLAMA_EXTRA_ARGS           extra llama-server arguments, split on spaces
set -euo pipefail

state_dir="${TMPDIR:-/tmp}/logcot-llama-server"
script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"

die() {
  echo "llama-server.sh: $*" >&2
  exit 1
}

# Prints a TCP port on 127.0.0.1 that was free a moment ago. Another process may take it before llama-server binds,
# so start_server retries with a new port when the server exits early.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# True when the PID belongs to a running llama-server, so that a reused PID is never signalled.
is_llama_server() {
  local pid="$1"
  [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'llama-server'
}

resolve_binaries() {
  if [[ -n "${LLAMA_SERVER:-}" && -n "${LLAMA_MODEL:-}" ]]; then
    return
  fi
  local setup="${LOGCOT_SETUP_LLM:-$script_dir/setup-llm.sh}"
  [[ -f "$setup" ]] || die "LLAMA_SERVER and LLAMA_MODEL are unset and $setup does not exist; set both variables"
  local output
  output="$(bash "$setup")" || die "$setup failed; see its messages above"
  while IFS='=' read -r key value; do
    case "$key" in
      LLAMA_SERVER) LLAMA_SERVER="${LLAMA_SERVER:-$value}" ;;
      LLAMA_MODEL) LLAMA_MODEL="${LLAMA_MODEL:-$value}" ;;
    esac
  done <<<"$output"
  [[ -n "${LLAMA_SERVER:-}" && -n "${LLAMA_MODEL:-}" ]] || die "$setup did not print LLAMA_SERVER and LLAMA_MODEL"
}

start_server() {
  local url_file="${1:-${LLAMA_URL_FILE:-$state_dir/llama-server.url}}"
  local pid_file="${2:-${LLAMA_PID_FILE:-$state_dir/llama-server.pid}}"
  local log_file="${LLAMA_LOG_FILE:-${pid_file%.pid}.log}"
  local timeout="${LLAMA_START_TIMEOUT:-300}"
  local ctx="${LLAMA_CTX:-4096}"

  if [[ -f "$pid_file" ]] && is_llama_server "$(cat "$pid_file")"; then
    die "llama-server is already running with PID $(cat "$pid_file") ($pid_file); run '$0 stop $pid_file' first"
  fi

  resolve_binaries
  [[ -x "$LLAMA_SERVER" ]] || die "llama-server binary $LLAMA_SERVER is missing or not executable"
  [[ -f "$LLAMA_MODEL" ]] || die "model file $LLAMA_MODEL not found"
  mkdir -p "$(dirname -- "$url_file")" "$(dirname -- "$pid_file")" "$(dirname -- "$log_file")"

  local attempt port pid
  local -a extra_args=()
  if [[ -n "${LLAMA_EXTRA_ARGS:-}" ]]; then
    read -r -a extra_args <<<"$LLAMA_EXTRA_ARGS"
  fi

  for attempt in 1 2 3; do
    port="$(free_port)"
    echo "llama-server.sh: starting $LLAMA_SERVER on 127.0.0.1:$port (attempt $attempt), log $log_file" >&2
    nohup "$LLAMA_SERVER" -m "$LLAMA_MODEL" --host 127.0.0.1 --port "$port" -c "$ctx" "${extra_args[@]}" \
      >"$log_file" 2>&1 </dev/null &
    pid=$!

    local deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
      if ! kill -0 "$pid" 2>/dev/null; then
        break
      fi
      if [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health" || true)" == "200" ]]; then
        echo "$pid" >"$pid_file"
        echo "http://127.0.0.1:$port/v1" >"$url_file"
        echo "llama-server.sh: ready at http://127.0.0.1:$port/v1 (PID $pid)" >&2
        return 0
      fi
      sleep 0.5
    done

    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      die "llama-server did not report healthy within ${timeout}s; last log lines:
$(tail -n 20 "$log_file")"
    fi
    # The process exited. One cause is another process taking the port first, so the loop tries a new port.
    echo "llama-server.sh: llama-server exited early; last log lines:" >&2
    tail -n 5 "$log_file" >&2
  done
  die "llama-server failed to start 3 times; see $log_file"
}

stop_server() {
  local pid_file="${1:-${LLAMA_PID_FILE:-$state_dir/llama-server.pid}}"
  local url_file="${2:-${LLAMA_URL_FILE:-${pid_file%.pid}.url}}"

  [[ -f "$pid_file" ]] || die "no PID file at $pid_file; nothing to stop"
  local pid
  pid="$(cat "$pid_file")"
  if ! is_llama_server "$pid"; then
    echo "llama-server.sh: PID $pid is not a running llama-server; removing $pid_file" >&2
    rm -f "$pid_file" "$url_file"
    return 0
  fi

  kill -TERM "$pid"
  local waited=0
  while kill -0 "$pid" 2>/dev/null && ((waited < 20)); do
    sleep 0.5
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "llama-server.sh: PID $pid ignored SIGTERM for 10 s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file" "$url_file"
  echo "llama-server.sh: stopped PID $pid" >&2
}

case "${1:-}" in
  start)
    shift
    start_server "$@"
    ;;
  stop)
    shift
    stop_server "$@"
    ;;
  *)
    echo "usage: $0 start [URL_FILE [PID_FILE]] | stop [PID_FILE [URL_FILE]]" >&2
    exit 2
    ;;
esac
