#!/usr/bin/env bash
# Feeds a log storm from one host (STORM_RATE lines/s for STORM_SECONDS s, default 20,000 for 60 s)
# through a FIFO into `logcot replay` and samples the replay's VmRSS and VmHWM from /proc every
# second. It checks that the peak stays under STORM_MAX_RSS_MB, and that the storm's window got a
# labelled report that counts every line. It exits non-zero when a check fails.
#
# Variables: LOGCOT_BIN (default: the debug build), STORM_RATE, STORM_SECONDS, STORM_MAX_RSS_MB,
# STORM_LLM (none, or an LLM base URL), STORM_DIR (default: a temporary directory).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${LOGCOT_BIN:-$(cd "$root" && swift build --show-bin-path)/logcot}"
rate="${STORM_RATE:-20000}"
seconds="${STORM_SECONDS:-60}"
max_rss_mb="${STORM_MAX_RSS_MB:-128}"
llm="${STORM_LLM:-none}"
dir="${STORM_DIR:-$(mktemp -d)}"
mkdir -p "$dir"

if [ ! -x "$bin" ]; then
  echo "storm-check: $bin not found; run 'swift build' or set LOGCOT_BIN" >&2
  exit 2
fi

fifo="$dir/storm.fifo"
rm -f "$fifo" "$dir/reports.jsonl"
mkfifo "$fifo"
# The fault lies in the middle of the storm, so the default window (24 h before, 10 min after) contains all of it.
printf 'sn,fault_time\nstorm-01,2026-06-01 12:00:30\n' > "$dir/tickets.csv"

echo "storm-check: $rate lines/s for $seconds s into $bin replay (llm: $llm); files in $dir" >&2
"$bin" replay --logs "$fifo" --format syslog --faults "$dir/tickets.csv" --llm "$llm" \
  --reference-time 2026-06-01T12:00:00Z --out "$dir/reports.jsonl" --quiet 2> "$dir/replay.log" &
replay_pid=$!
python3 "$root/scripts/storm-feed.py" --out "$fifo" --rate "$rate" --seconds "$seconds" 2> "$dir/feed.log" &
feed_pid=$!

peak_rss_kb=0
samples=0
while kill -0 "$replay_pid" 2>/dev/null; do
  rss_kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$replay_pid/status" 2>/dev/null || true)"
  hwm_kb="$(awk '/^VmHWM:/ {print $2}' "/proc/$replay_pid/status" 2>/dev/null || true)"
  if [ -n "$hwm_kb" ]; then
    samples=$((samples + 1))
    [ "$hwm_kb" -gt "$peak_rss_kb" ] && peak_rss_kb="$hwm_kb"
    echo "$(date +%s) rss_kb=$rss_kb hwm_kb=$hwm_kb" >> "$dir/rss.log"
  fi
  sleep 1
done
wait "$feed_pid"
replay_status=0
wait "$replay_pid" || replay_status=$?
cat "$dir/feed.log" >&2

status=0
if [ "$replay_status" -ne 0 ]; then
  echo "storm-check: FAIL: replay exited with $replay_status; see $dir/replay.log" >&2
  status=1
fi
peak_mb=$((peak_rss_kb / 1024))
echo "storm-check: peak resident memory (VmHWM) $peak_mb MiB over $samples samples; bound $max_rss_mb MiB" >&2
if [ "$peak_mb" -ge "$max_rss_mb" ]; then
  echo "storm-check: FAIL: peak resident memory $peak_mb MiB is not under $max_rss_mb MiB" >&2
  status=1
fi

expected=$((rate * seconds))
python3 - "$dir/reports.jsonl" "$expected" <<'PY' || status=1
import json, sys
reports = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
expected = int(sys.argv[2])
if len(reports) != 1:
    sys.exit(f"storm-check: FAIL: {len(reports)} reports, expected 1")
report = reports[0]
counts = report["line_counts"]
print(f"storm-check: report {report['report_id']}: label {report.get('label')} ({report['label_source']}), "
      f"seen {counts['seen']}, stored {counts['stored']}, compacted {counts['compacted']}, "
      f"duplicates {counts.get('duplicates', 0)}, key lines {len(report['key_lines'])}",
      file=sys.stderr)
# An exact repeat of a stored line (same time and text) is counted in duplicates, not in seen.
if counts["seen"] + counts.get("duplicates", 0) != expected:
    sys.exit(f"storm-check: FAIL: the window saw {counts['seen']} lines and {counts.get('duplicates', 0)} duplicates, expected {expected} in all")
if counts["stored"] + counts["compacted"] != counts["seen"]:
    sys.exit("storm-check: FAIL: stored + compacted does not add up to seen")
if report.get("label") is None:
    sys.exit("storm-check: FAIL: the storm window has no label")
PY
[ "$status" -eq 0 ] && echo "storm-check: PASS" >&2
exit "$status"
