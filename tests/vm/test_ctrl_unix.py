#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# test_ctrl_unix.py — swtpm's control channel on a UNIX socket, as QEMU's
# -tpmdev emulator drives it (docs/VTPM.md), byte by byte against
# qtpm-server --ctrl type=unixio,path=P: one persistent control connection,
# GET_CAPABILITY, SET_DATAFD with the data channel passed by SCM_RIGHTS
# (TPM2_Startup and PCR_Read over it), STOP/SET_BUFFERSIZE/INIT, localities,
# tpmEstablished, the D-RTM sequence into PCR 17 checked against a SHA-256
# computed here, GET/SET_STATEBLOB round trip (PCR values survive into a
# second server), refusals (bad locality, no descriptor, second data channel,
# blob while running, damaged blob, unknown code) with the server staying up.
#   test_ctrl_unix.py QTPM_SERVER
import hashlib, os, socket, struct, subprocess, sys, tempfile, time

server = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="qtpm-ctrl.")
procs = []

def start(name):
    path = os.path.join(tmp, name + ".sock")
    p = subprocess.Popen([server, "--ctrl", "type=unixio,path=" + path, "--memory"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    procs.append(p)
    # The file appears at bind(), a moment before listen(): until then (and
    # until the server got that far on a loaded machine) connect() is
    # refused, so retry for a while rather than test for the file.
    deadline = time.monotonic() + 30
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect(path)
            return p, s, path
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if p.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.05)

def recv(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError("connection closed")
        b += c
    return b

def ctrl(s, code, payload=b"", out=4, fds=None):
    msg = struct.pack(">I", code) + payload
    if fds:
        s.sendmsg([msg], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i" * len(fds), *fds))])
    else:
        s.sendall(msg)
    return recv(s, out)

def res(b):
    return struct.unpack(">I", b[:4])[0]

def tpm(d, cmd):
    d.sendall(cmd)
    h = recv(d, 10)
    return h + recv(d, struct.unpack(">I", h[2:6])[0] - 10)

def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok -", what)

STARTUP = bytes.fromhex("80010000000c00000144") + b"\x00\x00"
def pcr_read(d, pcr):
    sel = bytearray(3); sel[pcr // 8] |= 1 << (pcr % 8)
    body = struct.pack(">IHHB", 1, 0x000B, 0, 3)[:0]
    body = struct.pack(">I", 1) + struct.pack(">HB", 0x000B, 3) + bytes(sel)
    cmd = struct.pack(">HII", 0x8001, 10 + len(body), 0x17E) + body
    r = tpm(d, cmd)
    assert res(r[6:10]) == 0, hex(res(r[6:10]))
    return r[-32:]

try:
    p, s, path = start("a")
    caps = struct.unpack(">Q", ctrl(s, 1, out=8))[0]
    need = (1 | 2 | 4 | 8 | 0x80 | 0x1000 | 0x400 | 0x2000)  # QEMU's TPM 2 minimum
    check(caps & need == need, "GET_CAPABILITY has QEMU's minimum set (0x%x)" % caps)
    check(caps & (0x10 | 0x100 | 0x200) == 0x310, "hashing and state blobs advertised")
    check(caps & 0x40 == 0, "STORE_VOLATILE not advertised")
    check(res(ctrl(s, 16)) == 3, "SET_DATAFD without a descriptor: TPM_BAD_PARAMETER")
    a, b = socket.socketpair()
    check(res(ctrl(s, 16, fds=[b.fileno()])) == 0, "SET_DATAFD with SCM_RIGHTS")
    b.close()
    a.settimeout(10)
    c2, c3 = socket.socketpair()
    check(res(ctrl(s, 16, fds=[c3.fileno()])) == 31, "a second data channel: TPM_IOERROR")
    c2.close(); c3.close()
    # QEMU's start-up order: STOP, SET_BUFFERSIZE, INIT
    check(res(ctrl(s, 14)) == 0, "STOP")
    r = ctrl(s, 17, struct.pack(">I", 4096), out=16)
    check(res(r) == 0 and struct.unpack(">III", r[4:]) == (8192, 8192, 8192), "SET_BUFFERSIZE while stopped")
    check(res(ctrl(s, 4, out=4)) == 10, "GET_TPMESTABLISHED while stopped: TPM_BAD_ORDINAL")
    check(res(ctrl(s, 2, struct.pack(">I", 0))) == 0, "INIT")
    check(res(ctrl(s, 17, struct.pack(">I", 4096), out=4)) == 10, "SET_BUFFERSIZE while running: TPM_BAD_ORDINAL")
    r = tpm(a, STARTUP)
    check(res(r[6:10]) == 0, "TPM2_Startup over the passed data channel")
    check(res(ctrl(s, 5, b"\x05")) == 61, "SET_LOCALITY 5: TPM_BAD_LOCALITY")
    check(res(ctrl(s, 5, b"\x03")) == 0, "SET_LOCALITY 3")
    check(res(ctrl(s, 5, b"\x00\x00\x00\x00")) == 0 and res(ctrl(s, 5, b"\x03\x00\x00\x00")) == 0,
          "SET_LOCALITY with QEMU's 4-byte ptm_loc")
    check(len(ctrl(s, 1, out=8)) == 8, "the persistent connection stays in step after it")
    check(ctrl(s, 4, out=8)[4] == 0, "tpmEstablished clear")
    pcr17 = pcr_read(a, 17)
    check(pcr17 == b"\xff" * 32, "PCR 17 before D-RTM is all ones")
    check(res(ctrl(s, 8)) == 9, "HASH_END without HASH_START: TPM_FAIL")
    check(res(ctrl(s, 6)) == 0, "HASH_START")
    data = os.urandom(5000)
    check(res(ctrl(s, 7, struct.pack(">I", 3000) + data[:3000])) == 0, "HASH_DATA 3000 bytes")
    check(res(ctrl(s, 7, struct.pack(">I", 2000) + data[3000:])) == 0, "HASH_DATA 2000 bytes")
    check(res(ctrl(s, 8)) == 0, "HASH_END")
    want = hashlib.sha256(b"\0" * 32 + hashlib.sha256(data).digest()).digest()
    check(pcr_read(a, 17) == want, "PCR 17 = SHA-256(0^32 || SHA-256(data))")
    check(pcr_read(a, 18) == b"\0" * 32, "PCR 18 reset to zero by the D-RTM event")
    check(ctrl(s, 4, out=8)[4] == 1, "tpmEstablished set by HASH_START")
    check(res(ctrl(s, 11, b"\x00")) == 61, "RESET_TPMESTABLISHED at locality 0 refused")
    check(res(ctrl(s, 11, b"\x04")) == 0 and ctrl(s, 4, out=8)[4] == 0, "RESET_TPMESTABLISHED at locality 4")
    check(res(ctrl(s, 11, b"\x04\x00\x00\x00")) == 0 and ctrl(s, 4, out=8)[4] == 0,
          "RESET_TPMESTABLISHED with QEMU's 4-byte ptm_reset_est, connection in step")
    # state blobs (QEMU's pre_save): permanent, volatile, savestate
    blobs = {}
    for t in (1, 2, 3):
        h = ctrl(s, 12, struct.pack(">III", 1, t, 0), out=16)
        rc, flags, tot, n = struct.unpack(">IIII", h)
        check(rc == 0 and tot == n, "GET_STATEBLOB type %d: %d bytes in one answer" % (t, n))
        blobs[t] = recv(s, n)
    check(len(blobs[3]) == 0 and blobs[1][:8] == b"QTPMSTAT", "permanent blob is the state file; savestate empty")
    check(res(ctrl(s, 12, struct.pack(">III", 0, 9, 0), out=4)) == 3, "GET_STATEBLOB unknown type: TPM_BAD_PARAMETER")
    check(res(ctrl(s, 13, struct.pack(">III", 0, 1, 4) + b"abcd")) == 10, "SET_STATEBLOB while running: TPM_BAD_ORDINAL")
    # a second server takes the blobs (QEMU's post_load: STOP, SET x3, INIT)
    p2, s2, _ = start("b")
    a2, b2 = socket.socketpair()
    check(res(ctrl(s2, 16, fds=[b2.fileno()])) == 0, "second server: SET_DATAFD")
    b2.close(); a2.settimeout(10)
    check(res(ctrl(s2, 14)) == 0, "second server: STOP")
    bad = bytearray(blobs[1]); bad[100] ^= 1
    check(res(ctrl(s2, 13, struct.pack(">III", 0, 1, len(bad)) + bytes(bad))) == 9, "damaged permanent blob: TPM_FAIL")
    for t in (1, 2):
        check(res(ctrl(s2, 13, struct.pack(">III", 0, t, len(blobs[t])) + blobs[t])) == 0, "SET_STATEBLOB type %d" % t)
    check(res(ctrl(s2, 2, struct.pack(">I", 1))) == 0, "INIT resumes with the volatile blob")
    check(pcr_read(a2, 17) == want, "PCR 17 carried over to the second server (no new Startup)")
    check(res(ctrl(s2, 99)) == 10, "unknown code: TPM_BAD_ORDINAL")
    s2.close()
    p2b = socket.socket(socket.AF_UNIX); p2b.connect(os.path.join(tmp, "b.sock"))
    check(len(ctrl(p2b, 1, out=8)) == 8, "server up after an unknown code (GET_CAPABILITY answered)")
    check(p2.poll() is None, "second server still running")
    check(res(ctrl(p2b, 3)) == 0, "SHUTDOWN")
    check(p2.wait(10) == 0, "second server exited on SHUTDOWN")
    check(res(ctrl(s, 3)) == 0 and p.wait(10) == 0, "first server: SHUTDOWN")
    check(not os.path.exists(path), "socket file removed at exit")
    # swtpm's spelling with an inherited listening socket (--ctrl ...,fd=N)
    lpath = os.path.join(tmp, "inh.sock")
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(lpath); ls.listen(4)
    st = os.path.join(tmp, "st")
    p3 = subprocess.Popen([server, "socket", "--tpm2", "--tpmstate", "dir=" + st, "--ctrl",
                           "type=unixio,fd=%d" % ls.fileno(), "--flags", "not-need-init",
                           "--log", "level=0"], pass_fds=[ls.fileno()],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    procs.append(p3)
    ls.close()
    p3.stdout.readline()
    s3 = socket.socket(socket.AF_UNIX); s3.settimeout(10); s3.connect(lpath)
    check(struct.unpack(">Q", ctrl(s3, 1, out=8))[0] & 0x1000, "swtpm spelling, inherited fd: GET_CAPABILITY")
    check(res(ctrl(s3, 3)) == 0 and p3.wait(10) == 0 and os.path.exists(os.path.join(st, "state")),
          "SHUTDOWN; state saved in --tpmstate dir")
    bad = subprocess.run([server, "--ctrl", "type=tcp,port=1"], capture_output=True, text=True)
    check(bad.returncode == 2 and "bad --ctrl" in bad.stderr, "--ctrl type=tcp refused with a clear error")
finally:
    for q in procs:
        if q.poll() is None:
            q.kill(); q.wait()
    subprocess.run(["rm", "-rf", tmp])
