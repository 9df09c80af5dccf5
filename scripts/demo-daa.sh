#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# demo-daa.sh — the activity-tracker story (docs/DAA.md "The tracker demo"):
# a tracker whose TPM (a private qtpm-server) holds an ECDAA key joins the
# tracker vendor's issuer, signs daily activity batches anonymously and
# under the study's basename, and the analytics service verifies them,
# links the basename ones and cannot link the anonymous ones; it refuses a
# tracker whose pseudonym it revoked, a TPM that never joined (with a
# stolen credential) and one with a credential from a forged issuer. Then
# the same story with the lattice DAA (qtpm-daa ldaa-*): tracker A's TPM
# part is an EK-bound LDAA key in its TPM, joined through its EK
# (docs/DAA.md "Join bound to the EK"; a key file without a TPM answering
# that challenge is refused); tracker B's and the intruders' are software
# key files, B's being the "extracted" key the revocation list needs.
#
#   demo-daa.sh BUILD_DIR
#
# Every outcome is checked: a verification or a link that should succeed
# must exit 0, and every refusal must be the verifier's own "check failed"
# exit (1, or 3 where the CLI reports an unlinkable signature as an error);
# anything else stops the story with exit 1. DEMO_DAA_SABOTAGE=revoke
# leaves the revoked lists empty (the test uses it to see the script fail).
# The qtpm-servers started here are stopped on any exit, by their ids.
set -eu
B=$1
DAA=$B/src/daa/qtpm-daa
QTPM=$B/src/cli/qtpm
SERVER=$B/src/server/qtpm-server
here=$(cd "$(dirname "$0")" && pwd)
for p in "$DAA" "$QTPM" "$SERVER"; do
    [ -x "$p" ] || { echo "demo-daa: $p not built"; exit 1; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-daa-demo.XXXXXX")
PIDS=
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() {
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()' "$1" 2>/dev/null
}
# start_tpm NAME: a qtpm-server with its state in WORK/NAME; sets TCTI
start_tpm() {
    port=$(python3 "$here/../tests/lib/freeport.py")
    "$SERVER" --mssim --host 127.0.0.1 --port "$port" --state "$WORK/$1" >"$WORK/$1.log" 2>&1 &
    pid=$!
    PIDS="$PIDS $pid"
    i=0
    until port_open "$port" && port_open $((port + 1)); do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
            echo "demo-daa: qtpm-server for $1 did not start"; cat "$WORK/$1.log"; exit 1
        fi
        sleep 0.05
    done
    TCTI="mssim:host=127.0.0.1,port=$port"
    "$QTPM" -T "$TCTI" startup -c >/dev/null 2>&1 || true
}

say() { printf '\n== %s\n' "$*"; }
checks=0
# run WANT DESCRIPTION CMD...: CMD must exit with status WANT; its first
# line of output is shown after the description
run() {
    want=$1 what=$2
    shift 2
    set +e
    "$@" >"$WORK/out" 2>&1
    got=$?
    set -e
    line=$(grep -v '^qtpm-daa: note' "$WORK/out" | head -n 1)
    if [ "$got" != "$want" ]; then
        echo "  $what: UNEXPECTED exit $got (wanted $want): $line"
        echo "demo-daa: FAILED at: $*"
        cat "$WORK/out"
        exit 1
    fi
    checks=$((checks + 1))
    if [ "$want" = 0 ]; then
        echo "  $what: ${line:-done}"
    else
        echo "  $what: refused (exit $got): $line"
    fi
}
quiet() { # a setup step: must succeed, output only on failure
    if ! "$@" >"$WORK/out" 2>&1; then echo "demo-daa: FAILED: $*"; cat "$WORK/out"; exit 1; fi
}

D=$WORK/d
mkdir -p "$D"
STUDY=sleep-study-2026
# the day's batch, a small JSON document the tracker signs
batch() { # FILE DATE STEPS HR
    printf '{"date":"%s","steps":%s,"resting_hr":%s,"sleep_min":%s}\n' "$2" "$3" "$4" \
        $((400 + $3 % 97)) >"$1"
}
batch "$D/day1.json" 2026-12-01 10234 61
batch "$D/day2.json" 2026-12-02 8812 64
batch "$D/day3.json" 2026-12-03 12040 59
batch "$D/b-day1.json" 2026-12-01 4410 72
batch "$D/b-day2.json" 2026-12-02 5012 70
SABOTAGE=${DEMO_DAA_SABOTAGE:-}

echo "The tracker story: anonymous attestation of activity data (ECDAA, then the lattice DAA)"
echo "study basename: $STUDY; batches: $(cat "$D/day1.json")"

# ================================================================= ECDAA
say "ECDAA on BN_P256: three TPMs (qtpm-server): tracker A, tracker B, an intruder's"
start_tpm tpm-a; TA=$TCTI
start_tpm tpm-b; TB=$TCTI
start_tpm tpm-x; TX=$TCTI
echo "  tracker A: $TA; tracker B: $TB; intruder: $TX"

say "The tracker vendor's issuer makes its key pair and publishes the public key"
quiet "$DAA" keygen --isk "$D/isk" --ipk "$D/ipk"
run 0 "analytics checks the issuer key" "$DAA" check-ipk --ipk "$D/ipk"

# join TCTI NAME ISK IPK: the DAA key in the TPM, the issuer's challenge
# through MakeCredential/ActivateCredential, the credential
join() {
    quiet "$DAA" host-request --tcti "$1" --key "$D/$2.key" --request "$D/$2.req"
    quiet "$DAA" join-challenge --request "$D/$2.req" --challenge "$D/$2.chal" --state "$D/$2.st"
    quiet "$DAA" host-respond --tcti "$1" --key "$D/$2.key" --challenge "$D/$2.chal" \
        --response "$D/$2.resp"
    quiet "$DAA" join-issue --isk "$3" --state "$D/$2.st" --response "$D/$2.resp" \
        --credential "$D/$2.cmsg"
    run 0 "$2 joins: its host checks the credential" "$DAA" host-finish --tcti "$1" \
        --key "$D/$2.key" --ipk "$4" --credential-msg "$D/$2.cmsg" --credential "$D/$2.cred"
    echo "  ($2: DAA key created in its TPM, join request $(wc -c <"$D/$2.req") B, credential $(wc -c <"$D/$2.cred") B)"
}
say "Join: each tracker's TPM proves its DAA key (Commit + ECDAA sign) to the issuer"
join "$TA" tracker-A "$D/isk" "$D/ipk"
join "$TB" tracker-B "$D/isk" "$D/ipk"

sign() { # TCTI NAME MSG SIG [BASENAME]
    if [ -n "${5:-}" ]; then
        quiet "$DAA" host-sign --tcti "$1" --key "$D/$2.key" --credential "$D/$2.cred" \
            --msg "$3" --basename "$5" --sig "$4"
    else
        quiet "$DAA" host-sign --tcti "$1" --key "$D/$2.key" --credential "$D/$2.cred" \
            --msg "$3" --sig "$4"
    fi
}
say "Tracker A signs its daily batches: two anonymously, three under the study's basename"
sign "$TA" tracker-A "$D/day1.json" "$D/a1.anon"
sign "$TA" tracker-A "$D/day2.json" "$D/a2.anon"
sign "$TA" tracker-A "$D/day1.json" "$D/a1.bsn" "$STUDY"
sign "$TA" tracker-A "$D/day2.json" "$D/a2.bsn" "$STUDY"
sign "$TA" tracker-A "$D/day3.json" "$D/a3.bsn" "$STUDY"
sign "$TB" tracker-B "$D/b-day1.json" "$D/b1.bsn" "$STUDY"
echo "  signatures: anonymous $(wc -c <"$D/a1.anon") B, with basename $(wc -c <"$D/a1.bsn") B"

say "The analytics service verifies each batch (it learns: a genuine tracker, not which)"
run 0 "day 1, anonymous" "$DAA" verify --ipk "$D/ipk" --sig "$D/a1.anon" --msg "$D/day1.json"
run 0 "day 2, anonymous" "$DAA" verify --ipk "$D/ipk" --sig "$D/a2.anon" --msg "$D/day2.json"
run 0 "day 1, $STUDY" "$DAA" verify --ipk "$D/ipk" --sig "$D/a1.bsn" --msg "$D/day1.json" --basename "$STUDY"
run 0 "day 2, $STUDY" "$DAA" verify --ipk "$D/ipk" --sig "$D/a2.bsn" --msg "$D/day2.json" --basename "$STUDY"
run 0 "day 3, $STUDY" "$DAA" verify --ipk "$D/ipk" --sig "$D/a3.bsn" --msg "$D/day3.json" --basename "$STUDY"
run 0 "tracker B, day 1, $STUDY" "$DAA" verify --ipk "$D/ipk" --sig "$D/b1.bsn" --msg "$D/b-day1.json" --basename "$STUDY"
run 1 "day 1's signature on an edited batch" "$DAA" verify --ipk "$D/ipk" --sig "$D/a1.anon" --msg "$D/day2.json"

say "Linking: the study's signatures of one tracker link, anonymous ones cannot"
run 0 "A day 1 and A day 2 under $STUDY" "$DAA" link "$D/a1.bsn" "$D/a2.bsn"
run 0 "A day 2 and A day 3 under $STUDY" "$DAA" link "$D/a2.bsn" "$D/a3.bsn"
run 1 "A day 1 and B day 1 under $STUDY" "$DAA" link "$D/a1.bsn" "$D/b1.bsn"
echo "  (anonymous signatures carry no pseudonym: the linker refuses them as an error, exit 3)"
run 3 "A day 1 and A day 2, anonymous" "$DAA" link "$D/a1.anon" "$D/a2.anon"

say "Revocation: tracker B is reported stolen; the service revokes its study pseudonym"
echo "  (the FIDO ECDAA RL of extracted keys sk, --rogue, needs a key out of its TPM;"
echo "   a TPM-held key is revoked by its pseudonym K = [sk]H(basename) instead)"
: >"$D/revoked"
[ "$SABOTAGE" = revoke ] || run 0 "revoke B's pseudonym (from its day 1 signature)" \
    "$DAA" revoke-pseudonym --sig "$D/b1.bsn" --revoked "$D/revoked"
sign "$TB" tracker-B "$D/b-day2.json" "$D/b2.bsn" "$STUDY"
run 0 "B's new signature is still a valid DAA signature" \
    "$DAA" verify --ipk "$D/ipk" --sig "$D/b2.bsn" --msg "$D/b-day2.json" --basename "$STUDY"
run 1 "B day 2 against the revoked list" "$DAA" verify --ipk "$D/ipk" --sig "$D/b2.bsn" \
    --msg "$D/b-day2.json" --basename "$STUDY" --revoked "$D/revoked"
run 0 "A day 3 against the revoked list" "$DAA" verify --ipk "$D/ipk" --sig "$D/a3.bsn" \
    --msg "$D/day3.json" --basename "$STUDY" --revoked "$D/revoked"

say "A TPM that never joined: the intruder's TPM signs with tracker A's stolen credential"
quiet "$DAA" host-request --tcti "$TX" --key "$D/intruder.key" --request "$D/intruder.req"
cp "$D/tracker-A.cred" "$D/intruder.cred"
sign "$TX" intruder "$D/day1.json" "$D/x1.anon"
sign "$TX" intruder "$D/day1.json" "$D/x1.bsn" "$STUDY"
run 1 "intruder, anonymous" "$DAA" verify --ipk "$D/ipk" --sig "$D/x1.anon" --msg "$D/day1.json"
run 1 "intruder, $STUDY" "$DAA" verify --ipk "$D/ipk" --sig "$D/x1.bsn" --msg "$D/day1.json" --basename "$STUDY"
say "... and with a credential from a forged issuer (its own issuer key, a complete join)"
quiet "$DAA" keygen --isk "$D/isk.forged" --ipk "$D/ipk.forged"
join "$TX" forger "$D/isk.forged" "$D/ipk.forged"
sign "$TX" forger "$D/day1.json" "$D/x2.anon"
run 1 "intruder with the forged credential" "$DAA" verify --ipk "$D/ipk" --sig "$D/x2.anon" --msg "$D/day1.json"

# ========================================================== lattice DAA
say "The lattice DAA (post-quantum): the same story (A: a key in its TPM, joined via its EK; B: a key file)"
t0=$(date +%s)
quiet "$DAA" ldaa-issuer-keygen --isk "$D/l.isk" --ipk "$D/l.ipk"
echo "  issuer key pair made (public key $(wc -c <"$D/l.ipk") B)"
ljoin() { # NAME ISK IPK
    quiet "$DAA" ldaa-tpm-create --ipk "$3" --key "$D/l.$1.key"
    quiet "$DAA" ldaa-join-nonce --nonce "$D/l.$1.nonce"
    quiet "$DAA" ldaa-join-request --key "$D/l.$1.key" --nonce "$D/l.$1.nonce" --request "$D/l.$1.req"
    quiet "$DAA" ldaa-join-issue --isk "$2" --nonce "$D/l.$1.nonce" --request "$D/l.$1.req" \
        --credential "$D/l.$1.cred"
    run 0 "$1 joins: its host checks the credential" \
        "$DAA" ldaa-join-finish --ipk "$3" --key "$D/l.$1.key" --credential "$D/l.$1.cred"
}
# ljoin_ek TCTI NAME: an EK-bound LDAA key in that TPM, the join through its EK
ljoin_ek() {
    quiet "$DAA" ldaa-tpm-create --tcti "$1" --ipk "$D/l.ipk" --key "$D/l.$2.key"
    printf '%s' "$1" >"$D/l.$2.tcti"
    quiet "$DAA" ldaa-host-request --tcti "$1" --key "$D/l.$2.key" --request "$D/l.$2.ereq"
    quiet "$DAA" ldaa-join-challenge --isk "$D/l.isk" --request "$D/l.$2.ereq" \
        --challenge "$D/l.$2.chal" --state "$D/l.$2.state"
    quiet "$DAA" ldaa-host-respond --tcti "$1" --key "$D/l.$2.key" --challenge "$D/l.$2.chal" \
        --response "$D/l.$2.resp"
    quiet "$DAA" ldaa-join-credential --isk "$D/l.isk" --state "$D/l.$2.state" \
        --response "$D/l.$2.resp" --credential-msg "$D/l.$2.cm"
    run 0 "$2 joins: its host checks the credential" "$DAA" ldaa-host-finish --tcti "$1" \
        --ipk "$D/l.ipk" --key "$D/l.$2.key" --credential-msg "$D/l.$2.cm" --credential "$D/l.$2.cred"
}
ljoin_ek "$TA" tracker-A
ljoin tracker-B "$D/l.isk" "$D/l.ipk"
# a key file's join request sent as the answer to A's EK challenge
quiet "$DAA" ldaa-join-challenge --isk "$D/l.isk" --request "$D/l.tracker-A.ereq" \
    --challenge "$D/l.x.chal" --state "$D/l.x.state"
{ printf 'R'; cat "$D/l.tracker-B.req"; } >"$D/l.x.resp"
run 3 "intruder's key file answering A's EK challenge" "$DAA" ldaa-join-credential \
    --isk "$D/l.isk" --state "$D/l.x.state" --response "$D/l.x.resp" --credential-msg "$D/l.x.cm"
lsign() { # NAME MSG SIG [BASENAME] [IPK]
    lt=""
    [ -f "$D/l.$1.tcti" ] && lt="--tcti $(cat "$D/l.$1.tcti")"
    # shellcheck disable=SC2086 # lt is empty or two words
    if [ -n "${4:-}" ]; then
        quiet "$DAA" ldaa-sign $lt --ipk "${5:-$D/l.ipk}" --key "$D/l.$1.key" --credential "$D/l.$1.cred" \
            --msg "$2" --basename "$4" --sig "$3"
    else
        # shellcheck disable=SC2086
        quiet "$DAA" ldaa-sign $lt --ipk "${5:-$D/l.ipk}" --key "$D/l.$1.key" --credential "$D/l.$1.cred" \
            --msg "$2" --sig "$3"
    fi
}
lsign tracker-A "$D/day1.json" "$D/l.a1.anon"
lsign tracker-A "$D/day2.json" "$D/l.a2.anon"
lsign tracker-A "$D/day1.json" "$D/l.a1.bsn" "$STUDY"
lsign tracker-A "$D/day2.json" "$D/l.a2.bsn" "$STUDY"
lsign tracker-B "$D/b-day1.json" "$D/l.b1.bsn" "$STUDY"
lsign tracker-B "$D/b-day2.json" "$D/l.b2.anon"
echo "  signature $(wc -c <"$D/l.a1.anon") B"
LV() { "$DAA" ldaa-verify --ipk "$D/l.ipk" "$@"; }
run 0 "day 1, anonymous" LV --sig "$D/l.a1.anon" --msg "$D/day1.json"
run 0 "day 2, anonymous" LV --sig "$D/l.a2.anon" --msg "$D/day2.json"
run 0 "day 1, $STUDY" LV --sig "$D/l.a1.bsn" --msg "$D/day1.json" --basename "$STUDY"
run 0 "day 2, $STUDY" LV --sig "$D/l.a2.bsn" --msg "$D/day2.json" --basename "$STUDY"
run 0 "tracker B, day 1, $STUDY" LV --sig "$D/l.b1.bsn" --msg "$D/b-day1.json" --basename "$STUDY"
run 1 "day 1's signature on an edited batch" LV --sig "$D/l.a1.anon" --msg "$D/day2.json"
run 0 "link A day 1 and A day 2 under $STUDY" "$DAA" ldaa-link "$D/l.a1.bsn" "$D/l.a2.bsn"
run 1 "link A day 1 and B day 1 under $STUDY" "$DAA" ldaa-link "$D/l.a1.bsn" "$D/l.b1.bsn"
echo "  (an anonymous lattice signature's pseudonym is under a fresh random basename value: exit 3)"
run 3 "link A day 1 and A day 2, anonymous" "$DAA" ldaa-link "$D/l.a1.anon" "$D/l.a2.anon"

say "Revocation: tracker B's key is extracted and put on the key-based revocation list"
: >"$D/l.revoked"
[ "$SABOTAGE" = revoke ] || quiet "$DAA" ldaa-export-secret --key "$D/l.tracker-B.key" --revoked "$D/l.revoked"
run 1 "B, $STUDY, against the list" LV --sig "$D/l.b1.bsn" --msg "$D/b-day1.json" --basename "$STUDY" --revoked "$D/l.revoked"
run 1 "B, anonymous, against the list" LV --sig "$D/l.b2.anon" --msg "$D/b-day2.json" --revoked "$D/l.revoked"
run 0 "A, anonymous, against the list" LV --sig "$D/l.a1.anon" --msg "$D/day1.json" --revoked "$D/l.revoked"

say "A TPM that never joined: with A's stolen credential, then with a forged issuer's"
quiet "$DAA" ldaa-tpm-create --ipk "$D/l.ipk" --key "$D/l.intruder.key"
cp "$D/l.tracker-A.cred" "$D/l.intruder.cred"
lsign intruder "$D/day1.json" "$D/l.x1.anon"
run 1 "intruder with A's credential" LV --sig "$D/l.x1.anon" --msg "$D/day1.json"
quiet "$DAA" ldaa-issuer-keygen --isk "$D/l.isk.forged" --ipk "$D/l.ipk.forged"
ljoin forger "$D/l.isk.forged" "$D/l.ipk.forged"
lsign forger "$D/day1.json" "$D/l.x2.anon" "" "$D/l.ipk.forged"
run 1 "intruder with the forged credential" LV --sig "$D/l.x2.anon" --msg "$D/day1.json"
echo "  (lattice DAA part: $(($(date +%s) - t0)) s)"

printf '\ndemo-daa: all %d outcomes as expected\n' "$checks"
