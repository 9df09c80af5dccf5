#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# engine_layers.sh — the engine's files form a hierarchy (docs/ENGINE.md
# "Layers"): no two files of src/engine call each other, and docs/ENGINE.md
# shows the graph of the build as it is. First the check itself is shown to
# fail on an archive of two files that call each other.
#
#   engine_layers.sh SOURCE_DIR libqtpm_engine.a
set -eu
src=$1
lib=$2
graph="$src/scripts/engine-graph.sh"
cc=${CC:-cc}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'int b(int);\nint a(int x) { return x ? b(x - 1) : 0; }\n' > "$tmp/a.c"
printf 'int a(int);\nint b(int x) { return x ? a(x - 1) : 1; }\n' > "$tmp/b.c"
printf 'int a(int);\nint c(int x) { return a(x); }\n' > "$tmp/c.c"
(cd "$tmp" && $cc -c a.c b.c c.c && ar rc pair.a a.o b.o c.o)
if sh "$graph" --check "$tmp/pair.a" > "$tmp/out"; then
    echo "engine-graph.sh --check passed an archive whose a.c and b.c call each other"
    exit 1
fi
grep -q '^  a <-> b$' "$tmp/out" || { echo "the mutual pair was not named:"; cat "$tmp/out"; exit 1; }
[ "$(grep -c '<->' "$tmp/out")" = 1 ] || { echo "c.c was named:"; cat "$tmp/out"; exit 1; }

sh "$graph" --check "$lib"
sh "$graph" --check-doc "$lib" "$src/src/engine" "$src/docs/ENGINE.md"
