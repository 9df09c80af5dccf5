#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""freeport.py — a free pair of consecutive loopback TCP ports (N, N+1), as the
TPM simulators' protocols need (command and platform, or data and control).

As a program it prints N; tests import free_pair(). The ports are outside the kernel's ephemeral range (so no outgoing connection
takes them) and free when checked: a server started on them may still lose a race, which the callers
notice when it does not start.
"""
import random
import socket


def _ephemeral_range():
    """The kernel's range for outgoing connections' local ports: a port in it can be
    taken at any moment by some other process's connect(), so servers in tests
    listen outside it (busy machines run out of luck otherwise)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
            return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def _bindable(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_pair(tries=500):
    lo, hi = _ephemeral_range()
    candidates = [p for p in range(10000, 65534) if p + 1 < lo or p > hi]
    for _ in range(tries):
        p = random.choice(candidates)
        if _bindable(p) and _bindable(p + 1):
            return p
    raise RuntimeError("no free pair of loopback ports outside the ephemeral range")


if __name__ == "__main__":
    print(free_pair())
