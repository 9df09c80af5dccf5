#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# pg-cluster.sh — runs one command against a throwaway PostgreSQL cluster.
#
#   pg-cluster.sh COMMAND [ARGS...]
#   pg-cluster.sh --crash-restart      (from inside COMMAND)
#
# initdb makes a cluster in a fresh temp dir, pg_ctl starts it listening ONLY on a Unix
# socket in that dir (listen_addresses = '', so no TCP port at all), with fsync and
# synchronous_commit on so a commit means what it says. COMMAND runs with QTPM_TEST_PG set
# to a libpq conninfo for the empty database "qtpm" (role "qtpm", a superuser),
# QTPM_TEST_PG_DIR to the temp dir and QTPM_TEST_PG_BIN to the server's bin dir; its exit status is ours. The server is stopped and the
# dir removed by a trap on every exit, failures included.
#
# PostgreSQL refuses to run as root. Run as root (as CI does), the cluster belongs to a
# dedicated system user, qtpmtest (created with useradd when missing); otherwise to the
# caller. The temp dir is mode 0700 and owned by that user, so only it (and root) can
# reach the socket; on top of that the socket accepts "peer" authentication only (the
# kernel's SO_PEERCRED), mapped in pg_ident.conf: the calling OS user and the cluster
# owner may log in as role qtpm, nobody else. Exit 77 (ctest skip) when the server
# binaries are missing or the user cannot be switched.
#
# --crash-restart, run by COMMAND, simulates a crash of the database server: an immediate
# shutdown (every server process killed with SIGQUIT, no checkpoint; the next start
# replays the WAL) followed by a start, on the cluster named by QTPM_TEST_PG_DIR.
set -u
skip() { echo "SKIP: $*" >&2; exit 77; }
[ $# -ge 1 ] || { echo "usage: pg-cluster.sh COMMAND [ARGS...]" >&2; exit 2; }

# Runs a command as the owner of cluster dir $dir (for the modes below).
as_dir_owner() {
    o=$(stat -c %U "$dir")
    if [ "$(id -u)" = 0 ] && [ "$o" != root ]; then
        setpriv --reuid="$o" --regid="$(id -g "$o")" --clear-groups -- env HOME=/nonexistent "$@"
    else
        "$@"
    fi
}

if [ "$1" = --crash-restart ]; then
    dir=${QTPM_TEST_PG_DIR:?not inside pg-cluster.sh} bin=${QTPM_TEST_PG_BIN:?}
    as_dir_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 20 stop >/dev/null || exit 1
    as_dir_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null ||
        exit 1
    exit 0
fi

# --watch PID DIR BIN (internal): the watchdog. The postmaster runs in a session of its own
# (pg_ctl calls setsid), so if this script is killed outright (SIGKILL, a ctest timeout)
# and its trap cannot run, nothing would stop the server. The watchdog, in a session of
# its own too, waits (at most an hour) until PID is gone or DIR removed; if DIR is still
# there it stops the server and removes DIR.
if [ "$1" = --watch ]; then
    pid=$2 dir=$3 bin=$4 i=0
    while kill -0 "$pid" 2>/dev/null && [ -d "$dir" ] && [ $i -lt 3600 ]; do
        sleep 1
        i=$((i + 1))
    done
    [ -d "$dir" ] || exit 0
    [ -f "$dir/data/postmaster.pid" ] &&
        as_dir_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 20 stop >/dev/null 2>&1
    rm -rf "$dir"
    exit 0
fi

bin=${QTPM_PG_BIN:-}
if [ -z "$bin" ]; then
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do bin=$d; done
fi
for t in initdb pg_ctl postgres createdb; do
    [ -x "$bin/$t" ] || skip "PostgreSQL server binaries not found (want $t in ${bin:-/usr/lib/postgresql/*/bin}; Debian package postgresql)"
done

caller=$(id -un)
if [ "$(id -u)" = 0 ]; then
    owner=qtpmtest
    # Two tests starting at once (ctest -j) may both try: the loser's useradd fails
    # ("already exists"), so what counts is whether the user exists afterwards.
    if ! getent passwd "$owner" >/dev/null; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            "$owner" >/dev/null 2>&1
        getent passwd "$owner" >/dev/null || skip "cannot create the system user $owner"
    fi
    command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) not found"
    gid=$(id -g "$owner")
    as_owner() { setpriv --reuid="$owner" --regid="$gid" --clear-groups -- env HOME=/nonexistent "$@"; }
    as_owner true 2>/dev/null || skip "cannot switch to user $owner"
else
    owner=$caller
    as_owner() { "$@"; }
fi

tmp=$(mktemp -d /tmp/qtpm-pg-XXXXXX) || exit 1
watchdog=
cleanup() {
    [ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null
    if [ -f "$tmp/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$tmp/data" -m immediate -w -t 20 stop >/dev/null 2>&1
        # pg_ctl failed to stop it: kill the postmaster by its recorded pid.
        if [ -f "$tmp/data/postmaster.pid" ]; then
            p=$(head -n 1 "$tmp/data/postmaster.pid")
            [ -n "$p" ] && kill -9 "$p" 2>/dev/null
        fi
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 700 "$tmp"
[ "$owner" = "$caller" ] || chown "$owner:" "$tmp" || exit 1

fail_log() { echo "pg-cluster: $1" >&2; cat "$tmp/$2" >&2 2>/dev/null; exit 1; }

# -N: initdb's own flush of the new files is skipped (the cluster lives for one test); the
# server itself runs with fsync on.
as_owner "$bin/initdb" -D "$tmp/data" -U qtpm -E UTF8 --locale=C -N \
    --auth-local=peer --auth-host=reject >"$tmp/initdb.log" 2>&1 \
    || fail_log "initdb failed" initdb.log
as_owner sh -c 'cat >>"$1/data/postgresql.conf"' sh "$tmp" <<CONF
listen_addresses = ''
unix_socket_directories = '$tmp'
unix_socket_permissions = 0700
port = 5432
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 30
shared_buffers = 16MB
CONF
as_owner sh -c 'printf "local all qtpm peer map=qtpm\n" >"$1/data/pg_hba.conf"' sh "$tmp"
as_owner sh -c 'printf "qtpm %s qtpm\nqtpm %s qtpm\n" "$2" "$3" >"$1/data/pg_ident.conf"' \
    sh "$tmp" "$caller" "$owner"
setsid sh "$0" --watch $$ "$tmp" "$bin" </dev/null >/dev/null 2>&1 &
watchdog=$!
as_owner "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 30 start >/dev/null 2>&1 \
    || fail_log "the server did not start" server.log
"$bin/createdb" -h "$tmp" -p 5432 -U qtpm qtpm || fail_log "createdb failed" server.log

QTPM_TEST_PG="host=$tmp port=5432 user=qtpm dbname=qtpm"
QTPM_TEST_PG_DIR=$tmp
QTPM_TEST_PG_BIN=$bin
export QTPM_TEST_PG QTPM_TEST_PG_DIR QTPM_TEST_PG_BIN
"$@"
rc=$?
if [ -n "${QTPM_PG_KEEP_LOG:-}" ] || [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
    echo "--- PostgreSQL server log ---" >&2
    tail -n 40 "$tmp/server.log" >&2
fi
exit $rc
