# SPDX-License-Identifier: BSD-2-Clause
# Shell helpers for tests that start servers in the background (sourced with `.`, POSIX
# sh): stop_servers, for the EXIT trap, stops every server given; wait_port waits, in
# bounded time, until a server listens on its loopback port.

# stop_servers PID...: sends each PID SIGTERM, then reaps them all (an empty list, as
# from unset pid variables, does nothing).
stop_servers() {
    for p_ in "$@"; do
        kill "$p_" 2>/dev/null || true
    done
    for p_ in "$@"; do
        wait "$p_" 2>/dev/null || true
    done
}

# wait_port PORT PID: returns 0 once 127.0.0.1:PORT accepts a connection; 1 when PID
# has exited or after 100 tries 0.1 s apart.
wait_port() {
    i_=0
    until python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()' "$1" 2>/dev/null; do
        i_=$((i_ + 1))
        [ $i_ -lt 100 ] || return 1
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
    done
}
