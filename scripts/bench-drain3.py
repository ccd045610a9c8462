#!/usr/bin/env python3
"""Run Drain3 over one message per line and report its speed and the cluster of each message.

Usage: bench-drain3.py CONTENT_FILE [--passes N]

Each pass starts a fresh TemplateMiner with Drain3's default settings (no masking, similarity
threshold 0.4, tree depth 4), so later passes do not reuse learnt clusters. The output is one JSON
object on standard output: drain3's version, the lines, the wall-clock and CPU seconds (this
process's user plus system time) summed over all passes, and each message's cluster id from the
first pass.
"""
import argparse
import importlib.metadata
import json
import logging
import sys
import time

from drain3 import TemplateMiner
from drain3.template_miner_config import TemplateMinerConfig


def mine(messages):
    config = TemplateMinerConfig()
    config.profiling_enabled = False
    miner = TemplateMiner(config=config)
    started = time.perf_counter()
    started_cpu = time.process_time()
    cluster_ids = [miner.add_log_message(message)["cluster_id"] for message in messages]
    elapsed = (time.perf_counter() - started, time.process_time() - started_cpu)
    return elapsed, cluster_ids, len(miner.drain.clusters)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content_file", help="one message per line, UTF-8")
    parser.add_argument("--passes", type=int, default=3, help="fresh miners to time (default 3)")
    options = parser.parse_args()
    # Drain3 logs every new cluster at INFO on the root logger; the benchmark only wants the result.
    logging.basicConfig(level=logging.WARNING)

    with open(options.content_file, encoding="utf-8") as handle:
        messages = handle.read().split("\n")
    if messages and messages[-1] == "":
        messages.pop()
    if not messages:
        sys.exit(f"bench-drain3.py: {options.content_file} holds no messages")

    seconds = 0.0
    cpu_seconds = 0.0
    first_ids = None
    clusters = 0
    for _ in range(max(1, options.passes)):
        (wall, cpu), cluster_ids, clusters = mine(messages)
        seconds += wall
        cpu_seconds += cpu
        if first_ids is None:
            first_ids = cluster_ids

    json.dump({
        "version": importlib.metadata.version("drain3"),
        "python": sys.version.split()[0],
        "lines": len(messages) * max(1, options.passes),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "clusters": clusters,
        "cluster_ids": first_ids,
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
