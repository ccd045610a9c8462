#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/) and fuzzes each for FUZZ_SECONDS seconds, starting from the
# seed corpus in Fuzz/corpus/TARGET. Inputs that crash land in .build/fuzz-artifacts/; the script
# exits non-zero when any target found one. FUZZ_TARGETS limits the run to some targets.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-sel-csv jsonl syslog timestamp tickets config label-answer}"
build="$root/.build/fuzz"
work="$root/.build/fuzz-corpus"
artifacts="$root/.build/fuzz-artifacts"

cd "$root"
# -sanitize=fuzzer instruments every Swift module for coverage and links libFuzzer; the separate
# build path keeps these objects apart from the normal build.
swift build --build-path "$build" -c debug -Xswiftc -sanitize=fuzzer -Xswiftc -DLOGCOT_LIBFUZZER --product logcot-fuzz
binary="$build/debug/logcot-fuzz"
mkdir -p "$artifacts"

failed=""
for target in $targets; do
  mkdir -p "$work/$target"
  echo "fuzz: $target for $seconds s" >&2
  # The Swift runtime's backtracer would catch the crash signal before libFuzzer writes the input out.
  if ! SWIFT_BACKTRACE=enable=no LOGCOT_FUZZ_TARGET="$target" "$binary" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$artifacts/$target-" "$work/$target" "Fuzz/corpus/$target" \
       > "$artifacts/$target.log" 2>&1; then
    echo "fuzz: $target FAILED; see $artifacts/$target.log and the $target-* files there" >&2
    failed="$failed $target"
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|cov: " "$artifacts/$target.log" | tail -3 >&2 || true
done

if [ -n "$failed" ]; then
  echo "fuzz: crashes or property violations in:$failed" >&2
  exit 1
fi
echo "fuzz: no crash in $targets" >&2
