"""A crm-rules sidecar client with nothing but Python's standard library.

    python3 examples/serve/client.py http://127.0.0.1:8181 first-pack examples/packs/first-pack/try.json

Evaluates one context and prints the decision's status and actions; then sends the same context
twice as a batch (NDJSON), reading the answer as it streams. With a token file, pass
--token-file FILE. A problem (4xx, 5xx) is printed with its field path and the script exits 1.
"""

import argparse
import json
import sys
import urllib.error
import urllib.request


def call(url, body, content_type, token):
    """POSTs `body` (bytes); returns the open response, or raises urllib.error.HTTPError."""
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    return urllib.request.urlopen(request, timeout=30)


def problem(error):
    """A problem+json error as one line: status, type, field path, detail."""
    body = json.loads(error.read() or b"{}")
    path = body.get("path")
    where = f" at {path}" if path else ""
    return f"{error.code} {body.get('type')}{where}: {body.get('detail')}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("pack")
    parser.add_argument("context")
    parser.add_argument("--token-file")
    args = parser.parse_args()
    token = None
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as file:
            token = file.readline().strip()
    with open(args.context, "rb") as file:
        context = json.load(file)
    base = f"{args.server}/v1/packs/{args.pack}"
    try:
        with call(f"{base}/evaluate", json.dumps(context).encode(), "application/json", token) as response:
            decision = json.load(response)
        print(f"decision: {decision['status']} (pack {decision['pack']['name']} {decision['pack']['hash']})")
        for action in decision["actions"]:
            print(f"  {action['kind']} {action['key']}")
        book = (json.dumps(context) + "\n").encode() * 2
        with call(f"{base}/evaluate-batch", book, "application/x-ndjson", token) as response:
            for line in response:
                result = json.loads(line)
                outcome = result["decision"]["status"] if "decision" in result else "error: " + result["error"]
                print(f"batch line {result['line']}: {outcome}")
    except urllib.error.HTTPError as error:
        print("problem:", problem(error), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
