#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_fuzz_seeds.sh CHECKER CORPUS — the fuzz_provider_shares seeds reach
# what they are meant to: every ok-* seed is accepted (it gets past the length
# and content checks into encapsulation / decapsulation), every bad-* seed is
# refused. CHECKER is the harness built as a plain program.
set -u
out=$("$1" "$2"/*) || { echo "checker failed"; exit 1; }
echo "$out"
bad=0
n=0
for f in "$2"/*; do
    n=$((n + 1))
    b=$(basename "$f")
    got=$(echo "$out" | awk -v f="$f" '$1 == f {print $2}')
    case $b in
    ok-*) [ "$got" = accepted ] || { echo "FAIL: $b $got"; bad=$((bad + 1)); } ;;
    bad-*) [ "$got" = refused ] || { echo "FAIL: $b $got"; bad=$((bad + 1)); } ;;
    esac
done
[ $n -ge 10 ] || { echo "only $n seeds"; exit 1; }
[ $bad -eq 0 ] && echo "all $n seeds as expected"
exit $bad
