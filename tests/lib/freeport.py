#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""freeport.py — a free pair of consecutive loopback TCP ports (N, N+1), as the
TPM simulators' protocols need (command and platform, or data and control).

As a program it prints N; tests import free_pair(). The ports are free when
checked: a server started on them may still lose a race, which the callers
notice when it does not start.
"""
import socket


def free_pair(tries=500):
    for _ in range(tries):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        p = s.getsockname()[1]
        s.close()
        if p >= 65535:
            continue
        try:
            t = socket.socket()
            t.bind(("127.0.0.1", p + 1))
            t.close()
            return p
        except OSError:
            pass
    raise RuntimeError("no free pair of loopback ports")


if __name__ == "__main__":
    print(free_pair())
