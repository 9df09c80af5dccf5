#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run-with-server.sh — run one interop test script against a private
# qtpm-server instance.
#
#   run-with-server.sh [--tcti mssim|swtpm|abrmd] [--server PATH] [--profile P]
#                      SCRIPT [ARGS...]
#
# Picks a free pair of TCP ports, starts the server ($QTPM_SERVER or --server)
# with a temporary state directory, waits until both ports accept connections,
# exports TPM2TOOLS_TCTI for the chosen transport and runs SCRIPT. With
# --tcti abrmd the script talks to tpm2-abrmd on a private D-Bus session bus,
# and abrmd talks mssim to the server. The server (and abrmd) are always
# stopped and the state removed, whatever the script does. The exit status is
# the script's, or 1 if the script passed but the server died or did not exit
# cleanly on SIGTERM (so sanitizer reports fail the test). INTEROP_LOG, if
# set, is passed on (see lib.sh).
#
# The TPM is made with the profile P (qtpm-server --profile, docs/SERVER.md
# "Profiles"), by default $QTPM_INTEROP_PROFILE or compat-tss3: tpm2-tools
# 5.4 runs on tpm2-tss 3.2.1, which cannot hash with SHA-3, so the interop
# scripts, which loop over whatever the TPM advertises, need a TPM that
# advertises none (issue 10 item 9). The PQC tests run in default.
set -u

tcti=mssim
server=${QTPM_SERVER:-}
profile=${QTPM_INTEROP_PROFILE:-compat-tss3}
while [ $# -gt 0 ]; do
    case $1 in
    --tcti) tcti=$2; shift 2 ;;
    --server) server=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --inside-dbus) inside_dbus=1; shift ;;
    --) shift; break ;;
    -*) echo "run-with-server.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
if [ $# -lt 1 ] || [ -z "$server" ]; then
    echo "usage: run-with-server.sh [--tcti mssim|swtpm|abrmd] [--server PATH] SCRIPT [ARGS...]" >&2
    exit 2
fi
case $tcti in mssim|swtpm|abrmd) ;; *) echo "unknown TCTI $tcti" >&2; exit 2 ;; esac

# abrmd needs a session bus: re-enter this script under dbus-run-session, so
# the bus (and everything on it) ends with the test.
if [ "$tcti" = abrmd ] && [ -z "${inside_dbus:-}" ]; then
    exec dbus-run-session -- "$0" --inside-dbus --tcti abrmd --server "$server" \
        --profile "$profile" "$@"
fi

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-interop.XXXXXX")
server_pid=
abrmd_pid=

cleanup() {
    # Only the processes this script started, by their ids.
    [ -n "$abrmd_pid" ] && kill "$abrmd_pid" 2>/dev/null && wait "$abrmd_pid" 2>/dev/null
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two consecutive free ports (the protocols use N and N+1).
# Free port pairs come from tests/lib/freeport.py (found before any cd).
FREEPORT=$(cd "$(dirname "$0")/../lib" && pwd)/freeport.py
free_ports() {
    python3 "$FREEPORT"
}

port_open() {
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()' "$1" 2>/dev/null
}

proto=--mssim
[ "$tcti" = swtpm ] && proto=--swtpm
started=
for attempt in 1 2 3 4 5; do
    port=$(free_ports)
    "$server" $proto --host 127.0.0.1 --port "$port" --state "$tmp/state" \
        --profile "$profile" --verbose ${QTPM_SERVER_ARGS:-} 2>"$tmp/server.log" &
    server_pid=$!
    i=0
    while [ $i -lt 100 ]; do
        if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
        if port_open "$port" && port_open $((port + 1)); then started=1; break; fi
        sleep 0.05
        i=$((i + 1))
    done
    [ -n "$started" ] && break
    # Lost a race for the port (or the server died): try another pair.
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=
done
if [ -z "$started" ]; then
    echo "run-with-server.sh: qtpm-server did not start" >&2
    cat "$tmp/server.log" >&2
    exit 1
fi

case $tcti in
mssim) TPM2TOOLS_TCTI="mssim:host=127.0.0.1,port=$port" ;;
swtpm) TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$port" ;;
abrmd)
    tpm2-abrmd --session --allow-root --tcti="mssim:host=127.0.0.1,port=$port" \
        2>"$tmp/abrmd.log" &
    abrmd_pid=$!
    i=0
    until gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
            --method org.freedesktop.DBus.NameHasOwner com.intel.tss2.Tabrmd 2>/dev/null |
            grep -q true; do
        i=$((i + 1))
        if [ $i -gt 200 ] || ! kill -0 "$abrmd_pid" 2>/dev/null; then
            echo "run-with-server.sh: tpm2-abrmd did not start" >&2
            cat "$tmp/abrmd.log" >&2
            exit 1
        fi
        sleep 0.05
    done
    TPM2TOOLS_TCTI="tabrmd:bus_type=session"
    ;;
esac
export TPM2TOOLS_TCTI
export QTPM_INTEROP_TMP="$tmp" QTPM_INTEROP_PORT="$port" QTPM_INTEROP_TCTI="$tcti"
export QTPM_INTEROP_LIB="$here/lib.sh" QTPM_INTEROP_PROFILE="$profile"

# The script runs in its own scratch directory (keys, contexts, ...).
mkdir -p "$tmp/work"
script=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
(cd "$tmp/work" && sh "$script" "$@")
rc=$?
# Stop the server here rather than in cleanup, to see how it ends: a server
# that crashed, or that a sanitizer stopped, fails the test even if the
# script passed.
if [ -n "$abrmd_pid" ]; then
    kill "$abrmd_pid" 2>/dev/null
    wait "$abrmd_pid" 2>/dev/null
    abrmd_pid=
fi
if ! kill "$server_pid" 2>/dev/null; then
    echo "run-with-server.sh: the server was gone before the end of the test" >&2
    [ $rc -eq 0 ] && rc=1
fi
wait "$server_pid"
server_rc=$?
server_pid=
if [ $server_rc -ne 0 ]; then
    echo "run-with-server.sh: the server exited with status $server_rc" >&2
    [ $rc -eq 0 ] && rc=1
fi
if [ $rc -ne 0 ]; then
    echo "--- server log" >&2
    tail -n 40 "$tmp/server.log" >&2
    [ -f "$tmp/abrmd.log" ] && { echo "--- abrmd log" >&2; tail -n 40 "$tmp/abrmd.log" >&2; }
fi
exit $rc
