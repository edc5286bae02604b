#!/usr/bin/python3
"""Validate a JSON document against a JSON Schema (Debian's python3-jsonschema).

usage: validate_schema.py SCHEMA DOCUMENT
Exit 0 if valid; 1 with the first error on stderr if not; 2 on unreadable input.
"""
import json
import sys

import jsonschema


def main():
    if len(sys.argv) != 3:
        print("usage: validate_schema.py SCHEMA DOCUMENT", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1]) as f:
            schema = json.load(f)
        with open(sys.argv[2]) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"validate_schema: {e}", file=sys.stderr)
        return 2
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        print(f"{'/'.join(map(str, e.path))}: {e.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
