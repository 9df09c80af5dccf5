#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# no_memcmp.sh — the engine and the TSS compare bytes only through ct.h:
# ct_equal() where a secret is involved (MACs, tickets, authValues), and
# public_equal() where everything is public. A bare memcmp (or bcmp,
# strncmp on binary data) in src/engine or src/tss fails `make check`, so
# every new comparison has to say which kind it is (issue 11).
#
#   no_memcmp.sh SOURCE_DIR
set -eu
src=$1
hits=$(grep -rnE '\b(memcmp|bcmp|timingsafe_bcmp|CRYPTO_memcmp)\s*\(' "$src/src/engine" "$src/src/tss" \
       --include='*.c' --include='*.h' || true)
if [ -n "$hits" ]; then
    echo "bare byte comparisons in the engine or TSS (use ct_equal or public_equal from src/internal/ct.h):"
    echo "$hits"
    exit 1
fi
# A decision on secret bytes goes through ct_equal(), whose verdict is the one
# value tests/ct/ct_engine.c lets become public; a raw ct_memneq() is a mask
# for ct_cmov() and belongs to the crypto code.
raw=$(grep -rn 'ct_memneq(' "$src/src/engine" "$src/src/tss" --include='*.c' || true)
if [ -n "$raw" ]; then
    echo "raw ct_memneq in the engine or TSS (decide with ct_equal):"
    echo "$raw"
    exit 1
fi
n_ct=$(grep -rn 'ct_equal(' "$src/src/engine" "$src/src/tss" | wc -l)
n_pub=$(grep -rn 'public_equal(' "$src/src/engine" "$src/src/tss" | wc -l)
echo "no bare memcmp in src/engine and src/tss: $n_ct constant-time and $n_pub public comparisons"
