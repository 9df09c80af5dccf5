#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# attest_digestlist_cli: the vendor's qtpm-digestlist tool end to end —
# keygen (key file modes), build over a small image tree (paths as on the
# router, config and forbidden kinds), verify with the right and wrong keys,
# a tampered list refused, show --json, and usage errors exit 2.
set -u
BIN=$1
W=$(mktemp -d "${TMPDIR:-/tmp}/attest-cli.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BIN" keygen --out-dir "$W/k" >/dev/null || fail keygen
for f in mldsa65.key mldsa65.pub ecdsa-p384.key ecdsa-p384.pub; do
  [ -s "$W/k/$f" ] || fail "missing $f"
done
[ "$(stat -c %a "$W/k/mldsa65.key")" = 600 ] || fail "mldsa65.key mode"
[ "$(stat -c %a "$W/k/ecdsa-p384.key")" = 600 ] || fail "ecdsa-p384.key mode"
[ "$(stat -c %s "$W/k/mldsa65.pub")" = 1952 ] || fail "mldsa65.pub size"
grep -q "BEGIN PUBLIC KEY" "$W/k/ecdsa-p384.pub" || fail "ecdsa pub not PEM"

mkdir -p "$W/root/bin" "$W/root/etc"
printf 'busybox' >"$W/root/bin/busybox"
printf 'conf' >"$W/root/etc/router.conf"
printf 'evil' >"$W/evil"
"$BIN" build --vendor ACME --image rtr --version 3 --root "$W/root" --prefix / \
  --config /etc/router.conf --forbid "$W/evil" \
  --mldsa-key "$W/k/mldsa65.key" --ecdsa-key "$W/k/ecdsa-p384.key" -o "$W/l.qdl" >/dev/null \
  || fail build
out=$("$BIN" verify --mldsa-pub "$W/k/mldsa65.pub" --ecdsa-pub "$W/k/ecdsa-p384.pub" "$W/l.qdl") \
  || fail "verify good list"
echo "$out" | grep -q "ACME rtr version 3: 3 digests" || fail "verify output: $out"
json=$("$BIN" show --json "$W/l.qdl") || fail show
bb=$(sha256sum "$W/root/bin/busybox" | cut -d' ' -f1)
echo "$json" | tr -d ' \n' | grep -q "\"digest\":\"$bb\",\"path\":\"/bin/busybox\",\"kind\":\"exec\"" \
  || fail "busybox entry: $json"
echo "$json" | tr -d ' \n' | grep -q '"path":"/etc/router.conf","kind":"config"' \
  || fail "config entry: $json"
echo "$json" | grep -q '"forbidden"' || fail "forbidden entry: $json"

# other vendor keys, a flipped byte, a truncated list: exit 1 with a message
"$BIN" keygen --out-dir "$W/k2" >/dev/null || fail keygen2
"$BIN" verify --mldsa-pub "$W/k2/mldsa65.pub" --ecdsa-pub "$W/k/ecdsa-p384.pub" "$W/l.qdl" \
  2>"$W/err" && fail "other ML-DSA key accepted"
grep -q "signature" "$W/err" || fail "no signature message"
"$BIN" verify --mldsa-pub "$W/k/mldsa65.pub" --ecdsa-pub "$W/k2/ecdsa-p384.pub" "$W/l.qdl" \
  2>/dev/null && fail "other ECDSA key accepted"
sz=$(stat -c %s "$W/l.qdl")
# invert one byte near the end (writing a constant would leave it unchanged 1 time in 256)
python3 -c 'import sys; d = bytearray(open(sys.argv[1], "rb").read()); d[int(sys.argv[2])] ^= 0xff; open(sys.argv[3], "wb").write(d)' \
  "$W/l.qdl" $((sz - 30)) "$W/t.qdl"
"$BIN" verify --mldsa-pub "$W/k/mldsa65.pub" --ecdsa-pub "$W/k/ecdsa-p384.pub" "$W/t.qdl" \
  2>/dev/null && fail "tampered list accepted"
head -c $((sz - 200)) "$W/l.qdl" >"$W/s.qdl"
"$BIN" verify --mldsa-pub "$W/k/mldsa65.pub" --ecdsa-pub "$W/k/ecdsa-p384.pub" "$W/s.qdl" \
  2>/dev/null && fail "truncated list accepted"

"$BIN" verify "$W/l.qdl" 2>/dev/null; [ $? = 2 ] || fail "usage exit code"
"$BIN" frobnicate 2>/dev/null; [ $? = 2 ] || fail "unknown command exit code"
echo "attest_digestlist_cli: ok"
