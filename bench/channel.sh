#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# bench/channel.sh BUILD [N] — the full management connection (docs/CHANNEL.md "Cost"):
# one router (qtpm-server, ML-DSA-65 AK, ML-DSA-44 binding key) and qtpm-nms
# (--allow-classic-tls, so the classic run can connect) on loopback. For each TLS group,
# N rounds, each two fresh connections in turn (tests/nms/channel_client bench):
#   unbound: TLS 1.3 handshake (the agent's TPM-resident ECDSA client key signs in the
#            TPM) + one request (answered 401 channel-unbound: the request is served,
#            the binding is not made) — a connection without channel binding;
#   bound:   the same handshake + POST /channel/bind (exporter, ML-DSA-44 signature in
#            the TPM under its policy session, NMS verification) + the request (200).
# Writes bench/results/channel.{json,md}; ratios bound/unbound and hybrid/X25519.
set -eu
build=$1 n=${2:-40}
here=$(cd "$(dirname "$0")" && pwd)
nms=$build/src/nms/qtpm-nms agent=$build/src/agent/qtpm-agent
dl=$build/src/attest/qtpm-digestlist server=$build/src/server/qtpm-server
mfg=$build/src/manufacture/qtpm-manufacture qtpm=$build/src/cli/qtpm
client=$build/tests/nms/channel_client
export OPENSSL_CONF=$build/qtpm-provider-test.cnf
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-benchchan.XXXXXX")
pids=""
. "$here/../tests/lib/servers.sh"
trap 'stop_servers $pids; rm -rf "$tmp"' EXIT
port() { python3 "$here/../tests/lib/freeport.py"; }
"$nms" init --dir "$tmp/nms" >/dev/null
db="sqlite:$tmp/nms/nms.db"
nport=$(port) tport=$(port)
"$nms" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$nport" --period 600 \
    --allow-classic-tls 2>"$tmp/nms.log" &
pids="$pids $!"
wait_port "$nport" $!
mkdir -p "$tmp/tpm" "$tmp/state" "$tmp/root/bin" "$tmp/all"
"$server" --mssim --host 127.0.0.1 --port "$tport" --state "$tmp/tpm" 2>/dev/null &
pids="$pids $!"
wait_port "$tport" $!
tcti="mssim:host=127.0.0.1,port=$tport"
"$qtpm" -T "$tcti" startup -c >/dev/null
"$mfg" --tcti "$tcti" --ca-dir "$tmp/vca" --alg eccp256 >/dev/null
printf 'binary a\n' >"$tmp/all/a"
cp "$tmp/all/a" "$tmp/root/bin/a"
"$dl" keygen --out-dir "$tmp/vk" >/dev/null
"$dl" build --vendor acme --image os --version 1 --root "$tmp/all" --prefix /bin/ \
    --mldsa-key "$tmp/vk/mldsa65.key" --ecdsa-key "$tmp/vk/ecdsa-p384.key" -o "$tmp/l.qdl" >/dev/null
"$nms" --db "$db" vendor import --name acme --ca "$tmp/vca/ca-cert.pem" \
    --mldsa-pub "$tmp/vk/mldsa65.pub" --ecdsa-pub "$tmp/vk/ecdsa-p384.pub" >/dev/null
"$nms" --db "$db" digestlist add "$tmp/l.qdl" >/dev/null
cat >"$tmp/a.conf" <<CONF
tcti = $tcti
nms = https://127.0.0.1:$nport
ca = $tmp/nms/operator-ca.crt
state_dir = $tmp/state
hostname = bench
measure_root = $tmp/root
ima_source = own
allow_classic_tls = yes
CONF
"$agent" enrol -c "$tmp/a.conf" >/dev/null 2>&1
"$agent" attest-once -c "$tmp/a.conf" >/dev/null 2>&1
out=$here/results/channel
: >"$tmp/rows"
for g in X25519 X25519MLKEM768 SecP256r1MLKEM768; do
    CHANNEL_GROUPS=$g "$client" "$tmp/a.conf" bench "$n" 2>/dev/null | tail -1 >>"$tmp/rows"
done
grep -c "CLASSIC" "$tmp/nms.log" >/dev/null || true
python3 - "$tmp/rows" "$out" "$n" <<'PY'
import json, sys, platform, subprocess
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
base = next(r for r in rows if r["groups"] == "X25519")
for r in rows:
    r["bound_vs_x25519_unbound"] = round(r["bound_request_median_us"] / base["unbound_request_median_us"], 3)
    r["bind_cost_us"] = r["bound_request_median_us"] - r["unbound_request_median_us"]
ossl = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
doc = {"what": "full management connection: fresh TLS 1.3 connection (TPM-resident ECDSA "
               "client key) + one request, without and with the ML-DSA-44 channel binding "
               "(TPM signature + NMS verification); medians of N rounds, same run",
       "n": int(sys.argv[3]), "openssl": ossl, "machine": platform.machine(), "rows": rows}
json.dump(doc, open(sys.argv[2] + ".json", "w"), indent=1)
with open(sys.argv[2] + ".md", "w") as f:
    f.write("# Management connection cost (bench/channel.sh)\n\n")
    f.write(f"{doc['what']}. {ossl}, N = {doc['n']}, qtpm-server on loopback.\n\n")
    f.write("| group | unbound (µs) | bound (µs) | handshake+bind (µs) | bind cost (µs) | bound/unbound | bound / X25519 unbound |\n|---|---|---|---|---|---|---|\n")
    for r in rows:
        f.write(f"| {r['groups']} | {r['unbound_request_median_us']:.0f} | {r['bound_request_median_us']:.0f} | "
                f"{r['handshake_plus_bind_median_us']:.0f} | {r['bind_cost_us']:.0f} | {r['ratio']:.2f} | {r['bound_vs_x25519_unbound']:.2f} |\n")
print(open(sys.argv[2] + ".md").read())
PY
