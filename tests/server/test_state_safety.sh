#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_state_safety.sh — TPM state safety and dictionary-attack semantics of
# qtpm-server (issue 8), each case also run against swtpm as the reference
# where it applies.
#
#   test_state_safety.sh SERVER CASE
#
# SERVER is the qtpm-server binary, or the word "swtpm" for the reference.
# CASE is one of:
#   corrupt   empty, random, truncated, wrong-magic, wrong-version and
#             single-byte-flipped state files are refused with the file's path
#             and the cause, and stay byte-for-byte unchanged (qtpm only)
#   fullfs    a full small tmpfs, the same tmpfs remounted read-only under
#             the running server, and a read-only directory: NV changes and
#             HierarchyChangeAuth are answered TPM_RC_NV_UNAVAILABLE, never
#             SUCCESS, memory stays what the disk holds, and nothing
#             acknowledged is lost across a restart (qtpm only). The
#             journal's space is taken in advance, so on a full disk or in a
#             read-only directory NV changes go on, durably, until the
#             journal (2 KiB here: 4 records) is full and the state file
#             cannot be rewritten; the case runs changes until then.
#   rmrace    --rm on a directory another server holds fails and removes
#             nothing (qtpm only)
#   idle      70 silent and one stalled connection never keep tpm2-tools out;
#             --idle-timeout drops silent clients; --max-per-peer (qtpm only)
#   lockout   lockoutAuth with lockoutRecovery = 0: locked after one failure
#             until a reboot (0x921)
#   da        failedTries counting, recoveryTime = 0, unorderly restart
#   policy    a policy session with an empty HMAC (empty HMAC key) is accepted
#             and never counted; a policy for another command is 0x99D; NV
#             auth not allowed by the index is 0x12F
# Exit 0 pass, 1 fail, 77 skip.
set -u
SERVER=$1
CASE=$2
HERE=$(cd "$(dirname "$0")" && pwd)
for tool in tpm2_startup tpm2_nvdefine tpm2_getcap python3 sha256sum; do
    command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
done
if [ "$SERVER" = swtpm ]; then
    command -v swtpm >/dev/null 2>&1 || { echo "SKIP: swtpm not installed"; exit 77; }
    case $CASE in lockout|da|policy) ;; *) echo "SKIP: $CASE is qtpm-only"; exit 77 ;; esac
fi

WORK=$(mktemp -d /tmp/qtpm-safety-XXXXXX)
STATE=$WORK/state
PID=
MOUNTED=
HOLD=
RUNAS=
cleanup() {
    [ -n "$HOLD" ] && kill "$HOLD" 2>/dev/null
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    [ -n "$MOUNTED" ] && umount "$MOUNTED" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL ($SERVER $CASE): $*"; [ -f "$WORK/server.log" ] && tail -5 "$WORK/server.log"; exit 1; }

# Free port pairs come from tests/lib/freeport.py (found before any cd).
FREEPORT=$(cd "$(dirname "$0")/../lib" && pwd)/freeport.py
free_port() {
    python3 "$FREEPORT"
}
PORT=$(free_port)
if [ "$SERVER" = swtpm ]; then
    PROTO=swtpm
else
    PROTO=mssim
fi
export TPM2TOOLS_TCTI="$PROTO:host=127.0.0.1,port=$PORT"

wait_port() {
    for _ in $(seq 1 100); do
        python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()' \
            "$PORT" 2>/dev/null && return 0
        kill -0 "$PID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# start_tpm [qtpm-server options]: a server on $STATE, then TPM2_Startup(CLEAR).
start_tpm() {
    if [ "$SERVER" = swtpm ]; then
        mkdir -p "$STATE"
        swtpm socket --tpm2 --tpmstate dir="$STATE" --flags not-need-init \
            --server type=tcp,port="$PORT",bindaddr=127.0.0.1 \
            --ctrl type=tcp,port=$((PORT + 1)),bindaddr=127.0.0.1 >>"$WORK/server.log" 2>&1 &
    else
        $RUNAS "$SERVER" --mssim --host 127.0.0.1 --port "$PORT" --state "$STATE" "$@" \
            >>"$WORK/server.log" 2>&1 &
    fi
    PID=$!
    wait_port || fail "server did not start"
    tpm2_startup -c >/dev/null 2>&1 || fail "TPM2_Startup"
}
stop_tpm() { # orderly: TPM2_Shutdown, then the process ends
    tpm2_shutdown -c >/dev/null 2>&1
    kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; PID=
}
kill_tpm() { # power loss
    kill -9 "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; PID=
}
# rc_of CMD...: the TPM response code a tpm2-tools command printed (0 on success)
rc_of() {
    if "$@" >/dev/null 2>"$WORK/err"; then echo 0; return; fi
    r=$(grep -o 'ErrorCode (0x[0-9a-fA-F]*)' "$WORK/err" | head -1 | grep -o '0x[0-9a-fA-F]*')
    [ -n "$r" ] && printf '0x%x\n' "$r" || echo "tool-error"
}
prop() { # prop TPM2_PT_NAME: a variable property's value
    tpm2_getcap properties-variable 2>/dev/null | grep -A0 "^$1:" | grep -o '0x[0-9A-Fa-f]*' | head -1
}
lockout_counter() { printf '%d' "$(prop TPM2_PT_LOCKOUT_COUNTER)"; }

case_corrupt() {
    start_tpm
    tpm2_nvdefine 0x01500020 -C o -s 8 -a "ownerread|ownerwrite" >/dev/null || fail nvdefine
    echo -n "qtpmdata" | tpm2_nvwrite 0x01500020 -C o -i - >/dev/null || fail nvwrite
    stop_tpm
    cp "$STATE/state" "$WORK/good"
    len=$(stat -c %s "$WORK/good")
    n=0
    try_variant() { # try_variant NAME: the prepared $STATE/state must be refused
        before=$(sha256sum <"$STATE/state")
        timeout 20 "$SERVER" --mssim --host 127.0.0.1 --port "$PORT" --state "$STATE" \
            >"$WORK/out" 2>&1
        rc=$?
        [ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "$1: server ran (rc $rc) on a bad state"
        grep -q "$STATE/state" "$WORK/out" || fail "$1: message without the path: $(cat "$WORK/out")"
        after=$(sha256sum <"$STATE/state")
        [ "$before" = "$after" ] || fail "$1: the state file was modified"
        [ -e "$STATE/state.tmp" ] && fail "$1: a temp file was written"
        n=$((n + 1))
    }
    : >"$STATE/state"; try_variant empty
    grep -q "empty" "$WORK/out" || fail "empty: cause not named: $(cat "$WORK/out")"
    head -c 3000 /dev/urandom >"$STATE/state"; try_variant random
    for cut in 1 7 8 12 16 100 $((len / 2)) $((len - 33)) $((len - 1)); do
        head -c "$cut" "$WORK/good" >"$STATE/state"; try_variant "truncated-$cut"
    done
    { cat "$WORK/good"; echo x; } >"$STATE/state"; try_variant trailing
    { printf 'XTPMSTAT'; tail -c +9 "$WORK/good"; } >"$STATE/state"; try_variant magic
    grep -q "magic" "$WORK/out" || fail "magic: cause not named: $(cat "$WORK/out")"
    { head -c 8 "$WORK/good"; printf '\000\000\000\143'; tail -c +13 "$WORK/good"; } >"$STATE/state"
    try_variant version
    grep -q "version 99" "$WORK/out" || fail "version: cause not named: $(cat "$WORK/out")"
    # one flipped byte at 64 offsets spread over the file, and every header byte
    offs=$(python3 -c "import sys; n=int(sys.argv[1]); print(' '.join(str(x) for x in sorted(set(list(range(16)) + [i * n // 64 for i in range(64)] + [n - 1]))))" "$len")
    for off in $offs; do
        python3 -c "
import sys
b = bytearray(open(sys.argv[1], 'rb').read()); b[int(sys.argv[2])] ^= 0xFF
open(sys.argv[3], 'wb').write(b)" "$WORK/good" "$off" "$STATE/state"
        try_variant "flip-$off"
        if [ "$off" -ge 16 ]; then # past the header: the checksum names it
            grep -q "checksum mismatch" "$WORK/out" || fail "flip-$off: cause not named: $(cat "$WORK/out")"
        fi
    done
    # the good file still loads, with its NV contents
    cp "$WORK/good" "$STATE/state"
    start_tpm
    [ "$(tpm2_nvread 0x01500020 -C o -s 8 2>/dev/null)" = qtpmdata ] || fail "good state lost its NV data"
    stop_tpm
    echo "ok: $n damaged state files refused, each byte-for-byte unchanged; the good one loads"
}

# increment_until_unavailable INDEX: NV_Increment until an answer is not
# SUCCESS (at most 12 tries; the 2 KiB journal holds 4 records); r := that
# answer, acked := the counter after the last success (as read back).
increment_until_unavailable() {
    tries=0
    while [ $tries -lt 12 ]; do
        r=$(rc_of tpm2_nvincrement "$1" -C o)
        [ "$r" = 0 ] || return 0
        acked=$(tpm2_nvread "$1" -C o -s 8 | od -An -tx1 | tr -d ' \n')
        tries=$((tries + 1))
    done
}

case_fullfs() {
    mkdir -p "$WORK/fs"
    mount -t tmpfs -o size=384k tmpfs "$WORK/fs" 2>/dev/null || { echo "SKIP: cannot mount tmpfs"; exit 77; }
    MOUNTED=$WORK/fs
    STATE=$WORK/fs/state
    start_tpm --journal 2048
    tpm2_nvdefine 0x01500030 -C o -s 8 -a "nt=1|ownerread|ownerwrite" >/dev/null || fail nvdefine
    tpm2_nvdefine 0x01500031 -C o -s 8 -a "authread|authwrite" -p pw >/dev/null || fail nvdefine2
    tpm2_dictionarylockout -s -n 50 -t 1000 -l 0 >/dev/null || fail "DA parameters"
    for _ in 1 2 3; do tpm2_nvincrement 0x01500030 -C o >/dev/null || fail increment; done
    acked=$(tpm2_nvread 0x01500030 -C o -s 8 | od -An -tx1 | tr -d ' \n')
    # one DA-protected use so the boot cycle's DA use is on disk
    [ "$(rc_of tpm2_nvread 0x01500031 -P wrong -s 1)" = 0x98e ] || fail "wrong password not AUTH_FAIL"
    # fill the file system
    dd if=/dev/zero of="$WORK/fs/filler" bs=4k 2>/dev/null
    increment_until_unavailable 0x01500030
    [ "$r" = 0x923 ] || fail "increment on a full disk answered $r, not TPM_RC_NV_UNAVAILABLE"
    grep -q "cannot save" "$WORK/server.log" || fail "no log line for the failed save"
    now=$(tpm2_nvread 0x01500030 -C o -s 8 | od -An -tx1 | tr -d ' \n')
    [ "$now" = "$acked" ] || fail "memory moved to $now though the disk holds $acked"
    r=$(rc_of tpm2_nvundefine 0x01500030 -C o)
    [ "$r" = 0x923 ] || fail "undefine on a full disk answered $r"
    # DA failures while the disk is full still count (in memory)
    before=$(lockout_counter)
    r1=$(rc_of tpm2_nvread 0x01500031 -P wrong -s 1)
    r2=$(rc_of tpm2_nvread 0x01500031 -P wrong -s 1)
    [ "$r1" != 0 ] && [ "$r2" != 0 ] || fail "wrong password accepted"
    [ "$(lockout_counter)" -ge $((before + 2)) ] || fail "DA failures on a full disk not counted"
    rm -f "$WORK/fs/filler"
    tpm2_nvincrement 0x01500030 -C o >/dev/null || fail "increment once space is back"
    acked=$(tpm2_nvread 0x01500030 -C o -s 8 | od -An -tx1 | tr -d ' \n')
    da=$(lockout_counter)
    stop_tpm
    start_tpm --journal 2048
    now=$(tpm2_nvread 0x01500030 -C o -s 8 | od -An -tx1 | tr -d ' \n')
    [ "$now" = "$acked" ] || fail "after restart the counter is $now, acknowledged $acked"
    [ "$(lockout_counter)" -ge "$da" ] || fail "DA counter went back from $da to $(lockout_counter)"
    # the same file system remounted read-only (stops root as well):
    # HierarchyChangeAuth and NV_Increment answer TPM_RC_NV_UNAVAILABLE and the
    # acknowledged ownerAuth stays the one in memory and on disk
    tpm2_changeauth -c o ownerpw1 >/dev/null || fail "changeauth owner"
    mount -o remount,ro "$WORK/fs" || fail "cannot remount the tmpfs read-only"
    r=$(rc_of tpm2_changeauth -c o -p ownerpw1 ownerpw2)
    [ "$r" = 0x923 ] || fail "HierarchyChangeAuth on a read-only file system answered $r"
    r=$(rc_of tpm2_nvincrement 0x01500030 -C o -P ownerpw1)
    [ "$r" = 0x923 ] || fail "increment on a read-only file system answered $r"
    r=$(rc_of tpm2_nvread 0x01500030 -C o -P ownerpw1 -s 8)
    [ "$r" = 0 ] || fail "ownerAuth in memory is not the acknowledged one ($r)"
    r=$(rc_of tpm2_nvread 0x01500030 -C o -P ownerpw2 -s 8)
    [ "$r" != 0 ] || fail "the unacknowledged ownerAuth works"
    mount -o remount,rw "$WORK/fs" || fail "cannot remount the tmpfs read-write"
    stop_tpm
    start_tpm --journal 2048
    now=$(tpm2_nvread 0x01500030 -C o -P ownerpw1 -s 8 | od -An -tx1 | tr -d ' \n')
    [ "$now" = "$acked" ] || fail "after the read-only phase the counter is $now, acknowledged $acked"
    tpm2_changeauth -c o -p ownerpw1 >/dev/null || fail "acknowledged ownerAuth lost across a restart"
    stop_tpm
    # a read-only state directory (root ignores permissions: the server runs
    # as nobody then, on a directory it owns)
    STATE=$WORK/rostate
    if [ "$(id -u)" = 0 ]; then
        command -v setpriv >/dev/null 2>&1 || { echo "SKIP: setpriv missing"; exit 77; }
        RUNAS="setpriv --reuid=65534 --regid=65534 --clear-groups"
        chmod 711 "$WORK"
        mkdir -p "$STATE" && chown 65534:65534 "$STATE"
    fi
    start_tpm --journal 2048
    tpm2_nvdefine 0x01500032 -C o -s 8 -a "nt=1|ownerread|ownerwrite" >/dev/null || fail nvdefine3
    tpm2_nvincrement 0x01500032 -C o >/dev/null || fail increment3
    acked=$(tpm2_nvread 0x01500032 -C o -s 8 | od -An -tx1 | tr -d ' \n')
    chmod 500 "$STATE"
    increment_until_unavailable 0x01500032
    [ "$r" = 0x923 ] || fail "increment in a read-only directory answered $r"
    r=$(rc_of tpm2_nvdefine 0x01500033 -C o -s 8 -a "ownerread|ownerwrite")
    [ "$r" = 0x923 ] || fail "nvdefine in a read-only directory answered $r"
    tpm2_nvreadpublic 0x01500033 >/dev/null 2>&1 && fail "an index not on disk exists in memory"
    chmod 700 "$STATE"
    stop_tpm
    start_tpm --journal 2048
    now=$(tpm2_nvread 0x01500032 -C o -s 8 | od -An -tx1 | tr -d ' \n')
    [ "$now" = "$acked" ] || fail "read-only dir: after restart the counter is $now, acknowledged $acked"
    stop_tpm
    echo "ok: full file system and read-only directory: TPM_RC_NV_UNAVAILABLE, memory = disk, counter and DA count ($da) kept"
}

case_rmrace() {
    start_tpm
    tpm2_nvdefine 0x01500040 -C o -s 8 -a "ownerread|ownerwrite" >/dev/null || fail nvdefine
    echo -n "acknowlg" | tpm2_nvwrite 0x01500040 -C o -i - >/dev/null || fail nvwrite
    before=$(sha256sum <"$STATE/state")
    p2=$(free_port)
    timeout 20 "$SERVER" --mssim --host 127.0.0.1 --port "$p2" --state "$STATE" --rm >"$WORK/out" 2>&1
    rc=$?
    [ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "a second server with --rm ran on a locked directory"
    [ -f "$STATE/state" ] && [ "$(sha256sum <"$STATE/state")" = "$before" ] || fail "--rm touched the state of the running server"
    [ "$(tpm2_nvread 0x01500040 -C o -s 8 2>/dev/null)" = acknowlg ] || fail "NV index lost"
    stop_tpm
    start_tpm
    [ "$(tpm2_nvread 0x01500040 -C o -s 8 2>/dev/null)" = acknowlg ] || fail "NV index lost after restart"
    stop_tpm
    # --rm on a directory nobody holds works
    start_tpm --rm
    tpm2_nvread 0x01500040 -C o -s 8 >/dev/null 2>&1 && fail "--rm kept the old state"
    stop_tpm
    echo "ok: --rm refused while another server holds the directory; nothing removed"
}

# hold N PORT [partial]: N connections kept open and silent (or mid-frame)
hold() {
    python3 - "$@" <<'PY' &
import socket, sys, time, struct
n, port = int(sys.argv[1]), int(sys.argv[2])
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), 2)
    if len(sys.argv) > 3:
        s.sendall(struct.pack(">IBI", 8, 0, 12) + b"\x80\x01")
    socks.append(s)
time.sleep(30)
PY
    HOLD=$!
    sleep 1
}

case_idle() {
    start_tpm
    hold 70 "$PORT"
    h1=$HOLD
    hold 10 $((PORT + 1))
    h2=$HOLD
    hold 1 "$PORT" partial
    h3=$HOLD
    tpm2_getrandom 8 >/dev/null 2>&1 || fail "tpm2-tools locked out by 81 idle connections"
    tpm2_startup -c >/dev/null 2>&1; tpm2_getrandom 8 >/dev/null 2>&1 || fail "second client locked out"
    kill $h1 $h2 $h3 2>/dev/null; HOLD=
    stop_tpm
    # --idle-timeout: a silent client is dropped after the timeout
    start_tpm --idle-timeout 2
    t0=$(date +%s)
    python3 - "$PORT" <<'PY' || fail "silent client not dropped by --idle-timeout 2"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)
s.settimeout(8)
sys.exit(0 if s.recv(1) == b"" else 1)
PY
    [ $(( $(date +%s) - t0 )) -ge 1 ] || fail "dropped before the timeout"
    stop_tpm
    # --max-per-peer: at the limit a newcomer still gets in
    start_tpm --max-per-peer 4
    hold 8 "$PORT"
    tpm2_getrandom 8 >/dev/null 2>&1 || fail "locked out at --max-per-peer 4"
    kill "$HOLD" 2>/dev/null; HOLD=
    stop_tpm
    echo "ok: 81 idle and a stalled connection do not lock tpm2-tools out; --idle-timeout, --max-per-peer"
}

case_lockout() {
    start_tpm
    tpm2_changeauth -c l lockpw >/dev/null || fail "set lockoutAuth"
    tpm2_dictionarylockout -s -n 5 -t 10 -l 0 -p lockpw >/dev/null || fail "DA parameters"
    r=$(rc_of tpm2_dictionarylockout -c -p guess0)
    [ "$r" = 0x98e ] || fail "first wrong lockoutAuth answered $r, not AUTH_FAIL"
    for i in 1 2 3 4 5 6 7 8 9 10; do
        r=$(rc_of tpm2_dictionarylockout -c -p "guess$i")
        [ "$r" = 0x921 ] || fail "wrong guess $i answered $r, not TPM_RC_LOCKOUT"
    done
    r=$(rc_of tpm2_dictionarylockout -c -p lockpw)
    [ "$r" = 0x921 ] || fail "the right lockoutAuth worked while locked ($r): brute force possible"
    # a reboot (new process, Startup(CLEAR)) makes lockoutAuth usable again
    stop_tpm
    start_tpm
    r=$(rc_of tpm2_dictionarylockout -c -p lockpw)
    [ "$r" = 0 ] || fail "lockoutAuth unusable after a reboot ($r)"
    tpm2_changeauth -c l -p lockpw >/dev/null 2>&1
    stop_tpm
    echo "ok: lockoutRecovery 0: one wrong lockoutAuth locks it (0x921) until a reboot"
}

case_da() {
    start_tpm
    tpm2_dictionarylockout -s -n 5 -t 1000 -l 0 >/dev/null || fail "DA parameters"
    tpm2_nvdefine 0x01500050 -C o -s 8 -a "authread|authwrite" -p pw >/dev/null || fail nvdefine
    echo -n 12345678 | tpm2_nvwrite 0x01500050 -C 0x01500050 -P pw -i - >/dev/null || fail nvwrite
    for _ in 1 2; do
        r=$(rc_of tpm2_nvread 0x01500050 -P wrong -s 1)
        [ "$r" = 0x98e ] || fail "wrong NV password answered $r"
    done
    [ "$(lockout_counter)" = 2 ] || fail "failedTries $(lockout_counter) after 2 failures"
    # power loss: the next Startup counts one failure more
    kill_tpm
    start_tpm
    [ "$(lockout_counter)" = 3 ] || fail "failedTries $(lockout_counter) after an unorderly restart (expected 3)"
    # orderly restart: unchanged
    stop_tpm
    start_tpm
    [ "$(lockout_counter)" = 3 ] || fail "failedTries $(lockout_counter) after an orderly restart (expected 3)"
    for _ in 1 2; do rc_of tpm2_nvread 0x01500050 -P wrong -s 1 >/dev/null; done
    r=$(rc_of tpm2_nvread 0x01500050 -P pw -s 1)
    [ "$r" = 0x921 ] || fail "right password at maxTries answered $r, not LOCKOUT"
    tpm2_dictionarylockout -c >/dev/null || fail "DA lock reset"
    # recoveryTime = 0: no DA protection at all
    tpm2_dictionarylockout -s -n 3 -t 0 -l 0 >/dev/null || fail "DA parameters t=0"
    for i in 1 2 3 4 5 6; do
        r=$(rc_of tpm2_nvread 0x01500050 -P wrong -s 1)
        [ "$r" = 0x98e ] || fail "recoveryTime 0: wrong password $i answered $r"
    done
    [ "$(lockout_counter)" = 0 ] || fail "recoveryTime 0: failedTries $(lockout_counter)"
    r=$(rc_of tpm2_nvread 0x01500050 -P pw -s 1)
    [ "$r" = 0 ] || fail "recoveryTime 0: right password answered $r"
    stop_tpm
    echo "ok: DA counting, +1 after power loss, none after orderly restart, recoveryTime 0 disables"
}

case_policy() {
    start_tpm
    tpm2_dictionarylockout -s -n 3 -t 1000 -l 0 >/dev/null || fail "DA parameters"
    tpm2_startauthsession -S "$WORK/trial.ctx" >/dev/null || fail "trial session"
    tpm2_policycommandcode -S "$WORK/trial.ctx" -L "$WORK/pol" TPM2_CC_NV_Read >/dev/null || fail policycc
    tpm2_flushcontext "$WORK/trial.ctx" >/dev/null
    # DA-protected index (no NO_DA), empty authValue, policy for NV_Read
    tpm2_nvdefine 0x01500060 -C o -s 8 -L "$WORK/pol" -a "policyread|ownerwrite|ownerread" >/dev/null ||
        fail nvdefine
    echo -n 12345678 | tpm2_nvwrite 0x01500060 -C o -i - >/dev/null || fail nvwrite
    out=$(python3 "$HERE/tpmraw.py" "$PROTO" "$PORT" policy-read 0x01500060 0x14E 5 | tr '\n' ' ')
    [ "$out" = "0 0 0 0 0 " ] || fail "empty-HMAC policy session answered: $out"
    [ "$(lockout_counter)" = 0 ] || fail "legitimate policy uses counted as failures: $(lockout_counter)"
    # in DA lockout, a policy that uses no authValue still works
    tpm2_nvdefine 0x01500062 -C o -s 8 -a "authread|authwrite" -p pw >/dev/null || fail nvdefine3
    for _ in 1 2 3; do rc_of tpm2_nvread 0x01500062 -P wrong -s 1 >/dev/null; done
    [ "$(rc_of tpm2_nvread 0x01500062 -P pw -s 1)" = 0x921 ] || fail "not in lockout after 3 failures"
    out=$(python3 "$HERE/tpmraw.py" "$PROTO" "$PORT" policy-read 0x01500060 0x14E 2 | tr '\n' ' ')
    [ "$out" = "0 0 " ] || fail "policy session without authValue refused in lockout: $out"
    tpm2_dictionarylockout -c >/dev/null || fail "DA lock reset"
    # a policy for NV_Write used for NV_Read: TPM_RC_POLICY_FAIL, session 1
    out=$(python3 "$HERE/tpmraw.py" "$PROTO" "$PORT" policy-read 0x01500060 0x137 1 | tr -d '\n')
    [ "$out" = 99d ] || fail "policy for another command answered $out, not 0x99d"
    # NV auth the index does not allow (AUTHREAD clear): TPM_RC_AUTH_UNAVAILABLE
    tpm2_nvdefine 0x01500061 -C o -s 8 -a "ownerread|ownerwrite|authwrite" >/dev/null || fail nvdefine2
    r=$(rc_of tpm2_nvread 0x01500061 -C 0x01500061 -s 1)
    [ "$r" = 0x12f ] || fail "NV read with AUTHREAD clear answered $r, not 0x12f"
    stop_tpm
    echo "ok: empty-HMAC policy session accepted 5 times, never counted; 0x99d; 0x12f"
}

case "$CASE" in
corrupt|fullfs|rmrace|idle|lockout|da|policy) "case_$CASE" ;;
*) echo "unknown case $CASE"; exit 2 ;;
esac
