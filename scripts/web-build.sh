#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# web-build.sh SRC OUT NPM_DIR — builds the NMS dashboard (web/) into OUT, the directory
# `qtpm-nms serve --web OUT` serves: index.html, ui/*.js, ui/*.css and the graph library
# copied from the npm packages of web/package-lock.json, which `npm ci` installs (exact
# pinned versions and integrity hashes, no install scripts) into NPM_DIR. NPM_DIR also
# keeps puppeteer-core for the Chromium test (tests/nms/web_dashboard.sh). `npm ci`
# runs again only when the lock file changed. The page itself fetches nothing from
# anywhere but the NMS.
set -eu
src=$1 out=$2 npmdir=$3
command -v npm >/dev/null 2>&1 || {
    echo "web-build.sh: npm is missing: run scripts/deps.sh (nodejs + npm)" >&2; exit 1; }
mkdir -p "$npmdir"
if ! cmp -s "$src/package-lock.json" "$npmdir/package-lock.json" ||
   [ ! -f "$npmdir/node_modules/cytoscape/dist/cytoscape.min.js" ]; then
    cp "$src/package.json" "$src/package-lock.json" "$npmdir/"
    (cd "$npmdir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) || {
        rm -f "$npmdir/package-lock.json"
        echo "web-build.sh: npm ci failed (the npm registry must be reachable once, or its cache filled)" >&2
        exit 1
    }
fi
rm -rf "$out.tmp"
mkdir -p "$out.tmp/ui/vendor"
cp "$src/index.html" "$out.tmp/"
cp "$src"/ui/*.js "$src"/ui/*.css "$out.tmp/ui/"
cp "$npmdir/node_modules/cytoscape/dist/cytoscape.min.js" "$out.tmp/ui/vendor/"
cp "$npmdir/node_modules/cytoscape/LICENSE" "$out.tmp/ui/vendor/cytoscape.LICENSE.txt"
rm -rf "$out"
mv "$out.tmp" "$out"
