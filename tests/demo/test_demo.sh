#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_demo.sh — runs qtpm-demo (the program behind `make demo`) and checks
# what a reader relies on: the exit status, the key lines of each step, the
# timing records, and that the demo leaves no server and no state behind.
#
#   test_demo.sh story   QTPM_DEMO                  the real server: exit 0
#   test_demo.sh failure QTPM_DEMO FAKE_SERVER      a TPM that does not behave,
#                                                   and no server: exit 1
set -u
mode=$1
demo=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fails=0

expect() { # expect TEXT: a line of the output contains TEXT
    if grep -qF -- "$1" "$out"; then
        echo "ok: $1"
    else
        echo "MISSING: $1"
        fails=$((fails + 1))
    fi
}

# The temporary state directory and the port the demo announced must be gone.
left_nothing() {
    dir=$(sed -n 's/.*with a fresh state in \(\/tmp\/qtpm-demo-[A-Za-z0-9]*\).*/\1/p' "$out")
    port=$(sed -n 's/.*on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$out")
    if [ -z "$dir" ] || [ -e "$dir" ]; then
        echo "state directory '$dir' not announced or not removed"
        fails=$((fails + 1))
    fi
    if [ -n "$port" ] && command -v ss >/dev/null 2>&1 &&
       ss -ltn "( sport = :$port )" | grep -q ":$port"; then
        echo "something still listens on port $port"
        fails=$((fails + 1))
    fi
}

case $mode in
story)
    "$demo" >"$out" 2>&1
    rc=$?
    cat "$out"
    echo "--- checks (exit status $rc)"
    [ "$rc" -eq 0 ] || { echo "exit status $rc, want 0"; fails=$((fails + 1)); }
    expect "✓ EK created: ML-KEM-768, public key 1184 bytes"
    expect "written to NV index 0x01C00020"
    expect "key        2.16.840.1.101.3.4.4.2 (id-alg-ml-kem-768, FIPS 203)"
    expect "✓ the certificate verifies against the vendor CA and names exactly this EK"
    expect "✓ an impostor showing this certificate with its own ML-KEM key is refused"
    expect "✓ a certificate with one bit changed is refused"
    expect "ML-KEM-768 ciphertext 1088 bytes"
    expect "✓ the secret came back"
    expect "✓ certification verified in software: ML-DSA-44 signature (2420 bytes)"
    expect "✓ its authPolicy is PolicyPCR(PCR 0, 1"
    expect "✓ the TPM signed (ML-DSA-44, 2420 bytes)"
    expect "✓ quote verified: ML-DSA-44 signature by the AK"
    expect "✓ a quote with one bit of its PCR digest changed is refused"
    expect "✓ the genuine quote replayed against a new nonce is refused"
    expect "✓ unsealed in the same state: \"payment token"
    expect "✓ unsealing is refused"
    expect "0x99D = format-1 error 0x09D, session 1: policy check failed (TPM_RC_POLICY_FAIL)"
    expect "What this proves:"
    # per-command timing records: a command name and its microseconds
    for cc in CreatePrimary NV_Read ActivateCredential Certify SignSequenceComplete Quote Unseal; do
        if grep -qE "(^|  )$cc +[0-9]+ µs" "$out"; then
            echo "ok: timing of $cc"
        else
            echo "MISSING: timing of $cc"
            fails=$((fails + 1))
        fi
    done
    expect "All steps behaved as a quantum-resistant TPM should."
    if grep -qF "FAILED:" "$out"; then
        echo "a check failed"
        fails=$((fails + 1))
    fi
    left_nothing
    ;;
failure)
    fake=$3
    "$demo" --server "$fake" >"$out" 2>&1
    rc=$?
    cat "$out"
    echo "--- checks (exit status $rc)"
    [ "$rc" -eq 1 ] || { echo "exit status $rc against a fake TPM, want 1"; fails=$((fails + 1)); }
    expect "✗ FAILED: manufacture the ML-KEM-768 EK"
    expect "Some step did not behave as it should"
    left_nothing
    "$demo" --server /nonexistent/qtpm-server >"$out" 2>&1
    rc=$?
    cat "$out"
    [ "$rc" -eq 1 ] || { echo "exit status $rc without a server, want 1"; fails=$((fails + 1)); }
    expect "no qtpm-server at /nonexistent/qtpm-server"
    ;;
*)
    echo "usage: $0 story|failure QTPM_DEMO [FAKE_SERVER]"
    exit 2
    ;;
esac
[ "$fails" -eq 0 ] && echo "PASS" || echo "FAIL ($fails)"
[ "$fails" -eq 0 ]
