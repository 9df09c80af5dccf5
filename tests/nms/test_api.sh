#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_api.sh — the NMS REST API's error handling and roles over real TLS (ctest nms_api).
#
# `qtpm-nms init` makes the CAs and client certificates; `qtpm-nms serve` runs on a free
# loopback port; curl (OpenSSL flavour) sends requests with the operator, read-only or no
# client certificate. Asserts the exact status of: no certificate (401), read-only POST
# (403), wrong Content-Type (415), malformed JSON (400), a 5 MiB body (413 with the JSON error
# body, with and without Expect: 100-continue), chunked bodies (411), a conflicting
# Content-Length (400), a 70 KiB head (431), a router event from an operator (403), unknown route
# (404), wrong method (405), a certificate from a foreign CA (handshake refused), and that
# the server still answers afterwards; plus vendors, routers, challenge, events, metrics
# and the admin CLI. The server is stopped by a trap on any exit.
#
#   test_api.sh QTPM_NMS QTPM_DIGESTLIST [pg]
#
# With "pg" the NMS and the admin CLI use the PostgreSQL database in $QTPM_TEST_PG (set by
# tests/store/pg-cluster.sh; ctest nms_api_pg) instead of an SQLite file.
set -eu
NMS=$1 DL=$2 BACKEND=${3:-sqlite}
tmp=$(mktemp -d)
case $BACKEND in
sqlite) db="sqlite:$tmp/nms.db" ;;
pg) [ -n "${QTPM_TEST_PG:-}" ] || { echo "SKIP: QTPM_TEST_PG not set"; rm -rf "$tmp"; exit 77; }
    db="postgresql:$QTPM_TEST_PG" ;;
*) echo "unknown back end $BACKEND" >&2; exit 2 ;;
esac
pid=
. "$(dirname "$0")/../lib/servers.sh"
cleanup() {
    stop_servers $pid
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*" >&2; [ -f "$tmp/log" ] && cat "$tmp/log" >&2; exit 1; }

"$NMS" init --dir "$tmp/nms" >/dev/null || fail "init"
for k in privacy-ca operator-ca policy server operator readonly; do
    [ "$(stat -c %a "$tmp/nms/$k.key")" = 600 ] || fail "$k.key is not 0600"
done
"$NMS" init --dir "$tmp/nms" 2>/dev/null && fail "second init must refuse to overwrite"
openssl verify -CAfile "$tmp/nms/operator-ca.crt" "$tmp/nms/server.crt" \
    "$tmp/nms/operator.crt" "$tmp/nms/readonly.crt" >/dev/null || fail "chain"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The router certificates of router-cert.sh carry no channel-binding key
# (docs/CHANNEL.md): curl cannot bind, so they are allowed unbound here.
"$NMS" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$port" --allow-unbound-routers ${QTPM_TEST_NMS_FLAGS:-} \
    2>"$tmp/log" &
pid=$!
i=0
until python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.5).close()' "$port" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 50 ] || fail "server did not start"
    kill -0 "$pid" 2>/dev/null || fail "server died"
    sleep 0.1
done

base="https://127.0.0.1:$port"
# req ROLE METHOD PATH [CONTENT-TYPE BODYFILE] -> prints the status
req() {
    role=$1 method=$2 path=$3
    set -- --silent --max-time 10 -o "$tmp/out" -w '%{http_code}' \
        --cacert "$tmp/nms/operator-ca.crt" -X "$method"
    case $role in
    operator) set -- "$@" --cert "$tmp/nms/operator.crt" --key "$tmp/nms/operator.key" ;;
    readonly) set -- "$@" --cert "$tmp/nms/readonly.crt" --key "$tmp/nms/readonly.key" ;;
    foreign) set -- "$@" --cert "$tmp/foreign.crt" --key "$tmp/foreign.key" ;;
    esac
    if [ -n "${ctype:-}" ]; then set -- "$@" -H "Content-Type: $ctype"; fi
    if [ -n "${body:-}" ]; then set -- "$@" --data-binary "@$body"; fi
    curl "$@" "$base$path" || true
}
expect() {
    want=$1; shift
    got=$(req "$@")
    [ "$got" = "$want" ] || fail "$* → $got, want $want ($(cat "$tmp/out" 2>/dev/null))"
}

printf '{}' >"$tmp/empty.json"
printf '{"name": "x", ' >"$tmp/bad.json"
printf '[1, 2]' >"$tmp/array.json"
head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$tmp/big.json"

expect 401 none GET /api/v1/routers
grep -q '"error":"unauthenticated"' "$tmp/out" || fail "401 body: $(cat "$tmp/out")"
expect 200 readonly GET /api/v1/routers
expect 200 operator GET /api/v1/routers
grep -q '"routers":\[\]' "$tmp/out" || fail "empty list: $(cat "$tmp/out")"
ctype=application/json body=$tmp/empty.json expect 403 readonly POST /api/v1/routers/r1/allow
grep -q '"error":"forbidden"' "$tmp/out" || fail "403 body"
ctype=application/json body=$tmp/empty.json expect 401 none POST /api/v1/vendors
ctype=text/plain body=$tmp/empty.json expect 415 operator POST /api/v1/vendors
body=$tmp/empty.json expect 415 operator POST /api/v1/enrol
ctype=application/json body=$tmp/bad.json expect 400 operator POST /api/v1/vendors
grep -q '"error":"bad-json"' "$tmp/out" || fail "400 body"
ctype=application/json body=$tmp/array.json expect 400 operator POST /api/v1/vendors
ctype=application/json body=$tmp/big.json expect 413 operator POST /api/v1/vendors
grep -q '"error":"too-large"' "$tmp/out" || fail "413 body is not the JSON error: $(head -c 300 "$tmp/out")"
# Anonymous too, on any route, and without "Expect: 100-continue" (curl then sends the
# whole body, which the server reads and drops): the same JSON 413.
ctype=application/json body=$tmp/big.json expect 413 none POST /api/v1/enrol
grep -q '"error":"too-large"' "$tmp/out" || fail "anonymous 413 body: $(head -c 300 "$tmp/out")"
got=$(curl -s --max-time 20 -o "$tmp/out" -w '%{http_code}' --cacert "$tmp/nms/operator-ca.crt" \
    -H 'Content-Type: application/json' -H 'Expect:' --data-binary "@$tmp/big.json" \
    "$base/api/v1/enrol" || true)
[ "$got" = 413 ] || fail "413 without Expect: $got"
grep -q '"error":"too-large"' "$tmp/out" || fail "413 body without Expect: $(head -c 300 "$tmp/out")"
# A body of exactly 4 MiB passes the gate (and is then not JSON: 400).
head -c $((4 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$tmp/max.json"
ctype=application/json body=$tmp/max.json expect 400 operator POST /api/v1/vendors
grep -q '"error":"bad-json"' "$tmp/out" || fail "4 MiB body: $(head -c 300 "$tmp/out")"
# Chunked bodies need a length (411), JSON too.
got=$(curl -s --max-time 10 -o "$tmp/out" -w '%{http_code}' --cacert "$tmp/nms/operator-ca.crt" \
    -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary '{}' \
    "$base/api/v1/enrol" || true)
[ "$got" = 411 ] || fail "chunked: $got"
grep -q '"error":"length-required"' "$tmp/out" || fail "411 body: $(cat "$tmp/out")"
# Raw requests on one keep-alive TLS connection: a conflicting Content-Length → 400 JSON,
# an oversized Content-Length with its body sent anyway → 413 JSON, the body dropped,
# and the next request on the same connection is still answered; a 70 KiB head → 431.
python3 - "$port" "$tmp/nms/operator-ca.crt" >"$tmp/raw.out" <<'PY' || fail "raw requests: $(cat "$tmp/raw.out")"
import socket, ssl, sys, json
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
def conn():
    s = socket.create_connection(("127.0.0.1", port), 10)
    return ctx.wrap_socket(s, server_hostname="127.0.0.1")
def reply(t):
    buf = b""
    while b"\r\n\r\n" not in buf:
        c = t.recv(65536)
        if not c: raise SystemExit("closed before a reply: %r" % buf)
        buf += c
    head, body = buf.split(b"\r\n\r\n", 1)
    n = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(body) < n:
        body += t.recv(65536)
    status = int(head.split(b" ")[1])
    return status, json.loads(body[:n])
t = conn()
t.sendall(b"POST /api/v1/enrol HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}")
st, j = reply(t)
assert (st, j["error"]) == (400, "bad-request"), (st, j)
t = conn()
body = b" " * (5 * 1024 * 1024)
t.sendall(b"POST /api/v1/enrol HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body))
st, j = reply(t)
assert (st, j["error"]) == (413, "too-large"), (st, j)
t.sendall(body)
t.sendall(b"GET /api/v1/routers HTTP/1.1\r\nHost: x\r\n\r\n")
st, j = reply(t)
assert (st, j["error"]) == (401, "unauthenticated"), (st, j)
# Pipelined in one write: a POST with a body that looks like a request, then a GET; the
# gate must pass the body as body (both answered, in order). Bare-LF heads work too.
t = conn()
fake = b'GET /api/v1/x HTTP/1.1\r\n\r\n'
t.sendall(b"POST /api/v1/enrol HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
          b"Content-Length: %d\r\n\r\n" % len(fake) + fake +
          b"GET /api/v1/routers HTTP/1.1\nHost: x\n\n")
st, j = reply(t)
assert (st, j["error"]) == (415, "unsupported-media-type"), (st, j)
st, j = reply(t)
assert (st, j["error"]) == (401, "unauthenticated"), (st, j)
t = conn()
t.sendall(b"POST /api/v1/enrol HTTP/1.1\nHost: x\nContent-Length: 99999999\n\n")
st, j = reply(t)
assert (st, j["error"]) == (413, "too-large"), (st, j)
t = conn()
t.sendall(b"GET /api/v1/routers HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * (70 * 1024) + b"\r\n\r\n")
st, j = reply(t)
assert (st, j["error"]) == (431, "headers-too-large"), (st, j)
print("raw: ok")
PY
expect 404 operator GET /api/v1/nothing
expect 404 operator GET /api/v1/routers/bad%2Fid
expect 405 operator DELETE /api/v1/routers
expect 405 operator GET /api/v1/enrol
ctype=application/json body=$tmp/empty.json expect 400 operator POST /api/v1/vendors

# A client certificate from a CA the NMS does not know: the handshake is refused.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/OU=operator/CN=x" \
    -keyout "$tmp/foreign.key" -out "$tmp/foreign.crt" -days 1 2>/dev/null || fail "openssl req"
got=$(req foreign GET /api/v1/routers)
[ "$got" = 000 ] || fail "foreign certificate accepted: $got"

# Vendors through the API; the same name twice → 409; not a certificate → 400.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -subj "/CN=vendor" \
    -keyout "$tmp/v.key" -out "$tmp/v.crt" -days 1 2>/dev/null
b64=$(openssl x509 -in "$tmp/v.crt" -outform DER | base64 -w0)
printf '{"name": "acme", "ca_cert": "%s"}' "$b64" >"$tmp/vendor.json"
ctype=application/json body=$tmp/vendor.json expect 201 operator POST /api/v1/vendors
ctype=application/json body=$tmp/vendor.json expect 409 operator POST /api/v1/vendors
printf '{"name": "b", "ca_cert": "aGVsbG8="}' >"$tmp/vbad.json"
ctype=application/json body=$tmp/vbad.json expect 400 operator POST /api/v1/vendors

# Unknown router: challenge and show → 404.
ctype=application/json body=$tmp/empty.json expect 404 none POST /api/v1/routers/r1/challenge
expect 404 readonly GET /api/v1/routers/r1

# Evidence and tls-key with bodies that are JSON but not evidence → 400, no nonce used.
ctype=application/json body=$tmp/empty.json expect 400 none POST /api/v1/routers/r1/evidence
grep -q '"error":"bad-request"' "$tmp/out" || fail "evidence 400 body"
ctype=application/json body=$tmp/empty.json expect 400 none POST /api/v1/routers/r1/tls-key
ctype=application/json body=$tmp/empty.json expect 400 none POST /api/v1/enrol
ctype=application/json body=$tmp/empty.json expect 400 none POST /api/v1/enrol/abc/activate
printf '{"credential": "%s"}' "$(printf '0%.0s' $(seq 64))" >"$tmp/cred.json"
ctype=application/json body=$tmp/cred.json expect 404 none POST /api/v1/enrol/abc/activate

# Router events likewise (docs/NMS.md: config-refused).
ctype=application/json body=$tmp/empty.json expect 401 none POST /api/v1/routers/r1/events
ctype=application/json body=$tmp/empty.json expect 403 readonly POST /api/v1/routers/r1/events
# With a router certificate (made here with the privacy CA, as the NMS would issue one to a
# TPM-resident key): the body's checks, each with its status; r1 is not enrolled → 404.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/O=qtpm-nms/OU=router/CN=r1" -keyout "$tmp/router.key" -out "$tmp/router.csr" \
    2>/dev/null || fail "router csr"
openssl x509 -req -in "$tmp/router.csr" -CA "$tmp/nms/privacy-ca.crt" \
    -CAkey "$tmp/nms/privacy-ca.key" -CAcreateserial -days 1 -out "$tmp/router.crt" \
    2>/dev/null || fail "router cert"
rev() { # EXPECTED-STATUS EXPECTED-ERROR ROUTER-ID BODY
    printf '%s' "$4" >"$tmp/ev.json"
    got=$(curl -s --max-time 10 -o "$tmp/out" -w '%{http_code}' --cacert "$tmp/nms/operator-ca.crt" \
        --cert "$tmp/router.crt" --key "$tmp/router.key" -H 'Content-Type: application/json' \
        --data-binary "@$tmp/ev.json" "$base/api/v1/routers/$3/events" || true)
    [ "$got" = "$1" ] || fail "router event $4 → $got, want $1 ($(cat "$tmp/out"))"
    grep -q "\"error\":\"$2\"" "$tmp/out" || fail "router event $4: $(cat "$tmp/out")"
}
f1='[{"path":"/etc/frr/frr.conf","reason":"modified"}]'
rev 403 forbidden r2 "{\"kind\":\"config-refused\",\"files\":$f1}"
rev 400 bad-request r1 "{\"kind\":\"verdict\",\"files\":$f1}"
rev 400 bad-request r1 '{"kind":"config-refused"}'
rev 400 bad-request r1 '{"kind":"config-refused","files":[]}'
rev 400 bad-request r1 '{"kind":"config-refused","files":[{"path":"/x","reason":"bored"}]}'
rev 400 bad-request r1 '{"kind":"config-refused","files":[{"path":"/x\u0001y","reason":"modified"}]}'
rev 400 bad-request r1 '{"kind":"config-refused","files":[{"reason":"modified"}]}'
many=$(python3 -c 'import json; print(json.dumps({"kind":"config-refused","files":[{"path":"/f%d" % i,"reason":"modified"} for i in range(65)]}))')
rev 400 bad-request r1 "$many"
rev 404 not-found r1 "{\"kind\":\"config-refused\",\"files\":$f1}"
# and the router certificate is no operator: 403 elsewhere, heartbeat of an unknown router 404
got=$(curl -s --max-time 10 -o "$tmp/out" -w '%{http_code}' --cacert "$tmp/nms/operator-ca.crt" \
    --cert "$tmp/router.crt" --key "$tmp/router.key" "$base/api/v1/routers" || true)
[ "$got" = 403 ] || fail "router certificate listing routers: $got"
printf '{"entries": 3}' >"$tmp/hb.json"
got=$(curl -s --max-time 10 -o "$tmp/out" -w '%{http_code}' --cacert "$tmp/nms/operator-ca.crt" \
    --cert "$tmp/router.crt" --key "$tmp/router.key" -H 'Content-Type: application/json' \
    --data-binary "@$tmp/hb.json" "$base/api/v1/routers/r1/heartbeat" || true)
[ "$got" = 404 ] || fail "heartbeat of an unknown router: $got ($(cat "$tmp/out"))"
# Heartbeat is for routers' TLS keys only.
ctype=application/json body=$tmp/empty.json expect 401 none POST /api/v1/routers/r1/heartbeat
ctype=application/json body=$tmp/empty.json expect 403 operator POST /api/v1/routers/r1/heartbeat

# Events and metrics; the server still answers after every error above.
expect 200 readonly GET '/api/v1/events?since=0'
grep -q '"kind":"vendor-import"' "$tmp/out" || fail "event missing: $(cat "$tmp/out")"
expect 400 readonly GET '/api/v1/events?since=x'
# The newest events only (limit), oldest first; bad limits and views refused.
expect 200 readonly GET '/api/v1/events?since=0&limit=1'
[ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["events"]))' "$tmp/out")" = 1 ] \
    || fail "events limit=1: $(cat "$tmp/out")"
expect 400 readonly GET '/api/v1/events?limit=0'
expect 400 readonly GET '/api/v1/events?limit=100001'
expect 200 readonly GET '/api/v1/routers?view=table'
grep -q '^{"columns":\["id","hostname","state","verdict","reasons_count","reason_code","reason_path"\],"rows":\[' \
    "$tmp/out" || fail "routers?view=table: $(cat "$tmp/out")"
expect 400 readonly GET '/api/v1/routers?view=graph'
expect 401 none GET '/api/v1/routers?view=table'
expect 200 readonly GET /metrics
grep -q '^qtpm_nms_rows{table="vendors"} 1$' "$tmp/out" || fail "metrics: $(cat "$tmp/out")"
grep -q '^qtpm_nms_rows{table="measurements"} 0$' "$tmp/out" || fail "metrics: $(cat "$tmp/out")"
expect 401 none GET /metrics
kill -0 "$pid" || fail "server died"

# Admin CLI on the same database.
"$NMS" --db "$db" vendor import --name acme --ca "$tmp/v.crt" 2>/dev/null && fail "dup vendor"
"$NMS" --db "$db" vendor import --name other --ca "$tmp/v.crt" --json | grep -q '"vendor":"other"' \
    || fail "vendor import"
"$NMS" --db "$db" router list --json | grep -qx '\[\]' || fail "router list"
"$NMS" --db "$db" router show r1 2>/dev/null && fail "show of unknown router"
"$NMS" --db "$db" router allow r1 2>/dev/null && fail "allow of unknown router"
"$NMS" --db "$db" events --json | grep -q '"detail":"other"' || fail "events"
# digestlist add: both signatures with the vendor's keys; rollback refused.
"$DL" keygen --out-dir "$tmp/vk" >/dev/null || fail "keygen"
"$DL" keygen --out-dir "$tmp/ok" >/dev/null || fail "keygen other"
mkdir -p "$tmp/root/bin" && printf 'hello' >"$tmp/root/bin/app"
for v in 1 2 3; do
    "$DL" build --vendor acme2 --image img --version $v --root "$tmp/root" \
        --mldsa-key "$tmp/vk/mldsa65.key" --ecdsa-key "$tmp/vk/ecdsa-p384.key" \
        -o "$tmp/l$v.qdl" >/dev/null || fail "build list $v"
done
"$DL" build --vendor acme2 --image img --version 9 --root "$tmp/root" \
    --mldsa-key "$tmp/ok/mldsa65.key" --ecdsa-key "$tmp/ok/ecdsa-p384.key" \
    -o "$tmp/foreign.qdl" >/dev/null || fail "build foreign list"
"$NMS" --db "$db" digestlist add "$tmp/l2.qdl" 2>/dev/null && fail "list of an unknown vendor"
"$NMS" --db "$db" vendor import --name acme2 --ca "$tmp/v.crt" \
    --mldsa-pub "$tmp/vk/mldsa65.pub" --ecdsa-pub "$tmp/vk/ecdsa-p384.pub" >/dev/null \
    || fail "vendor import with keys"
"$NMS" --db "$db" digestlist add "$tmp/l2.qdl" --json | grep -q '"version":2' || fail "add v2"
"$NMS" --db "$db" digestlist add "$tmp/l1.qdl" 2>"$tmp/err" && fail "rollback to v1 accepted"
grep -q rollback "$tmp/err" || fail "rollback message: $(cat "$tmp/err")"
"$NMS" --db "$db" digestlist add "$tmp/l2.qdl" 2>/dev/null && fail "same version accepted"
"$NMS" --db "$db" digestlist add "$tmp/foreign.qdl" 2>/dev/null && fail "foreign keys accepted"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[len(b)//3]^=1; open(sys.argv[2],"wb").write(b)' \
    "$tmp/l3.qdl" "$tmp/tampered.qdl"
"$NMS" --db "$db" digestlist add "$tmp/tampered.qdl" 2>/dev/null && fail "tampered list accepted"
# The same over the API (operator only): v3 accepted, v1 → 409 rollback, garbage → 400.
printf '{"list": "%s"}' "$(base64 -w0 "$tmp/l3.qdl")" >"$tmp/l3.json"
printf '{"list": "%s"}' "$(base64 -w0 "$tmp/l1.qdl")" >"$tmp/l1.json"
printf '{"list": "aGVsbG8="}' >"$tmp/lbad.json"
ctype=application/json body=$tmp/l3.json expect 403 readonly POST /api/v1/digestlists
ctype=application/json body=$tmp/l3.json expect 201 operator POST /api/v1/digestlists
grep -q '"version":3' "$tmp/out" || fail "digestlist reply: $(cat "$tmp/out")"
ctype=application/json body=$tmp/l1.json expect 409 operator POST /api/v1/digestlists
grep -q '"error":"rollback"' "$tmp/out" || fail "rollback reply: $(cat "$tmp/out")"
ctype=application/json body=$tmp/lbad.json expect 400 operator POST /api/v1/digestlists
"$NMS" --db "$db" digestlist add "$tmp/l3.qdl" 2>/dev/null && fail "v3 twice"
# A vendor with its list keys through the API; a short ML-DSA key → 400.
printf '{"name": "acme3", "ca_cert": "%s", "mldsa65_pub": "%s", "ecdsa_p384_pem": %s}' "$b64" \
    "$(base64 -w0 "$tmp/ok/mldsa65.pub")" \
    "$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$tmp/ok/ecdsa-p384.pub")" \
    >"$tmp/v3.json"
ctype=application/json body=$tmp/v3.json expect 201 operator POST /api/v1/vendors
printf '{"name": "acme4", "ca_cert": "%s", "mldsa65_pub": "aGVsbG8="}' "$b64" >"$tmp/v4.json"
ctype=application/json body=$tmp/v4.json expect 400 operator POST /api/v1/vendors
if [ "$BACKEND" = pg ]; then
    # The database server crashes (immediate shutdown) and restarts under the running NMS:
    # the request that meets the dead connection may fail (500; a statement is never
    # replayed), the NMS re-opens the connection before the next one and answers from the
    # same data.
    expect 200 readonly GET /metrics
    before=$(grep '^qtpm_nms_rows' "$tmp/out")
    sh "$(dirname "$0")/../store/pg-cluster.sh" --crash-restart || fail "database restart"
    got=$(req readonly GET /api/v1/routers)
    [ "$got" = 200 ] || [ "$got" = 500 ] || fail "first request after the restart: $got"
    expect 200 readonly GET /metrics
    [ "$(grep "^qtpm_nms_rows" "$tmp/out")" = "$before" ] || fail "rows changed: $before / $(grep "^qtpm_nms_rows" "$tmp/out")"
    ctype=application/json body=$tmp/vendor.json expect 409 operator POST /api/v1/vendors
    kill -0 "$pid" || fail "server died after the database restart"
fi
# A clean stop, and no sanitizer report (in ASan/UBSan builds) in the server's log.
kill "$pid"
wait "$pid" || fail "qtpm-nms did not stop cleanly"
pid=
if grep -q "Sanitizer\|runtime error" "$tmp/log"; then fail "sanitizer report"; fi
echo "nms_api: ok"
