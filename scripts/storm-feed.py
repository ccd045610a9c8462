#!/usr/bin/env python3
"""Write a log storm from one host to a file or FIFO at a fixed rate, as RFC 3164 syslog lines.

Most lines repeat a few link-flap messages. Every tenth line carries a distinct token, so the
window's template table fills as a hostile storm would fill it. The script prints the achieved
rate at the end.
"""
import argparse
import datetime
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True, help="file or FIFO to write to")
    parser.add_argument("--host", default="storm-01")
    parser.add_argument("--rate", type=int, default=20_000, help="lines per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--start", default="2026-06-01T12:00:00", help="log time of the first line (UTC)")
    args = parser.parse_args()

    start = datetime.datetime.fromisoformat(args.start)
    batch = max(1, args.rate // 20)
    total = args.rate * args.seconds
    written = 0
    began = time.monotonic()
    with open(args.out, "w", buffering=1 << 20) as out:
        while written < total:
            lines = []
            for index in range(written, min(total, written + batch)):
                second = index // args.rate
                stamp = (start + datetime.timedelta(seconds=second)).strftime("%b %d %H:%M:%S")
                if index % 10 == 9:
                    message = f"kernel: unexpected token tok{index:x} in frame {index * 7919 % 104729}"
                else:
                    message = f"ifmgr: Interface Ethernet1/{index % 48} link down, flap {index % 7}"
                lines.append(f"<187>{stamp} {args.host} {message}\n")
            out.write("".join(lines))
            written += len(lines)
            # Pace by the clock: sleep until this batch's due time.
            due = began + written / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                out.flush()
                time.sleep(delay)
    elapsed = time.monotonic() - began
    print(f"storm-feed: {written} lines in {elapsed:.1f} s ({written / elapsed:.0f} lines/s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
