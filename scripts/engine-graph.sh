#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# engine-graph.sh — the include graph and the call graph of the engine's
# files (src/engine), as docs/ENGINE.md shows them, and the check that no two
# engine files call each other (the layering of docs/ENGINE.md "Layers").
#
# The call graph comes from the compiled engine, not from reading C: for every
# object file of the archive libqtpm_engine.a, `nm` lists the global functions
# it defines and the symbols it leaves undefined; file A calls file B when A
# needs a symbol B defines. Static functions and static inline functions of
# headers are invisible to it, which is right: they are not calls between
# files. The include graph is the `#include "..."` lines of src/engine.
#
#   scripts/engine-graph.sh ARCHIVE SRCDIR          markdown for docs/ENGINE.md
#   scripts/engine-graph.sh --check ARCHIVE SRCDIR  exit 1 if two files call each other
#   scripts/engine-graph.sh --doc ARCHIVE SRCDIR DOC  rewrite DOC between the lines
#                                   <!-- engine-graph: begin --> and <!-- engine-graph: end -->
#   scripts/engine-graph.sh --check-doc ARCHIVE SRCDIR DOC  exit 1 if DOC says otherwise
#   scripts/engine-graph.sh --edges ARCHIVE         "caller callee symbol" lines
#   scripts/engine-graph.sh --cycles ARCHIVE        files that reach each other through
#                                                   longer chains (one group a line)
#
# make check runs the --check form (ctest engine_layers).
set -eu

mode=doc
case "${1:-}" in
--check) mode=check; shift ;;
--edges) mode=edges; shift ;;
--cycles) mode=cycles; shift ;;
--doc) mode=update; shift ;;
--check-doc) mode=checkdoc; shift ;;
esac
[ $# -ge 1 ] || { echo "usage: $0 [--check|--edges] libqtpm_engine.a [src/engine]" >&2; exit 2; }
lib=$1
src=${2:-}
doc=${3:-}
[ -f "$lib" ] || { echo "engine-graph: no archive $lib" >&2; exit 2; }

# "caller callee symbol" for every call between two engine files.
edges() {
    nm -A "$lib" 2>/dev/null | awk '
    {
        # archive:member.o: [addr] type name
        split($1, p, ":"); f = p[2]; sub(/\.c\.o$/, "", f); sub(/\.o$/, "", f)
        if (NF == 4) { t = $3; s = $4 } else if (NF == 3) { t = $2; s = $3 } else next
        if (t == "T" || t == "D" || t == "B" || t == "R") def[s] = f
        else if (t == "U") { n++; uf[n] = f; us[n] = s }
    }
    END {
        for (i = 1; i <= n; i++)
            if ((us[i] in def) && def[us[i]] != uf[i]) print uf[i], def[us[i]], us[i]
    }' | sort -u
}

# "a b" once per pair of files that call each other (a < b).
mutual() {
    edges | awk '{ e[$1 " " $2] = 1 } END {
        for (k in e) { split(k, p, " "); if (p[1] < p[2] && (p[2] " " p[1]) in e) print p[1], p[2] } }' | sort
}

# Groups of files that reach each other through longer chains of calls
# (strongly connected components of more than one file), one line each.
cycles() {
    edges | awk '{ print $1, $2 }' | sort -u | awk 'BEGIN { n = 0 }
    { if (!($1 in id)) { id[$1] = n; name[n++] = $1 } if (!($2 in id)) { id[$2] = n; name[n++] = $2 }
      r[id[$1], id[$2]] = 1 }
    END {
        for (k = 0; k < n; k++) for (i = 0; i < n; i++) if ((i, k) in r) for (j = 0; j < n; j++)
            if ((k, j) in r) r[i, j] = 1
        for (i = 0; i < n; i++) {
            if (i in done) continue
            line = ""; m = 0
            for (j = 0; j < n; j++)
                if (j == i || (((i, j) in r) && ((j, i) in r))) { done[j] = 1; line = line " " name[j]; m++ }
            if (m > 1) print substr(line, 2)
        }
    }' | while read -r l; do echo "$l" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//'; echo; done | sort
}

case $mode in
edges) edges; exit 0 ;;
cycles) cycles; exit 0 ;;
check)
    m=$(mutual)
    if [ -n "$m" ]; then
        echo "engine files that call each other (docs/ENGINE.md \"Layers\" forbids it):"
        echo "$m" | while read -r a b; do
            echo "  $a <-> $b"
            edges | awk -v a="$a" -v b="$b" '($1 == a && $2 == b) || ($1 == b && $2 == a) { print "      " $1 " -> " $2 ": " $3 }'
        done
        exit 1
    fi
    n=$(edges | awk '{ print $1, $2 }' | sort -u | wc -l)
    echo "engine_layers: $n calls between engine files, none mutual"
    exit 0 ;;
esac

# "level file": level 0 calls no other engine file, level k calls files of
# levels below k only (k is the longest chain of calls below the file). Files
# of the archive that call none and are called by none are level 0 too.
levels() {
    { nm -A "$lib" 2>/dev/null | awk '{ split($1, p, ":"); f = p[2]; sub(/\.c\.o$/, "", f); print "node", f }' | sort -u
      edges | awk '{ print "edge", $1, $2 }' | sort -u; } | awk '
    $1 == "node" { lv[$2] = 0; next }
    { ne++; ea[ne] = $2; eb[ne] = $3 }
    END {
        for (it = 0; it < 100; it++) {
            ch = 0
            for (e = 1; e <= ne; e++) if (lv[ea[e]] < lv[eb[e]] + 1) { lv[ea[e]] = lv[eb[e]] + 1; ch = 1 }
            if (!ch) break
        }
        for (f in lv) print lv[f], f
    }' | sort -k1,1n -k2
}

markdown() {
echo "### Layers"
echo
echo "Generated by \`scripts/engine-graph.sh\` from \`nm\` of libqtpm-engine. Level 0 calls no other"
echo "engine file; a file of level k calls only files of lower levels (k is its longest chain of"
echo "calls down)."
echo
echo "| level | files |"
echo "|---|---|"
levels | awk 'NR == 1 || $1 != last { if (NR > 1) printf " |\n"; printf "| %s | `%s`", $1, $2; last = $1; next }
    { printf ", `%s`", $2 }
    END { if (NR) printf " |\n" }'
echo
echo "### Calls between files"
echo
echo "Each file and the engine files whose functions it calls."
echo
echo "| file | calls |"
echo "|---|---|"
edges | awk '{ k = $1; if (!((k, $2) in seen)) { seen[k, $2] = 1; c[k] = (nc[k]++ ? c[k] ", " : "") $2 } }
    END { for (k in c) print k "|" c[k] }' | sort | awk -F'|' '{ printf "| `%s` | %s |\n", $1, $2 }'
echo
m=$(mutual)
if [ -n "$m" ]; then
    echo "Files that call each other:"
    echo
    echo "$m" | awk '{ printf "- `%s` ↔ `%s`\n", $1, $2 }'
else
    echo "No two files call each other."
fi
c=$(cycles)
echo
if [ -n "$c" ]; then
    echo "Files that reach each other only through longer chains of calls (a group a line):"
    echo
    echo "$c" | awk '{ printf "- `%s`\n", $0 }' | sed 's/ /`, `/g; s/^-`, `/- /'
else
    echo "No longer chain of calls comes back to where it started: the files form a hierarchy."
fi
if [ -n "$src" ]; then
    echo
    echo "### Includes"
    echo
    echo "Each engine file and the engine headers it includes (\`#include \"...\"\` of src/engine)."
    echo
    echo "| file | includes |"
    echo "|---|---|"
    for f in "$src"/*.h "$src"/*.c; do
        inc=$(sed -n 's/^#include "\([^"/]*\)".*/\1/p' "$f" | while read -r h; do
            if [ -f "$src/$h" ]; then printf "%s " "$h"; fi; done)
        printf '| `%s` | %s |\n' "$(basename "$f")" "$(echo "$inc" | sed 's/ $//; s/ /, /g')"
    done
fi
}

begin='<!-- engine-graph: begin -->'
end='<!-- engine-graph: end -->'
# DOC with the lines between the markers replaced by the graph, on stdout
with_graph() {
    grep -qxF "$begin" "$doc" && grep -qxF "$end" "$doc" ||
        { echo "engine-graph: $doc has no $begin / $end lines" >&2; exit 2; }
    g=$(mktemp)
    markdown > "$g"
    awk -v b="$begin" -v e="$end" -v g="$g" '
        $0 == b { print; while ((getline l < g) > 0) print l; skip = 1; next }
        $0 == e { skip = 0 }
        !skip { print }' "$doc"
    rm -f "$g"
}

case $mode in
doc) markdown ;;
update)
    t=$(mktemp)
    with_graph > "$t"
    cat "$t" > "$doc"
    rm -f "$t" ;;
checkdoc)
    t=$(mktemp)
    with_graph > "$t"
    if ! cmp -s "$t" "$doc"; then
        echo "$doc does not show the engine's graph as it is now; run"
        echo "  scripts/engine-graph.sh --doc $lib $src $doc"
        diff -u "$doc" "$t" | head -40
        rm -f "$t"
        exit 1
    fi
    rm -f "$t"
    echo "engine_layers: $doc shows the graph of the build" ;;
esac
