#!/bin/bash
# api.sh — nms_api: the REST API's input checks and roles (docs/NMS.md) against a real
# qtpm-nms daemon over TLS, driven by the curl CLI (OpenSSL flavour) with the operator and
# read-only client certificates made by `qtpm-nms init`. Every rejection is checked for its
# exact status and error code, and the server must still answer afterwards. Also exercises
# the admin CLI on the same store (vendor import, router list, events, --json, bad input).
# Usage: api.sh QTPM_NMS_BINARY
set -u
nms=$1
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail=0
check() { # NAME EXPECTED GOT
    if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected '$2', got '$3'"; fail=1; fi
}
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
"$nms" init --dir "$tmp/d" >/dev/null || { echo "init failed"; exit 1; }
check "init refuses to overwrite" 1 "$("$nms" init --dir "$tmp/d" >/dev/null 2>&1; echo $?)"
check "keys are 0600" 600 "$(stat -c %a "$tmp/d/privacy-ca.key")"
started=0
for attempt in 1 2 3 4 5; do
    port=$(free_port)
    "$nms" serve --dir "$tmp/d" --listen 127.0.0.1:$port 2>"$tmp/log" & pid=$!
    for _ in $(seq 1 50); do
        if python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()' $port 2>/dev/null; then started=1; break; fi
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
    done
    [ $started = 1 ] && break
    kill $pid 2>/dev/null; wait $pid 2>/dev/null; pid=
done
[ $started = 1 ] || { echo "server did not start"; cat "$tmp/log"; exit 1; }
url=https://127.0.0.1:$port
D=$tmp/d
op=(--cacert $D/operator-ca.crt --cert $D/operator.crt --key $D/operator.key)
ro=(--cacert $D/operator-ca.crt --cert $D/readonly.crt --key $D/readonly.key)
an=(--cacert $D/operator-ca.crt)
# req NAME EXPECTED_STATUS EXPECTED_ERROR CURL_ARGS...
req() {
    local name=$1 status=$2 err=$3; shift 3
    local got
    got=$(curl -s --max-time 10 -o "$tmp/body" -w '%{http_code}' "$@")
    check "$name (status)" "$status" "$got"
    if [ "$err" != - ]; then
        check "$name (error)" "$err" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("error",""))' "$tmp/body" 2>/dev/null)"
    fi
}
alive() { req "server still answers after $1" 200 - "${op[@]}" $url/api/v1/routers; }
J=(-H 'Content-Type: application/json')

req "operator lists routers" 200 - "${op[@]}" $url/api/v1/routers
req "read-only lists routers" 200 - "${ro[@]}" $url/api/v1/routers
req "anonymous lists routers" 401 unauthenticated "${an[@]}" $url/api/v1/routers
alive "401"
req "read-only may not POST" 403 forbidden "${ro[@]}" -X POST "${J[@]}" -d '{}' $url/api/v1/routers/r1/allow
req "read-only may not import vendor" 403 forbidden "${ro[@]}" -X POST "${J[@]}" -d '{}' $url/api/v1/vendors
req "anonymous may not import vendor" 401 unauthenticated "${an[@]}" -X POST "${J[@]}" -d '{}' $url/api/v1/vendors
req "anonymous metrics" 401 unauthenticated "${an[@]}" $url/metrics
alive "403"
req "unknown route" 404 not-found "${op[@]}" $url/api/v1/nothing
req "unknown route under routers" 404 not-found "${op[@]}" $url/api/v1/routers/r1/frobnicate
req "bad router id" 404 not-found "${op[@]}" "$url/api/v1/routers/a%20b"
req "wrong method" 405 method-not-allowed "${op[@]}" -X DELETE $url/api/v1/routers
req "GET on a POST route" 405 method-not-allowed "${op[@]}" $url/api/v1/enrol
alive "404/405"
req "no content type" 415 unsupported-media-type "${op[@]}" -X POST -H 'Content-Type:' -d '{}' $url/api/v1/vendors
req "text/plain" 415 unsupported-media-type "${op[@]}" -X POST -H 'Content-Type: text/plain' -d '{}' $url/api/v1/vendors
req "application/jsonx" 415 unsupported-media-type "${op[@]}" -X POST -H 'Content-Type: application/jsonx' -d '{}' $url/api/v1/vendors
req "charset parameter accepted" 400 bad-request "${op[@]}" -X POST -H 'Content-Type: application/json; charset=utf-8' -d '{}' $url/api/v1/vendors
alive "415"
req "malformed JSON" 400 bad-json "${op[@]}" -X POST "${J[@]}" -d '{"name": ' $url/api/v1/vendors
req "JSON array, not object" 400 bad-json "${op[@]}" -X POST "${J[@]}" -d '[1,2]' $url/api/v1/vendors
req "duplicate keys" 400 bad-json "${op[@]}" -X POST "${J[@]}" -d '{"a":1,"a":2}' $url/api/v1/vendors
req "empty body" 400 bad-json "${op[@]}" -X POST "${J[@]}" -d '' $url/api/v1/vendors
req "bad base64 certificate" 400 bad-certificate "${op[@]}" -X POST "${J[@]}" -d '{"name":"v","ca_cert":"!!!!"}' $url/api/v1/vendors
alive "400"
head -c $((4*1024*1024 + 10)) /dev/zero | tr '\0' 'a' > "$tmp/big"
req "oversized body" 413 - "${op[@]}" -X POST "${J[@]}" --data-binary @"$tmp/big" $url/api/v1/vendors
alive "413"
# A client certificate from a CA the NMS does not know: the TLS handshake fails.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/OU=operator/CN=evil" \
    -keyout "$tmp/evil.key" -out "$tmp/evil.crt" -days 1 2>/dev/null
got=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' --cacert $D/operator-ca.crt --cert "$tmp/evil.crt" --key "$tmp/evil.key" $url/api/v1/routers)
check "certificate from an unknown CA refused at TLS" 000 "$got"
alive "a bad certificate"
req "challenge for unknown router" 404 not-found "${an[@]}" -X POST "${J[@]}" -d '{}' $url/api/v1/routers/nope/challenge
req "metrics for read-only" 200 - "${ro[@]}" $url/metrics
grep -q '^qtpm_nms_requests_total [0-9]' "$tmp/body" || { echo "FAIL metrics text"; fail=1; }
# Vendor import over the API, then a conflict.
b64=$(openssl x509 -in $D/privacy-ca.crt -outform DER | base64 -w0)
req "vendor import" 201 - "${op[@]}" -X POST "${J[@]}" -d "{\"name\":\"acme\",\"ca_cert\":\"$b64\"}" $url/api/v1/vendors
req "vendor import twice" 409 conflict "${op[@]}" -X POST "${J[@]}" -d "{\"name\":\"acme\",\"ca_cert\":\"$b64\"}" $url/api/v1/vendors
req "events" 200 - "${ro[@]}" "$url/api/v1/events?since=0"
grep -q vendor-import "$tmp/body" || { echo "FAIL events lacks vendor-import"; fail=1; }
req "events bad since" 400 bad-request "${ro[@]}" "$url/api/v1/events?since=x"
# Admin CLI on the same store.
db=sqlite:$D/nms.db
check "cli router list --json" '[]' "$("$nms" --db $db router list --json)"
check "cli router show unknown exits 1" 1 "$("$nms" --db $db router show nope >/dev/null 2>&1; echo $?)"
check "cli vendor import missing file exits non-zero" 1 "$("$nms" --db $db vendor import --name x --ca /nonexistent >/dev/null 2>&1; echo $?)"
check "cli unknown command exits 2" 2 "$("$nms" --db $db frobnicate >/dev/null 2>&1; echo $?)"
"$nms" --db $db events --json | grep -q vendor-import || { echo "FAIL cli events"; fail=1; }
alive "everything"
exit $fail
