#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# ztp_story.sh BUILD [qtpm|swtpm] — secure zero-touch provisioning end to end (ctest
# ztp_story_qtpm, ztp_story_swtpm; docs/ZTP.md). The vendor (qtpm-manufacture, qtpm-ztp
# vendor-init) ships a router whose only trust anchors are its voucher CA and ML-DSA-65 key;
# the owner (qtpm-ztp owner-init, onboard) puts its signed onboarding information on an
# untrusted bootstrap server (qtpm-ztp serve); the router (qtpm-agent bootstrap) must
#
#   refuse  a voucher for another router, an expired voucher, a revoked voucher, a voucher
#           from another vendor, a voucher conveyed without the vendor's CRL, a voucher whose
#           ML-DSA-65 signature was replaced, a tampered onboarding information (CMS byte
#           flipped; ML-DSA-65 signature replaced), and a
#           router changed before enrolment (its measured image is not the signed one:
#           it never enrols);
#   accept  the right data: enrolled, attested good, mutual TLS up ("trusted");
#   and a router changed after enrolment loses its TLS channel (the TPM refuses to sign).
# The bootstrap server answers bad requests with 4xx and stays up. Every server is stopped
# by a trap; every wait is bounded.
set -eu
build=$1 tpm=${2:-qtpm}
nms=$build/src/nms/qtpm-nms agent=$build/src/agent/qtpm-agent ztp=$build/src/ztp/qtpm-ztp
dl=$build/src/attest/qtpm-digestlist server=$build/src/server/qtpm-server
mfg=$build/src/manufacture/qtpm-manufacture qtpm=$build/src/cli/qtpm
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-ztp.XXXXXX")
tpm_pid= nms_pid= ztp_pid= ztp2_pid=
. "$(dirname "$0")/../lib/servers.sh"
. "$(dirname "$0")/owner.sh"
FREEPORT=$(cd "$(dirname "$0")/../lib" && pwd)/freeport.py
cleanup() {
    stop_servers $ztp_pid $ztp2_pid $nms_pid $tpm_pid
    [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*.log "$tmp"/out; do [ -f "$f" ] && { echo "== $f"; cat "$f"; } >&2; done
    exit 1
}
ok() { echo "ok: $*"; }

# --- the vendor: a TPM with its EK certificate, the voucher CA, the image's digest list
tport=$(python3 "$FREEPORT")
mkdir -p "$tmp/tpm"
if [ "$tpm" = swtpm ]; then
    swtpm socket --tpm2 --tpmstate "dir=$tmp/tpm" --server "type=tcp,port=$tport" \
        --ctrl "type=tcp,port=$((tport + 1))" --flags not-need-init 2>"$tmp/tpm.log" &
    tcti="swtpm:host=127.0.0.1,port=$tport" ak=ecc
else
    "$server" --mssim --host 127.0.0.1 --port "$tport" --state "$tmp/tpm" 2>"$tmp/tpm.log" &
    tcti="mssim:host=127.0.0.1,port=$tport" ak=mldsa65
fi
tpm_pid=$!
wait_port "$tport" "$tpm_pid" && wait_port $((tport + 1)) "$tpm_pid" || fail "$tpm"
"$qtpm" -T "$tcti" startup -c >/dev/null || fail "startup"
"$mfg" --tcti "$tcti" --ca-dir "$tmp/ek-ca" --alg eccp256 >/dev/null || fail "manufacture"
"$ztp" vendor-init --dir "$tmp/vendor" >/dev/null || fail "vendor-init"
mkdir -p "$tmp/all" "$tmp/root/bin"
for f in a b c d e; do printf 'binary %s\n' "$f" >"$tmp/all/$f"; done
printf 'router ospf\n network 10.0.0.0/8 area 0\n' >"$tmp/all/frr.conf"
"$dl" keygen --out-dir "$tmp/vk" >/dev/null || fail "keygen"
"$dl" build --vendor acme --image os --version 1 --root "$tmp/all" --prefix /bin/ \
    --mldsa-key "$tmp/vk/mldsa65.key" --ecdsa-key "$tmp/vk/ecdsa-p384.key" \
    -o "$tmp/list.qdl" >/dev/null || fail "digest list"
mkdir -p "$tmp/image/bin"   # the factory image, as the vendor ships it and the owner knows it
for f in a b c d e; do cp "$tmp/all/$f" "$tmp/image/bin/$f"; cp "$tmp/all/$f" "$tmp/root/bin/$f"; done

# --- the owner: NMS, owner certificate, bootstrap server
ztp_owner_up 3

# --- the router: only tcti, state, image; no NMS
mkdir -p "$tmp/agent"
cat >"$tmp/agent.conf" <<CONF
tcti = $tcti
state_dir = $tmp/agent
hostname = r1
measure_root = $tmp/root
ima_source = own
ak = $ak
period = 3
CONF
serial=$("$agent" serial -c "$tmp/agent.conf") || fail "serial"
[ ${#serial} = 64 ] || fail "serial '$serial'"
ok "router serial (SHA-256 of its EK certificate) $serial"
dev=$tmp/bs/devices/$serial
# The owner signs the image the vendor shipped (a..e) plus the configuration it sends.
mv "$tmp/all/frr.conf" "$tmp/frr.conf"
onboard_ok() {
    "$ztp" onboard --owner-dir "$tmp/owner" --voucher "$1" --device-dir "$dev" \
        --nms "https://127.0.0.1:$nport" --nms-ca "$tmp/nms/operator-ca.crt" \
        --image-root "$tmp/image" --file /bin/frr.conf="$tmp/frr.conf" >/dev/null ||
        fail "onboard"
}
voucher() { # PREFIX SERIAL [ARGS]
    p=$1 s=$2
    shift 2
    "$ztp" voucher --vendor-dir "$tmp/vendor" --serial "$s" \
        --owner-cert "$tmp/owner/owner-cert.pem" --out "$p" "$@" >/dev/null || fail "voucher"
}
bootstrap() {
    "$agent" bootstrap -c "$tmp/agent.conf" --ztp-url "https://127.0.0.1:$zport" \
        --vendor-ca "$tmp/vendor/ca-cert.pem" --vendor-mldsa "$tmp/vendor/mldsa65.pub" \
        >"$tmp/out" 2>&1
}
refused() { # WHAT PATTERN
    if bootstrap; then fail "$1: bootstrap accepted"; fi
    grep -q "zero-touch provisioning REFUSED: .*$2" "$tmp/out" || fail "$1: not refused for $2"
    [ ! -f "$tmp/agent/router.id" ] || fail "$1: the router enrolled"
    ! grep -q '^nms' "$tmp/agent.conf" || fail "$1: the configuration got an NMS"
    ok "$1 refused: $(sed -n 's/.*REFUSED: //p' "$tmp/out" | head -1)"
}
power_cycle() { # _TPM_Init (mssim POWER_OFF/ON, NV_ON; swtpm CMD_INIT), then Startup(CLEAR)
    python3 - "$tport" "$tpm" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]) + 1), 5)
msgs = [struct.pack(">II", 2, 0)] if sys.argv[2] == "swtpm" else \
       [struct.pack(">I", c) for c in (2, 1, 11)]
for m in msgs:
    s.sendall(m)
    got = b""
    while len(got) < 4:
        c = s.recv(4 - len(got))
        if not c:
            sys.exit("power_cycle: connection closed")
        got += c
    if struct.unpack(">I", got)[0] != 0:
        sys.exit("power_cycle: refused")
PY
    "$qtpm" -T "$tcti" startup -c >/dev/null || fail "startup after power cycle"
}

# --- the bootstrap server refuses bad requests and stays up
url=https://127.0.0.1:$zport/restconf/operations/ietf-sztp-bootstrap-server
code() { curl -sk -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code -X POST "$url:get-bootstrapping-data")" = 401 ] || fail "no identity: not 401"
[ "$(code -u "$serial:" -X POST "$url:get-bootstrapping-data")" = 404 ] || fail "no data: not 404"
[ "$(code -u "$serial:" -d '{"x":1' "$url:get-bootstrapping-data")" = 400 ] || fail "bad JSON: not 400"
[ "$(code -u "../..:" -d '' "$url:get-bootstrapping-data")" = 401 ] || fail "path in serial: not 401"
[ "$(code -u "$serial:" -d '{"ietf-sztp-bootstrap-server:input":{"progress-type":"nope"}}' \
    "$url:report-progress")" = 400 ] || fail "bad progress-type: not 400"
ok "bootstrap server: 401 / 404 / 400 for bad requests"

# 1. a voucher for another router
voucher "$tmp/v-other" 0000000000000000000000000000000000000000000000000000000000000000
onboard_ok "$tmp/v-other"
refused "voucher for another router" "for another device"
# 2. an expired voucher
voucher "$tmp/v-old" "$serial" --created-on 2024-01-01T00:00:00Z --expires-on 2024-02-01T00:00:00Z
onboard_ok "$tmp/v-old"
refused "expired voucher" "expired"
# 3. a revoked voucher (the vendor revokes it; the bootstrap server conveys the new CRL)
voucher "$tmp/v-rev" "$serial"
onboard_ok "$tmp/v-rev"
"$ztp" revoke --vendor-dir "$tmp/vendor" --voucher "$tmp/v-rev.cms" >/dev/null || fail "revoke"
refused "revoked voucher" "certificate revoked"
# 3b. a voucher from another "vendor" (not the router's voucher CA), and a bootstrap server
#     that withholds the vendor's CRL
"$ztp" vendor-init --dir "$tmp/rogue" >/dev/null || fail "rogue vendor-init"
"$ztp" voucher --vendor-dir "$tmp/rogue" --serial "$serial" \
    --owner-cert "$tmp/owner/owner-cert.pem" --out "$tmp/v-rogue" >/dev/null || fail "voucher"
onboard_ok "$tmp/v-rogue"
refused "voucher from another vendor" "voucher signer: "
voucher "$tmp/v" "$serial"
onboard_ok "$tmp/v"
zport2=$(python3 "$FREEPORT")
"$ztp" serve --dir "$tmp/bs" --listen "127.0.0.1:$zport2" --cert "$tmp/bs-cert.pem" \
    --key "$tmp/bs-key.pem" 2>>"$tmp/ztp.log" &
ztp2_pid=$!
wait_port "$zport2" "$ztp2_pid" || fail "second bootstrap server"
zsave=$zport zport=$zport2
refused "voucher without the vendor's CRL" "unable to get certificate CRL"
zport=$zsave
stop_servers $ztp2_pid
ztp2_pid=
onboard_ok "$tmp/v"
head -c 3309 /dev/urandom >"$dev/ownership-voucher.mldsa"
refused "voucher's ML-DSA-65 signature replaced" "vendor's ML-DSA-65 signature does not verify"
# 4. tampered onboarding information: one byte of the signed JSON, then the ML-DSA signature
voucher "$tmp/v" "$serial"
onboard_ok "$tmp/v"
python3 - "$dev/conveyed-information.cms" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
i = b.find(b"\"os-version\"")
assert i > 0
b[i + 1] ^= 0x20                      # "os-version" -> "Os-version" inside the eContent
open(p, "wb").write(bytes(b))
PY
refused "tampered onboarding information (CMS)" "CMS signature does not verify"
onboard_ok "$tmp/v"
head -c 3309 /dev/urandom >"$dev/conveyed-information.mldsa"
refused "tampered onboarding information (ML-DSA-65)" "ML-DSA-65 signature does not verify"
# 5. a malicious operator changes the router before enrolment: /bin/c is not the signed image
onboard_ok "$tmp/v"
printf 'backdoor\n' >"$tmp/root/bin/c"
refused "router changed before enrolment" "measured image .* is not the boot image"
[ "$("$nms" --db "$db" router list --json 2>/dev/null | python3 -c 'import json,sys
print(len(json.load(sys.stdin)))' 2>/dev/null || echo 0)" = 0 ] || fail "the NMS knows the router"
grep -q "$serial boot-image-mismatch" "$tmp/bs/progress.log" || fail "mismatch not reported"

# 6. the right router, the right data: power on (a new boot), provisioned, trusted
cp "$tmp/all/c" "$tmp/root/bin/c"
power_cycle
bootstrap || fail "bootstrap of the untouched router"
cat "$tmp/out"
grep -q "zero-touch provisioning complete, trusted" "$tmp/out" || fail "not trusted"
grep -q "^nms = https://127.0.0.1:$nport" "$tmp/agent.conf" || fail "NMS not configured"
grep -q "$serial bootstrap-complete" "$tmp/bs/progress.log" || fail "completion not reported"
"$agent" config-verify -c "$tmp/agent.conf" >/dev/null 2>&1 || fail "sent configuration not sealed"
ok "untouched router provisioned by zero-touch provisioning: enrolled, good, mutual TLS up"
if bootstrap; then fail "a second bootstrap was accepted"; fi
grep -q "first boot" "$tmp/out" || fail "second bootstrap: wrong reason"

# 7. a malicious operator changes the router after enrolment: the TLS channel fails
printf 'backdoor\n' >"$tmp/root/bin/d"
rc=0
"$agent" attest-once -c "$tmp/agent.conf" >"$tmp/out" 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "changed router: attest-once exit $rc, expected 3"
grep -q "verdict bad" "$tmp/out" || fail "changed router not bad"
grep -q "mutual TLS with the TPM-resident key FAILED" "$tmp/out" || fail "TLS still works"
ok "router changed after enrolment: verdict bad, TLS connection refused by the TPM"
kill -0 "$ztp_pid" || fail "the bootstrap server died"
echo "ztp_story ($tpm): all cases passed"
