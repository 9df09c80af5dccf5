#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# wallet_web.sh — `qtpm-wallet serve` (HTTPS, WebAuthn) on a qtpm-server TPM (ML-KEM-768
# storage key), driven by wallet_web.cjs in headless Chromium with a DevTools virtual
# authenticator (ctest wallet_web, labels wallet and web). A test certificate for
# localhost, accepted by its SPKI hash; rpId "localhost", origin https://localhost:PORT.
# Afterwards the scripted client (qtpm-wallet-client, software credential) registers
# another user, seals and unseals over HTTPS with the certificate checked; its replayed
# approve and a request for the other user's token are refused. The service is still
# up, the audit log verifies. Screenshots go to
# SHOTS_DIR. A trap stops the service, the TPM and chromium's process group.
#
#   wallet_web.sh BUILD_DIR SHOTS_DIR
set -eu
build=$(cd "$1" && pwd)
shots=$2
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
wallet=$build/src/wallet/qtpm-wallet
server=$build/src/server/qtpm-server
qtpm=$build/src/cli/qtpm
chromium=${CHROMIUM:-/usr/bin/chromium}
for b in "$wallet" "$server" "$qtpm" "$chromium"; do
    [ -x "$b" ] || { echo "FAIL: $b is missing"; exit 1; }
done
[ -f "$build/web-npm/node_modules/puppeteer-core/package.json" ] ||
    { echo "FAIL: puppeteer-core is not installed in $build/web-npm (build target qtpm-web)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-wallet-web.XXXXXX")
pids=
svc_pid=
cleanup() {
    if [ -f "$tmp/chromium.pid" ]; then
        cp=$(cat "$tmp/chromium.pid")
        kill -KILL -- "-$cp" 2>/dev/null || kill -KILL "$cp" 2>/dev/null || true
    fi
    [ -n "$svc_pid" ] && kill "$svc_pid" 2>/dev/null || true
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    [ -n "$svc_pid" ] && wait "$svc_pid" 2>/dev/null || true
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/wallet.log" ] && tail -20 "$tmp/wallet.log" >&2; exit 1; }
wait_port() {
    tries=0
    while ! python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.3).close()' "$1" 2>/dev/null; do
        tries=$((tries + 1))
        [ $tries -gt 100 ] && fail "nothing listens on port $1"
        sleep 0.05
    done
}

port=$(python3 "$here/../lib/freeport.py")
"$server" --mssim --host 127.0.0.1 --port "$port" --state "$tmp/tpm" > "$tmp/tpm.log" 2>&1 &
pids="$pids $!"
wait_port "$port"
wait_port "$((port + 1))"
tcti="mssim:host=127.0.0.1,port=$port"
"$qtpm" -T "$tcti" startup -c >/dev/null 2>&1 || true
"$wallet" --tcti "$tcti" --db "$tmp/w.db" init --alg qr || fail "wallet init"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$tmp/tls.key" -out "$tmp/tls.crt" -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost >/dev/null 2>&1 || fail "test certificate"
spki=$(openssl x509 -in "$tmp/tls.crt" -pubkey -noout | openssl pkey -pubin -outform der |
       openssl dgst -sha256 -binary | base64)

wport=$(python3 "$here/../lib/freeport.py")
"$wallet" --tcti "$tcti" --db "$tmp/w.db" serve --host 127.0.0.1 --port "$wport" \
    --cert "$tmp/tls.crt" --key "$tmp/tls.key" --web "$src/web/wallet" --rp-id localhost \
    --origin "https://localhost:$wport" > "$tmp/wallet.log" 2>&1 &
svc_pid=$!
wait_port "$wport"

export WEB_BASE="https://localhost:$wport" WEB_SPKI="$spki" WEB_SHOTS="$shots" WEB_TMP="$tmp" \
       CHROMIUM="$chromium" QTPM="$qtpm" TCTI="$tcti"
rc=0
NODE_PATH="$build/web-npm/node_modules" timeout 150 node "$here/wallet_web.cjs" || rc=$?
[ $rc = 0 ] || fail "wallet_web.cjs ($rc)"
kill -0 "$svc_pid" 2>/dev/null || fail "the service died"

# ---- the scripted path: qtpm-wallet-client (libcurl, the server certificate checked) ----
C() { "$build/src/wallet/qtpm-wallet-client" --url "https://localhost:$wport" --cacert "$tmp/tls.crt" \
        --user bob --soft-key "$tmp/bob.key" "$@"; }
C register >/dev/null || fail "client register"
printf 'bob-bearer-42' | C seal bob-token 2>/dev/null || fail "client seal"
[ "$(C --save-approve "$tmp/approve.json" unseal bob-token 2>/dev/null)" = bob-bearer-42 ] ||
    fail "client unseal"
C replay "$tmp/approve.json" 2>"$tmp/replay.err" && fail "a replayed approve was accepted"
grep -q unknown-request "$tmp/replay.err" || fail "replay: $(cat "$tmp/replay.err")"
C unseal card 2>"$tmp/other.err" && fail "bob unsealed alice's token"
grep -q not-owner "$tmp/other.err" || fail "other user's token: $(cat "$tmp/other.err")"
"$build/src/wallet/qtpm-wallet-client" --url "https://localhost:$wport" --user bob \
    --soft-key "$tmp/bob.key" list 2>/dev/null && fail "an unverified server certificate was accepted"
echo "ok: qtpm-wallet-client: register, seal, unseal; replay and foreign token refused; TLS checked"
curl -sk --resolve "localhost:$wport:127.0.0.1" "https://localhost:$wport/api/v1/status" |
    grep -q '"service":"qtpm-wallet"' || fail "the service no longer answers"
"$wallet" --db "$tmp/w.db" audit-verify || fail "audit log"
echo "ok: wallet web UI in Chromium with a virtual authenticator"
