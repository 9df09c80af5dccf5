#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_channel.sh BUILD [CHROMIUM] — the post-quantum management channel (docs/CHANNEL.md),
# ctest nms_channel:
#   1. qtpm-nms itself loads the provider: Debian's openssl s_client (provider loaded with
#      -provider) negotiates X25519MLKEM768 and SecP256r1MLKEM768 with it, the NMS logs
#      each group; curl with the provider through openssl.cnf gets an answer;
#   2. classic-only peers: curl and s_client without the provider (X25519 etc.) and a
#      TLS 1.2 client are refused (handshake failure / protocol version), each refusal
#      logged with the client's groups; a second NMS with --allow-classic-tls lets the
#      same curl in and logs "CLASSIC"; a classic group in --tls-groups without the
#      option, or an unknown group, stops `serve` with a message (exit 2);
#   3. headless Chromium loads the dashboard page; the NMS logs its handshake's group
#      as X25519MLKEM768;
#   4. two routers (two qtpm-server TPMs, ML-DSA-65 AKs) enrol: each has an ML-DSA-44
#      channel-binding key certified by its AK; heartbeats go through with their
#      connections bound (logged "bound to router ... ML-DSA"); a request on an unbound
#      router connection → 401 channel-unbound; router r1's certificate with r2's binding
#      key → 403 bind-key-mismatch; after a PCR change the TPM refuses the binding
#      signature on a connection whose handshake was made before, which stays unbound;
#   5. the bind endpoint's bad input: an operator (not a router) → 403, a malformed body
#      → 400 (curl, the NMS stays up).
set -eu
build=$1 chromium=${2:-}
nms=$build/src/nms/qtpm-nms agent=$build/src/agent/qtpm-agent
dl=$build/src/attest/qtpm-digestlist server=$build/src/server/qtpm-server
mfg=$build/src/manufacture/qtpm-manufacture qtpm=$build/src/cli/qtpm
client=$build/tests/nms/channel_client
moddir=$build/ossl-modules
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-channel.XXXXXX")
pids=""
. "$(dirname "$0")/../lib/servers.sh"
cleanup() {
    stop_servers $pids
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { echo "ok:   $*"; }
die() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -30 "$f"; } >&2; done
    exit 1
}
FREEPORT=$(cd "$(dirname "$0")/../lib" && pwd)/freeport.py
port() { python3 "$FREEPORT"; }
# The tests' openssl.cnf (OPENSSL_CONF, from CMake) loads the provider; "classic" clients
# run with an empty configuration instead.
# In a sanitizer build (QTPM_TEST_SANITIZE) Debian's programs cannot load the instrumented
# module: the checks that need them with the provider are skipped; the NMS, the agent and
# channel_client (instrumented, the provider built in) are all still tested.
san=${QTPM_TEST_SANITIZE:-}
cnf=${OPENSSL_CONF:-}
[ -n "$cnf" ] || [ -n "$san" ] || die "OPENSSL_CONF (the build's qtpm-provider-test.cnf) not set"
debian_pq() { [ -z "$san" ] || { echo "skip: $1 (sanitizer build)"; return 1; }; }
: >"$tmp/empty.cnf"
classic() { OPENSSL_CONF="$tmp/empty.cnf" "$@"; }

"$nms" init --dir "$tmp/nms" >/dev/null || die "init"
db="sqlite:$tmp/nms/nms.db"
nport=$(port)
"$nms" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$nport" --period 30 \
    --web "$build/dashboard" 2>"$tmp/nms.log" &
nms_pid=$!
pids="$pids $nms_pid"
wait_port "$nport" "$nms_pid" || die "qtpm-nms"
url=https://127.0.0.1:$nport
op="--cacert $tmp/nms/operator-ca.crt --cert $tmp/nms/operator.crt --key $tmp/nms/operator.key"
logged() { grep -c "$1" "$tmp/nms.log" || true; }

# ---- 1. the provider in the NMS ------------------------------------------------------
debian_pq "s_client and curl with the provider" && for g in X25519MLKEM768 SecP256r1MLKEM768; do
    before=$(logged "group $g ")
    echo Q | classic timeout 10 openssl s_client -provider-path "$moddir" -provider default \
        -provider qtpm -groups "$g" -connect "127.0.0.1:$nport" -CAfile "$tmp/nms/operator-ca.crt" \
        >"$tmp/sc-$g.out" 2>&1 || true
    sleep 0.2
    if ! grep -q "Verify return code: 0" "$tmp/sc-$g.out"; then fail "s_client $g: $(tail -3 "$tmp/sc-$g.out")"
    elif [ "$(logged "group $g ")" -le "$before" ]; then fail "the NMS did not log group $g"
    else pass "openssl s_client (-provider qtpm) -groups $g <-> qtpm-nms, logged"
    fi
done
if debian_pq "curl with the provider"; then
code=$(curl -s -o /dev/null -w '%{http_code}' $op "$url/api/v1/routers") || true
[ "$code" = 200 ] && pass "curl with the provider (openssl.cnf) → 200" || fail "curl with provider: $code"
fi

# ---- 2. classic-only peers ----------------------------------------------------------
before=$(logged "handshake refused")
rc=0; classic curl -s -o /dev/null $op "$url/api/v1/routers" || rc=$?
[ $rc = 35 ] && pass "curl without the provider (classic groups only): refused (exit 35)" \
             || fail "classic curl: exit $rc"
rc=0; echo Q | classic timeout 10 openssl s_client -groups X25519:P-256 -connect "127.0.0.1:$nport" \
    >"$tmp/sc-classic.out" 2>&1 || rc=$?
grep -q "handshake failure" "$tmp/sc-classic.out" && pass "s_client -groups X25519:P-256: handshake failure" \
    || fail "classic s_client: $(tail -3 "$tmp/sc-classic.out")"
rc=0; classic curl -s -o /dev/null --tlsv1.2 --tls-max 1.2 $op "$url/api/v1/routers" || rc=$?
[ $rc = 35 ] && pass "TLS 1.2 client: refused" || fail "TLS 1.2 curl: exit $rc"
sleep 0.2
[ "$(logged "handshake refused")" -ge $((before + 3)) ] && grep -q "refused: alert handshake failure; client groups x25519" "$tmp/nms.log" \
    && pass "each refusal logged with the client's groups" || fail "refusals not logged: $(grep refused "$tmp/nms.log")"
if debian_pq "curl after the refusals"; then
code=$(curl -s -o /dev/null -w '%{http_code}' $op "$url/api/v1/routers") || true
[ "$code" = 200 ] && pass "the NMS still serves after the refusals" || fail "after refusals: $code"
fi
# --allow-classic-tls
cport=$(port)
"$nms" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$cport" --allow-classic-tls \
    2>"$tmp/nms-classic.log" &
cpid=$!
pids="$pids $cpid"
wait_port "$cport" "$cpid" || die "qtpm-nms --allow-classic-tls"
code=$(classic curl -s -o /dev/null -w '%{http_code}' $op "https://127.0.0.1:$cport/api/v1/routers") || true
sleep 0.2
[ "$code" = 200 ] && grep -q "group x25519 .*CLASSIC key exchange" "$tmp/nms-classic.log" \
    && grep -q "WARNING: classic TLS key exchange allowed" "$tmp/nms-classic.log" \
    && pass "--allow-classic-tls: classic curl let in, the handshake logged CLASSIC" \
    || fail "--allow-classic-tls: $code $(cat "$tmp/nms-classic.log")"
if debian_pq "hybrid curl with --allow-classic-tls"; then
code=$(curl -s -o /dev/null -w '%{http_code}' $op "https://127.0.0.1:$cport/api/v1/routers") || true
[ "$code" = 200 ] && grep -q "group X25519MLKEM768" "$tmp/nms-classic.log" \
    && pass "--allow-classic-tls: a hybrid-capable client still gets X25519MLKEM768" || fail "hybrid with allow: $code"
fi
rc=0; "$nms" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$(port)" --tls-groups X25519 \
    >"$tmp/bad1.out" 2>&1 || rc=$?
[ $rc = 2 ] && grep -q "X25519 is not one of the post-quantum groups" "$tmp/bad1.out" && pass "--tls-groups X25519 without --allow-classic-tls: exit 2, clear message" \
    || fail "classic --tls-groups: $rc $(cat "$tmp/bad1.out")"
rc=0; "$nms" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$(port)" --tls-groups NOPE768 --allow-classic-tls \
    >"$tmp/bad2.out" 2>&1 || rc=$?
[ $rc = 2 ] && grep -q "not available" "$tmp/bad2.out" && pass "unknown group: exit 2, clear message" \
    || fail "unknown group: $rc $(cat "$tmp/bad2.out")"

# ---- 3. Chromium -> NMS ---------------------------------------------------------------
if [ -n "$chromium" ]; then
    before=$(logged "group X25519MLKEM768 ")
    spki=$(openssl x509 -in "$tmp/nms/server.crt" -pubkey -noout | openssl pkey -pubin -outform der |
           openssl dgst -sha256 -binary | base64)
    rc=0
    timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$tmp/chromium" --ignore-certificate-errors-spki-list="$spki" \
        --dump-dom "$url/" >"$tmp/chromium.out" 2>"$tmp/chromium.err" || rc=$?
    sleep 0.3
    if [ $rc -ne 0 ]; then fail "chromium exit $rc: $(tail -3 "$tmp/chromium.err")"
    elif ! grep -qi "<html" "$tmp/chromium.out"; then fail "chromium: no page"
    elif [ "$(logged "group X25519MLKEM768 ")" -le "$before" ]; then fail "no X25519MLKEM768 handshake logged for Chromium"
    else pass "headless Chromium loaded the dashboard; the NMS logged group X25519MLKEM768"
    fi
else
    echo "skip: no chromium"
fi

# ---- 4. routers: binding --------------------------------------------------------------
"$dl" keygen --out-dir "$tmp/vk" >/dev/null || die "keygen"
mkdir -p "$tmp/all"
printf 'binary a\n' >"$tmp/all/a"
"$dl" build --vendor acme --image os --version 1 --root "$tmp/all" --prefix /bin/ \
    --mldsa-key "$tmp/vk/mldsa65.key" --ecdsa-key "$tmp/vk/ecdsa-p384.key" \
    -o "$tmp/list.qdl" >/dev/null || die "digest list"
for r in r1 r2; do
    tport=$(port)
    mkdir -p "$tmp/$r/tpm" "$tmp/$r/state" "$tmp/$r/root/bin"
    "$server" --mssim --host 127.0.0.1 --port "$tport" --state "$tmp/$r/tpm" 2>"$tmp/tpm-$r.log" &
    tp=$!
    pids="$pids $tp"
    wait_port "$tport" "$tp" || die "qtpm-server $r"
    tcti="mssim:host=127.0.0.1,port=$tport"
    "$qtpm" -T "$tcti" startup -c >/dev/null || die "startup $r"
    "$mfg" --tcti "$tcti" --ca-dir "$tmp/vendor-ca" --alg eccp256 >/dev/null || die "manufacture $r"
    cp "$tmp/all/a" "$tmp/$r/root/bin/a"
    cat >"$tmp/$r.conf" <<CONF
tcti = $tcti
nms = $url
ca = $tmp/nms/operator-ca.crt
state_dir = $tmp/$r/state
hostname = $r
measure_root = $tmp/$r/root
ima_source = own
ak = mldsa65
CONF
done
"$nms" --db "$db" vendor import --name acme --ca "$tmp/vendor-ca/ca-cert.pem" \
    --mldsa-pub "$tmp/vk/mldsa65.pub" --ecdsa-pub "$tmp/vk/ecdsa-p384.pub" >/dev/null || die "vendor import"
"$nms" --db "$db" digestlist add "$tmp/list.qdl" >/dev/null || die "digestlist add"
for r in r1 r2; do
    "$agent" enrol -c "$tmp/$r.conf" >"$tmp/$r-enrol.log" 2>&1 || die "enrol $r"
    "$agent" attest-once -c "$tmp/$r.conf" >"$tmp/$r-attest.log" 2>&1 || die "attest $r"
    [ -s "$tmp/$r/state/bind.pub" ] || fail "$r: no binding key in the state directory"
    openssl x509 -inform der -in "$tmp/$r/state/tls.crt" -noout -text 2>/dev/null \
        | grep -q "2.25.158867641499400968755161906248904889844" \
        && pass "$r: its TLS certificate names its AK-certified binding key" || fail "$r: no binding extension"
    before=$(logged "bound to router $(cat "$tmp/$r/state/router.id") (ML-DSA key)")
    "$agent" heartbeat -c "$tmp/$r.conf" >"$tmp/$r-hb.log" 2>&1 || fail "$r heartbeat: $(cat "$tmp/$r-hb.log")"
    [ "$(logged "bound to router $(cat "$tmp/$r/state/router.id") (ML-DSA key)")" -gt "$before" ] \
        && pass "$r: heartbeat over a connection bound by its ML-DSA key" || fail "$r: no bind logged"
done
"$client" "$tmp/r1.conf" bind >"$tmp/c-bind.out" 2>&1 && pass "channel_client bind: bound, then 200 on the same connection" \
    || fail "bind: $(cat "$tmp/c-bind.out")"
"$client" "$tmp/r1.conf" unbound >"$tmp/c-unb.out" 2>&1 && pass "a router request on an unbound connection: 401 channel-unbound" \
    || fail "unbound: $(cat "$tmp/c-unb.out")"
"$client" "$tmp/r1.conf" foreign "$tmp/r2.conf" >"$tmp/c-for.out" 2>&1 \
    && pass "r1's certificate with r2's binding key: 403 bind-key-mismatch, still unbound" \
    || fail "foreign: $(cat "$tmp/c-for.out")"
grep -q "channel binding refused: bind-key-mismatch" "$tmp/nms.log" && pass "the refusal is logged" || fail "foreign not logged"

# ---- 5. the bind endpoint's bad input -------------------------------------------------
if debian_pq "curl on the bind endpoint"; then
code=$(curl -s -o "$tmp/b.json" -w '%{http_code}' $op -H 'Content-Type: application/json' \
    -d '{"router":"x","bind_pub":"AA==","signature":"AA=="}' "$url/api/v1/channel/bind") || true
[ "$code" = 403 ] && pass "an operator cannot bind (403)" || fail "operator bind: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{}' --cacert "$tmp/nms/operator-ca.crt" "$url/api/v1/channel/bind") || true
[ "$code" = 401 ] && pass "anonymous bind: 401" || fail "anonymous bind: $code"
fi

# PCR change last: r1's configuration is then no longer approved.
"$client" "$tmp/r1.conf" pcr >"$tmp/c-pcr.out" 2>&1 \
    && pass "after a PCR change the TPM refuses the binding signature; no router request gets through" \
    || fail "pcr: $(cat "$tmp/c-pcr.out")"
rc=0; "$agent" heartbeat -c "$tmp/r1.conf" >"$tmp/r1-hb2.log" 2>&1 || rc=$?
[ $rc != 0 ] && pass "r1 with changed PCRs: no heartbeat (exit $rc)" || fail "heartbeat after the PCR change went through"
kill -0 "$nms_pid" && pass "the NMS is still up" || fail "the NMS died"
[ $fails = 0 ] || { echo "== nms.log"; tail -40 "$tmp/nms.log"; }
echo "$fails failure(s)"
[ $fails = 0 ]
