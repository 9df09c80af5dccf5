#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# wallet_fido_device.sh — the libfido2 device path of qtpm-wallet-client (ctest
# wallet_fido_device, label wallet). `qtpm-wallet serve` (HTTPS, WebAuthn, UV required)
# runs on a qtpm-server TPM; the authenticator is tests/wallet/ctap_authenticator, a
# software CTAP2 key speaking CTAPHID over a UNIX socket, reached with
# `--device unix:SOCKET`, so that libfido2 does the CTAPHID framing and the CTAP2 CBOR
# exactly as for a USB key. Checked:
#   - register (MakeCredential, built-in UV), seal, unseal (GetAssertion): the token
#     comes back; twice, and again after a malformed-frame barrage
#     (ctaphid_malformed.py: CTAPHID errors, the emulator stays up);
#   - the packed self attestation checked by the client (libfido2's
#     fido_cred_verify_self), and refused when signed by another key;
#   - an assertion signed by another key: refused by the service (403);
#   - the emulator answering OPERATION_DENIED (0x27): a clear client error, exit 1;
#   - the counter repeated (user bob, attestation "none") and going backwards (alice): refused as a clone
#     (403 "clone"), and the credential stays disabled afterwards;
#   - a socket that does not exist, and a hidraw path that does not: clear errors.
# Every emulator run must end cleanly on SIGTERM (exit 0: under ASan, no leak, no
# error). A trap stops the service, the emulator and the TPM.
#
#   wallet_fido_device.sh AUTHENTICATOR CLIENT WALLET SERVER QTPM
set -eu
auth=$1 client=$2 wallet=$3 server=$4 qtpm=$5
here=$(cd "$(dirname "$0")" && pwd)
for b in "$auth" "$client" "$wallet" "$server" "$qtpm"; do
    [ -x "$b" ] || { echo "FAIL: $b is missing"; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-fido.XXXXXX")
pids=
svc_pid=
auth_pid=
cleanup() {
    [ -n "$auth_pid" ] && kill "$auth_pid" 2>/dev/null || true
    [ -n "$svc_pid" ] && kill "$svc_pid" 2>/dev/null || true
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    [ -n "$auth_pid" ] && wait "$auth_pid" 2>/dev/null || true
    [ -n "$svc_pid" ] && wait "$svc_pid" 2>/dev/null || true
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
    echo "FAIL: $*" >&2
    for l in wallet.log auth.log; do
        [ -f "$tmp/$l" ] && { echo "--- $l" >&2; tail -20 "$tmp/$l" >&2; }
    done
    exit 1
}
. "$here/../lib/servers.sh" # wait_port PORT PID

# the emulator: start_auth STATE [knobs]; stop_auth checks that it ended cleanly
sock=$tmp/key.sock
start_auth() {
    st=$1
    shift
    "$auth" --socket "$sock" --state "$tmp/$st" --max-seconds 240 --verbose "$@" \
        >>"$tmp/auth.log" 2>&1 &
    auth_pid=$!
    tries=0
    while [ ! -S "$sock" ]; do
        tries=$((tries + 1))
        [ $tries -gt 200 ] && fail "the emulator does not listen on $sock"
        kill -0 "$auth_pid" 2>/dev/null || fail "the emulator died at start"
        sleep 0.05
    done
}
stop_auth() {
    kill "$auth_pid" 2>/dev/null || fail "the emulator is not running any more"
    rc=0
    wait "$auth_pid" || rc=$?
    auth_pid=
    [ $rc = 0 ] || fail "the emulator ended with status $rc"
    rm -f "$sock"
}

port=$(python3 "$here/../lib/freeport.py")
"$server" --mssim --host 127.0.0.1 --port "$port" --state "$tmp/tpm" > "$tmp/tpm.log" 2>&1 &
srv_pid=$!
pids="$pids $srv_pid"
wait_port "$port" "$srv_pid" && wait_port "$((port + 1))" "$srv_pid" ||
    fail "qtpm-server does not listen on $port"
tcti="mssim:host=127.0.0.1,port=$port"
"$qtpm" -T "$tcti" startup -c >/dev/null 2>&1 || true
"$wallet" --tcti "$tcti" --db "$tmp/w.db" init --alg qr >/dev/null || fail "wallet init"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$tmp/tls.key" -out "$tmp/tls.crt" -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost >/dev/null 2>&1 || fail "test certificate"
wport=$(python3 "$here/../lib/freeport.py")
"$wallet" --tcti "$tcti" --db "$tmp/w.db" serve --host 127.0.0.1 --port "$wport" \
    --cert "$tmp/tls.crt" --key "$tmp/tls.key" --rp-id localhost \
    --origin "https://localhost:$wport" --uv required > "$tmp/wallet.log" 2>&1 &
svc_pid=$!
wait_port "$wport" "$svc_pid" || fail "qtpm-wallet serve does not listen on $wport"

C() { u=$1; shift; "$client" --url "https://localhost:$wport" --cacert "$tmp/tls.crt" \
        --user "$u" --device "unix:$sock" "$@"; }

# ---- the good path ----
start_auth alice.key
C alice register > "$tmp/reg.out" 2>"$tmp/reg.err" || fail "register: $(cat "$tmp/reg.err")"
grep -q '^registered alice: credential .* (none)$' "$tmp/reg.out" || fail "register: $(cat "$tmp/reg.out")"
grep -q 'status 0x00' "$tmp/auth.log" || fail "the emulator saw no successful CTAP2 command"
printf 'alice-bearer-7' | C alice seal tok 2>"$tmp/seal.err" || fail "seal: $(cat "$tmp/seal.err")"
out=$(C alice unseal tok 2>"$tmp/unseal.err") || fail "unseal: $(cat "$tmp/unseal.err")"
[ "$out" = alice-bearer-7 ] || fail "unseal gave '$out'"
out=$(C alice unseal tok 2>/dev/null) || fail "second unseal"
[ "$out" = alice-bearer-7 ] || fail "second unseal gave '$out'"
echo "ok: register, seal, unseal twice through libfido2 over unix: (CTAPHID, CTAP2)"

# ---- malformed CTAPHID frames: errors, and the emulator stays up ----
python3 "$here/ctaphid_malformed.py" "$sock" > "$tmp/malformed.out" 2>&1 ||
    { cat "$tmp/malformed.out"; fail "malformed frames"; }
grep -c '^ok:' "$tmp/malformed.out" | sed 's/^/ok: malformed-frame checks passed: /'
kill -0 "$auth_pid" 2>/dev/null || fail "the emulator died on malformed frames"
out=$(C alice unseal tok 2>/dev/null) || fail "unseal after the malformed frames"
[ "$out" = alice-bearer-7 ] || fail "unseal after the malformed frames gave '$out'"
stop_auth
echo "ok: the emulator answered malformed frames with CTAPHID errors and kept working"

# ---- an assertion signed by another key ----
start_auth alice.key --wrong-key
C alice unseal tok >/dev/null 2>"$tmp/wrong.err" && fail "an assertion by a wrong key was accepted"
grep -q 'approve refused (403).*signature does not verify' "$tmp/wrong.err" ||
    fail "wrong key: $(cat "$tmp/wrong.err")"
stop_auth
echo "ok: an assertion signed by another key is refused (403)"

# ---- a packed attestation signed by another key: the client checks it ----
start_auth dave.key --wrong-key
rc=0
C dave register >/dev/null 2>"$tmp/att.err" || rc=$?
[ $rc = 1 ] || fail "a bad packed attestation gave exit status $rc"
grep -q "packed attestation does not verify" "$tmp/att.err" || fail "bad attestation: $(cat "$tmp/att.err")"
stop_auth
echo "ok: a packed self attestation that does not verify is refused by the client"

# ---- the authenticator answers with an error status ----
start_auth alice.key --status 0x27
rc=0
C alice unseal tok >/dev/null 2>"$tmp/status.err" || rc=$?
[ $rc = 1 ] || fail "an authenticator error gave exit status $rc"
grep -q 'get_assert: FIDO_ERR_OPERATION_DENIED (authenticator status 0x27)' "$tmp/status.err" ||
    fail "authenticator error: $(cat "$tmp/status.err")"
rc=0
C carol register >/dev/null 2>"$tmp/status2.err" || rc=$?
[ $rc = 1 ] || fail "an authenticator error at register gave exit status $rc"
grep -q 'make_cred: FIDO_ERR_OPERATION_DENIED' "$tmp/status2.err" ||
    fail "authenticator error at register: $(cat "$tmp/status2.err")"
stop_auth
echo "ok: an authenticator error status is a clear client error, exit 1"

# the good key still works after these (nothing was spent on them)
start_auth alice.key
out=$(C alice unseal tok 2>/dev/null) || fail "unseal after the refusals"
[ "$out" = alice-bearer-7 ] || fail "unseal after the refusals gave '$out'"
stop_auth

# ---- no authenticator there ----
rc=0
C alice unseal tok >/dev/null 2>"$tmp/nosock.err" || rc=$?
[ $rc = 1 ] || fail "a missing socket gave exit status $rc"
grep -q "unix:$sock: No such file or directory" "$tmp/nosock.err" ||
    fail "missing socket: $(cat "$tmp/nosock.err")"
grep -q "cannot open FIDO2 device unix:$sock" "$tmp/nosock.err" ||
    fail "missing socket: $(cat "$tmp/nosock.err")"
rc=0
"$client" --url "https://localhost:$wport" --cacert "$tmp/tls.crt" --user alice \
    --device "$tmp/hidraw-none" unseal tok >/dev/null 2>"$tmp/nohid.err" || rc=$?
[ $rc = 1 ] || fail "a missing hidraw device gave exit status $rc"
grep -q "cannot open FIDO2 device $tmp/hidraw-none" "$tmp/nohid.err" ||
    fail "missing hidraw device: $(cat "$tmp/nohid.err")"
echo "ok: a missing socket or device is a clear error, exit 1"

# ---- clones: a repeated counter (bob), a counter going backwards (alice) ----
start_auth bob.key --attestation none
C bob register >/dev/null 2>&1 || fail "bob register"
printf 'bob-bearer-9' | C bob seal btok 2>/dev/null || fail "bob seal"
stop_auth
start_auth bob.key --counter same
C bob unseal btok >/dev/null 2>"$tmp/same.err" && fail "a repeated counter was accepted"
grep -q 'approve refused (403).*"clone"' "$tmp/same.err" || fail "repeated counter: $(cat "$tmp/same.err")"
stop_auth
start_auth alice.key --counter back
C alice unseal tok >/dev/null 2>"$tmp/back.err" && fail "a counter going backwards was accepted"
grep -q 'approve refused (403).*"clone"' "$tmp/back.err" || fail "counter backwards: $(cat "$tmp/back.err")"
stop_auth
start_auth alice.key
C alice unseal tok >/dev/null 2>"$tmp/after.err" && fail "a cloned credential was used again"
grep -q 'refused (403).*no-authenticator' "$tmp/after.err" || fail "after the clone: $(cat "$tmp/after.err")"
stop_auth
echo "ok: repeated and backwards counters are refused as clones (403); the credential stays disabled"

kill -0 "$svc_pid" 2>/dev/null || fail "the service died"
"$wallet" --db "$tmp/w.db" audit-verify >/dev/null || fail "audit log"
echo "ok: qtpm-wallet-client's libfido2 device path against a CTAP2 emulator"
