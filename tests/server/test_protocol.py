#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Protocol tests of qtpm-server (mssim and swtpm front ends).

Runs the server binary given as argv[1] -- normally qtpm-server-fake, the
server linked with tests/server/fake_engine.c, whose GetRandom output reveals
what the engine was told: bytes [locality, cancel, nv, boots & 0xff] -- and
speaks both socket protocols to it byte by byte: framing, handshake, platform
signals, swtpm control commands, oversized and malformed frames, clients that
vanish, shutdown by STOP / CMD_SHUTDOWN / SIGTERM with the state saved, and the
tpm_server command line. Only the Python standard library is used.
"""
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

SERVER = os.path.abspath(sys.argv[1])
STARTUP = bytes.fromhex("80010000000c000001440000")
RC_SUCCESS, RC_INITIALIZE, RC_FAILURE = 0x000, 0x100, 0x101
RC_COMMAND_SIZE, RC_LOCALITY = 0x142, 0x907
failures = []


def getrandom(n):
    return struct.pack(">HII", 0x8001, 12, 0x17B) + struct.pack(">H", n)


def free_port_pair():
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            p = s.getsockname()[1]
        if p >= 65535:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", p + 1))
            return p
        except OSError:
            continue
    raise RuntimeError("no free port pair")


class Server:
    def __init__(self, *args, exe=SERVER, state=None, keep_state=False):
        self.dir = state or tempfile.mkdtemp(prefix="qtpm-srv-")
        self.port = free_port_pair()
        self.proc = subprocess.Popen(
            [exe, "--host", "127.0.0.1", "--port", str(self.port),
             "--state", os.path.join(self.dir, "state"), "--verbose", *args]
            if not args or args[0] != "--raw" else [exe, *args[1:]],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        self.keep = keep_state or state is not None
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port + 1), 0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("server died: " + self.proc.stderr.read().decode())
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def connect(self, which=0):
        s = socket.create_connection(("127.0.0.1", self.port + which), 5)
        s.settimeout(5)
        return s

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc.stderr.close()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        return rc


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def u32(s):
    return struct.unpack(">I", recv_exact(s, 4))[0]


def closed(s):
    """True if the peer closed the connection (EOF or reset)."""
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    else:
        print("ok:  ", what)


# --- mssim helpers ---------------------------------------------------------

def ms_cmd(s, cmd, locality=0, raw=None):
    s.sendall(raw if raw is not None else struct.pack(">IBI", 8, locality, len(cmd)) + cmd)
    n = u32(s)
    rsp = recv_exact(s, n)
    check(u32(s) == 0, "mssim response ends with u32 0")
    return rsp


def rc_of(rsp):
    return struct.unpack(">I", rsp[6:10])[0]


def platform(s, code, extra=b""):
    s.sendall(struct.pack(">I", code) + extra)
    return u32(s)


def test_mssim():
    srv = Server()
    try:
        c = srv.connect(0)
        p = srv.connect(1)
        c.sendall(struct.pack(">II", 15, 1))
        check((u32(c), u32(c), u32(c)) == (1, 0x0D, 0), "handshake: version 1, flags 0x0D, 0")
        check(platform(p, 1) == 0 and platform(p, 11) == 0, "POWER_ON and NV_ON acked with 0")
        check(rc_of(ms_cmd(c, STARTUP)) == RC_SUCCESS, "Startup succeeds (TPM started powered)")
        check(rc_of(ms_cmd(c, STARTUP)) == RC_INITIALIZE,
              "POWER_ON on a running TPM is not a reset (second Startup: TPM_RC_INITIALIZE)")
        r = ms_cmd(c, getrandom(8), locality=3)
        check(rc_of(r) == 0 and len(r) == 20 and r[12] == 3, "GetRandom at locality 3 reaches engine")
        check(rc_of(ms_cmd(c, getrandom(8), locality=5)) == RC_LOCALITY,
              "locality 5 answered TPM_RC_LOCALITY")

        # Fragmented: one byte per send.
        frame = struct.pack(">IBI", 8, 0, 12) + getrandom(4)
        for b in frame:
            c.send(bytes([b]))
            time.sleep(0.002)
        n = u32(c)
        r = recv_exact(c, n)
        check(u32(c) == 0 and rc_of(r) == 0 and n == 16, "command sent one byte at a time")

        # Pipelined: two frames in one write, two answers in order.
        c.sendall(frame + struct.pack(">IBI", 8, 2, 12) + getrandom(4))
        a = recv_exact(c, u32(c)); u32(c)
        b = recv_exact(c, u32(c)); u32(c)
        check(a[12] == 0 and b[12] == 2, "two pipelined commands answered in order")

        # Platform signals reach the engine.
        check(platform(p, 9) == 0, "CANCEL_ON acked")
        check(ms_cmd(c, getrandom(4))[13] == 1, "CANCEL_ON reached the engine")
        platform(p, 10)
        check(ms_cmd(c, getrandom(4))[13] == 0, "CANCEL_OFF reached the engine")
        platform(p, 12)
        check(ms_cmd(c, getrandom(4))[14] == 0, "NV_OFF reached the engine")
        platform(p, 11)
        for code in (3, 4, 13, 14):
            check(platform(p, code) == 0, "signal %d acked with 0" % code)
        check(platform(p, 26, struct.pack(">I", 0x40000110)) == 0 and u32(p) == 0,
              "ACT_GET_SIGNALED: not signalled, then 0")
        check(platform(p, 2) == 0, "POWER_OFF acked")
        check(rc_of(ms_cmd(c, getrandom(4))) == RC_FAILURE, "powered off: TPM_RC_FAILURE")
        platform(p, 1)
        check(rc_of(ms_cmd(c, getrandom(4))) == RC_INITIALIZE, "after POWER_ON: needs Startup")
        check(rc_of(ms_cmd(c, STARTUP)) == RC_SUCCESS, "Startup after power cycle")
        platform(p, 17)
        check(rc_of(ms_cmd(c, STARTUP)) == RC_SUCCESS, "SIGNAL_RESET is _TPM_Init")

        # GET_COMMAND_RESPONSE_SIZES: largest command and response so far.
        c.sendall(struct.pack(">I", 25))
        n = u32(c)
        sizes = struct.unpack(">4I", recv_exact(c, n))
        check(u32(c) == 0 and n == 16 and sizes[0] == 12 and sizes[2] >= 16,
              "GET_COMMAND_RESPONSE_SIZES %r" % (sizes,))

        # Oversized command: read, dropped, answered; the connection goes on.
        big = struct.pack(">HII", 0x8001, 9000, 0x17B) + bytes(8990)
        r = ms_cmd(c, big)
        check(rc_of(r) == RC_COMMAND_SIZE and len(r) == 10, "9000-byte command: TPM_RC_COMMAND_SIZE")
        check(rc_of(ms_cmd(c, getrandom(4))) == 0, "connection usable after oversized command")
        # Hash signals are refused (no DRTM), framing preserved.
        c.sendall(struct.pack(">I", 5))
        check(u32(c) == 1, "HASH_START refused with 1")
        c.sendall(struct.pack(">II", 6, 3) + b"abc")
        check(u32(c) == 1, "HASH_DATA consumed and refused")
        check(rc_of(ms_cmd(c, getrandom(4))) == 0, "framing intact after HASH_DATA")

        # Unknown platform code: 1 and hang up.
        check(platform(p, 99) == 1 and closed(p), "unknown platform code: 1, then closed")
        # Unknown command code: dropped, server stays up.
        c.sendall(struct.pack(">I", 77))
        check(closed(c), "unknown command-port code drops the client")
        # Huge declared size: dropped.
        c = srv.connect(0)
        c.sendall(struct.pack(">IBI", 8, 0, 0x7FFFFFFF))
        check(closed(c), "absurd command size drops the client")
        # Client leaving in the middle of a frame, and without SESSION_END.
        c = srv.connect(0)
        c.sendall(struct.pack(">IBI", 8, 0, 12) + b"\x80\x01")
        c.close()
        c = srv.connect(0)
        check(rc_of(ms_cmd(c, getrandom(4))) == 0, "server serves after a client vanished mid-frame")
        c.sendall(struct.pack(">I", 20))
        check(closed(c), "SESSION_END closes the connection")
        # Connection flood beyond the table size.
        # Silent connections never lock a newcomer out: the ones that waited
        # longest without a frame give up their places (loop.c fairness).
        flood = [srv.connect(0) for _ in range(100)]
        check(rc_of(ms_cmd(flood[-1], getrandom(4))) == 0,
              "the 100th connection is served while 99 others are silent")
        check(closed(flood[0]), "the oldest silent connection gave up its place")
        for f in flood:
            f.close()
        time.sleep(0.2)
        c = srv.connect(0)
        check(rc_of(ms_cmd(c, getrandom(4))) == 0, "server serves after 100 connections")
        # One connection per command, no platform port (wolfTPM style).
        for _ in range(3):
            c = srv.connect(0)
            check(rc_of(ms_cmd(c, getrandom(4))) == 0, "one connection per command")
            c.close()
        # STOP ends the server; state is saved.
        c = srv.connect(1)
        c.sendall(struct.pack(">I", 21))
        srv.proc.wait(10)
        check(srv.proc.returncode == 0, "STOP on the platform port: server exits 0")
        check(os.path.exists(os.path.join(srv.dir, "state", "boots")), "state saved on STOP")
    finally:
        srv.stop()


def test_restart_and_state():
    d = tempfile.mkdtemp(prefix="qtpm-srv-")
    try:
        boots = []
        for _ in range(2):
            srv = Server(state=d)
            c = srv.connect(0)
            ms_cmd(c, STARTUP)
            boots.append(ms_cmd(c, getrandom(4))[15])
            check(srv.stop() == 0, "SIGTERM: server exits 0")
        check(boots[1] == boots[0] + 1, "state survives a restart (boots %r)" % boots)
        srv = Server("--rm", state=d)
        c = srv.connect(0)
        ms_cmd(c, STARTUP)
        check(ms_cmd(c, getrandom(4))[15] == 1, "--rm starts from fresh state")
        srv.stop()
        # tpm_server command line through a symlink.
        link = os.path.join(d, "tpm_server")
        os.symlink(SERVER, link)
        port = free_port_pair()
        proc = subprocess.Popen([link, "-port", str(port), "-rm"], cwd=d,
                                stderr=subprocess.DEVNULL, env=dict(os.environ, QTPM_STATE=""))
        ok = False
        for _ in range(100):
            try:
                c = socket.create_connection(("localhost", port), 0.2)
                c.settimeout(5)
                ok = rc_of(ms_cmd(c, STARTUP)) in (RC_SUCCESS, RC_INITIALIZE)
                c.close()
                break
            except OSError:
                time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        check(proc.wait(10) == 0 and ok, "tpm_server -port N -rm works")
        check(os.path.exists(os.path.join(d, "qtpm-state", "boots")),
              "tpm_server keeps state in ./qtpm-state")
        h = subprocess.run([link, "-h"], capture_output=True, text=True)
        check(h.returncode == 0 and "-port" in h.stdout, "tpm_server -h prints usage")
        bad = subprocess.run([SERVER, "--bogus"], capture_output=True)
        check(bad.returncode == 2, "unknown option: exit 2")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_wait_power_on():
    srv = Server("--wait-power-on")
    try:
        c = srv.connect(0)
        check(rc_of(ms_cmd(c, STARTUP)) == RC_FAILURE, "--wait-power-on: off until POWER_ON")
        p = srv.connect(1)
        platform(p, 1)
        platform(p, 11)
        check(rc_of(ms_cmd(c, STARTUP)) == RC_SUCCESS, "Startup after POWER_ON")
        check(ms_cmd(c, getrandom(4))[14] == 1, "NV_ON reached the engine")
    finally:
        srv.stop()


# --- swtpm -------------------------------------------------------------------

def sw_data(srv, cmd):
    s = srv.connect(0)
    s.sendall(cmd)
    hdr = recv_exact(s, 10)
    n = struct.unpack(">I", hdr[2:6])[0]
    rsp = hdr + recv_exact(s, n - 10)
    s.close()
    return rsp


def sw_ctrl(srv, code, payload=b"", answer=4):
    s = srv.connect(1)
    s.sendall(struct.pack(">I", code) + payload)
    r = recv_exact(s, answer)
    s.close()
    return r


def test_swtpm():
    srv = Server("--swtpm")
    try:
        caps = sw_ctrl(srv, 1, answer=8)
        res, bits = struct.unpack(">II", caps)
        check(res == 0 and bits & 0x1 and bits & 0x8 and bits & 0x1310 == 0x1310 and not bits & 0x40,
              "GET_CAPABILITY: INIT, SET_LOCALITY, HASHING, STATEBLOB, SET_DATAFD, no STORE_VOLATILE (0x%x)" % bits)
        check(rc_of(sw_data(srv, STARTUP)) == RC_SUCCESS, "data channel: Startup")
        check(struct.unpack(">I", sw_ctrl(srv, 5, b"\x02"))[0] == 0, "SET_LOCALITY 2")
        check(sw_data(srv, getrandom(4))[12] == 2, "locality from control channel reaches engine")
        check(struct.unpack(">I", sw_ctrl(srv, 5, b"\x05"))[0] == 61, "SET_LOCALITY 5: BAD_LOCALITY")
        sw_ctrl(srv, 5, b"\x00")
        # Several commands on one data connection.
        s = srv.connect(0)
        s.sendall(getrandom(4) + getrandom(8))
        a = recv_exact(s, 16)
        b = recv_exact(s, 20)
        check(rc_of(a) == 0 and rc_of(b) == 0, "two commands on one data connection")
        s.sendall(struct.pack(">HII", 0x8001, 9000, 0x17B) + bytes(8990))
        check(rc_of(recv_exact(s, 10)) == RC_COMMAND_SIZE, "data: oversized command refused")
        s.sendall(getrandom(4))
        check(rc_of(recv_exact(s, 16)) == 0, "data connection usable afterwards")
        s.sendall(struct.pack(">HI", 0x8001, 4))
        check(rc_of(recv_exact(s, 10)) == RC_COMMAND_SIZE and closed(s),
              "data: header size < 10 answered, then closed")
        est = sw_ctrl(srv, 4, answer=8)
        check(est == bytes(8), "GET_TPMESTABLISHED: result 0, bit 0")
        check(sw_ctrl(srv, 11, b"\x00") == struct.pack(">I", 61), "RESET_TPMESTABLISHED at locality 0: BAD_LOCALITY")
        check(sw_ctrl(srv, 11, b"\x03") == bytes(4), "RESET_TPMESTABLISHED at locality 3")
        check(sw_ctrl(srv, 15, answer=8) == bytes(8), "GET_CONFIG: no keys")
        check(sw_ctrl(srv, 9) == bytes(4), "CANCEL_TPM_CMD: nothing in flight")
        check(struct.unpack(">4I", sw_ctrl(srv, 17, bytes(4), answer=16)) == (0, 8192, 8192, 8192),
              "SET_BUFFERSIZE 0 reports 8192")
        s = srv.connect(1)
        s.sendall(struct.pack(">IQII", 18, 3, 0, 0))
        res, total, n = struct.unpack(">III", recv_exact(s, 12))
        text = recv_exact(s, n)
        check(res == 0 and total == n and text.endswith(b"\0") and b"TPMSpecification" in text
              and b"TPMAttributes" in text, "GET_INFO: %r" % text)
        check(sw_ctrl(srv, 10) == struct.pack(">I", 10), "STORE_VOLATILE refused (BAD_ORDINAL)")
        s = srv.connect(1)
        s.sendall(struct.pack(">II", 7, 3) + b"abc" + struct.pack(">I", 1))
        check(u32(s) == 9 and len(recv_exact(s, 8)) == 8, "HASH_DATA without HASH_START consumed, TPM_FAIL; next command on same conn")
        s = srv.connect(1)
        s.sendall(struct.pack(">I", 99))
        check(u32(s) == 10 and closed(s), "unknown control code: BAD_ORDINAL, closed")
        check(sw_ctrl(srv, 14) == bytes(4), "CMD_STOP")
        check(rc_of(sw_data(srv, getrandom(4))) == RC_FAILURE, "stopped: TPM_RC_FAILURE")
        check(sw_ctrl(srv, 2, struct.pack(">I", 1)) == bytes(4), "CMD_INIT")
        check(rc_of(sw_data(srv, getrandom(4))) == RC_INITIALIZE, "after INIT: needs Startup")
        check(rc_of(sw_data(srv, STARTUP)) == RC_SUCCESS, "Startup after INIT")
        # swtpm_ioctl, swtpm's own client, if installed.
        tool = shutil.which("swtpm_ioctl")
        if tool:
            addr = "127.0.0.1:%d" % (srv.port + 1)
            r = subprocess.run([tool, "--tcp", addr, "-c"], capture_output=True, text=True)
            check(r.returncode == 0 and "ptm capability" in r.stdout.lower(),
                  "swtpm_ioctl -c: %s" % r.stdout.strip())
            for args in (["-i"], ["-e"], ["-l", "0"], ["-g"], ["--info", "1"], ["--stop"]):
                r = subprocess.run([tool, "--tcp", addr, *args], capture_output=True, text=True)
                check(r.returncode == 0, "swtpm_ioctl %s: %s" % (" ".join(args),
                                                               (r.stdout + r.stderr).strip()))
            r = subprocess.run([tool, "--tcp", addr, "-s"], capture_output=True, text=True)
            check(r.returncode == 0, "swtpm_ioctl -s (shutdown)")
        else:
            sw_ctrl(srv, 3)
        srv.proc.wait(10)
        check(srv.proc.returncode == 0, "CMD_SHUTDOWN: server exits 0")
    finally:
        srv.stop()


for t in (test_mssim, test_restart_and_state, test_wait_power_on, test_swtpm):
    try:
        t()
    except Exception as e:  # a crash of one group must not hide the others
        failures.append("%s: %r" % (t.__name__, e))
        print("FAIL:", t.__name__, "raised", repr(e))

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
