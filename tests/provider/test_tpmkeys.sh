#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_tpmkeys.sh MODULE_DIR QTPM QTPM_SERVER — TPM-resident keys through
# qtpm-provider (docs/PROVIDER.md, "Keys in the TPM"), on qtpm-server and on
# swtpm in turn:
#   1. RSA-2048, ECDSA P-256 (persistent, qtpm:handle:), ECDSA P-384
#      (context file, qtpm:file:) and RSA from a tpm2_evictcontrol -o file
#      sign TLS 1.3 CertificateVerify as the server key of openssl s_server;
#      s_client and curl verify the chain (RSA-PSS / ECDSA with the right
#      hash);
#   2. mutual TLS: both the server's and the client's key in the TPM, the
#      client's with an authValue (?pass=); without the password the TPM
#      refuses the signature and the handshake fails;
#   3. errors: a handle with no key, a malformed URI, a file that is no key
#      file, an unreachable TPM — each a clear message and exit != 0;
#   4. the private key never leaves: writing it out fails, -text shows only
#      the public half;
#   5. (qtpm-server) the signature is made by the TPM: with the TPM gone,
#      the loaded key cannot sign any more.
# With swtpm (one client at a time) the processes connect per operation
# (QTPM_PROVIDER_CONNECTION=per-operation). Servers are killed on exit.
set -u
MODDIR=$1
QTPM=$2
SERVER=$3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/servers.sh"
FREEPORT="$HERE/../lib/freeport.py"
SAN=env
if [ -n "${QTPM_TEST_PRELOAD:-}" ]; then
    SAN="env LD_PRELOAD=$QTPM_TEST_PRELOAD ASAN_OPTIONS=detect_leaks=0"
fi
WORK=$(mktemp -d)
QSRV_PID=
SWTPM_PID=
SSRV=
trap 'stop_servers $SSRV $QSRV_PID $SWTPM_PID; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
export OPENSSL_MODULES="$MODDIR"
unset OPENSSL_CONF
P="-provider default -provider qtpm"
FAILS=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
free_port() { python3 "$FREEPORT"; }

command -v swtpm >/dev/null || { echo "FAIL: swtpm not installed (scripts/deps.sh)"; exit 1; }

# ---- PKI: a software CA certifies the TPM keys' public halves
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
    -out ca.pem -subj /CN=qtpm-test-ca -days 2 2>/dev/null || exit 1
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout any.key \
    -out any.csr -subj /CN=localhost 2>/dev/null || exit 1
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >san.ext
# cert NAME PUBKEY: a certificate for that public key, signed by the CA
cert() {
    openssl x509 -req -in any.csr -force_pubkey "$2" -CA ca.pem -CAkey ca.key \
        -CAcreateserial -extfile san.ext -out "$1.crt" -days 2 2>/dev/null
}

# ---- the TPMs
start_qtpm_server() {
    for try in 1 2 3; do
        QPORT=$(free_port)
        "$SERVER" --mssim --host 127.0.0.1 --port "$QPORT" --state "$WORK/qstate" \
            >"$WORK/qtpm-server.log" 2>&1 &
        QSRV_PID=$!
        wait_port "$QPORT" $QSRV_PID && wait_port $((QPORT + 1)) $QSRV_PID && return 0
        stop_servers $QSRV_PID
        QSRV_PID=
    done
    echo "FAIL: qtpm-server did not start"; cat "$WORK/qtpm-server.log"; exit 1
}
start_swtpm() {
    mkdir -p "$WORK/sstate"
    for try in 1 2 3; do
        SPORT=$(free_port)
        swtpm socket --tpm2 --server type=tcp,port="$SPORT",bindaddr=127.0.0.1 \
            --ctrl type=tcp,port=$((SPORT + 1)),bindaddr=127.0.0.1 \
            --tpmstate dir="$WORK/sstate" --flags not-need-init,startup-clear \
            >"$WORK/swtpm.log" 2>&1 &
        SWTPM_PID=$!
        wait_port "$SPORT" $SWTPM_PID && wait_port $((SPORT + 1)) $SWTPM_PID && return 0
        stop_servers $SWTPM_PID
        SWTPM_PID=
    done
    echo "FAIL: swtpm did not start"; cat "$WORK/swtpm.log"; exit 1
}

# serve NAME KEYURI CERT [s_server options]: s_server in the background for
# up to 4 connections; PORT is set
serve() {
    name=$1 key=$2 crt=$3
    shift 3
    PORT=$(free_port)
    $SAN openssl s_server $P -tls1_3 -accept 127.0.0.1:$PORT -key "$key" -cert "$crt" \
        -naccept 4 -www "$@" >"srv-$name.log" 2>&1 &
    SSRV=$!
    if ! wait_port $PORT $SSRV; then
        bad "$TPM $name: s_server did not start"; cat "srv-$name.log"
        SSRV=
        return 1
    fi
}
unserve() {
    stop_servers $SSRV
    SSRV=
}
# client NAME [s_client options]: one handshake and an HTTP GET; output in cli-NAME.log
client() {
    name=$1
    shift
    printf 'GET / HTTP/1.0\r\n\r\n' | timeout 20 $SAN openssl s_client -tls1_3 \
        -connect 127.0.0.1:$PORT -CAfile ca.pem -verify_return_error -ign_eof "$@" \
        >"cli-$name.log" 2>&1
}

run_tpm() {
    TPM=$1
    mkdir -p "$WORK/$TPM" && cd "$WORK/$TPM" && cp ../ca.pem ../ca.key ../any.csr ../san.ext .
    Q="$QTPM"
    # keys: RSA-2048 and P-256 persistent, P-384 as a context file, RSA
    # with an authValue persistent and as an evictcontrol -o file
    if ! { $Q createprimary -c p.ctx && $Q create -C p.ctx -G rsa2048 -c rsa.ctx &&
           $Q evictcontrol -C o -c rsa.ctx 0x81000001 &&
           $Q create -C p.ctx -G ecc256 -c ec.ctx && $Q evictcontrol -C o -c ec.ctx 0x81000002 &&
           $Q create -C p.ctx -G ecc384 -c ec384.ctx &&
           $Q create -C p.ctx -G rsa2048 -p secretpw -c rpw.ctx &&
           $Q evictcontrol -C o -c rpw.ctx -o rpw.tr 0x81000003; } >keys.log 2>&1; then
        bad "$TPM: key creation"; cat keys.log; return
    fi
    for k in "handle:0x81000001 rsa" "handle:0x81000002 ec" "file:ec384.ctx ec384" \
             "file:rpw.tr rpw"; do
        set -- $k
        if $SAN openssl pkey $P -in "qtpm:$1" -pubout -out "$2.pub" 2>pub.err && cert "$2" "$2.pub"; then
            ok "$TPM: qtpm:$1 opens; its public half certified"
        else
            bad "$TPM: qtpm:$1 public half"; cat pub.err
        fi
    done

    # 1. server keys in the TPM
    for k in "rsa qtpm:handle:0x81000001 RSA-PSS SHA256" "ec qtpm:handle:0x81000002 ECDSA SHA256" \
             "ec384 qtpm:file:ec384.ctx ECDSA SHA384" "rpw qtpm:file:rpw.tr?pass=secretpw RSA-PSS SHA256"; do
        set -- $k
        serve "$1" "$2" "$1.crt" || continue
        if client "$1" && grep -q "Verification: OK" "cli-$1.log" &&
           grep -q "Peer signature type: $3" "cli-$1.log" &&
           grep -q "Peer signing digest: $4" "cli-$1.log" && grep -q "200 ok" "cli-$1.log"; then
            ok "$TPM: s_server with $2: TLS 1.3, $3/$4 verified by s_client"
        else
            bad "$TPM: s_server with $2"; cat "cli-$1.log" "srv-$1.log" | tail -20
        fi
        if timeout 20 curl -sS --cacert ca.pem "https://127.0.0.1:$PORT/" -o curl.out 2>curl.err &&
           grep -q "s_server" curl.out; then
            ok "$TPM: curl against s_server with $2"
        else
            bad "$TPM: curl against $2"; cat curl.err
        fi
        unserve
    done

    # 2. mutual TLS, both keys in the TPM; the client's needs its password
    serve mtls qtpm:handle:0x81000002 ec.crt -Verify 1 -CAfile ca.pem -verify_return_error || return
    if client mtls $P -key "qtpm:handle:0x81000003?pass=secretpw" -cert rpw.crt &&
       grep -q "200 ok" cli-mtls.log && grep -q "Verification: OK" cli-mtls.log; then
        ok "$TPM: mutual TLS 1.3, server ECDSA and client RSA (with authValue) keys in the TPM"
    else
        bad "$TPM: mutual TLS"; tail -20 cli-mtls.log srv-mtls.log
    fi
    if client mtls-nopw $P -key qtpm:handle:0x81000003 -cert rpw.crt; then
        bad "$TPM: client key without its password signed"
    elif grep -q "TPM2_Sign with key 0x81000003 failed" cli-mtls-nopw.log; then
        ok "$TPM: without the authValue the TPM refuses the client's signature"
    else
        bad "$TPM: no clear error without the password"; tail -5 cli-mtls-nopw.log
    fi
    unserve

    # 3. errors
    expect_err() {
        what=$1 want=$2
        shift 2
        if $SAN openssl pkey $P -in "$@" -pubout >/dev/null 2>err.log; then
            bad "$TPM: $what accepted"
        elif grep -q "$want" err.log; then
            ok "$TPM: $what: \"$want\""
        else
            bad "$TPM: $what: no clear error"; cat err.log
        fi
    }
    expect_err "a handle with no key" "no key at handle 0x81000009" qtpm:handle:0x81000009
    expect_err "a transient handle" "is not a persistent handle" qtpm:handle:0x80000001
    expect_err "a malformed URI" "unknown key URI" qtpm:nothing:here
    head -c 300 /dev/urandom >junk.bin
    printf '\272\334\300\336\000\000\000\001\000\000' >short.ctx
    expect_err "a file of junk" "neither a context file" qtpm:file:junk.bin
    expect_err "a truncated context file" "not a valid context file" qtpm:file:short.ctx
    expect_err "a missing file" "cannot open the key file" qtpm:file:nonexistent.ctx
    saved_tcti=$QTPM_TCTI
    export QTPM_TCTI="mssim:host=127.0.0.1,port=$(free_port)"
    expect_err "no TPM listening" "cannot reach the TPM" qtpm:handle:0x81000001
    export QTPM_TCTI="$saved_tcti"

    # 4. the private half is not exportable
    if $SAN openssl pkey $P -in qtpm:handle:0x81000001 -out priv.pem 2>/dev/null ||
       grep -q PRIVATE priv.pem 2>/dev/null; then
        bad "$TPM: a private key was written out"
    else
        ok "$TPM: writing out the private key fails"
    fi
    $SAN openssl pkey $P -in qtpm:handle:0x81000001 -text -noout >text.out 2>&1
    if grep -q "privateExponent\|prime1" text.out; then
        bad "$TPM: -text shows private parts"
    else
        ok "$TPM: -text shows no private part"
    fi
    $SAN openssl pkey $P -in qtpm:handle:0x81000002 -text -noout >text.out 2>&1
    if grep -q "^priv:" text.out; then bad "$TPM: EC -text shows priv"; else ok "$TPM: EC -text shows no priv"; fi
    cd "$WORK" || exit 1
}

start_qtpm_server
export QTPM_TCTI="mssim:host=127.0.0.1,port=$QPORT" QTPM_PROVIDER_CONNECTION=keep
"$QTPM" startup -c >/dev/null 2>&1
run_tpm qtpm-server
# 5. the TPM signs: a server whose key is loaded cannot sign once the TPM is gone
cd "$WORK/qtpm-server" || exit 1
if serve gone qtpm:handle:0x81000001 rsa.crt; then
    stop_servers $QSRV_PID
    QSRV_PID=
    if client gone; then
        bad "qtpm-server: a handshake without the TPM"
    elif grep -q "TPM2_Sign with key 0x81000001 failed\|cannot reach the TPM" srv-gone.log; then
        ok "qtpm-server: with the TPM gone the loaded key no longer signs"
    else
        bad "qtpm-server: no TPM error without the TPM"; tail -5 srv-gone.log
    fi
    unserve
fi
cd "$WORK" || exit 1

start_swtpm
export QTPM_TCTI="swtpm:host=127.0.0.1,port=$SPORT" QTPM_PROVIDER_CONNECTION=per-operation
run_tpm swtpm

if [ $FAILS -ne 0 ]; then
    echo "$FAILS failure(s)"
    exit 1
fi
echo "all TPM-key checks passed"
