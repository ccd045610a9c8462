#!/usr/bin/env bash
# End-to-end test of mock_cluster, with kcat as an independent Kafka client.
#
# Starts mock_cluster on 127.0.0.1 (twice: one broker, then two brokers),
# produces and consumes through kcat, and injects broker outages through the
# stdin command protocol. Prints one PASS or FAIL line per check and
# "N passed, M failed" as the last line. Exits 1 if any check fails.
#
# Requirements: bash, make, gcc, librdkafka-dev, kcat, ss (iproute2).
# Runtime: about 35 s, mostly consumer-group join delays.
# Set KEEP_TEST_DIR=1 to keep the logs in the temporary directory.

set -u -o pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MOCK_CLUSTER="$SCRIPT_DIR/mock_cluster"
TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mock-cluster-test.XXXXXX")

# Group consumer settings used by all group checks. librdkafka requires
# heartbeat.interval.ms to be lower than session.timeout.ms.
SESSION_TIMEOUT_MS=6000
HEARTBEAT_INTERVAL_MS=1000

passed=0
failed=0
started_pids=()

# State of the running mock_cluster, set by start_cluster.
CLUSTER_DIR=""
CLUSTER_PID=""
CONTROL_FD=""
BOOTSTRAP=""
REPLY_LINE=""


# ---------------------------------------------------------------------------
# Helpers

pass() {
    passed=$((passed + 1))
    echo "PASS $1"
}

fail() {
    failed=$((failed + 1))
    echo "FAIL $1: $2"
}

info() {
    echo "INFO $*"
}

now_ms() {
    date +%s%3N
}

# Prefixes each stdin line with the milliseconds elapsed since $1.
timestamp_lines() {
    local start_ms=$1 line
    while IFS= read -r line; do
        printf '%d %s\n' "$(($(now_ms) - start_ms))" "$line"
    done
}

# Waits up to $1 seconds for the command in the remaining arguments to
# succeed. Returns 1 on timeout.
wait_until() {
    local timeout_s=$1
    shift
    local deadline=$(($(now_ms) + timeout_s * 1000))
    until "$@"; do
        if (($(now_ms) > deadline)); then
            return 1
        fi
        sleep 0.1
    done
}

is_running() {
    kill -0 "$1" 2>/dev/null
}

is_not_running() {
    ! kill -0 "$1" 2>/dev/null
}

file_is_not_empty() {
    [ -s "$1" ]
}

file_contains() {
    grep -q -- "$2" "$1" 2>/dev/null
}

# Stops every process this script started that is still running.
stop_started_processes() {
    local pid
    for pid in "${started_pids[@]}"; do
        if is_running "$pid"; then
            kill -TERM "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
        fi
    done
    started_pids=()
}

cleanup() {
    stop_started_processes
    if [ "${KEEP_TEST_DIR:-0}" = 1 ]; then
        echo "test logs kept in $TEST_DIR" >&2
    else
        rm -rf "$TEST_DIR"
    fi
}
trap cleanup EXIT


# ---------------------------------------------------------------------------
# mock_cluster control

# Starts mock_cluster with the given arguments plus --port-file, and waits up
# to 10 s for the port file. Sets CLUSTER_DIR, CLUSTER_PID, CONTROL_FD and
# BOOTSTRAP. Returns 1 if the cluster did not start.
start_cluster() {
    CLUSTER_DIR=$(mktemp -d "$TEST_DIR/cluster.XXXXXX")
    mkfifo "$CLUSTER_DIR/control"

    "$MOCK_CLUSTER" "$@" --port-file "$CLUSTER_DIR/port" \
        <"$CLUSTER_DIR/control" >"$CLUSTER_DIR/stdout" 2>"$CLUSTER_DIR/stderr" &
    CLUSTER_PID=$!
    started_pids+=("$CLUSTER_PID")

    # Opening the FIFO read-write never blocks, even if mock_cluster failed
    # before opening its end.
    exec {CONTROL_FD}<>"$CLUSTER_DIR/control"

    if ! wait_until 10 file_is_not_empty "$CLUSTER_DIR/port"; then
        echo "mock_cluster $* did not write its port file within 10 s;" \
            "its stderr:" >&2
        cat "$CLUSTER_DIR/stderr" >&2
        return 1
    fi
    BOOTSTRAP=$(cat "$CLUSTER_DIR/port")
}

# Sends one command line to mock_cluster and waits up to 5 s for its
# response. Sets REPLY_LINE (empty on timeout).
send_command() {
    local lines_before
    lines_before=$(wc -l <"$CLUSTER_DIR/stdout")
    printf '%s\n' "$1" >&"$CONTROL_FD"

    REPLY_LINE=""
    if wait_until 5 response_arrived "$lines_before"; then
        REPLY_LINE=$(sed -n "$((lines_before + 1))p" "$CLUSTER_DIR/stdout")
    fi
}

response_arrived() {
    (($(wc -l <"$CLUSTER_DIR/stdout") > $1))
}

# Checks that a command gets a response starting with the expected prefix.
check_command() {
    local command=$1 expected_prefix=$2
    send_command "$command"
    if [[ "$REPLY_LINE" == "$expected_prefix"* ]]; then
        pass "command '$command' returns $expected_prefix"
    else
        fail "command '$command' returns $expected_prefix" \
            "got '${REPLY_LINE:-no response within 5 s}'"
    fi
}

close_control() {
    exec {CONTROL_FD}>&-
}

# Prints the partitions of topic $1 whose leader is broker $2, one per line.
partitions_led_by() {
    kcat -L -b "$BOOTSTRAP" -t "$1" 2>/dev/null |
        awk -v leader="$2" '$1 == "partition" && $4 == leader "," {
            sub(",", "", $2); print $2 }'
}

# Prints the partition count of topic $1 from a metadata request.
partition_count() {
    kcat -L -b "$BOOTSTRAP" -t "$1" 2>/dev/null |
        awk '/topic "/ && /partitions:/ { print $4 }'
}

# Runs a kcat group consumer on topic logs that exits at the end of all
# partitions. Arguments: group id, output file, stderr file (with elapsed
# milliseconds per line), timeout in seconds, extra kcat arguments.
run_group_consumer() {
    local group=$1 output=$2 stderr_log=$3 timeout_s=$4
    shift 4
    local start_ms
    start_ms=$(now_ms)
    { timeout "$timeout_s" kcat -b "$BOOTSTRAP" -G "$group" \
        -X session.timeout.ms="$SESSION_TIMEOUT_MS" \
        -X heartbeat.interval.ms="$HEARTBEAT_INTERVAL_MS" \
        -X auto.offset.reset=earliest \
        "$@" -e -f '%k %s\n' logs 2>&1 >"$output"; } |
        timestamp_lines "$start_ms" >"$stderr_log"
    return "${PIPESTATUS[0]}"
}

# Prints the milliseconds from consumer start to the first partition
# assignment in a run_group_consumer stderr log, or nothing if none.
group_join_ms() {
    awk '/rebalanced/ && /assigned:/ { print $1; exit }' "$1"
}


# ---------------------------------------------------------------------------
# Build

if ! make -C "$SCRIPT_DIR" --no-print-directory mock_cluster >"$TEST_DIR/make.log" 2>&1; then
    cat "$TEST_DIR/make.log"
    fail "build mock_cluster" "make failed, output above"
    echo "$passed passed, $failed failed"
    exit 1
fi
pass "build mock_cluster"


# ---------------------------------------------------------------------------
# Command-line validation

expect_usage_error() {
    local name=$1 expected_message=$2
    shift 2
    local stderr_file="$TEST_DIR/usage.stderr" rc
    "$MOCK_CLUSTER" "$@" </dev/null >/dev/null 2>"$stderr_file"
    rc=$?
    if [ "$rc" -eq 2 ] && file_contains "$stderr_file" "$expected_message"; then
        pass "$name"
    else
        fail "$name" "exit code $rc, stderr '$(cat "$stderr_file")'"
    fi
}

expect_usage_error "option --listen 0.0.0.0 rejected" 'invalid --listen value "0.0.0.0"' \
    --listen 0.0.0.0
expect_usage_error "option --topic without partitions rejected" 'missing ":PARTITIONS"' \
    --topic logs
expect_usage_error "option --topic logs:0 rejected" 'invalid partition count "0"' \
    --topic logs:0
expect_usage_error "option --brokers 0 rejected" 'invalid --brokers value "0"' \
    --brokers 0

"$MOCK_CLUSTER" --port-file "$TEST_DIR/missing-dir/port" </dev/null >/dev/null \
    2>"$TEST_DIR/port-file.stderr"
rc=$?
if [ "$rc" -eq 1 ] && file_contains "$TEST_DIR/port-file.stderr" "missing-dir/port"; then
    pass "unwritable port file exits 1"
else
    fail "unwritable port file exits 1" \
        "exit code $rc, stderr '$(cat "$TEST_DIR/port-file.stderr")'"
fi


# ---------------------------------------------------------------------------
# One broker: startup, produce, consume

if ! start_cluster --topic logs:3; then
    fail "start one-broker cluster" "see stderr above"
    echo "$passed passed, $failed failed"
    exit 1
fi
pass "start one-broker cluster"
info "bootstrap servers $BOOTSTRAP"

stdout_bootstrap=$(head -n 1 "$CLUSTER_DIR/stdout")
if [ "$stdout_bootstrap" = "BOOTSTRAP=$BOOTSTRAP" ]; then
    pass "stdout BOOTSTRAP matches port file"
else
    fail "stdout BOOTSTRAP matches port file" \
        "stdout '$stdout_bootstrap', port file '$BOOTSTRAP'"
fi

# ss lists only sockets of processes this user may inspect, which includes
# the mock_cluster that this script started.
listeners=$(ss -Hltnp | grep "pid=$CLUSTER_PID," | awk '{ print $4 }')
listener_count=$(printf '%s\n' "$listeners" | grep -c .)
non_loopback=$(printf '%s\n' "$listeners" | grep -v '^127\.0\.0\.1:' | grep -c .)
if [ "$listener_count" -eq 1 ] && [ "$non_loopback" -eq 0 ]; then
    pass "broker listens on 127.0.0.1 only"
else
    fail "broker listens on 127.0.0.1 only" "listening sockets: $(echo $listeners)"
fi

count=$(partition_count logs)
if [ "$count" = 3 ]; then
    pass "topic logs has 3 partitions"
else
    fail "topic logs has 3 partitions" "metadata shows '${count}' partitions"
fi

: >"$TEST_DIR/expected-first-10"
for i in $(seq 1 10); do
    echo "key$i value$i" >>"$TEST_DIR/expected-first-10"
done

sed 's/ /:/' "$TEST_DIR/expected-first-10" |
    timeout 30 kcat -P -b "$BOOTSTRAP" -t logs -K: 2>"$TEST_DIR/produce.stderr"
rc=$?
if [ "$rc" -eq 0 ]; then
    pass "produce 10 keyed messages"
else
    fail "produce 10 keyed messages" "kcat exit code $rc: $(cat "$TEST_DIR/produce.stderr")"
fi

timeout 30 kcat -C -b "$BOOTSTRAP" -t logs -e -o beginning -f '%k %s\n' \
    >"$TEST_DIR/consumed" 2>"$TEST_DIR/consume.stderr"
rc=$?
if [ "$rc" -eq 0 ] && diff <(sort "$TEST_DIR/expected-first-10") \
    <(sort "$TEST_DIR/consumed") >"$TEST_DIR/consume.diff"; then
    pass "consume all 10 messages"
else
    fail "consume all 10 messages" \
        "kcat exit code $rc, diff expected/consumed: $(cat "$TEST_DIR/consume.diff")"
fi

partitions_used=$(timeout 30 kcat -C -b "$BOOTSTRAP" -t logs -e -o beginning \
    -f '%p\n' 2>/dev/null | sort -u | grep -c .)
if [ "$partitions_used" -gt 1 ]; then
    pass "keys spread over partitions"
else
    fail "keys spread over partitions" "messages found in $partitions_used partition(s)"
fi


# ---------------------------------------------------------------------------
# One broker: consumer groups and committed offsets

run_group_consumer logs-readers "$TEST_DIR/group-first.out" \
    "$TEST_DIR/group-first.stderr" 30
rc=$?
join_ms=$(group_join_ms "$TEST_DIR/group-first.stderr")
if [ "$rc" -eq 0 ] && diff <(sort "$TEST_DIR/expected-first-10") \
    <(sort "$TEST_DIR/group-first.out") >/dev/null; then
    pass "group consumer reads all 10"
else
    fail "group consumer reads all 10" \
        "kcat exit code $rc, $(wc -l <"$TEST_DIR/group-first.out") messages"
fi
if [ -n "$join_ms" ]; then
    pass "group consumer joins"
    info "first join of a new group took $join_ms ms" \
        "(session.timeout.ms=$SESSION_TIMEOUT_MS)"
else
    fail "group consumer joins" "no assignment in $(cat "$TEST_DIR/group-first.stderr")"
fi

: >"$TEST_DIR/expected-next-5"
for i in $(seq 11 15); do
    echo "key$i value$i" >>"$TEST_DIR/expected-next-5"
done
sed 's/ /:/' "$TEST_DIR/expected-next-5" |
    timeout 30 kcat -P -b "$BOOTSTRAP" -t logs -K: 2>/dev/null

# The first consumer committed its offsets on close, so a new consumer in the
# same group must receive only the 5 new messages.
run_group_consumer logs-readers "$TEST_DIR/group-resume.out" \
    "$TEST_DIR/group-resume.stderr" 30
rc=$?
if [ "$rc" -eq 0 ] && diff <(sort "$TEST_DIR/expected-next-5") \
    <(sort "$TEST_DIR/group-resume.out") >"$TEST_DIR/group-resume.diff"; then
    pass "group resumes from committed offsets"
    info "rejoin of the same group right after the previous member left took" \
        "$(group_join_ms "$TEST_DIR/group-resume.stderr") ms"
else
    fail "group resumes from committed offsets" \
        "kcat exit code $rc, diff expected/consumed: $(cat "$TEST_DIR/group-resume.diff")"
fi

# The librdkafka 2.0.2 mock cluster delays a new group's first join by 3 s.
# With session.timeout.ms=2000 the join never completed in manual runs,
# probably because the mock expires the waiting member's session first.
SESSION_TIMEOUT_MS=2000 HEARTBEAT_INTERVAL_MS=500 \
    run_group_consumer short-session "$TEST_DIR/group-short.out" \
    "$TEST_DIR/group-short.stderr" 8
rc=$?
if [ "$rc" -eq 124 ] && [ -z "$(group_join_ms "$TEST_DIR/group-short.stderr")" ]; then
    pass "group join stalls below 3 s session"
else
    fail "group join stalls below 3 s session" \
        "kcat exit code $rc; if it joined, update the session.timeout.ms limit in README.md"
fi


# ---------------------------------------------------------------------------
# One broker: idempotent and transactional producers

printf 'idem1:value-idem1\nidem2:value-idem2\n' |
    timeout 30 kcat -P -b "$BOOTSTRAP" -t logs -K: \
        -X enable.idempotence=true -X acks=all 2>"$TEST_DIR/idempotent.stderr"
rc=$?
if [ "$rc" -eq 0 ]; then
    pass "idempotent acks=all produce"
else
    fail "idempotent acks=all produce" \
        "kcat exit code $rc: $(cat "$TEST_DIR/idempotent.stderr")"
fi

printf 'txn1:value-txn1\ntxn2:value-txn2\n' |
    timeout 30 kcat -P -b "$BOOTSTRAP" -t logs -K: \
        -X transactional.id=mock-cluster-test 2>"$TEST_DIR/transaction.stderr"
rc=$?
if [ "$rc" -eq 0 ] && file_contains "$TEST_DIR/transaction.stderr" "Transaction successfully committed"; then
    pass "transactional produce commits"
else
    fail "transactional produce commits" \
        "kcat exit code $rc: $(cat "$TEST_DIR/transaction.stderr")"
fi

timeout 30 kcat -C -b "$BOOTSTRAP" -t logs -e -o beginning \
    -X isolation.level=read_committed -f '%k\n' >"$TEST_DIR/read-committed.out" 2>/dev/null
for key in idem1 idem2 txn1 txn2; do
    if grep -qx "$key" "$TEST_DIR/read-committed.out"; then
        pass "read_committed consumer sees $key"
    else
        fail "read_committed consumer sees $key" \
            "keys read: $(sort "$TEST_DIR/read-committed.out" | tr '\n' ' ')"
    fi
done


# ---------------------------------------------------------------------------
# One broker: stdin commands

check_command "down 9" "ERR invalid broker id"
check_command "topic logs 3" "ERR failed to create topic"
check_command "topic bad/name 1" "ERR invalid topic name"
check_command "frobnicate" "ERR unknown command"
check_command "up" "ERR invalid arguments for up"
check_command "topic extra 2" "OK topic extra 2"

count=$(partition_count extra)
if [ "$count" = 2 ]; then
    pass "created topic extra has 2 partitions"
else
    fail "created topic extra has 2 partitions" "metadata shows '${count}' partitions"
fi

check_command "rtt 1 300" "OK rtt 1 300"
start_ms=$(now_ms)
kcat -L -b "$BOOTSTRAP" -t logs >/dev/null 2>&1
elapsed_ms=$(($(now_ms) - start_ms))
if [ "$elapsed_ms" -ge 300 ]; then
    pass "rtt delays metadata request"
else
    fail "rtt delays metadata request" "metadata request took $elapsed_ms ms, expected >= 300"
fi
check_command "rtt 1 0" "OK rtt 1 0"


# ---------------------------------------------------------------------------
# One broker: outage

check_command "down 1" "OK down 1"

broker_port=${BOOTSTRAP##*:}
if timeout 3 bash -c "exec 5<>/dev/tcp/127.0.0.1/$broker_port" 2>/dev/null; then
    fail "down broker refuses connections" "TCP connect to 127.0.0.1:$broker_port succeeded"
else
    pass "down broker refuses connections"
fi

# With the only broker down, librdkafka reports "All broker connections are
# down" and kcat exits on that error, so the produce fails at once.
echo "outage1:value-outage1" |
    timeout 30 kcat -P -b "$BOOTSTRAP" -t logs -K: 2>"$TEST_DIR/produce-down.stderr"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
    pass "produce fails while broker down"
else
    fail "produce fails while broker down" "kcat exit code $rc"
fi

check_command "up 1" "OK up 1"

echo "after-up:value-after-up" |
    timeout 30 kcat -P -b "$BOOTSTRAP" -t logs -K: 2>"$TEST_DIR/produce-up.stderr"
rc=$?
if [ "$rc" -eq 0 ]; then
    pass "produce works after up"
else
    fail "produce works after up" "kcat exit code $rc: $(cat "$TEST_DIR/produce-up.stderr")"
fi

if timeout 30 kcat -C -b "$BOOTSTRAP" -t logs -e -o beginning -f '%k\n' 2>/dev/null |
    grep -qx after-up; then
    pass "message after up consumed"
else
    fail "message after up consumed" "key after-up not found in topic logs"
fi


# ---------------------------------------------------------------------------
# One broker: SIGTERM shutdown

kill -TERM "$CLUSTER_PID"
if wait_until 10 is_not_running "$CLUSTER_PID"; then
    wait "$CLUSTER_PID"
    rc=$?
    if [ "$rc" -eq 0 ]; then
        pass "SIGTERM exits with 0"
    else
        fail "SIGTERM exits with 0" "exit code $rc"
    fi
else
    fail "SIGTERM exits with 0" "still running 10 s after SIGTERM"
fi
if [ -e "$CLUSTER_DIR/port" ]; then
    fail "port file removed on shutdown" "$CLUSTER_DIR/port still exists"
else
    pass "port file removed on shutdown"
fi
close_control


# ---------------------------------------------------------------------------
# Two brokers: outage of one partition leader

if ! start_cluster --brokers 2 --topic logs:3; then
    fail "start two-broker cluster" "see stderr above"
    echo "$passed passed, $failed failed"
    exit 1
fi
pass "start two-broker cluster"
info "bootstrap servers $BOOTSTRAP"

listeners=$(ss -Hltnp | grep "pid=$CLUSTER_PID," | awk '{ print $4 }')
listener_count=$(printf '%s\n' "$listeners" | grep -c .)
non_loopback=$(printf '%s\n' "$listeners" | grep -v '^127\.0\.0\.1:' | grep -c .)
if [ "$listener_count" -eq 2 ] && [ "$non_loopback" -eq 0 ]; then
    pass "both brokers listen on 127.0.0.1"
else
    fail "both brokers listen on 127.0.0.1" "listening sockets: $(echo $listeners)"
fi

# Broker 2 stays up during the outage, so clients keep their metadata and
# wait for broker 1 instead of failing with "All broker connections are down".
partition=$(partitions_led_by logs 1 | head -n 1)
if [ -n "$partition" ]; then
    pass "broker 1 leads a partition"
else
    fail "broker 1 leads a partition" "$(kcat -L -b "$BOOTSTRAP" -t logs 2>&1)"
    partition=0
fi

kcat -C -u -b "$BOOTSTRAP" -t logs -p "$partition" -o end -f '%k %s\n' \
    -X reconnect.backoff.max.ms=1000 \
    >"$TEST_DIR/live.out" 2>"$TEST_DIR/live.stderr" &
live_consumer_pid=$!
started_pids+=("$live_consumer_pid")
if wait_until 15 file_contains "$TEST_DIR/live.stderr" "Reached end of topic logs \[$partition\]"; then
    pass "live consumer started"
else
    fail "live consumer started" "$(cat "$TEST_DIR/live.stderr")"
fi

check_command "down 1" "OK down 1"

start_ms=$(now_ms)
echo "timed-out:value-timed-out" |
    timeout 30 kcat -P -b "$BOOTSTRAP" -t logs -p "$partition" -K: \
        -X message.timeout.ms=3000 2>"$TEST_DIR/produce-timeout.stderr"
rc=$?
elapsed_ms=$(($(now_ms) - start_ms))
if [ "$rc" -ne 0 ] && file_contains "$TEST_DIR/produce-timeout.stderr" "Message timed out"; then
    pass "produce to down leader times out"
    info "produce with message.timeout.ms=3000 failed after $elapsed_ms ms"
else
    fail "produce to down leader times out" \
        "kcat exit code $rc: $(cat "$TEST_DIR/produce-timeout.stderr")"
fi

echo "queued:value-queued" >"$TEST_DIR/queued.in"
kcat -P -b "$BOOTSTRAP" -t logs -p "$partition" -K: \
    -X message.timeout.ms=60000 -X reconnect.backoff.max.ms=1000 \
    <"$TEST_DIR/queued.in" 2>"$TEST_DIR/queued.stderr" &
queued_producer_pid=$!
started_pids+=("$queued_producer_pid")

sleep 3
if is_running "$queued_producer_pid"; then
    pass "produce queues while leader down"
else
    fail "produce queues while leader down" \
        "kcat exited within 3 s: $(cat "$TEST_DIR/queued.stderr")"
fi

check_command "up 1" "OK up 1"
up_ms=$(now_ms)

if wait_until 30 is_not_running "$queued_producer_pid"; then
    wait "$queued_producer_pid"
    rc=$?
    if [ "$rc" -eq 0 ]; then
        pass "queued message delivered after up"
        info "queued message delivered $(($(now_ms) - up_ms)) ms after up" \
            "(reconnect.backoff.max.ms=1000)"
    else
        fail "queued message delivered after up" \
            "kcat exit code $rc: $(cat "$TEST_DIR/queued.stderr")"
    fi
else
    fail "queued message delivered after up" "kcat still running 30 s after up"
fi

if wait_until 15 file_contains "$TEST_DIR/live.out" "^queued value-queued$"; then
    pass "live consumer receives after outage"
else
    fail "live consumer receives after outage" \
        "output: '$(cat "$TEST_DIR/live.out")'"
fi
if file_contains "$TEST_DIR/live.out" "timed-out"; then
    fail "timed-out message not delivered" "found in partition $partition"
else
    pass "timed-out message not delivered"
fi

check_command "down-all" "OK down-all"
check_command "up-all" "OK up-all"

# ---------------------------------------------------------------------------
# Two brokers: quit command, with the live consumer still connected

check_command "quit" "OK quit"
if wait_until 10 is_not_running "$CLUSTER_PID"; then
    wait "$CLUSTER_PID"
    rc=$?
    if [ "$rc" -eq 0 ]; then
        pass "quit exits with 0"
    else
        fail "quit exits with 0" "exit code $rc"
    fi
else
    fail "quit exits with 0" "still running 10 s after quit"
fi
close_control

kill -TERM "$live_consumer_pid" 2>/dev/null
wait "$live_consumer_pid" 2>/dev/null

stop_started_processes
echo "$passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
    exit 1
fi
