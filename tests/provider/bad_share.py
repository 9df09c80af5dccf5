#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""bad_share.py PORT — sends hand-made TLS 1.3 ClientHellos to a server that
offers only qtpm-provider's hybrid groups, with key shares of every kind of
wrong: lengths around the right one, an ML-KEM key that fails FIPS 203 §7.2,
a P-256 point off the curve or compressed. Each must get an alert
(illegal_parameter, RFC 8446 §6; draft-ietf-tls-ecdhe-mlkem §3.1.2), never a
ServerHello, and the server must answer the next one (it stays up).

Two positive controls prove the ClientHello itself is good: a well-formed
share (the all-zero ML-KEM key passes §7.2; X25519's u = 9, P-256's
generator) must get a ServerHello. Each exchange has a 5 s timeout.
"""
import os
import socket
import struct
import sys

X25519MLKEM768 = 0x11EC
SECP256R1MLKEM768 = 0x11EB
MLKEM768 = 0x0201
EK768 = 1184

P256_G = bytes.fromhex(
    "04"
    "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
    "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5")
X25519_9 = bytes([9]) + bytes(31)


def ext(t, body):
    return struct.pack("!HH", t, len(body)) + body


def client_hello(group, share):
    exts = ext(0x002B, bytes([2, 3, 4]))                          # supported_versions: TLS 1.3
    exts += ext(0x000A, struct.pack("!HH", 2, group))              # supported_groups
    exts += ext(0x000D, struct.pack("!HHH", 4, 0x0403, 0x0804))    # signature_algorithms
    ks = struct.pack("!HH", group, len(share)) + share
    exts += ext(0x0033, struct.pack("!H", len(ks)) + ks)           # key_share
    body = b"\x03\x03" + os.urandom(32) + bytes([32]) + os.urandom(32)
    body += struct.pack("!HH", 2, 0x1301) + b"\x01\x00"
    body += struct.pack("!H", len(exts)) + exts
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def exchange(port, group, share):
    """'alert:N', 'serverhello' or 'other:...' — what the server answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(client_hello(group, share))
        hdr = b""
        while len(hdr) < 7:
            chunk = s.recv(7 - len(hdr))
            if not chunk:
                return "other:closed after %d bytes" % len(hdr)
            hdr += chunk
        if hdr[0] == 0x15:
            return "alert:%d" % hdr[6]
        if hdr[0] == 0x16 and hdr[5] == 0x02:
            return "serverhello"
        return "other:" + hdr.hex()


def main():
    port = int(sys.argv[1])
    good_x = bytes(EK768) + X25519_9
    good_p = P256_G + bytes(EK768)
    cases = [("control X25519MLKEM768", X25519MLKEM768, good_x, "serverhello"),
             ("control SecP256r1MLKEM768", SECP256R1MLKEM768, good_p, "serverhello")]
    for n in (1, 31, 32, 33, 1183, 1184, 1185, 1215, 1217, 1249, 2048):
        cases.append(("X25519MLKEM768 share of %d bytes" % n, X25519MLKEM768,
                      (good_x * 2)[:n], "alert:47"))
    for n in (1, 65, 1184, 1248, 1250, 1216):
        cases.append(("SecP256r1MLKEM768 share of %d bytes" % n, SECP256R1MLKEM768,
                      (good_p * 2)[:n], "alert:47"))
    cases.append(("X25519MLKEM768 ek fails FIPS 203 7.2", X25519MLKEM768,
                  b"\xff" * EK768 + X25519_9, "alert:47"))
    cases.append(("SecP256r1MLKEM768 ek fails FIPS 203 7.2", SECP256R1MLKEM768,
                  P256_G + b"\xff" * EK768, "alert:47"))
    off = bytearray(P256_G)
    off[-1] ^= 1
    cases.append(("P-256 point off the curve", SECP256R1MLKEM768, bytes(off) + bytes(EK768),
                  "alert:47"))
    comp = b"\x02" + P256_G[1:33] + bytes(32)
    cases.append(("P-256 point not uncompressed", SECP256R1MLKEM768, comp + bytes(EK768),
                  "alert:47"))
    # A low-order X25519 point: OpenSSL refuses the all-zero secret
    # (RFC 7748 §6.1, RFC 8446 §7.4.2) and the handshake ends with
    # illegal_parameter, as the draft asks.
    cases.append(("X25519 part all-zero (low order)", X25519MLKEM768, bytes(EK768 + 32),
                  "alert:47"))
    cases.append(("control again (server still up)", X25519MLKEM768, good_x, "serverhello"))
    bad = 0
    for name, group, share, want in cases:
        got = exchange(port, group, share)
        ok = got == want
        bad += not ok
        print("%-4s %-45s want %-12s got %s" % ("ok" if ok else "FAIL", name, want, got))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
