#!/usr/bin/env python3
"""Print diagnosis reports from a JSON-lines file as short readable blocks."""
import json
import sys


def main(path: str) -> int:
    with open(path, encoding="utf-8") as reports:
        for line in reports:
            report = json.loads(line)
            print(f"report {report['report_id']}  host {report['host']}  fault {report['fault']['time']}")
            print(f"  label {report.get('label')} ({report['label_source']})  scores {report['scores']}")
            if report.get("reasoning"):
                reasoning = " ".join(report["reasoning"].split())
                if len(reasoning) > 400:
                    reasoning = reasoning[:400] + " [...]"
                print(f"  reasoning: {reasoning}")
            for key_line in report["key_lines"][:6]:
                print(f"  {key_line['count']:>4} x {key_line['text']}")
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".demo/reports.jsonl"))
