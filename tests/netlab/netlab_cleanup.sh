#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# netlab_cleanup.sh NETLAB BUILD — qtpm-netlab leaves nothing behind: after a normal
# `run`, after SIGTERM to `run` in the middle of its command, after SIGKILL (then
# `down`), after `up` + `down`, with --trust (TPMs, NMS, agents) killed by SIGKILL, and
# when FRR is missing or does not start (a clear message, exit 1). "Nothing" is: no
# namespace qnl-nlclean-*, no process naming the lab's state directory or its FRR
# pathspace, no /var/run/frr/qnl-nlclean-*, no /run/qtpm-netlab/nlclean.
set -eu
nl=$1 build=$2
tool=$nl/qtpm-netlab
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
ip netns list >/dev/null 2>&1 || { echo "SKIP: no ip netns"; exit 77; }
[ -x /usr/lib/frr/zebra ] || { echo "SKIP: FRR is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-nlclean.XXXXXX")
trap '"$tool" down nlclean >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cat > "$tmp/t.topo" <<'T'
lab nlclean
host src
router A
router B
host dst
link src A
link A B
link B dst
T
leftovers() {
    ns=$(ip netns list | grep -c '^qnl-nlclean-' || true)
    procs=$(grep -l -a -e '/run/qtpm-netla[b]/nlclean' -e 'qnl-nlclea[n]-' /proc/[0-9]*/cmdline \
            2>/dev/null | grep -v "^/proc/$$/" | wc -l)
    frr=$(ls -d /var/run/frr/qnl-nlclean-* 2>/dev/null | wc -l)
    st=0; [ -e /run/qtpm-netlab/nlclean ] && st=1
    echo "$ns $procs $frr $st"
}
clean() { # WHAT: nothing left, within 5 s
    i=0
    while [ "$(leftovers)" != "0 0 0 0" ]; do
        i=$((i + 1))
        [ $i -gt 50 ] && fail "$1: left behind (namespaces processes frr-dirs state): $(leftovers)"
        sleep 0.1
    done
    echo "ok: $1"
}
wait_up() { # the lab is up: both routers' ospfd vty sockets exist, the state is written
    i=0
    while [ ! -S /var/run/frr/qnl-nlclean-B/ospfd.vty ] ||
          [ ! -e /run/qtpm-netlab/nlclean/lab.json ] ||
          [ "$(ip netns list | grep -c '^qnl-nlclean-')" != 4 ]; do
        i=$((i + 1)); [ $i -gt 300 ] && fail "$1: the lab did not come up"
        sleep 0.1
    done
}
"$tool" down nlclean >/dev/null 2>&1 || true
clean "before"

# 1. run: the command sees the lab (routed: src reaches dst through A and B), then down
"$tool" run "$tmp/t.topo" -- sh -c 'test "$NETLAB_LAB" = nlclean &&
    ip -n qnl-nlclean-A route | grep -q "proto ospf"' || fail "run: the command failed"
clean "run, normal exit"
set +e
"$tool" run "$tmp/t.topo" -- false; rc=$?
set -e
[ $rc = 1 ] || fail "run did not pass on the command's exit status (got $rc)"
clean "run, the command failed"

# 2. SIGTERM in the middle of the command
"$tool" run "$tmp/t.topo" -- sleep 60 > "$tmp/o2" 2>&1 &
pid=$!
wait_up "SIGTERM"
kill -TERM $pid
wait $pid || true
clean "run, SIGTERM mid-run"

# 3. SIGKILL: everything stays, `down` removes it
"$tool" run "$tmp/t.topo" -- sleep 60 > "$tmp/o3" 2>&1 &
pid=$!
wait_up "SIGKILL"
kill -KILL $pid
wait $pid || true
[ "$(leftovers)" != "0 0 0 0" ] || fail "SIGKILL: nothing left before down (was the lab up?)"
"$tool" down nlclean
clean "run, SIGKILL mid-run, then down"

# 4. up, then status and down
"$tool" up "$tmp/t.topo" > /dev/null
"$tool" status | grep -q "nlclean: 4 namespaces" || fail "status does not list the lab"
set +e
"$tool" up "$tmp/t.topo" > "$tmp/o4" 2>&1; rc=$?
set -e
[ $rc = 1 ] && grep -q "up already" "$tmp/o4" || fail "a second up was not refused"
"$tool" down nlclean
clean "up, then down"

# 5. --trust: TPMs, the NMS and the agents in the root namespace, killed by SIGKILL
if [ -x "$build/src/agent/qtpm-agent" ] && [ -x "$build/src/nms/qtpm-nms" ]; then
    "$tool" run "$tmp/t.topo" --trust --build "$build" -- sleep 60 > "$tmp/o5" 2>&1 &
    pid=$!
    i=0
    while ! grep -q "agents enrolled" "$tmp/o5"; do
        i=$((i + 1)); [ $i -gt 600 ] && { cat "$tmp/o5"; fail "--trust did not come up"; }
        kill -0 $pid 2>/dev/null || { cat "$tmp/o5"; fail "--trust exited early"; }
        sleep 0.1
    done
    n=$(leftovers | cut -d' ' -f2)
    [ "$n" -ge 9 ] || fail "--trust: only $n lab processes (2 TPMs, NMS, 2 agents, 4 FRR daemons)"
    kill -KILL $pid
    wait $pid || true
    "$tool" down nlclean
    clean "--trust, SIGKILL, then down"
fi

# 6. FRR missing, and FRR that does not start: clear message, exit 1, nothing left
mkdir -p "$tmp/nofrr" "$tmp/badfrr"
set +e
QTPM_NETLAB_FRR_BIN=$tmp/nofrr "$tool" up "$tmp/t.topo" > "$tmp/o6" 2>&1; rc=$?
set -e
[ $rc = 1 ] && grep -q "FRRouting is not installed.*apt-get install frr" "$tmp/o6" ||
    { cat "$tmp/o6"; fail "FRR missing: exit $rc"; }
clean "FRR missing"
printf '#!/bin/sh\necho "cannot bind" >&2\nexit 1\n' > "$tmp/badfrr/zebra"
cp "$tmp/badfrr/zebra" "$tmp/badfrr/ospfd"
chmod 755 "$tmp/badfrr/zebra" "$tmp/badfrr/ospfd"
set +e
QTPM_NETLAB_FRR_BIN=$tmp/badfrr "$tool" up "$tmp/t.topo" > "$tmp/o7" 2>&1; rc=$?
set -e
[ $rc = 1 ] && grep -q "zebra did not start.*cannot bind" "$tmp/o7" ||
    { cat "$tmp/o7"; fail "FRR not startable: exit $rc"; }
clean "FRR does not start"
echo "netlab_cleanup: nothing left behind in any of the cases"
