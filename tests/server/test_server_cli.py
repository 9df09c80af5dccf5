#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""test_server_cli.py — qtpm-server's command line as a user and systemd see it
(issue 12): --version, the ready line, the port-in-use message (errno and what
to do), and systemd socket activation (sd_listen_fds(3): fds 3 and 4,
LISTEN_PID, LISTEN_FDS), including a wrong number of sockets.

  test_server_cli.py QTPM_SERVER VERSION
"""
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../lib"))
from freeport import free_pair  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tpmraw  # noqa: E402

SERVER, VERSION = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)




def read_line(proc, timeout=20.0):
    end = time.monotonic() + timeout
    buf = b""
    while time.monotonic() < end and not buf.endswith(b"\n"):
        r, _, _ = select.select([proc.stdout], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        c = os.read(proc.stdout.fileno(), 1)
        if not c:
            break
        buf += c
    return buf.decode(errors="replace")


def getrandom(port):
    t = tpmraw.Tpm("mssim", port)
    # Startup(CLEAR) may answer INITIALIZE if already started; GetRandom(8) must work.
    t.cmd(tpmraw.command(0x8001, 0x144, [], b"", struct.pack(">H", 0)))
    rsp = t.cmd(tpmraw.command(0x8001, 0x17B, [], b"", struct.pack(">H", 8)))
    return tpmraw.rc_of(rsp), rsp


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


procs = []
try:
    # --version and -v
    for flag in ("--version", "-v"):
        out = subprocess.run([SERVER, flag], capture_output=True, text=True, timeout=10)
        check(out.returncode == 0 and out.stdout == "qtpm-server %s\n" % VERSION,
              "%s prints 'qtpm-server %s' (got %r)" % (flag, VERSION, out.stdout))

    # The ready line, then a working TPM.
    port = free_pair()
    a = subprocess.Popen([SERVER, "--memory", "--host", "127.0.0.1", "--port", str(port)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs.append(a)
    line = read_line(a)
    check(line == "qtpm-server %s: ready, mssim protocol on 127.0.0.1 ports %d/%d, state in "
          "memory\n" % (VERSION, port, port + 1), "ready line (got %r)" % line)
    rc, rsp = getrandom(port)
    check(rc == 0 and len(rsp) == 10 + 2 + 8, "GetRandom after the ready line")

    # A second server on the same ports: errno and the way out.
    b = subprocess.run([SERVER, "--memory", "--host", "127.0.0.1", "--port", str(port)],
                       capture_output=True, text=True, timeout=20)
    check(b.returncode == 1, "second server on the same ports exits 1 (got %d)" % b.returncode)
    check("cannot listen on 127.0.0.1 ports %d and %d: Address already in use" % (port, port + 1)
          in b.stderr and "--port N" in b.stderr,
          "port-in-use message names errno and --port (got %r)" % b.stderr)
    check(b.stdout == "", "no ready line when it cannot listen")

    # Socket activation: two sockets at fds 3 and 4, LISTEN_PID = the server.
    socks = []
    for _ in range(2):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(4)
        socks.append(s)
    aport = socks[0].getsockname()[1]

    def activated(nfds, extra_fd=None):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.dup2(w, 1)
                os.dup2(socks[0].fileno(), 3)
                os.dup2(socks[1].fileno(), 4)
                os.set_inheritable(3, True)
                os.set_inheritable(4, True)
                env = dict(os.environ, LISTEN_PID=str(os.getpid()), LISTEN_FDS=str(nfds))
                os.execve(SERVER, [SERVER, "--memory"], env)
            finally:
                os._exit(127)
        os.close(w)
        return pid, r

    pid, r = activated(2)
    line = b""
    end = time.monotonic() + 20
    while time.monotonic() < end and not line.endswith(b"\n"):
        ready, _, _ = select.select([r], [], [], 1)
        if ready:
            c = os.read(r, 1)
            if not c:
                break
            line += c
    check(line.decode() == "qtpm-server %s: ready, mssim protocol on the sockets from systemd, "
          "state in memory\n" % VERSION, "ready line under socket activation (got %r)" % line)
    rc, rsp = getrandom(aport)
    check(rc == 0 and len(rsp) == 20, "GetRandom on the socket systemd opened")
    os.kill(pid, 15)
    _, st = os.waitpid(pid, 0)
    check(os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0, "activated server ends cleanly on SIGTERM")
    os.close(r)

    pid, r = activated(1)
    _, st = os.waitpid(pid, 0)
    check(os.WIFEXITED(st) and os.WEXITSTATUS(st) == 1, "LISTEN_FDS=1 is refused with exit 1")
    os.close(r)
finally:
    for p in procs:
        stop(p)

if failures:
    print("%d check(s) failed" % len(failures))
    sys.exit(1)
print("all checks passed")
