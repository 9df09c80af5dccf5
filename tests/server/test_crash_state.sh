#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_crash_state.sh — the state directory survives the server being killed
# (SIGKILL) at any moment, including in the middle of NV writes.
#
#   test_crash_state.sh QTPM_SERVER [ROUNDS]
#
# A counter NV index and a persistent key are made; then, round after round,
# a client increments the counter and creates/evicts a persistent object in a
# loop while the server is killed with SIGKILL after a random delay. After
# each kill a new server must start from the same directory, and the counter
# must read back as a value no smaller than the last one acknowledged to the
# client (monotonic: an acknowledged increment is never lost), the persistent
# key must still be there with the same Name, an ordinary NV index must hold
# the last value whose write was acknowledged (or the one in flight), and the
# dictionary-attack counter must be at least the number of TPM_RC_AUTH_FAIL
# answers the client received (a failure is never forgotten by a crash).
# Exit 0 pass, 1 fail, 77 skip.
set -u
SERVER=$1
ROUNDS=${2:-25}
for tool in tpm2_startup tpm2_nvincrement python3; do
    command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
done

WORK=$(mktemp -d /tmp/qtpm-crash-XXXXXX)
PID=
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Free port pairs come from tests/lib/freeport.py (found before any cd).
FREEPORT=$(cd "$(dirname "$0")/../lib" && pwd)/freeport.py
PORT=$(python3 "$FREEPORT"
)
export TPM2TOOLS_TCTI="mssim:host=127.0.0.1,port=$PORT"
fail() { echo "FAIL: $*"; exit 1; }

start_server() {
    "$SERVER" --mssim --host 127.0.0.1 --port "$PORT" --state "$WORK/state" \
        >>"$WORK/server.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 100); do
        python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()' \
            "$PORT" 2>/dev/null && break
        kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log"; fail "server did not start (round $1)"; }
        sleep 0.05
    done
    tpm2_startup -c >/dev/null 2>&1 || fail "TPM2_Startup after restart (round $1)"
}

counter() {
    tpm2_nvread 0x01500016 -C o -s 8 2>/dev/null | od -An -tx1 | tr -d ' \n'
}

start_server 0
tpm2_nvdefine 0x01500016 -C o -s 8 -a "nt=1|ownerread|ownerwrite" >/dev/null || fail "nvdefine"
tpm2_nvincrement 0x01500016 -C o >/dev/null || fail "first increment"
tpm2_createprimary -C o -c "$WORK/prim.ctx" >/dev/null || fail "createprimary"
tpm2_evictcontrol -C o -c "$WORK/prim.ctx" 0x81000001 >/dev/null || fail "evictcontrol"
tpm2_flushcontext -t >/dev/null 2>&1
name0=$(tpm2_readpublic -c 0x81000001 2>/dev/null | grep '^name:')
[ -n "$name0" ] || fail "persistent key not readable"
acked=$(counter)
tpm2_dictionarylockout -s -n 100000 -t 100000 -l 0 >/dev/null || fail "DA parameters"
tpm2_nvdefine 0x01500017 -C o -s 8 -a "authread|authwrite" -p pw >/dev/null || fail "nvdefine DA"
echo -n 00000000 | tpm2_nvwrite 0x01500017 -C 0x01500017 -P pw -i - >/dev/null || fail "nvwrite DA"
tpm2_nvdefine 0x01500018 -C o -s 8 -a "ownerread|ownerwrite" >/dev/null || fail "nvdefine data"
echo -n 00000000 | tpm2_nvwrite 0x01500018 -C o -i - >/dev/null || fail "nvwrite data"
echo 0 >"$WORK/written"
: >"$WORK/fails"
lockout_counter() {
    printf '%d' "$(tpm2_getcap properties-variable 2>/dev/null | grep '^TPM2_PT_LOCKOUT_COUNTER:' | grep -o '0x[0-9A-Fa-f]*')"
}

round=1
while [ "$round" -le "$ROUNDS" ]; do
    # a client busy with NV writes: it records each acknowledged counter value
    (
        n=$(cat "$WORK/written")
        while :; do
            tpm2_nvread 0x01500017 -P wrong -s 1 >/dev/null 2>"$WORK/err"
            grep -qi 'ErrorCode (0x0*98e)' "$WORK/err" && echo fail >>"$WORK/fails"
            n=$((n + 1))
            printf '%08d' "$n" | tpm2_nvwrite 0x01500018 -C o -i - >/dev/null 2>&1 || exit 0
            echo "$n" >"$WORK/written.new" && mv "$WORK/written.new" "$WORK/written"
            tpm2_nvincrement 0x01500016 -C o >/dev/null 2>&1 || exit 0
            v=$(counter); [ -n "$v" ] && echo "$v" >"$WORK/acked.new" && mv "$WORK/acked.new" "$WORK/acked"
            tpm2_evictcontrol -C o -c 0x81000002 >/dev/null 2>&1
            tpm2_createprimary -C o -G ecc -c "$WORK/p2.ctx" >/dev/null 2>&1 &&
                tpm2_evictcontrol -C o -c "$WORK/p2.ctx" 0x81000002 >/dev/null 2>&1
            tpm2_flushcontext -t >/dev/null 2>&1
        done
    ) &
    client=$!
    sleep "$(python3 -c 'import random; print("%.2f" % random.uniform(0.1, 1.2))')"
    kill -9 "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=
    wait "$client" 2>/dev/null
    [ -f "$WORK/acked" ] && acked=$(cat "$WORK/acked")

    start_server "$round"
    now=$(counter)
    [ -n "$now" ] || fail "counter unreadable after kill (round $round)"
    # big-endian hex of equal length compares as strings
    [ "$(printf '%s\n%s\n' "$acked" "$now" | sort | tail -1)" = "$now" ] ||
        fail "counter went back from $acked to $now (round $round)"
    w=$(cat "$WORK/written")
    data=$(tpm2_nvread 0x01500018 -C o -s 8 2>/dev/null)
    [ "$data" = "$(printf '%08d' "$w")" ] || [ "$data" = "$(printf '%08d' $((w + 1)))" ] ||
        fail "NV data is '$data', acknowledged $w (round $round)"
    expr "$data" + 0 >"$WORK/written"
    fails=$(wc -l <"$WORK/fails")
    da=$(lockout_counter)
    [ "$da" -ge "$fails" ] || fail "DA counter $da below the $fails acknowledged failures (round $round)"
    name=$(tpm2_readpublic -c 0x81000001 2>/dev/null | grep '^name:')
    [ "$name" = "$name0" ] || fail "persistent key lost or changed (round $round)"
    acked=$now
    round=$((round + 1))
done
echo "ok: $ROUNDS SIGKILLs during NV writes; state reloaded each time, counter $acked, NV data $(cat "$WORK/written"), DA counter $(lockout_counter) >= $(wc -l <"$WORK/fails") failures, persistent key intact"
