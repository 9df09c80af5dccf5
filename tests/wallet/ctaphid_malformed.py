#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""ctaphid_malformed.py — feeds tests/wallet/ctap_authenticator (over its UNIX
socket) the CTAPHID frames a broken or hostile host could send, and checks each
answer against FIDO CTAP 2.1 §11.2: a CTAPHID_ERROR with the right code (invalid
channel, length, sequence, command; channel busy; message timeout), nothing for a
spurious continuation packet or a CANCEL, and well-formed answers to INIT, PING
(multi-packet, both ways) and CBOR (GetInfo; broken CTAP2 messages → their CTAP2
status). Then 3000 random and mutated frames (seeded). At the end the emulator must
still answer a fresh INIT, PING and GetAssertion on a new connection.

    ctaphid_malformed.py SOCKET      exit 0 when every check passed
"""
import os
import random
import socket
import struct
import sys
import time

REPORT = 64
BROADCAST = 0xFFFFFFFF
INIT, PING, CBOR, CANCEL, ERROR, KEEPALIVE, MSG, WINK = 0x86, 0x81, 0x90, 0x91, 0xBF, 0xBB, 0x83, 0x88
E_CMD, E_LEN, E_SEQ, E_TIMEOUT, E_BUSY, E_CHANNEL = 0x01, 0x03, 0x04, 0x05, 0x06, 0x0B

failures = []


def check(cond, what):
    print(("ok:   " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


class Dev:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(3)
        self.s.connect(path)

    def raw(self, data):
        self.s.sendall(data)

    def report(self, cid, body):
        pkt = struct.pack(">I", cid) + body
        assert len(pkt) <= REPORT
        self.raw(pkt + bytes(REPORT - len(pkt)))

    def init_pkt(self, cid, cmd, bcnt, data=b""):
        self.report(cid, bytes([cmd]) + struct.pack(">H", bcnt) + data[:57])

    def cont_pkt(self, cid, seq, data=b""):
        self.report(cid, bytes([seq]) + data[:59])

    def send(self, cid, cmd, data):
        self.init_pkt(cid, cmd, len(data), data)
        off, seq = 57, 0
        while off < len(data):
            self.cont_pkt(cid, seq, data[off:off + 59])
            off += 59
            seq += 1

    def read_report(self, timeout=3.0):
        self.s.settimeout(timeout)
        buf = b""
        while len(buf) < REPORT:
            chunk = self.s.recv(REPORT - len(buf))
            if not chunk:
                raise EOFError("the authenticator closed the connection")
            buf += chunk
        return buf

    def recv(self, timeout=3.0):
        """one whole message: (cid, cmd, payload), keepalives skipped"""
        while True:
            r = self.read_report(timeout)
            cid, cmd = struct.unpack(">I", r[:4])[0], r[4]
            if cmd == KEEPALIVE:
                continue
            n = struct.unpack(">H", r[5:7])[0]
            data, seq = r[7:7 + min(n, 57)], 0
            while len(data) < n:
                c = self.read_report(timeout)
                if struct.unpack(">I", c[:4])[0] != cid or c[4] != seq:
                    raise ValueError("bad continuation from the authenticator")
                data += c[5:5 + min(n - len(data), 59)]
                seq += 1
            return cid, cmd, data

    def silent(self, timeout=0.3):
        try:
            self.read_report(timeout)
            return False
        except socket.timeout:
            return True

    def channel(self):
        nonce = os.urandom(8)
        self.send(BROADCAST, INIT, nonce)
        cid, cmd, data = self.recv()
        assert cid == BROADCAST and cmd == INIT and data[:8] == nonce, "INIT answer"
        return struct.unpack(">I", data[8:12])[0], data


def error_is(dev, code, what, cid=None):
    try:
        rcid, cmd, data = dev.recv()
        ok = cmd == ERROR and data == bytes([code]) and (cid is None or rcid == cid)
        check(ok, "%s → CTAPHID_ERROR 0x%02x (got cmd 0x%02x %s)" % (what, code, cmd, data.hex()))
    except Exception as e:  # noqa: BLE001 - report any failure as a check
        check(False, "%s → CTAPHID_ERROR 0x%02x (%s)" % (what, code, e))


ROUNDS = 3000


def cbor_head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    return bytes([major << 5 | 25]) + struct.pack(">H", n)


def cbor_get_assertion(rnd):
    """a well-formed GetAssertion for an unknown credential, to be mutated"""
    text = lambda t: cbor_head(3, len(t)) + t  # noqa: E731
    byts = lambda b: cbor_head(2, len(b)) + b  # noqa: E731
    cred = bytes(rnd.randrange(256) for _ in range(16))
    return (cbor_head(5, 4) + b"\x01" + text(b"localhost") + b"\x02" + byts(bytes(32)) +
            b"\x03" + cbor_head(4, 1) + cbor_head(5, 2) + text(b"id") + byts(cred) +
            text(b"type") + text(b"public-key") +
            b"\x05" + cbor_head(5, 2) + text(b"up") + b"\xf5" + text(b"uv") + b"\xf5")


def main(path):
    d = Dev(path)
    cid, info = d.channel()
    check(cid not in (0, BROADCAST) and len(info) == 17 and info[12] == 2 and info[16] & 0x04,
          "INIT: nonce echoed, channel %08x, protocol 2, CBOR capability" % cid)
    cid2, _ = d.channel()
    check(cid2 != cid, "a second INIT allocates another channel")

    # PING, 300 bytes: an initialization packet and 5 continuation packets each way
    payload = os.urandom(300)
    d.send(cid, PING, payload)
    r = d.recv()
    check(r == (cid, PING, payload), "PING of 300 bytes echoed across continuation packets")

    # wrong channels
    d.init_pkt(0, PING, 1, b"x")
    error_is(d, E_CHANNEL, "channel 0")
    d.init_pkt(BROADCAST, PING, 1, b"x")
    error_is(d, E_CHANNEL, "PING on the broadcast channel")
    d.init_pkt(cid ^ 0x5A5A5A5A, PING, 1, b"x")
    error_is(d, E_CHANNEL, "an unallocated channel")
    d.init_pkt(cid ^ 0x5A5A5A5A, INIT, 8, os.urandom(8))
    error_is(d, E_CHANNEL, "INIT on an unallocated channel")

    # wrong lengths
    d.init_pkt(BROADCAST, INIT, 9, os.urandom(9))
    error_is(d, E_LEN, "INIT with 9 nonce bytes")
    d.init_pkt(cid, PING, 7610, os.urandom(57))
    error_is(d, E_LEN, "a message longer than 57 + 128 × 59 bytes")
    d.init_pkt(cid, CBOR, 0)
    error_is(d, E_LEN, "an empty CBOR message")

    # unknown / not offered commands
    for cmd in (0xAA, MSG, WINK):
        d.init_pkt(cid, cmd, 0)
        error_is(d, E_CMD, "command 0x%02x" % cmd)

    # sequence errors
    d.init_pkt(cid, PING, 100, bytes(57))
    d.cont_pkt(cid, 1, bytes(59))
    error_is(d, E_SEQ, "continuation packet with SEQ 1 instead of 0")
    d.init_pkt(cid, PING, 100, bytes(57))
    d.init_pkt(cid, PING, 1, b"y")
    error_is(d, E_SEQ, "a new message before the last one was complete")

    # busy: another channel while a message is being received
    d.init_pkt(cid, PING, 100, bytes(57))
    d.init_pkt(cid2, PING, 1, b"z")
    error_is(d, E_BUSY, "another channel during a transaction", cid2)
    # ... then the transaction times out (CTAP 2.1 §11.2.5)
    error_is(d, E_TIMEOUT, "an incomplete message", cid)

    # spurious continuation packet and CANCEL: no answer
    d.cont_pkt(cid, 0, bytes(59))
    check(d.silent(), "a spurious continuation packet is ignored")
    d.init_pkt(cid, CANCEL, 0)
    check(d.silent(), "CANCEL gets no answer")
    d.init_pkt(cid, PING, 100, bytes(57))
    d.init_pkt(cid, CANCEL, 0)
    check(d.silent(), "CANCEL during a message drops it silently")

    # CBOR: GetInfo, and CTAP2 errors for broken CTAP2 messages
    d.send(cid, CBOR, b"\x04")
    rcid, cmd, data = d.recv()
    check(cmd == CBOR and data[:1] == b"\x00" and b"FIDO_2_0" in data and b"uv\xf5" in data,
          "GetInfo: status 0, FIDO_2_0, option uv true")
    for msg, st, what in (
            (b"\x01\xff", 0x12, "MakeCredential with a break byte"),
            (b"\x01\xa1\x01", 0x12, "MakeCredential with a truncated map"),
            (b"\x01\xa2\x02\xa0\x01\x40", 0x12, "MakeCredential with map keys out of order"),
            (b"\x01\xa1\x01\x58\x01\x00", 0x12, "MakeCredential with a non-shortest head"),
            (b"\x01\xa0", 0x14, "MakeCredential without parameters"),
            (b"\x02\xa1\x01\x01", 0x11, "GetAssertion with a number for rpId"),
            (b"\x02\xa2\x01\x61x\x02\x58\x20" + bytes(32), 0x2E, "GetAssertion with no allowList"),
            (b"\x06", 0x01, "ClientPIN (not offered)"),
            (b"\x04\x00", 0x03, "GetInfo with parameters")):
        d.send(cid, CBOR, msg)
        rcid, cmd, data = d.recv()
        check(cmd == CBOR and data == bytes([st]),
              "%s → CTAP2 status 0x%02x (got %s)" % (what, st, data.hex()))

    # random and mutated frames (seeded, bounded): whatever comes back, the
    # emulator must not die; answers are drained as they come
    rnd = random.Random(17)
    ga = cbor_get_assertion(rnd)
    d.s.settimeout(0)
    for i in range(ROUNDS):
        kind = rnd.randrange(4)
        if kind == 0:
            d.raw(bytes(rnd.randrange(256) for _ in range(REPORT)))
        elif kind == 1:
            d.init_pkt(rnd.choice((cid, cid2, BROADCAST, rnd.getrandbits(32))),
                       rnd.choice((INIT, PING, CBOR, CANCEL, MSG, 0x80 | rnd.randrange(128))),
                       rnd.choice((0, 1, 8, 57, 58, 7609, 7610, rnd.randrange(65536))),
                       bytes(rnd.randrange(256) for _ in range(57)))
        elif kind == 2:
            d.cont_pkt(rnd.choice((cid, cid2)), rnd.randrange(256),
                       bytes(rnd.randrange(256) for _ in range(59)))
        else:
            m = bytearray(bytes([rnd.choice((1, 2, 4, rnd.randrange(256)))]) + ga)
            for _ in range(rnd.randrange(1, 4)):
                m[rnd.randrange(len(m))] = rnd.randrange(256)
            d.s.settimeout(3)
            d.send(rnd.choice((cid, cid2)), CBOR, bytes(m[:rnd.randrange(1, len(m) + 1)]))
            d.s.settimeout(0)
        while True:
            try:
                if not d.s.recv(65536):
                    break
            except (BlockingIOError, socket.timeout):
                break
            except ConnectionError:
                break
    d.s.close()
    check(True, "%d random and mutated frames sent" % ROUNDS)
    d = Dev(path)

    # a half report, then the connection goes away
    d.raw(b"\x01\x02\x03")
    d.s.close()
    time.sleep(0.2)

    d = Dev(path)
    c3, _ = d.channel()
    d.send(c3, PING, b"still here")
    check(d.recv() == (c3, PING, b"still here"), "the authenticator still answers afterwards")
    d.send(c3, CBOR, b"\x02" + cbor_get_assertion(random.Random(1)))
    check(d.recv() == (c3, CBOR, b"\x2e"), "GetAssertion for an unknown credential → 0x2E")
    d.s.close()
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
