#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tls_tpmkeys.sh BUILD_DIR OUT_PREFIX [RUNS] — TLS 1.3 handshakes with software
# keys and with TPM-resident keys (qtpm-provider) on qtpm-server and on swtpm,
# in one run: starts both TPMs on loopback, makes RSA-2048 and P-256 keys in
# each (persistent) and in software, certifies them with a throw-away CA and
# runs qtpm-bench-tls-tpmkeys once per TPM (software cases in both runs,
# round-robin with the TPM ones). Writes OUT_PREFIX.json and OUT_PREFIX.md.
set -eu
B=$(cd "$1" && pwd)
OUT=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
RUNS=${3:-200}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/lib/servers.sh"
FREEPORT="$HERE/../tests/lib/freeport.py"
W=$(mktemp -d)
QPID=
SPID=
trap 'stop_servers $QPID $SPID; rm -rf "$W"' EXIT
cd "$W"
Q=$B/src/cli/qtpm
BENCH="$B/bench/qtpm-bench-tls-tpmkeys --module-dir $B/ossl-modules --runs $RUNS --warmup 5"
export OPENSSL_MODULES=$B/ossl-modules
unset OPENSSL_CONF

QPORT=$(python3 "$FREEPORT")
"$B/src/server/qtpm-server" --mssim --host 127.0.0.1 --port "$QPORT" --state "$W/q" >q.log 2>&1 &
QPID=$!
wait_port "$QPORT" $QPID
SPORT=$(python3 "$FREEPORT")
mkdir -p "$W/s"
swtpm socket --tpm2 --server type=tcp,port="$SPORT",bindaddr=127.0.0.1 \
    --ctrl type=tcp,port=$((SPORT + 1)),bindaddr=127.0.0.1 --tpmstate dir="$W/s" \
    --flags not-need-init,startup-clear >s.log 2>&1 &
SPID=$!
wait_port "$SPORT" $SPID

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
    -subj /CN=bench-ca -days 2 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout any.key -out any.csr \
    -subj /CN=localhost 2>/dev/null
cert() { openssl x509 -req -in any.csr -force_pubkey "$2" -CA ca.pem -CAkey ca.key \
    -CAcreateserial -out "$1" -days 2 2>/dev/null; }
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sw-rsa.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out sw-ec.key 2>/dev/null
for k in rsa ec; do
    openssl pkey -in sw-$k.key -pubout -out sw-$k.pub
    cert sw-$k.crt sw-$k.pub
done

for tpm in qtpm-server swtpm; do
    case $tpm in
    qtpm-server) export QTPM_TCTI="mssim:host=127.0.0.1,port=$QPORT"; "$Q" startup -c >/dev/null ;;
    swtpm) export QTPM_TCTI="swtpm:host=127.0.0.1,port=$SPORT" ;;
    esac
    mkdir -p "$tpm"
    "$Q" createprimary -c $tpm/p.ctx >/dev/null
    "$Q" create -C $tpm/p.ctx -G rsa2048 -c $tpm/r.ctx >/dev/null
    "$Q" evictcontrol -C o -c $tpm/r.ctx 0x81000011 >/dev/null
    "$Q" create -C $tpm/p.ctx -G ecc256 -c $tpm/e.ctx >/dev/null
    "$Q" evictcontrol -C o -c $tpm/e.ctx 0x81000012 >/dev/null
    openssl pkey -provider default -provider qtpm -in qtpm:handle:0x81000011 -pubout -out $tpm/r.pub
    openssl pkey -provider default -provider qtpm -in qtpm:handle:0x81000012 -pubout -out $tpm/e.pub
    cert $tpm/r.crt $tpm/r.pub
    cert $tpm/e.crt $tpm/e.pub
    $BENCH --tpm $tpm \
        --case "software RSA-2048,sw-rsa.key,sw-rsa.crt" \
        --case "TPM RSA-2048,qtpm:handle:0x81000011,$tpm/r.crt" \
        --case "software P-256,sw-ec.key,sw-ec.crt" \
        --case "TPM P-256,qtpm:handle:0x81000012,$tpm/e.crt" \
        --case "software P-256 mutual,sw-ec.key,sw-ec.crt,sw-ec.key,sw-ec.crt" \
        --case "TPM P-256 mutual,qtpm:handle:0x81000012,$tpm/e.crt,qtpm:handle:0x81000012,$tpm/e.crt" \
        >$tpm.json
done

python3 - "$OUT" "$RUNS" <<'PY'
import json, sys, time, os
out, runs = sys.argv[1], int(sys.argv[2])
res = {t: json.load(open(t + ".json")) for t in ("qtpm-server", "swtpm")}
load = open("/proc/loadavg").read().split()[:3]
doc = {"benchmark": "TLS 1.3 handshakes, software vs TPM-resident keys (qtpm-provider, issue 15)",
       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "unit": "microseconds",
       "runs": runs, "loadavg_after": " ".join(load),
       "setup": "client and server SSL objects in one thread over a UNIX socketpair, X25519, "
                "full handshakes, no tickets; the TPM over TCP on loopback (qtpm-server: mssim "
                "protocol; swtpm: its socket protocol), one connection kept open",
       "runs_per_tpm": res}
json.dump(doc, open(out + ".json", "w"), indent=2)
m = open(out + ".md", "w")
m.write("# TLS 1.3 handshakes: software keys vs keys in the TPM\n\n")
m.write("`bench/tls_tpmkeys.sh` → `qtpm-bench-tls-tpmkeys` (bench/bench_tls_tpmkeys.c, "
        "docs/PROVIDER.md), run %s, %s, %d timed handshakes per case after 5 warm-up rounds, "
        "cases round-robin. Client and server in one thread over a UNIX socketpair (both sides' "
        "CPU in every sample), group X25519, no tickets; TPM keys through qtpm-provider "
        "(`qtpm:handle:`), the TPM on loopback TCP. Load average after: %s.\n\n"
        % (doc["date"], res["swtpm"]["openssl"], runs, " ".join(load)))
m.write("| TPM run | case | median µs | p90 µs | min µs | handshakes/s | ÷ same key type in software (medians) |\n")
m.write("|---|---|--:|--:|--:|--:|--:|\n")
for t, r in res.items():
    cs = {c["case"]: c for c in r["cases"]}
    for c in r["cases"]:
        sw = cs.get(c["case"].replace("TPM", "software"))
        ratio = "%.2f" % (c["median_us"] / sw["median_us"]) if c["case"].startswith("TPM") and sw else "—"
        m.write("| %s | %s | %.0f | %.0f | %.0f | %.0f | %s |\n" % (t, c["case"], c["median_us"],
                c["p90_us"], c["min_us"], c["handshakes_per_s"], ratio))
q = {c["case"]: c for c in res["qtpm-server"]["cases"]}
s = {c["case"]: c for c in res["swtpm"]["cases"]}
m.write("\nqtpm-server ÷ swtpm (TPM cases, medians): " + ", ".join(
    "%s %.2f" % (k, q[k]["median_us"] / s[k]["median_us"]) for k in q if k.startswith("TPM")) + ".\n")
m.close()
PY
cat "$OUT.md"
