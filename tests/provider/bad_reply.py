#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""bad_reply.py MODULE_DIR — the client side of malformed input: a fake TLS
1.3 server answers `openssl s_client` (with qtpm-provider, offering one
hybrid or ML-KEM group) with a ServerHello whose key share (the ML-KEM
ciphertext and ECDH share) has a wrong length or a bad ECDH part. s_client
must refuse it: send an alert, exit non-zero, and not die of a signal.

draft-ietf-tls-ecdhe-mlkem §3.1.2 wants illegal_parameter for a ciphertext of
the wrong length; OpenSSL 3.0's libssl (ssl_decapsulate) sends internal_error
(80) for any decapsulation failure, which a provider cannot change — both are
accepted here, and the alert is printed. An empty share never reaches the
provider: libssl's parser refuses it with decode_error (50). Every step has a
timeout.
"""
import os
import socket
import struct
import subprocess
import sys

G = bytes.fromhex("04"
                  "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
                  "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5")
X9 = bytes([9]) + bytes(31)


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            return None
        b += c
    return b


def server_hello(sid, group, share):
    exts = struct.pack("!HHH", 0x002B, 2, 0x0304)
    exts += struct.pack("!HHHH", 0x0033, 4 + len(share), group, len(share)) + share
    body = b"\x03\x03" + os.urandom(32) + bytes([len(sid)]) + sid
    body += struct.pack("!H", 0x1301) + b"\x00" + struct.pack("!H", len(exts)) + exts
    hs = b"\x02" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs


def one(moddir, name, group, share):
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    ls.settimeout(10)
    port = ls.getsockname()[1]
    env = dict(os.environ)
    if os.environ.get("QTPM_TEST_PRELOAD"):  # a sanitizer build (test_tls.sh)
        env["LD_PRELOAD"] = os.environ["QTPM_TEST_PRELOAD"]
        env["ASAN_OPTIONS"] = "detect_leaks=0"
    cli = subprocess.Popen(["openssl", "s_client", "-provider-path", moddir, "-provider",
                            "default", "-provider", "qtpm", "-groups", name, "-tls1_3",
                            "-connect", "127.0.0.1:%d" % port],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=env)
    alert = "none"
    try:
        s, _ = ls.accept()
        s.settimeout(10)
        hdr = recv_exact(s, 5)
        ch = recv_exact(s, struct.unpack("!H", hdr[3:5])[0])
        sid = ch[4 + 2 + 32 + 1: 4 + 2 + 32 + 1 + ch[4 + 2 + 32]]
        s.sendall(server_hello(sid, group, share))
        r = recv_exact(s, 7)
        if r is not None and r[0] == 0x15:
            alert = str(r[6])
        elif r is not None:
            alert = "record type %d" % r[0]
        s.close()
    except OSError as e:
        alert = "error: %s" % e
    finally:
        ls.close()
    try:
        rc = cli.wait(timeout=15)
    except subprocess.TimeoutExpired:
        cli.kill()
        rc = "timeout"
    cli.stdout.close()
    return alert, rc


def main():
    moddir = sys.argv[1]
    cases = []
    for n in (0, 1, 32, 1087, 1088, 1089, 1119, 1121, 1153, 2000):
        cases.append(("X25519MLKEM768", 0x11EC, n, (bytes(1088) + X9 + bytes(1000))[:n]))
    cases.append(("X25519MLKEM768", 0x11EC, "low-order X25519", bytes(1120)))
    for n in (1, 65, 1088, 1152, 1154, 1120):
        cases.append(("SecP256r1MLKEM768", 0x11EB, n, (G + bytes(1088) + bytes(100))[:n]))
    off = bytearray(G)
    off[-1] ^= 1
    cases.append(("SecP256r1MLKEM768", 0x11EB, "point off the curve", bytes(off) + bytes(1088)))
    for n in (1, 1087, 1089, 1568):
        cases.append(("MLKEM768", 0x0201, n, bytes(n)))
    for n in (1088, 1567, 1569):
        cases.append(("MLKEM1024", 0x0202, n, bytes(n)))
    bad = 0
    for name, group, what, share in cases:
        alert, rc = one(moddir, name, group, share)
        ok = alert in (("50",) if share == b"" else ("47", "80")) and isinstance(rc, int) and rc > 0
        bad += not ok
        print("%-4s %-18s %-20s alert %-6s s_client exit %s" % ("ok" if ok else "FAIL", name,
                                                               what, alert, rc))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
