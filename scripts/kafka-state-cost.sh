#!/usr/bin/env bash
# Measures what writing window state to the state topic before each offset commit costs.
#
# Replays the Tianchi SEL logs (10,991 BMC event lines of 2,883 servers and 3,011 fault tickets)
# through a librdkafka mock cluster into `logcot run`, with the default checkpoint settings. Then
# it summarises the daemon's debug lines "window state written to the state topic" (bytes and
# milliseconds per write) and "checkpoint committed".
#
# Usage: scripts/kafka-state-cost.sh [LOGCOT_BINARY]   (default .build/debug/logcot)
# Needs Tests/Support/kafka-mock/mock_cluster (make -C Tests/Support/kafka-mock), kcat and python3.
set -euo pipefail

cd "$(dirname "$0")/.."
binary=${1:-.build/debug/logcot}
data=../shared/data/tianchi-sel
work=$(mktemp -d)
trap 'kill "$daemon" "$cluster" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

echo "starting the mock cluster" >&2
# The cluster reads commands from standard input and stops at its end, so a FIFO kept open here
# feeds it nothing until this script exits.
mkfifo "$work/commands"
exec 3<> "$work/commands"
Tests/Support/kafka-mock/mock_cluster --topic logs:3 --topic fault-events:3 --topic logcot-state:1 \
  --topic diagnoses:1 --port-file "$work/bootstrap" > "$work/cluster.out" 2> "$work/cluster.err" <&3 &
cluster=$!
for _ in $(seq 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
bootstrap=$(cat "$work/bootstrap")

echo "producing the SEL lines and fault tickets" >&2
python3 - "$data" "$work" <<'PY'
import csv, json, sys
data, work = sys.argv[1], sys.argv[2]
def rfc3339(text):
    return text.strip().replace(" ", "T") + "Z"
with open(f"{data}/preliminary_sel_log_dataset_a.csv", newline="") as source, open(f"{work}/logs.txt", "w") as out:
    for row in csv.DictReader(source):
        value = {"host": row["sn"], "timestamp": rfc3339(row["time"]), "message": row["msg"].strip()}
        out.write(row["sn"] + "\t" + json.dumps(value) + "\n")
with open(f"{data}/preliminary_submit_dataset_a.csv", newline="") as source, open(f"{work}/faults.txt", "w") as out:
    for row in csv.DictReader(source):
        out.write(row["sn"] + "\t" + json.dumps({"host": row["sn"], "fault_time": rfc3339(row["fault_time"])}) + "\n")
PY
kcat -P -b "$bootstrap" -t logs -K$'\t' < "$work/logs.txt"
kcat -P -b "$bootstrap" -t fault-events -K$'\t' < "$work/faults.txt"

cat > "$work/config.json5" <<JSON
{
  masking: { secret: "state-cost" },
  metrics: { address: "127.0.0.1:0" },
  llm: { enabled: false },
  faults: { triggers: "off" },
  logLevel: "debug",
  sources: { kafka: {
    topics: ["logs"], faultTopic: "fault-events",
    properties: { "bootstrap.servers": "$bootstrap", "group.id": "state-cost", "auto.offset.reset": "earliest" },
  } },
  sinks: { kafka: { topic: "diagnoses", properties: { "bootstrap.servers": "$bootstrap" } } },
  state: { path: "$work/state.sqlite" },
}
JSON

echo "running logcot until the state topic is quiet for 15 s" >&2
"$binary" run --config "$work/config.json5" > /dev/null 2> "$work/daemon.err" &
daemon=$!
last=0
quiet=0
while [ "$quiet" -lt 15 ]; do
  sleep 1
  count=$(grep -c 'window state written to the state topic' "$work/daemon.err" || true)
  if [ "$count" = "$last" ] && [ "$count" != 0 ]; then quiet=$((quiet + 1)); else quiet=0; fi
  last=$count
done
kill -TERM "$daemon"
wait "$daemon" || true

python3 - "$work/daemon.err" <<'PY'
import re, statistics, sys
writes, checkpoints = [], 0
for line in open(sys.argv[1]):
    if 'msg="window state written to the state topic"' in line:
        fields = dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line))
        writes.append((int(fields["bytes"]), int(fields["duration_ms"]), int(fields["hosts"])))
    elif 'msg="checkpoint committed"' in line:
        checkpoints += 1
    elif "reports_written=" in line:
        print("stop line:", line.strip()[:300])
def summary(values):
    values = sorted(values)
    return f"median {statistics.median(values)}, p95 {values[int(len(values) * 0.95) - 1]}, max {values[-1]}, total {sum(values)}"
print(f"checkpoints committed: {checkpoints}; state-topic writes: {len(writes)}")
if writes:
    print("bytes per write:", summary([w[0] for w in writes]))
    print("ms per write:   ", summary([w[1] for w in writes]))
    print("hosts per write:", summary([w[2] for w in writes]))
PY
