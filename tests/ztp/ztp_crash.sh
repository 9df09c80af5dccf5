#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# ztp_crash.sh BUILD [KILLS] — a router that loses power in the middle of its zero-touch
# provisioning (ctest ztp_crash; docs/ZTP.md "Crash safety"). KILLS times (default 50) a
# factory-fresh router starts `qtpm-agent bootstrap`, which is killed (SIGKILL) after a
# random delay within the length of one bootstrap; the TPM is power-cycled (_TPM_Init +
# Startup: PCRs reset, as at a power loss). Then the router must be in one of two states:
#
#   not provisioned  CONF names no NMS; the next bootstrap must complete (trusted, the sent
#                    configuration sealed and verified), whatever the killed one left;
#   provisioned      CONF names the NMS and every file of the provisioned state is there
#                    and whole: the AK, TLS and binding keys, router id, HMAC key, manifest
#                    (config-verify passes), the NMS's CA; a second bootstrap is refused.
#
# Anything else (CONF with the NMS but a file missing, a retry that fails) fails the test.
# What a SIGKILL cannot show: the page cache survives it, so this checks the order of the
# writes and the commit point, not that the fsyncs reach the disk (docs/ZTP.md argues that).
# Between two routers the operator allows re-enrolment of the EK (qtpm-nms router allow):
# the same TPM plays every new router. Every wait is bounded.
set -eu
build=$1 kills=${2:-50}
nms=$build/src/nms/qtpm-nms agent=$build/src/agent/qtpm-agent ztp=$build/src/ztp/qtpm-ztp
dl=$build/src/attest/qtpm-digestlist server=$build/src/server/qtpm-server
mfg=$build/src/manufacture/qtpm-manufacture qtpm=$build/src/cli/qtpm
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-ztpcrash.XXXXXX")
tpm_pid= nms_pid= ztp_pid= boot_pid=
. "$(dirname "$0")/../lib/servers.sh"
. "$(dirname "$0")/owner.sh"
FREEPORT=$(cd "$(dirname "$0")/../lib" && pwd)/freeport.py
cleanup() {
    [ -z "$boot_pid" ] || kill -9 "$boot_pid" 2>/dev/null || true
    stop_servers $ztp_pid $nms_pid $tpm_pid
    [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*.log "$tmp"/out "$tmp"/out.killed; do
        [ -f "$f" ] && { echo "== $f"; tail -20 "$f"; } >&2
    done
    exit 1
}

# --- vendor, owner, NMS, bootstrap server (as tests/ztp/ztp_story.sh)
tport=$(python3 "$FREEPORT")
mkdir -p "$tmp/tpm"
"$server" --mssim --host 127.0.0.1 --port "$tport" --state "$tmp/tpm" 2>"$tmp/tpm.log" &
tpm_pid=$!
tcti="mssim:host=127.0.0.1,port=$tport"
wait_port "$tport" "$tpm_pid" && wait_port $((tport + 1)) "$tpm_pid" || fail "qtpm-server"
"$qtpm" -T "$tcti" startup -c >/dev/null || fail "startup"
"$mfg" --tcti "$tcti" --ca-dir "$tmp/ek-ca" --alg eccp256 >/dev/null || fail "manufacture"
"$ztp" vendor-init --dir "$tmp/vendor" >/dev/null || fail "vendor-init"
mkdir -p "$tmp/all" "$tmp/image/bin"
for f in a b c d e; do printf 'binary %s\n' "$f" >"$tmp/all/$f"; cp "$tmp/all/$f" "$tmp/image/bin/"; done
printf 'router ospf\n network 10.0.0.0/8 area 0\n' >"$tmp/frr.conf"
cp "$tmp/frr.conf" "$tmp/all/frr.conf"
"$dl" keygen --out-dir "$tmp/vk" >/dev/null || fail "keygen"
"$dl" build --vendor acme --image os --version 1 --root "$tmp/all" --prefix /bin/ \
    --mldsa-key "$tmp/vk/mldsa65.key" --ecdsa-key "$tmp/vk/ecdsa-p384.key" \
    -o "$tmp/list.qdl" >/dev/null || fail "digest list"
ztp_owner_up 30

cat >"$tmp/agent.conf.factory" <<CONF
tcti = $tcti
state_dir = $tmp/agent
hostname = r1
measure_root = $tmp/root
ima_source = own
ak = mldsa65
period = 30
CONF
cp "$tmp/agent.conf.factory" "$tmp/agent.conf"
serial=$("$agent" serial -c "$tmp/agent.conf") || fail "serial"
"$ztp" voucher --vendor-dir "$tmp/vendor" --serial "$serial" \
    --owner-cert "$tmp/owner/owner-cert.pem" --out "$tmp/v" >/dev/null || fail "voucher"
"$ztp" onboard --owner-dir "$tmp/owner" --voucher "$tmp/v" --device-dir "$tmp/bs/devices/$serial" \
    --nms "https://127.0.0.1:$nport" --nms-ca "$tmp/nms/operator-ca.crt" \
    --image-root "$tmp/image" --file /bin/frr.conf="$tmp/frr.conf" >/dev/null || fail "onboard"

power_cycle() { # _TPM_Init (mssim POWER_OFF/ON, NV_ON), then Startup(CLEAR)
    python3 - "$tport" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]) + 1), 5)
for c in (2, 1, 11):
    s.sendall(struct.pack(">I", c))
    got = b""
    while len(got) < 4:
        r = s.recv(4 - len(got))
        if not r:
            sys.exit("power_cycle: connection closed")
        got += r
PY
    "$qtpm" -T "$tcti" startup -c >/dev/null || fail "startup after power cycle"
}
factory_reset() { # a new router: the factory image, no agent state, CONF without an NMS
    rm -rf "$tmp/agent" "$tmp/root"
    mkdir -p "$tmp/agent" "$tmp/root"
    cp -r "$tmp/image/bin" "$tmp/root/"
    cp "$tmp/agent.conf.factory" "$tmp/agent.conf"
    # A new TPM: switched off in order, and no dictionary-attack failures. (Each power
    # loss after a DA-protected use counts as one failure, Part 1 §19.8.6; the TPM of one
    # router would lose power this way only once per test round.)
    "$qtpm" -T "$tcti" shutdown -c >/dev/null || fail "shutdown"
    power_cycle
    "$qtpm" -T "$tcti" dictionarylockout -c >/dev/null || fail "dictionarylockout -c"
}
bootstrap_cmd() {
    exec "$agent" bootstrap -c "$tmp/agent.conf" --ztp-url "https://127.0.0.1:$zport" \
        --vendor-ca "$tmp/vendor/ca-cert.pem" --vendor-mldsa "$tmp/vendor/mldsa65.pub"
}
provisioned() { grep -q '^nms = ' "$tmp/agent.conf"; }
check_whole() { # WHAT: the provisioned state is all there
    for f in router.id ak.pub ak.priv ak.crt tls.crt tls.pub tls.priv bind.pub bind.priv \
        policy.pub hmac.pub hmac.priv config.manifest nms-ca.pem approval.json; do
        [ -s "$tmp/agent/$f" ] || fail "$1: provisioned but $f is missing or empty"
    done
    ! ls "$tmp/agent/"*.tmp >/dev/null 2>&1 || fail "$1: provisioned with a .tmp file left"
    cmp -s "$tmp/root/bin/frr.conf" "$tmp/frr.conf" || fail "$1: frr.conf not the sent one"
    "$agent" config-verify -c "$tmp/agent.conf" >"$tmp/out" 2>&1 ||
        fail "$1: the sent configuration does not verify"
}
allow_next() { # the operator lets the next "new router" (the same TPM) enrol again
    id=$(cat "$tmp/agent/router.id")
    "$nms" --db "$db" router allow "$id" >/dev/null || fail "router allow $id"
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# One uninterrupted bootstrap: how long one takes bounds the kill delays.
factory_reset
t0=$(now_ms)
( bootstrap_cmd ) >"$tmp/out" 2>&1 || fail "the uninterrupted bootstrap"
span=$(( $(now_ms) - t0 + 20 ))
grep -q "zero-touch provisioning complete, trusted" "$tmp/out" || fail "not trusted"
check_whole "uninterrupted"
allow_next
echo "ok: one bootstrap takes $((span - 20)) ms; killing $kills bootstraps within $span ms"

before=0 after=0 i=1
while [ "$i" -le "$kills" ]; do
    factory_reset
    delay=$(python3 -c "import random; print('%.3f' % (random.uniform(0, $span) / 1000))")
    ( bootstrap_cmd ) >"$tmp/out.killed" 2>&1 &
    boot_pid=$!
    sleep "$delay"
    kill -9 "$boot_pid" 2>/dev/null || true
    wait "$boot_pid" 2>/dev/null || true
    boot_pid=
    power_cycle
    if provisioned; then
        after=$((after + 1))
        check_whole "kill $i after ${delay}s (committed)"
        if ( bootstrap_cmd ) >"$tmp/out" 2>&1; then fail "kill $i: a second bootstrap accepted"; fi
        grep -q "first boot" "$tmp/out" || fail "kill $i: second bootstrap refused for a wrong reason"
    else
        before=$((before + 1))
        ( bootstrap_cmd ) >"$tmp/out" 2>&1 || fail "kill $i after ${delay}s: the next bootstrap failed"
        grep -q "zero-touch provisioning complete, trusted" "$tmp/out" ||
            fail "kill $i: the next bootstrap is not trusted"
        provisioned || fail "kill $i: the next bootstrap left CONF without the NMS"
        check_whole "kill $i, then a bootstrap"
    fi
    allow_next
    i=$((i + 1))
done
echo "ok: $kills bootstraps killed: $before before the commit (the next bootstrap completed," \
     "trusted), $after after it (whole provisioned state, a second bootstrap refused)"
echo "ztp_crash: all cases passed"
