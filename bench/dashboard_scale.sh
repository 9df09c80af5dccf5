#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# dashboard_scale.sh — the dashboard's first render with N routers (default 10,000),
# this build's page against the page of a base commit (default cb1b8ef, before issue 14
# item 4: a node per router on a force-directed map, a request per router for its
# reasons), on the same NMS and store. Each page is loaded LOADS times (default 3) in
# fresh headless-Chromium contexts with a session cookie; the time is the page's mark
# qtpm-first-render where it has one, else the time from the navigation's start to
# body[data-ready] (what the base page offers; it sets data-ready right after its first
# render), capped at 30 s (a page not ready by then is recorded as 30 s, once). Results:
# bench/results/dashboard-scale-N.json and .txt.
#
#   bench/dashboard_scale.sh BUILD_DIR [N [BASE_COMMIT [LOADS]]]
set -eu
build=$(cd "$1" && pwd)
n=${2:-10000}
base_commit=${3:-cb1b8ef}
loads=${4:-3}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-dashbench.XXXXXX")
pid=
. "$src/tests/lib/servers.sh"
cleanup() {
    if [ -f "$tmp/chromium.pid" ]; then kill -KILL "$(cat "$tmp/chromium.pid")" 2>/dev/null || true; fi
    stop_servers $pid
    rm -rf "$tmp"
}
trap cleanup EXIT
# The base page: its index.html and ui/ files from git, the graph library of this build.
mkdir -p "$tmp/base/ui/vendor"
cp "$build/dashboard/ui/vendor/"* "$tmp/base/ui/vendor/"
for f in index.html ui/app.js ui/style.css; do
    git -C "$src" show "$base_commit:web/$f" > "$tmp/base/$f"
done
"$build/src/nms/qtpm-nms" init --dir "$tmp/nms" >/dev/null
"$build/tests/nms/fill_routers" "sqlite:$tmp/nms/nms.db" "$n" >/dev/null
port=$(python3 "$src/tests/lib/freeport.py")
run_page() { # NAME WEBDIR
    "$build/src/nms/qtpm-nms" serve --dir "$tmp/nms" --listen "127.0.0.1:$port" --web "$2" \
        2>>"$tmp/nms.log" &
    pid=$!
    wait_port "$port" "$pid"
    WEB_NAME=$1 WEB_BASE="https://127.0.0.1:$port" WEB_LOADS=$loads WEB_TMP="$tmp" \
    WEB_LOGIN=$("$build/src/nms/qtpm-nms" login-url --dir "$tmp/nms" --role read-only \
                --listen "127.0.0.1:$port") \
    WEB_SPKI=$(openssl x509 -in "$tmp/nms/server.crt" -pubkey -noout | openssl pkey -pubin -outform der |
               openssl dgst -sha256 -binary | base64) \
    NODE_PATH="$build/web-npm/node_modules" timeout 600 node "$src/bench/dashboard_scale.cjs" >> "$tmp/runs.jsonl"
    stop_servers $pid
    pid=
}
run_page "this build" "$build/dashboard"
run_page "base $base_commit" "$tmp/base"
python3 - "$tmp/runs.jsonl" "$n" "$src/bench/results" <<'PY'
import json, sys, statistics, os
runs = [json.loads(l) for l in open(sys.argv[1])]
n, out = int(sys.argv[2]), sys.argv[3]
med = {r["name"]: statistics.median(r["ms"]) for r in runs}
new, old = runs[0]["name"], runs[1]["name"]
res = {"routers": n, "load_average": os.getloadavg()[0], "pages": runs,
       "median_ms": med, "ratio_base_over_this": round(med[old] / med[new], 1),
       "ratio_is_lower_bound": any("not ready" in r["how"] for r in runs)}
json.dump(res, open(os.path.join(out, "dashboard-scale-%d.json" % n), "w"), indent=2)
with open(os.path.join(out, "dashboard-scale-%d.txt" % n), "w") as f:
    f.write("dashboard first render with %d routers (headless Chromium, fresh context per load)\n" % n)
    for r in runs:
        f.write("%-20s %s ms (median %.0f; %s)\n" % (r["name"], ", ".join("%.0f" % x for x in r["ms"]),
                statistics.median(r["ms"]), r["how"]))
    capped = any("not ready" in r["how"] for r in runs)
    f.write("base / this build: %s%.1fx; load average %.1f on %d cores\n" %
            ("at least " if capped else "", res["ratio_base_over_this"], res["load_average"],
             os.cpu_count()))
print(open(os.path.join(out, "dashboard-scale-%d.txt" % n)).read(), end="")
PY
