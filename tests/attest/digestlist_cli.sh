#!/bin/sh
# qtpm-digestlist from the command line: keys, a list of a directory tree,
# verification, and refusal (exit 1, a message) of a list whose ML-DSA or
# ECDSA signature is damaged or missing, or checked with another vendor's key.
set -u
dl=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-dlcli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$tmp/img/usr/sbin" "$tmp/img/etc"
echo routerd > "$tmp/img/usr/sbin/routerd"
echo conf > "$tmp/img/etc/r.conf"
"$dl" keygen --out-dir "$tmp/v" > /dev/null || fail keygen
"$dl" keygen --out-dir "$tmp/other" > /dev/null || fail keygen other
[ "$(stat -c %a "$tmp/v/mldsa65.key")" = 600 ] || fail "ML-DSA key not 0600"
[ "$(stat -c %a "$tmp/v/ecdsa-p384.key")" = 600 ] || fail "ECDSA key not 0600"
"$dl" build --vendor acme --image os --version 3 --root "$tmp/img" --config /etc/r.conf \
    --mldsa-key "$tmp/v/mldsa65.key" --ecdsa-key "$tmp/v/ecdsa-p384.key" -o "$tmp/l.qdl" \
    > /dev/null || fail build
v() { "$dl" verify --mldsa-pub "$1/mldsa65.pub" --ecdsa-pub "$1/ecdsa-p384.pub" "$2"; }
v "$tmp/v" "$tmp/l.qdl" > "$tmp/out" 2>&1 || fail "good list refused: $(cat "$tmp/out")"
grep -q "version 3: 2 digests" "$tmp/out" || fail "verify output: $(cat "$tmp/out")"
"$dl" show --json "$tmp/l.qdl" > "$tmp/show.json" || fail show
python3 - "$tmp/show.json" <<'PY' || fail "show --json content"
import hashlib, json, sys
j = json.load(open(sys.argv[1]))
e = {x["path"]: x for x in j["entries"]}
assert j["version"] == 3 and j["vendor"] == "acme"
assert e["/etc/r.conf"]["kind"] == "config" and e["/usr/sbin/routerd"]["kind"] == "exec"
assert e["/usr/sbin/routerd"]["digest"] == hashlib.sha256(b"routerd\n").hexdigest()
PY
size=$(stat -c %s "$tmp/l.qdl")
# another vendor's keys
v "$tmp/other" "$tmp/l.qdl" > "$tmp/out" 2>&1 && fail "accepted with another vendor's keys"
grep -q "signature" "$tmp/out" || fail "no reason given: $(cat "$tmp/out")"
# only one of the two keys is another vendor's: still refused (both must verify)
"$dl" verify --mldsa-pub "$tmp/v/mldsa65.pub" --ecdsa-pub "$tmp/other/ecdsa-p384.pub" \
    "$tmp/l.qdl" > /dev/null 2>&1 && fail "accepted with a wrong ECDSA key"
"$dl" verify --mldsa-pub "$tmp/other/mldsa65.pub" --ecdsa-pub "$tmp/v/ecdsa-p384.pub" \
    "$tmp/l.qdl" > /dev/null 2>&1 && fail "accepted with a wrong ML-DSA key"
# a flipped byte in the ML-DSA signature (just after the body), in the ECDSA one (the end)
python3 - "$tmp/l.qdl" "$tmp" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
d = sys.argv[2]
def w(name, data): open(d + "/" + name, "wb").write(data)
# the ECDSA signature is the last field: u32 length then DER
x = bytearray(b); x[-5] ^= 1; w("ecdsa-flip.qdl", x)
# the ML-DSA-65 signature is 3309 bytes, before the ECDSA field
y = bytearray(b)
for i in range(len(y) - 4):
    if int.from_bytes(y[i:i+4], "big") == 3309 and i + 4 + 3309 < len(y):
        y[i + 100] ^= 1; break
w("mldsa-flip.qdl", y)
# no ECDSA signature at all: cut the list after the ML-DSA signature
for i in range(len(b) - 4):
    if int.from_bytes(b[i:i+4], "big") == 3309 and i + 4 + 3309 < len(b):
        w("no-ecdsa.qdl", b[:i + 4 + 3309]); w("no-sigs.qdl", b[:i]); break
w("trailing.qdl", bytes(b) + b"x")
PY
for f in ecdsa-flip mldsa-flip no-ecdsa no-sigs trailing; do
    [ -s "$tmp/$f.qdl" ] || fail "test file $f not made"
    v "$tmp/v" "$tmp/$f.qdl" > "$tmp/out" 2>&1 && fail "$f accepted"
    grep -q "qtpm-digestlist:" "$tmp/out" || fail "$f: no message"
done
[ "$(stat -c %s "$tmp/l.qdl")" = "$size" ] || fail "the original list changed"
"$dl" build --vendor acme > /dev/null 2>&1; [ $? = 2 ] || fail "usage error not exit 2"
"$dl" build --vendor a --image b --version x --root "$tmp/img" --mldsa-key "$tmp/v/mldsa65.key" \
    --ecdsa-key "$tmp/v/ecdsa-p384.key" -o "$tmp/x" > /dev/null 2>&1 && fail "version x accepted"
"$dl" build --vendor a --image b --version 1 --root "$tmp/img" --mldsa-key "$tmp/v/ecdsa-p384.key" \
    --ecdsa-key "$tmp/v/ecdsa-p384.key" -o "$tmp/x" > /dev/null 2>&1 && fail "wrong key file accepted"
echo "attest_digestlist_cli: all cases behaved"
