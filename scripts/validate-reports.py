#!/usr/bin/env python3
"""Validate JSON-lines reports against docs/report.schema.json with the jsonschema package.

Usage: validate-reports.py SCHEMA REPORTS.jsonl
Prints `N valid, M invalid` and the first errors; exits 1 when any report is invalid.
"""
import json
import sys

import jsonschema


def main(schema_path: str, reports_path: str) -> int:
    with open(schema_path, encoding="utf-8") as schema_file:
        schema = json.load(schema_file)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)

    valid = invalid = 0
    with open(reports_path, encoding="utf-8") as reports:
        for number, line in enumerate(reports, start=1):
            errors = list(validator.iter_errors(json.loads(line)))
            if errors:
                invalid += 1
                if invalid <= 5:
                    for error in errors[:3]:
                        path = "/".join(str(part) for part in error.absolute_path)
                        print(f"line {number}: {path}: {error.message}")
            else:
                valid += 1
    print(f"{valid} valid, {invalid} invalid")
    return 1 if invalid or valid == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
