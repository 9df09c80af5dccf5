#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# qtpm-daa end to end (docs/DAA.md): an issuer, a host whose TPM is qtpm's
# engine with its state in a directory (one process per step, as a real
# deployment would run them), the join over files, signatures with and
# without basename, verification, linking; and the bad inputs: a tampered
# signature, a truncated one, a wrong basename, another issuer's key, a
# malformed credential message. Usage: daa_cli.sh QTPM_DAA
set -u
DAA=$1
W=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-daa-cli.XXXXXX")
trap 'rm -rf "$W"' EXIT
T="engine:$W/tpm"
fails=0
ok() { if "$@" >"$W/out" 2>&1; then :; else echo "FAIL (exit $?): $*"; cat "$W/out"; fails=$((fails + 1)); fi; }
# expect_rc N CMD...: the command must exit with status N
expect_rc() {
    want=$1; shift
    "$@" >"$W/out" 2>&1; got=$?
    if [ "$got" != "$want" ]; then echo "FAIL (exit $got, want $want): $*"; cat "$W/out"; fails=$((fails + 1)); fi
}

ok "$DAA" keygen --isk "$W/isk" --ipk "$W/ipk"
ok "$DAA" keygen --isk "$W/isk2" --ipk "$W/ipk2"
ok "$DAA" check-ipk --ipk "$W/ipk"
head -c 100 "$W/ipk" >"$W/ipk.short"
expect_rc 1 "$DAA" check-ipk --ipk "$W/ipk.short"

# join: host → issuer → host → issuer → host
ok "$DAA" host-request --tcti "$T" --key "$W/key" --request "$W/req"
ok "$DAA" join-challenge --request "$W/req" --challenge "$W/chal" --state "$W/state"
ok "$DAA" host-respond --tcti "$T" --key "$W/key" --challenge "$W/chal" --response "$W/resp"
ok "$DAA" join-issue --isk "$W/isk" --state "$W/state" --response "$W/resp" --credential "$W/credmsg"
ok "$DAA" host-finish --tcti "$T" --key "$W/key" --ipk "$W/ipk" --credential-msg "$W/credmsg" \
    --credential "$W/cred"
[ "$(wc -c <"$W/cred")" -eq 321 ] || { echo "FAIL: credential size"; fails=$((fails + 1)); }
# the credential message checked against another issuer's key
expect_rc 3 "$DAA" host-finish --tcti "$T" --key "$W/key" --ipk "$W/ipk2" \
    --credential-msg "$W/credmsg" --credential "$W/cred.x"
head -c 60 "$W/credmsg" >"$W/credmsg.short"
expect_rc 3 "$DAA" host-finish --tcti "$T" --key "$W/key" --ipk "$W/ipk" \
    --credential-msg "$W/credmsg.short" --credential "$W/cred.x"

printf 'steps=10234 heart=61' >"$W/msg"
printf 'steps=10235 heart=61' >"$W/msg2"
ok "$DAA" host-sign --tcti "$T" --key "$W/key" --credential "$W/cred" --msg "$W/msg" --sig "$W/sig.anon"
ok "$DAA" host-sign --tcti "$T" --key "$W/key" --credential "$W/cred" --msg "$W/msg" \
    --basename bucket-7 --sig "$W/sig.b1"
ok "$DAA" host-sign --tcti "$T" --key "$W/key" --credential "$W/cred" --msg "$W/msg2" \
    --basename bucket-7 --sig "$W/sig.b2"
ok "$DAA" host-sign --tcti "$T" --key "$W/key" --credential "$W/cred" --msg "$W/msg" \
    --basename bucket-8 --sig "$W/sig.b3"
[ "$(wc -c <"$W/sig.anon")" -eq 353 ] && [ "$(wc -c <"$W/sig.b1")" -eq 449 ] ||
    { echo "FAIL: signature sizes"; fails=$((fails + 1)); }

expect_rc 0 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.anon" --msg "$W/msg"
expect_rc 0 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.b1" --msg "$W/msg" --basename bucket-7
expect_rc 0 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.b2" --msg "$W/msg2" --basename bucket-7
expect_rc 0 "$DAA" link "$W/sig.b1" "$W/sig.b2"
expect_rc 3 "$DAA" link "$W/sig.b1" "$W/sig.b3"      # different basenames
expect_rc 3 "$DAA" link "$W/sig.anon" "$W/sig.b1"    # unlinkable signature

# a rogue list without this TPM's key keeps the signature valid; a list of
# the wrong size is an error
head -c 64 "$W/isk" | tail -c 32 >"$W/rogue"
expect_rc 0 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.anon" --msg "$W/msg" --rogue "$W/rogue"
head -c 31 "$W/isk" >"$W/rogue.bad"
expect_rc 3 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.anon" --msg "$W/msg" --rogue "$W/rogue.bad"

# pseudonym revocation (a TPM-held key): the listed pseudonym refuses the
# TPM's signatures under that basename only; an anonymous signature cannot
# be listed; a list of the wrong size is an error
ok "$DAA" revoke-pseudonym --sig "$W/sig.b1" --revoked "$W/rl"
[ "$(wc -c <"$W/rl")" -eq 96 ] || { echo "FAIL: pseudonym entry size"; fails=$((fails + 1)); }
expect_rc 1 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.b2" --msg "$W/msg2" --basename bucket-7 --revoked "$W/rl"
grep -q "revoked DAA key" "$W/out" || { echo "FAIL: no revocation message"; fails=$((fails + 1)); }
expect_rc 0 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.b3" --msg "$W/msg" --basename bucket-8 --revoked "$W/rl"
expect_rc 0 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.anon" --msg "$W/msg" --revoked "$W/rl"
expect_rc 3 "$DAA" revoke-pseudonym --sig "$W/sig.anon" --revoked "$W/rl"
expect_rc 3 "$DAA" revoke-pseudonym --sig "$W/sig.b1"
[ "$(wc -c <"$W/rl")" -eq 96 ] || { echo "FAIL: a refused entry was appended"; fails=$((fails + 1)); }
head -c 95 "$W/rl" >"$W/rl.bad"
expect_rc 3 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.b2" --msg "$W/msg2" --basename bucket-7 --revoked "$W/rl.bad"
# an invalid signature stays invalid (exit 1), whatever the list says
expect_rc 1 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.b2" --msg "$W/msg" --basename bucket-7 --revoked "$W/rl"

# bad inputs
expect_rc 1 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.anon" --msg "$W/msg2"
expect_rc 1 "$DAA" verify --ipk "$W/ipk2" --sig "$W/sig.anon" --msg "$W/msg"
expect_rc 1 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.b1" --msg "$W/msg" --basename bucket-8
expect_rc 1 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.b1" --msg "$W/msg"
head -c 352 "$W/sig.anon" >"$W/sig.short"
expect_rc 1 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.short" --msg "$W/msg"
grep -q "malformed" "$W/out" || { echo "FAIL: no format error"; fails=$((fails + 1)); }
# flip one bit of the response s (byte 70)
python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[70]^=1; open(sys.argv[2],'wb').write(b)" \
    "$W/sig.anon" "$W/sig.bad"
expect_rc 1 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.bad" --msg "$W/msg"
grep -q "proof" "$W/out" || { echo "FAIL: no proof error"; fails=$((fails + 1)); }
expect_rc 3 "$DAA" verify --ipk "$W/ipk.short" --sig "$W/sig.anon" --msg "$W/msg"
expect_rc 2 "$DAA" verify --ipk "$W/ipk" --sig "$W/sig.anon" --msg "$W/msg" --bogus
expect_rc 2 "$DAA" frobnicate
expect_rc 0 "$DAA" --version

if [ "$fails" -ne 0 ]; then echo "daa_cli: $fails failure(s)"; exit 1; fi
echo "daa_cli: all passed"
