#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# qtpm-daa's lattice DAA commands end to end (docs/DAA.md "Lattice DAA"),
# one process per step: issuer keys, two TPM parts, the join over files
# (nonce, request, credential, the host's check), signatures with and
# without basename, verification, linking, key-based revocation; and the bad
# inputs: a truncated and a tampered signature, a wrong or missing basename,
# another issuer's key, another TPM's credential, a replayed join request, a
# TPM that never joined. Usage: ldaa_cli.sh QTPM_DAA
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

if [ "$fails" -ne 0 ]; then echo "ldaa_cli: $fails failed"; exit 1; fi
echo "ldaa_cli: all passed"
