#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# web_scale.sh — the dashboard with 10,000 routers in headless Chromium (ctest web_scale,
# label web; issue 14 item 4).
#
# fill_routers writes N routers (default 10,000) with their verdicts into a fresh NMS
# store through the store API; qtpm-nms serves it; web_scale.cjs (puppeteer-core driving
# Debian's chromium) signs in with a login link, then opens the dashboard three times,
# each in a fresh browser context (empty cache) with the session's cookie, and reads the
# page's performance mark "qtpm-first-render" (its startTime counts from the navigation's
# start): the median of the three must be under 2 s (each one is reported). It also checks what is
# shown: the state-summary map with the right counts, the first page of the table, the
# pager, a state filter with the reasons. Figures go to RESULTS (a JSON file) when given.
#
#   web_scale.sh BUILD_DIR [N [RESULTS]]
#
# KEEP_NMS_LOG=FILE keeps the NMS's stderr (e.g. to look for sanitizer reports of an
# ASan build).
set -eu
build=$(cd "$1" && pwd)
n=${2:-10000}
results=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
nms=$build/src/nms/qtpm-nms
fill=$build/tests/nms/fill_routers
chromium=${CHROMIUM:-/usr/bin/chromium}
for b in "$nms" "$fill" "$chromium"; do
    [ -x "$b" ] || { echo "FAIL: $b is missing"; exit 1; }
done
[ -f "$build/web-npm/node_modules/puppeteer-core/package.json" ] ||
    { echo "FAIL: puppeteer-core is not installed in $build/web-npm (build target qtpm-web)"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-webscale.XXXXXX")
pids=
. "$here/../lib/servers.sh"
cleanup() {
    if [ -f "$tmp/chromium.pid" ]; then
        cp=$(cat "$tmp/chromium.pid")
        kill -KILL -- "-$cp" 2>/dev/null || kill -KILL "$cp" 2>/dev/null || true
    fi
    stop_servers $pids
    [ -n "${KEEP_NMS_LOG:-}" ] && cp "$tmp/nms.log" "$KEEP_NMS_LOG"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/nms.log" ] && tail -20 "$tmp/nms.log" >&2; exit 1; }

"$nms" init --dir "$tmp/nms" >/dev/null || fail "nms init"
t0=$(date +%s%N)
counts=$("$fill" "sqlite:$tmp/nms/nms.db" "$n") || fail "fill_routers"
t1=$(date +%s%N)
echo "filled $n routers ($counts) in $(( (t1 - t0) / 1000000 )) ms"
port=$(python3 "$here/../lib/freeport.py")
"$nms" serve --dir "$tmp/nms" --listen "127.0.0.1:$port" --web "$build/dashboard" ${QTPM_TEST_NMS_FLAGS:-} \
    2>"$tmp/nms.log" &
pid=$!
pids="$pid"
wait_port "$port" "$pid" || fail "the NMS did not start"
base="https://127.0.0.1:$port"
spki=$(openssl x509 -in "$tmp/nms/server.crt" -pubkey -noout | openssl pkey -pubin -outform der |
       openssl dgst -sha256 -binary | base64)
urls=$("$nms" login-url --dir "$tmp/nms" --role read-only --listen "127.0.0.1:$port")
export WEB_BASE="$base" WEB_SPKI="$spki" WEB_TMP="$tmp" CHROMIUM="$chromium"
export WEB_URLS="$urls" WEB_N="$n" WEB_COUNTS="$counts" WEB_RESULTS="$results"
NODE_PATH="$build/web-npm/node_modules" timeout 150 node "$here/web_scale.cjs" &
driver=$!
pids="$driver $pids"
rc=0
wait "$driver" || rc=$?
[ $rc = 0 ] || fail "the dashboard at scale failed ($rc)"
echo "web_scale: ok"
