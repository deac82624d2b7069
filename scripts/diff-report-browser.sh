#!/usr/bin/env bash
# The HTML report of `crm-rules diff --html` in a real browser (not run in CI: the project's CI has
# no Chromium). Builds the binary, diffs the standard Rhai pack against a copy with three changed
# thresholds over examples/book.ndjson, renders the page in headless Chromium with a fresh profile
# and no background networking, and checks the rendered DOM holds the charts. Leaves in target/:
#   diff-report.html      the report
#   diff-report.json      the same run's summary (diff --json)
#   diff-report.dom.html  the DOM as Chromium rendered it
#   diff-report.png       a 1280 px wide screenshot
#
#   scripts/diff-report-browser.sh       (from anywhere; needs /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
    echo "Chromium is missing ($chromium). On Debian or Ubuntu, as root:" >&2
    echo "    apt-get install -y chromium chromium-driver" >&2
    exit 2
fi
fail() { echo "diff-report-browser: $*" >&2; exit 1; }

cargo build -q -p crm-rules-cli
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The challenger: the standard pack with its own params file (same relative layout).
mkdir -p "$work/standard/rhai"
cp rules/standard/rhai/* "$work/standard/rhai/"
cp rules/standard/params.toml "$work/standard/params.toml"
sed -i 's/^name = "standard-rhai"/name = "standard-next"/' "$work/standard/rhai/pack.toml"
sed -i -e 's/^followup_days_past_due = 15$/followup_days_past_due = 10/' \
    -e 's/^default_net_terms_days = 30$/default_net_terms_days = 45/' \
    -e 's/^declines_before_hold = 3$/declines_before_hold = 2/' "$work/standard/params.toml"
grep -q '^name = "standard-next"' "$work/standard/rhai/pack.toml" || fail "pack.toml has no name line to change"
grep -q '^followup_days_past_due = 10$' "$work/standard/params.toml" || fail "params.toml changed shape"

report="$PWD/target/diff-report.html"
target/debug/crm-rules diff rules/standard/rhai "$work/standard/rhai" \
    --input examples/book.ndjson --examples 8 --json --html "$report" > target/diff-report.json
echo "report: $report ($(wc -c < "$report") bytes)"

if grep -Eq 'https?://|<link|<script|src=|@import|url\(' "$report"; then
    fail "the report refers to something outside itself"
fi

browse() {
    # A fresh profile, no extensions, no background traffic (the page has no script: checked above).
    "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-extensions --hide-scrollbars \
        --user-data-dir="$(mktemp -d -p "$work")" --window-size=1280,2000 "$@" "file://$report"
}
browse --screenshot="$PWD/target/diff-report.png" 2> "$work/screenshot.log" \
    || { cat "$work/screenshot.log" >&2; fail "the screenshot failed"; }
browse --dump-dom > target/diff-report.dom.html 2> "$work/dom.log" \
    || { cat "$work/dom.log" >&2; fail "the DOM dump failed"; }

dom=target/diff-report.dom.html
[ -s target/diff-report.png ] || fail "no screenshot"
[ "$(grep -o '<svg' "$dom" | wc -l)" -eq 3 ] || fail "the rendered DOM does not hold three charts"
for needle in 'id="chart-kinds"' 'id="chart-money"' 'id="chart-changed"' 'id="table-examples"' \
    '<title>Policy diff: standard-rhai 0.2.0 → standard-next 0.2.0</title>' 'standard-next'; do
    grep -qF "$needle" "$dom" || fail "the rendered DOM lacks $needle"
done
changed="$(sed -n 's/^  "changed": \([0-9]*\),$/\1/p' target/diff-report.json)"
[ -n "$changed" ] || fail "the summary has no changed count"
grep -qF "id=\"fig-changed\">$changed<" "$dom" || fail "the rendered DOM lacks the changed count $changed"
echo "ok: three charts and the examples rendered; screenshot: target/diff-report.png"
