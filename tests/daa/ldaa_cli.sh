#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# qtpm-daa's lattice DAA commands end to end (docs/DAA.md "Lattice DAA"),
# one process per step: issuer keys, two TPM parts, the join over files
# (nonce, request, credential, the host's check), signatures with and
# without basename, verification, linking, key-based revocation; and the bad
# inputs: a truncated and a tampered signature, a wrong or missing basename,
# another issuer's key, another TPM's credential, a replayed join request, a
# TPM that never joined. Then the TPM part in qtpm's engine (--tcti
# engine:DIR, one process per step, the state in DIR): a TPM key file, its
# join, signatures that verify and link, another issuer's key refused, and
# ldaa-export-secret refused (s stays in the TPM). Last the join bound to
# the EK: its happy path, and another issuer, a replayed response, a
# software key's request and another TPM's key refused. Usage: ldaa_cli.sh QTPM_DAA
set -u
DAA=$1
W=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-ldaa-cli.XXXXXX")
trap 'rm -rf "$W"' EXIT
fails=0
ok() { if "$@" >"$W/out" 2>&1; then :; else echo "FAIL (exit $?): $*"; cat "$W/out"; fails=$((fails + 1)); fi; }
expect_rc() {
    want=$1; shift
    "$@" >"$W/out" 2>&1; got=$?
    if [ "$got" != "$want" ]; then echo "FAIL (exit $got, want $want): $*"; cat "$W/out"; fails=$((fails + 1)); fi
}

ok "$DAA" ldaa-issuer-keygen --isk "$W/isk" --ipk "$W/ipk"
ok "$DAA" ldaa-issuer-keygen --isk "$W/isk2" --ipk "$W/ipk2"
for t in a b never; do ok "$DAA" ldaa-tpm-create --ipk "$W/ipk" --key "$W/tpm.$t"; done
for t in a b; do
    ok "$DAA" ldaa-join-nonce --nonce "$W/nonce.$t"
    ok "$DAA" ldaa-join-request --key "$W/tpm.$t" --nonce "$W/nonce.$t" --request "$W/req.$t"
    ok "$DAA" ldaa-join-issue --isk "$W/isk" --nonce "$W/nonce.$t" --request "$W/req.$t" --credential "$W/cred.$t"
    ok "$DAA" ldaa-join-finish --ipk "$W/ipk" --key "$W/tpm.$t" --credential "$W/cred.$t"
done
# replayed request (another nonce), another issuer, another TPM's credential
expect_rc 3 "$DAA" ldaa-join-issue --isk "$W/isk" --nonce "$W/nonce.b" --request "$W/req.a" --credential "$W/x"
expect_rc 3 "$DAA" ldaa-join-issue --isk "$W/isk2" --nonce "$W/nonce.a" --request "$W/req.a" --credential "$W/x"
expect_rc 1 "$DAA" ldaa-join-finish --ipk "$W/ipk" --key "$W/tpm.a" --credential "$W/cred.b"

printf 'steps=10234 heart=61 2026-12-07\n' >"$W/day1"
printf 'steps=8812 heart=64 2026-12-08\n' >"$W/day2"
ok "$DAA" ldaa-sign --ipk "$W/ipk" --key "$W/tpm.a" --credential "$W/cred.a" --msg "$W/day1" --sig "$W/s.anon"
ok "$DAA" ldaa-sign --ipk "$W/ipk" --key "$W/tpm.a" --credential "$W/cred.a" --msg "$W/day1" --basename bucket-7 --sig "$W/s.a1"
ok "$DAA" ldaa-sign --ipk "$W/ipk" --key "$W/tpm.a" --credential "$W/cred.a" --msg "$W/day2" --basename bucket-7 --sig "$W/s.a2"
ok "$DAA" ldaa-sign --ipk "$W/ipk" --key "$W/tpm.b" --credential "$W/cred.b" --msg "$W/day1" --basename bucket-7 --sig "$W/s.b1"
ok "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.anon" --msg "$W/day1"
ok "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.a1" --msg "$W/day1" --basename bucket-7
ok "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.a2" --msg "$W/day2" --basename bucket-7
ok "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.b1" --msg "$W/day1" --basename bucket-7
ok "$DAA" ldaa-link "$W/s.a1" "$W/s.a2"
expect_rc 1 "$DAA" ldaa-link "$W/s.a1" "$W/s.b1"
expect_rc 3 "$DAA" ldaa-link "$W/s.anon" "$W/s.a1"

# bad signatures
expect_rc 1 "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.a1" --msg "$W/day2" --basename bucket-7
expect_rc 1 "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.a1" --msg "$W/day1" --basename bucket-8
expect_rc 1 "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.a1" --msg "$W/day1"
expect_rc 1 "$DAA" ldaa-verify --ipk "$W/ipk2" --sig "$W/s.anon" --msg "$W/day1"
head -c 1000 "$W/s.anon" >"$W/s.short"
expect_rc 1 "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.short" --msg "$W/day1"
cp "$W/s.anon" "$W/s.bad"
printf '\377' | dd of="$W/s.bad" bs=1 seek=50000 conv=notrunc 2>/dev/null
expect_rc 1 "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.bad" --msg "$W/day1"
# a TPM that never joined, with another TPM's credential
ok "$DAA" ldaa-sign --ipk "$W/ipk" --key "$W/tpm.never" --credential "$W/cred.a" --msg "$W/day1" --sig "$W/s.never"
expect_rc 1 "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.never" --msg "$W/day1"

# key-based revocation: TPM a's secret is "extracted" and listed
ok "$DAA" ldaa-export-secret --key "$W/tpm.a" --revoked "$W/rl"
expect_rc 1 "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.a1" --msg "$W/day1" --basename bucket-7 --revoked "$W/rl"
expect_rc 1 "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.anon" --msg "$W/day1" --revoked "$W/rl"
ok "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.b1" --msg "$W/day1" --basename bucket-7 --revoked "$W/rl"
head -c 100 "$W/rl" >"$W/rl.bad"
expect_rc 3 "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/s.b1" --msg "$W/day1" --basename bucket-7 --revoked "$W/rl.bad"

# the TPM part in the engine
T="engine:$W/tpmstate"
mkdir -p "$W/tpmstate"
for t in x y; do ok "$DAA" ldaa-tpm-create --tcti "$T" --ipk "$W/ipk" --key "$W/tk.$t"; done
for t in x y; do
    ok "$DAA" ldaa-join-nonce --nonce "$W/tn.$t"
    ok "$DAA" ldaa-join-request --tcti "$T" --key "$W/tk.$t" --nonce "$W/tn.$t" --request "$W/treq.$t"
    ok "$DAA" ldaa-join-issue --isk "$W/isk" --nonce "$W/tn.$t" --request "$W/treq.$t" --credential "$W/tcred.$t"
    ok "$DAA" ldaa-join-finish --tcti "$T" --ipk "$W/ipk" --key "$W/tk.$t" --credential "$W/tcred.$t"
done
expect_rc 1 "$DAA" ldaa-join-finish --tcti "$T" --ipk "$W/ipk" --key "$W/tk.x" --credential "$W/tcred.y"
ok "$DAA" ldaa-sign --tcti "$T" --ipk "$W/ipk" --key "$W/tk.x" --credential "$W/tcred.x" --msg "$W/day1" --basename bucket-7 --sig "$W/ts.x1"
ok "$DAA" ldaa-sign --tcti "$T" --ipk "$W/ipk" --key "$W/tk.x" --credential "$W/tcred.x" --msg "$W/day2" --basename bucket-7 --sig "$W/ts.x2"
ok "$DAA" ldaa-sign --tcti "$T" --ipk "$W/ipk" --key "$W/tk.y" --credential "$W/tcred.y" --msg "$W/day1" --sig "$W/ts.y"
ok "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/ts.x1" --msg "$W/day1" --basename bucket-7 --revoked "$W/rl"
ok "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/ts.y" --msg "$W/day1"
expect_rc 1 "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$W/ts.y" --msg "$W/day2"
ok "$DAA" ldaa-link "$W/ts.x1" "$W/ts.x2"
expect_rc 1 "$DAA" ldaa-link "$W/ts.x1" "$W/s.a1"
expect_rc 3 "$DAA" ldaa-export-secret --tcti "$T" --key "$W/tk.x" --revoked "$W/trl"
# the key file in another TPM (another state), and a truncated one
mkdir -p "$W/other"
expect_rc 3 "$DAA" ldaa-join-request --tcti "engine:$W/other" --key "$W/tk.x" --nonce "$W/tn.x" --request "$W/treq.z"
head -c 60 "$W/tk.x" >"$W/tk.short"
expect_rc 3 "$DAA" ldaa-join-request --tcti "$T" --key "$W/tk.short" --nonce "$W/tn.x" --request "$W/treq.z"

# the join bound to the EK (docs/DAA.md "Join bound to the EK"): request,
# challenge (MakeCredential to the EK for the key's Name), response,
# credential message, the host's check; then a signature with it
E="$W/ek"
ok "$DAA" ldaa-host-request --tcti "$T" --key "$W/tk.x" --request "$E.req"
ok "$DAA" ldaa-join-challenge --isk "$W/isk" --request "$E.req" --challenge "$E.chal" --state "$E.st"
ok "$DAA" ldaa-host-respond --tcti "$T" --key "$W/tk.x" --challenge "$E.chal" --response "$E.resp"
ok "$DAA" ldaa-join-credential --isk "$W/isk" --state "$E.st" --response "$E.resp" --credential-msg "$E.cm"
ok "$DAA" ldaa-host-finish --tcti "$T" --ipk "$W/ipk" --key "$W/tk.x" --credential-msg "$E.cm" --credential "$E.cred"
ok "$DAA" ldaa-sign --tcti "$T" --ipk "$W/ipk" --key "$W/tk.x" --credential "$E.cred" --msg "$W/day1" --sig "$E.sig"
ok "$DAA" ldaa-verify --ipk "$W/ipk" --sig "$E.sig" --msg "$W/day1"
# another TPM (state) cannot open the credential message
expect_rc 3 "$DAA" ldaa-host-finish --tcti "$T" --ipk "$W/ipk" --key "$W/tk.y" --credential-msg "$E.cm" --credential "$E.x"
# the key is bound to this issuer: another one refuses it
expect_rc 3 "$DAA" ldaa-join-challenge --isk "$W/isk2" --request "$E.req" --challenge "$E.x" --state "$E.x2"
# a replayed response (to the first challenge) against a new challenge
ok "$DAA" ldaa-join-challenge --isk "$W/isk" --request "$E.req" --challenge "$E.chal2" --state "$E.st2"
expect_rc 3 "$DAA" ldaa-join-credential --isk "$W/isk" --state "$E.st2" --response "$E.resp" --credential-msg "$E.x"
# a software key's join request as the response: refused (its t is not the
# one the key's Name commits to; test_ldaa_ek shows it with the right nonce)
printf 'R' >"$E.sw"; cat "$W/req.a" >>"$E.sw"
expect_rc 3 "$DAA" ldaa-join-credential --isk "$W/isk" --state "$E.st2" --response "$E.sw" --credential-msg "$E.x"
# a key of another TPM answering a challenge made for this TPM's EK and key
ok "$DAA" ldaa-tpm-create --tcti "engine:$W/other" --ipk "$W/ipk" --key "$W/tk.o"
expect_rc 3 "$DAA" ldaa-host-respond --tcti "engine:$W/other" --key "$W/tk.o" --challenge "$E.chal2" --response "$E.x"
# the host side needs the TPM
expect_rc 2 "$DAA" ldaa-host-request --key "$W/tk.x" --request "$E.x"
ok "$DAA" ldaa-host-respond --tcti "$T" --key "$W/tk.x" --challenge "$E.chal2" --response "$E.resp2"
ok "$DAA" ldaa-join-credential --isk "$W/isk" --state "$E.st2" --response "$E.resp2" --credential-msg "$E.cm2"

if [ "$fails" -ne 0 ]; then echo "ldaa_cli: $fails failed"; exit 1; fi
echo "ldaa_cli: all passed"
