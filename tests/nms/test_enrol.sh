#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_enrol.sh — enrolment with a real TPM (ctest nms_enrol).
#
# qtpm-server (mssim) is the router's TPM; the test client manufactures its ECC P-256 EK
# with a certificate from a vendor CA, then enrols against qtpm-nms over HTTPS:
#   - before the vendor CA is imported: 403 ek-untrusted (untrusted vendor);
#   - after `vendor import`: 201 then 200, the AK certificate verifies against the
#     privacy CA and names the router; the router is listed as enrolled;
#   - the same EK with another (ML-DSA-44) AK: 409 until `router allow`, then 201/200;
#   - a credential made for the certified EK, activated with another EK: the TPM refuses
#     and the NMS answers the made-up credential with 403;
#   - TLS key certification (tls-key): 201 and a client certificate from the privacy CA,
#     403 for a replayed nonce, 400 for a key without the NMS's PolicyAuthorize;
#   - explicit attestation: evidence for a file in the vendor's digest list → good with a
#     PolicyAuthorize approval and, asked for, the next challenge; the same evidence
#     replayed → 403 nonce-invalid; then a file in no list, attested over that next
#     challenge (no /challenge) → unknown (reason unknown-file), its replay → 403; then a
#     listed path with other content, over /challenge again → bad (digest-mismatch);
#   - an EK certificate for another key than ek_pub (the TPM's RSA EK claimed): 403, one
#     level and chained;
#   - EK certificate chains: an EK certificate from an intermediate CA is refused without
#     ek_chain and accepted with it (vendor root → intermediate → EK); an intermediate of a
#     root nobody imported is refused with the reason (unable to get local issuer
#     certificate; self-signed certificate in certificate chain when the root is sent);
#   - the offline timer marks the silent router offline after two periods.
# Both servers are stopped by a trap on any exit. A fifth argument "pg" puts the NMS on the
# PostgreSQL database in $QTPM_TEST_PG (tests/store/pg-cluster.sh; ctest nms_enrol_pg).
set -eu
NMS=$1 SERVER=$2 CLIENT=$3 DL=$4 BACKEND=${5:-sqlite}
if [ "$BACKEND" = pg ] && [ -z "${QTPM_TEST_PG:-}" ]; then echo "SKIP: QTPM_TEST_PG not set"; exit 77; fi
tmp=$(mktemp -d)
tpm_pid= nms_pid=
. "$(dirname "$0")/../lib/servers.sh"
cleanup() {
    stop_servers $nms_pid $tpm_pid
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "== $f"; cat "$f"; } >&2; done
    exit 1
}
# Free port pairs come from tests/lib/freeport.py (found before any cd).
FREEPORT=$(cd "$(dirname "$0")/../lib" && pwd)/freeport.py
free_ports() {
    python3 "$FREEPORT"
}

tport=$(free_ports)
mkdir -p "$tmp/tpm"
"$SERVER" --mssim --host 127.0.0.1 --port "$tport" --state "$tmp/tpm" 2>"$tmp/tpm.log" &
tpm_pid=$!
wait_port "$tport" "$tpm_pid" && wait_port $((tport + 1)) "$tpm_pid" || fail "qtpm-server"
tcti="mssim:host=127.0.0.1,port=$tport"

"$NMS" init --dir "$tmp/nms" >/dev/null || fail "init"
nport=$(free_ports)
db="sqlite:$tmp/nms/nms.db"
[ "$BACKEND" = pg ] && db="postgresql:$QTPM_TEST_PG"
"$NMS" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$nport" --period 3 ${QTPM_TEST_NMS_FLAGS:-} \
    2>"$tmp/nms.log" &
nms_pid=$!
wait_port "$nport" "$nms_pid" || fail "qtpm-nms"
url="https://127.0.0.1:$nport"

"$CLIENT" manufacture "$tcti" "$tmp/vendor" "$tmp/vendor.pem" || fail "manufacture"

# Untrusted vendor: nothing imported yet.
out=$("$CLIENT" enrol "$tcti" "$url" "$tmp/nms" ecc) || fail "client: $out"
[ "$out" = "enrol=403 activate=0 router=-" ] || fail "untrusted vendor: $out"

# A different CA of the same name shape does not help either.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -subj "/CN=other" \
    -keyout "$tmp/o.key" -out "$tmp/o.pem" -days 1 2>/dev/null
"$NMS" --db "$db" vendor import --name other --ca "$tmp/o.pem" >/dev/null || fail "import other"
out=$("$CLIENT" enrol "$tcti" "$url" "$tmp/nms" ecc) || fail "client: $out"
[ "$out" = "enrol=403 activate=0 router=-" ] || fail "wrong vendor CA: $out"

"$DL" keygen --out-dir "$tmp/vk" >/dev/null || fail "keygen"
"$NMS" --db "$db" vendor import --name acme --ca "$tmp/vendor.pem" \
    --mldsa-pub "$tmp/vk/mldsa65.pub" --ecdsa-pub "$tmp/vk/ecdsa-p384.pub" >/dev/null \
    || fail "import"
out=$("$CLIENT" enrol "$tcti" "$url" "$tmp/nms" ecc) || fail "client: $out"
case $out in "enrol=201 activate=200 router=r-"*) ;; *) fail "good enrolment: $out" ;; esac
router=${out##*router=}
openssl x509 -inform DER -in "$tmp/nms/ak-$router.der" -out "$tmp/ak.pem" || fail "ak cert"
openssl verify -CAfile "$tmp/nms/privacy-ca.crt" "$tmp/ak.pem" >/dev/null || fail "ak chain"
openssl x509 -in "$tmp/ak.pem" -noout -subject | grep -q "CN = $router" || fail "ak subject"
"$NMS" --db "$db" router show "$router" --json | grep -q '"state":"enrolled"' || fail "state"
# The REST view with the read-only certificate: state and history.
curl -s --max-time 10 --cacert "$tmp/nms/operator-ca.crt" --cert "$tmp/nms/readonly.crt" \
    --key "$tmp/nms/readonly.key" "$url/api/v1/routers/$router" >"$tmp/router.json" \
    || fail "GET router"
grep -q '"state":"enrolled"' "$tmp/router.json" || fail "GET router: $(cat "$tmp/router.json")"
grep -q '"kind":"enrolled"' "$tmp/router.json" || fail "history: $(cat "$tmp/router.json")"

# The same AK again is fine (idempotent); a new AK is refused until allowed.
out=$("$CLIENT" enrol "$tcti" "$url" "$tmp/nms" mldsa) || fail "client: $out"
[ "$out" = "enrol=409 activate=0 router=-" ] || fail "re-enrolment not refused: $out"
"$NMS" --db "$db" router allow "$router" >/dev/null || fail "allow"
out=$("$CLIENT" enrol "$tcti" "$url" "$tmp/nms" mldsa) || fail "client: $out"
[ "$out" = "enrol=201 activate=200 router=$router" ] || fail "allowed re-enrolment: $out"
openssl x509 -inform DER -in "$tmp/nms/ak-$router.der" -noout -text 2>/dev/null \
    | grep -qi "ML-DSA-44\|2.16.840.1.101.3.4.3.17" || fail "ML-DSA AK certificate key"
# The permission is used up.
"$NMS" --db "$db" router show "$router" --json | grep -q '"allow_reenrol":false' \
    || fail "allow not reset"

# The vendor's certificate of the ECC EK, but ek_pub claims the TPM's RSA EK: 403.
out=$(ENROL_SHOW_ERROR=1 ENROL_WRONG_EK_PUB=1 "$CLIENT" enrol "$tcti" "$url" "$tmp/nms" ecc \
    2>"$tmp/err") || fail "client: $out"
[ "$out" = "enrol=403 activate=0 router=-" ] || fail "certificate for another EK: $out"
grep -q "error=ek-untrusted message=the EK certificate does not chain to an imported vendor CA or does not carry ek_pub" \
    "$tmp/err" || fail "wrong-EK reason: $(cat "$tmp/err")"

# Credential for a different EK: the TPM cannot activate it, a guess gets 403.
"$NMS" --db "$db" router allow "$router" >/dev/null || fail "allow"
out=$("$CLIENT" enrol "$tcti" "$url" "$tmp/nms" ecc wrong-ek) || fail "client: $out"
[ "$out" = "tpm-activate-wrong-ek=fail enrol=201 activate=403 router=-" ] \
    || fail "wrong EK: $out"

"$NMS" --db "$db" events | grep -q "enrol-failed" || fail "enrol-failed event"

# Implicit attestation: TLS key certification with the policy key from /activate; the
# nonce cannot be replayed; a key without PolicyAuthorize(NMS key, router id) is refused.
"$NMS" --db "$db" router allow "$router" >/dev/null || fail "allow"
out=$("$CLIENT" enrol "$tcti" "$url" "$tmp/nms" ecc tls) || fail "client: $out"
[ "$out" = "tls=201 replay=403 nopolicy=400 enrol=201 activate=200 router=$router" ] \
    || fail "tls-key: $out"
openssl x509 -inform DER -in "$tmp/nms/tls-$router.der" -out "$tmp/tls.pem" || fail "tls cert"
openssl verify -CAfile "$tmp/nms/privacy-ca.crt" -purpose sslclient "$tmp/tls.pem" >/dev/null \
    || fail "tls chain"
openssl x509 -in "$tmp/tls.pem" -noout -subject | grep -q "OU = router, CN = $router" \
    || fail "tls subject: $(openssl x509 -in "$tmp/tls.pem" -noout -subject)"
"$NMS" --db "$db" events | grep -q "tls certificate" || fail "tls certificate event"
# Explicit attestation: a digest list naming content "hello"; a measurement of it → good
# with an approval; then a file in no list → unknown.
mkdir -p "$tmp/root/bin" && printf 'hello' >"$tmp/root/bin/app"
"$DL" build --vendor acme --image img --version 1 --root "$tmp/root" \
    --mldsa-key "$tmp/vk/mldsa65.key" --ecdsa-key "$tmp/vk/ecdsa-p384.key" \
    -o "$tmp/l1.qdl" >/dev/null || fail "build list"
"$NMS" --db "$db" digestlist add "$tmp/l1.qdl" >/dev/null || fail "digestlist add"
"$NMS" --db "$db" router allow "$router" >/dev/null || fail "allow"
out=$("$CLIENT" enrol "$tcti" "$url" "$tmp/nms" ecc attest) || fail "client: $out"
want="attest1=200:good:approval:next:replay=403:nonce-invalid"
want="$want attest2=200:unknown:unknown-file:no-next:replay=403:nonce-invalid"
want="$want attest3=200:bad:digest-mismatch:no-next enrol=201 activate=200 router=$router"
[ "$out" = "$want" ] || fail "evidence: $out"
"$NMS" --db "$db" router show "$router" --json >"$tmp/show.json"
grep -q '"state":"bad"' "$tmp/show.json" || fail "state after a contradicting digest"
grep -q '"code":"digest-mismatch"' "$tmp/show.json" || fail "reasons: $(cat "$tmp/show.json")"
grep -q '"path":"/bin/app"' "$tmp/show.json" || fail "reason path: $(cat "$tmp/show.json")"
"$NMS" --db "$db" events | grep -q "verdict *unknown" || fail "unknown verdict event"
# The stored measurement list holds each verified entry once (each attestation stored only
# its new entry, the replayed evidence nothing): indices 0, 1, 2 of one boot.
"$NMS" --db "$db" router log "$router" >"$tmp/log.txt" || fail "router log"
awk '{print $1, $NF}' "$tmp/log.txt" | tr '\n' ';' >"$tmp/log.short"
[ "$(cat "$tmp/log.short")" = "# 1;0 /bin/app;1 /bin/new;2 /bin/app;" ] \
    || fail "stored list: $(cat "$tmp/log.txt")"

# EK certificate chains: vendor root → intermediate → EK certificate. The TPM's EK is
# re-certified by an intermediate CA signed by a root the operator imports; without the
# intermediate in ek_chain the enrolment is refused, with it accepted. An intermediate
# from a root nobody imported is refused with OpenSSL's reason.
mkchain() { # DIR ROOT_NAME: DIR/root.pem, DIR/ca-key.pem + DIR/ca-cert.pem (intermediate)
    mkdir -p "$1"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -subj "/CN=$2" \
        -keyout "$1/root.key" -out "$1/root.pem" -days 2 \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        2>/dev/null || fail "root $2"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1/ca-key.pem" \
        2>/dev/null || fail "intermediate key"
    chmod 600 "$1/ca-key.pem"
    openssl req -new -key "$1/ca-key.pem" -subj "/CN=$2 intermediate" -out "$1/i.csr" \
        2>/dev/null || fail "csr"
    printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' \
        >"$1/ext"
    openssl x509 -req -in "$1/i.csr" -CA "$1/root.pem" -CAkey "$1/root.key" -CAcreateserial \
        -days 2 -extfile "$1/ext" -out "$1/ca-cert.pem" 2>/dev/null || fail "intermediate cert"
}
mkchain "$tmp/chain" "acme root"
"$NMS" --db "$db" vendor import --name acme-root --ca "$tmp/chain/root.pem" >/dev/null \
    || fail "import acme-root"
"$CLIENT" ekcert "$tcti" "$tmp/chain" "$tmp/chain/ek.der" || fail "EK certificate (chain)"
export ENROL_EK_CERT="$tmp/chain/ek.der"
"$NMS" --db "$db" router allow "$router" >/dev/null || fail "allow"
out=$(ENROL_SHOW_ERROR=1 "$CLIENT" enrol "$tcti" "$url" "$tmp/nms" ecc 2>"$tmp/err") \
    || fail "client: $out"
[ "$out" = "enrol=403 activate=0 router=-" ] || fail "EK from an intermediate, no chain: $out"
grep -q "error=ek-untrusted" "$tmp/err" || fail "no-chain reason: $(cat "$tmp/err")"
out=$(ENROL_EK_CHAIN="$tmp/chain/ca-cert.pem" "$CLIENT" enrol "$tcti" "$url" "$tmp/nms" ecc) \
    || fail "client: $out"
[ "$out" = "enrol=201 activate=200 router=$router" ] || fail "2-level chain refused: $out"
"$NMS" --db "$db" router show "$router" --json | grep -q '"state":"enrolled"' \
    || fail "state after the chained enrolment"
# A good chain, but ek_pub is another key than the certificate's (the TPM's RSA EK).
"$NMS" --db "$db" router allow "$router" >/dev/null || fail "allow"
out=$(ENROL_SHOW_ERROR=1 ENROL_WRONG_EK_PUB=1 ENROL_EK_CHAIN="$tmp/chain/ca-cert.pem" \
    "$CLIENT" enrol "$tcti" "$url" "$tmp/nms" ecc 2>"$tmp/err") || fail "client: $out"
[ "$out" = "enrol=403 activate=0 router=-" ] || fail "chained cert for another EK: $out"
grep -q "error=ek-untrusted message=the EK certificate does not carry ek_pub" "$tmp/err" \
    || fail "chained wrong-EK reason: $(cat "$tmp/err")"
mkchain "$tmp/rogue" "rogue root"
"$CLIENT" ekcert "$tcti" "$tmp/rogue" "$tmp/rogue/ek.der" || fail "EK certificate (rogue)"
export ENROL_EK_CERT="$tmp/rogue/ek.der"
"$NMS" --db "$db" router allow "$router" >/dev/null || fail "allow"
out=$(ENROL_SHOW_ERROR=1 ENROL_EK_CHAIN="$tmp/rogue/ca-cert.pem" "$CLIENT" enrol "$tcti" "$url" \
    "$tmp/nms" ecc 2>"$tmp/err") || fail "client: $out"
[ "$out" = "enrol=403 activate=0 router=-" ] || fail "chain to an untrusted root: $out"
grep -q "error=ek-untrusted message=the EK certificate's chain does not lead to an imported vendor CA: unable to get local issuer certificate" \
    "$tmp/err" || fail "untrusted root reason: $(cat "$tmp/err")"
# The rogue root's whole chain sent (intermediate and root): still refused, now because
# the path ends in a self-signed certificate nobody imported.
cat "$tmp/rogue/ca-cert.pem" "$tmp/rogue/root.pem" >"$tmp/rogue/both.pem"
out=$(ENROL_SHOW_ERROR=1 ENROL_EK_CHAIN="$tmp/rogue/both.pem" "$CLIENT" enrol "$tcti" "$url" \
    "$tmp/nms" ecc 2>"$tmp/err") || fail "client: $out"
[ "$out" = "enrol=403 activate=0 router=-" ] || fail "rogue chain with its root: $out"
grep -q "error=ek-untrusted message=the EK certificate's chain does not lead to an imported vendor CA: self.signed certificate in certificate chain" \
    "$tmp/err" || fail "rogue root reason: $(cat "$tmp/err")"
unset ENROL_EK_CERT

# Offline timer (--period 3): no heartbeat for two periods → offline, with an event.
i=0
until "$NMS" --db "$db" router show "$router" --json | grep -q '"state":"offline"'; do
    i=$((i + 1))
    [ $i -lt 40 ] || fail "router not marked offline"
    sleep 0.5
done
"$NMS" --db "$db" events --json | grep -q '"kind":"offline"' || fail "offline event"
kill -0 "$nms_pid" || fail "nms died"
# A clean stop, and no sanitizer report (in ASan/UBSan builds) in the server's log.
kill "$nms_pid"
wait "$nms_pid" || fail "qtpm-nms did not stop cleanly"
nms_pid=
if grep -q "Sanitizer\|runtime error" "$tmp/nms.log"; then fail "sanitizer report"; fi
echo "nms_enrol: ok"
