# LogCoT build, demo and test entry points. Each target installs what it needs on Debian 12.
SHELL := /bin/bash
SWIFT ?= swift
CACHE_DIR ?= $(HOME)/.cache/logcot
TOOLS_VENV := $(CACHE_DIR)/tools-venv
TRAIN_VENV := $(CACHE_DIR)/train-venv
BENCH_VENV := $(CACHE_DIR)/bench-venv
# libsystemd-dev builds the journald source; systemd brings systemd-analyze, and
# systemd-journal-remote writes the journal files that the tests read.
# libmicrohttpd-dev serves /metrics; prometheus scrapes it in the tests.
# librdkafka-dev builds the Kafka source and sink and the mock cluster; kcat is the tests' independent client.
# libcurl4-openssl-dev builds the LLM client's HTTP transport.
APT_PACKAGES := libsqlite3-dev pkg-config python3-venv libsystemd-dev systemd systemd-journal-remote libmicrohttpd-dev prometheus \
  gcc make librdkafka-dev kcat libcurl4-openssl-dev
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
BIN_DIR = $(shell $(SWIFT) build --show-bin-path 2>/dev/null)

.PHONY: all deps tools training-tools llm build kafka-mock demo test soak fuzz storm install clean bench-tools bench

all: build

## Install the Debian packages the build and tests need; does nothing when all are present.
deps:
	@missing=""; for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

## Python tools for the tests: jsonschema validates reports against docs/report.schema.json.
tools: deps
	@if [ ! -x "$(TOOLS_VENV)/bin/python" ] || ! "$(TOOLS_VENV)/bin/python" -c "import jsonschema, rfc3339_validator" 2>/dev/null; then \
	  echo "creating $(TOOLS_VENV) with jsonschema"; \
	  python3 -m venv "$(TOOLS_VENV)" && "$(TOOLS_VENV)/bin/pip" install --quiet jsonschema rfc3339-validator; \
	fi

## TRL, peft and PyTorch for scripts/train_ipo.py (several GB, because PyPI's torch wheel brings CUDA libraries).
training-tools: deps
	@if [ ! -x "$(TRAIN_VENV)/bin/python" ] || ! "$(TRAIN_VENV)/bin/python" -c "import trl, peft" 2>/dev/null; then \
	  echo "creating $(TRAIN_VENV) with trl and peft"; \
	  python3 -m venv "$(TRAIN_VENV)" && "$(TRAIN_VENV)/bin/pip" install --quiet trl peft; \
	fi

build: deps
	$(SWIFT) build

## Build llama-server and fetch the SmolLM2 model into the cache (once; about 5 minutes on 2 cores).
llm:
	@bash scripts/setup-llm.sh >/dev/null

## Replay the bundled sample (examples/) with the local LLM and print each report's label and reasoning.
demo: build llm
	@mkdir -p .demo
	bash scripts/with-llama-server.sh sh -c '$(BIN_DIR)/logcot replay --config config/demo.json5 \
	  --logs examples/sel-sample.csv --faults examples/tickets.csv --out .demo/reports.jsonl --llm "$$LOGCOT_LLM_URL"'
	@echo
	@echo "Reports (.demo/reports.jsonl):"
	@python3 scripts/show-reports.py .demo/reports.jsonl

## The mock Kafka cluster (librdkafka's rdkafka_mock) that the Kafka tests start on 127.0.0.1.
kafka-mock: deps
	$(MAKE) -C Tests/Support/kafka-mock mock_cluster

test: build tools llm kafka-mock
	LOGCOT_PYTHON="$(TOOLS_VENV)/bin/python" LOGCOT_BIN="$(BIN_DIR)/logcot" \
	  bash scripts/with-llama-server.sh $(SWIFT) test

## Fuzz every parser and the config loader with libFuzzer, FUZZ_SECONDS (default 60) per target.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh

## Feed 20,000 lines/s from one host for 60 s through a release build and check its peak memory.
storm: deps
	$(SWIFT) build -c release --product logcot
	LOGCOT_BIN="$$($(SWIFT) build -c release --show-bin-path)/logcot" bash scripts/storm-check.sh

## Crash-safety soak (docs/reliability.md): replays Tianchi SEL test A through logcot run, from Kafka
## and from a journal file, with SOAK_KILLS SIGKILLs at points drawn from SOAK_SEED, then checks that
## each ticket has exactly one report. Stops and fails after SOAK_TIME_CAP seconds.
SOAK_KILLS ?= 20
SOAK_SEED ?= 1
SOAK_TIME_CAP ?= 480
soak: build kafka-mock
	LOGCOT_SOAK=1 SOAK_KILLS=$(SOAK_KILLS) SOAK_SEED=$(SOAK_SEED) LOGCOT_BIN="$(BIN_DIR)/logcot" \
	  timeout --kill-after=30 $(SOAK_TIME_CAP) $(SWIFT) test --filter CrashSoakTests

## Install the release binary, the systemd unit and the example config (kept if already present).
## DESTDIR stages the files elsewhere, for packaging.
## Drain3, the template miner that `logcot bench` compares against, in its own venv.
bench-tools: deps
	@if [ ! -x "$(BENCH_VENV)/bin/python" ] || ! "$(BENCH_VENV)/bin/python" -c "import drain3" 2>/dev/null; then \
	  echo "creating $(BENCH_VENV) with drain3"; \
	  python3 -m venv "$(BENCH_VENV)" && "$(BENCH_VENV)/bin/pip" install --quiet drain3==0.9.11; \
	fi

## Every benchmark on the release build, with a local LLM allowing 4 requests at once; writes
## .bench/bench.json. BENCH_ARGS adds options, such as --storm-lines 1000000 for a quick run.
bench: bench-tools llm
	$(SWIFT) build -c release
	@mkdir -p .bench
	LLAMA_EXTRA_ARGS="--threads 2 --parallel 4" bash scripts/with-llama-server.sh sh -c \
	  '"$$($(SWIFT) build -c release --show-bin-path)/logcot" bench --json .bench/bench.json $(BENCH_ARGS)'

install: deps
	$(SWIFT) build -c release
	install -D -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/logcot" "$(DESTDIR)$(PREFIX)/bin/logcot"
	install -d -m 0755 "$(DESTDIR)$(SYSCONFDIR)/systemd/system" "$(DESTDIR)$(SYSCONFDIR)/logcot"
	sed 's#/usr/local/#$(PREFIX)/#g; s#/etc/logcot/#$(SYSCONFDIR)/logcot/#g' systemd/logcot.service \
	  > "$(DESTDIR)$(SYSCONFDIR)/systemd/system/logcot.service"
	chmod 0644 "$(DESTDIR)$(SYSCONFDIR)/systemd/system/logcot.service"
	@if [ -e "$(DESTDIR)$(SYSCONFDIR)/logcot/journald.json5" ]; then \
	  echo "kept the existing $(DESTDIR)$(SYSCONFDIR)/logcot/journald.json5"; \
	else \
	  install -m 0644 config/journald.json5 "$(DESTDIR)$(SYSCONFDIR)/logcot/journald.json5"; \
	fi
	install -D -m 0644 docs/journald.md "$(DESTDIR)$(PREFIX)/share/doc/logcot/journald.md"
	install -D -m 0644 docs/kafka.md "$(DESTDIR)$(PREFIX)/share/doc/logcot/kafka.md"
	install -D -m 0644 config/kafka.json5 "$(DESTDIR)$(PREFIX)/share/doc/logcot/kafka.json5"
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
	  systemctl daemon-reload && echo "installed; start with: systemctl enable --now logcot"; \
	else \
	  echo "installed; systemd is not running here, so run 'systemctl daemon-reload' on the target"; \
	fi

clean:
	rm -rf .build .demo .bench
	$(MAKE) -C Tests/Support/kafka-mock clean
