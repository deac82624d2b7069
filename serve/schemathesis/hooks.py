"""Schemathesis hooks for crm-rules serve: a serializer for NDJSON bodies (a batch of contexts),
so the batch endpoint is fuzzed too. Whatever value the generator makes becomes one JSON line per
item of a list, or one line for anything else."""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(_context, value):
    items = value if isinstance(value, list) else [value]
    return "".join(json.dumps(item) + "\n" for item in items).encode()
