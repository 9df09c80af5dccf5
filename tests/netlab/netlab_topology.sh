#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# netlab_topology.sh NETLAB — qtpm-netlab check: the shipped topologies parse; each bad
# topology is refused with exit 2 and a message naming the file and the line at fault.
set -eu
tool=$1/qtpm-netlab
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-nltopo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$tool" check "$1/topologies/seeds.topo" | grep -q "lab seeds, 6 nodes, 6 links" ||
    fail "seeds.topo does not parse to 6 nodes and 6 links"
"$tool" check "$1/topologies/grid4x4.topo" | grep -q "lab grid, 18 nodes, 26 links" ||
    fail "grid4x4.topo does not parse to 18 nodes and 26 links"
# bad FILE-CONTENT LINE EXPECTED-TEXT: exit 2, "FILE:LINE: ...EXPECTED..."
n=0
bad() {
    n=$((n + 1))
    f=$tmp/t$n.topo
    printf "$1" > "$f"
    set +e
    "$tool" check "$f" > "$tmp/out" 2>&1
    rc=$?
    set -e
    [ $rc = 2 ] || { cat "$tmp/out"; fail "case $n: exit $rc, expected 2"; }
    grep -q "$f:$2: .*$3" "$tmp/out" || { cat "$tmp/out"; fail "case $n: no '$f:$2: ...$3'"; }
}
bad 'lab x\nrouter R1\nlink R1 R9\n' 3 "unknown node 'R9'"
bad 'router R1\nrouter R2\n# c\n\nlink R1 R2 cost 0\n' 5 "not in OSPF's range"
bad 'router R1\nrouter R1\n' 2 "defined twice (first on line 1)"
bad 'router R1\nrouter R2\nlink R1 R2\nlink R2 R1\n' 4 "a second link between"
bad 'router R1\nfrobnicate\n' 2 "unknown directive 'frobnicate'"
bad 'router R1 id 10.0.0.300\n' 1 "not a dotted-quad"
bad 'router R1\nhost h1\nhost h2\nlink h1 h2\n' 4 "between two hosts"
bad 'router R1\nhost h1\n' 2 "host h1 has 0 links"
bad 'router R1\nlink R1 R1\n' 2 "to itself"
bad 'router this_name_is_too_long\n' 1 "router takes a name"
bad 'lab Bad!\nrouter R1\n' 1 "lab takes one name"
printf 'host h\n' > "$tmp/norouter.topo"
set +e
"$tool" check "$tmp/norouter.topo" > "$tmp/out" 2>&1; rc=$?
"$tool" check "$tmp/missing.topo" > "$tmp/out2" 2>&1; rc2=$?
set -e
[ $rc = 2 ] && grep -q "no router defined" "$tmp/out" || fail "a topology without routers"
[ $rc2 = 2 ] && grep -q "missing.topo: cannot read" "$tmp/out2" || fail "a missing file"
echo "netlab_topology: $n bad topologies refused with their line, 2 more with the file"
