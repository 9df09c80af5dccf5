#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tpmraw.py — raw TPM 2.0 commands for the state-safety tests
(test_state_safety.sh), over the mssim or the swtpm socket protocol.

Commands tpm2-tools cannot send: a policy session whose HMAC is empty, and a
policy session satisfied for another command than the one it authorizes.

  tpmraw.py mssim|swtpm PORT policy-read INDEX CC TIMES
      starts a policy session, asserts PolicyCommandCode(CC), reads 1 byte
      of NV index INDEX through it with an empty HMAC; TIMES times. Prints
      the response code of each NV_Read in hex, one a line.
"""
import os
import socket
import struct
import sys


class Tpm:
    def __init__(self, proto, port):
        self.proto = proto
        self.s = socket.create_connection(("127.0.0.1", port), 5)
        self.s.settimeout(10)

    def _recv(self, n):
        b = b""
        while len(b) < n:
            chunk = self.s.recv(n - len(b))
            if not chunk:
                raise EOFError("server closed the connection")
            b += chunk
        return b

    def cmd(self, data):
        if self.proto == "mssim":
            self.s.sendall(struct.pack(">IBI", 8, 0, len(data)) + data)
            n = struct.unpack(">I", self._recv(4))[0]
            rsp = self._recv(n)
            self._recv(4)
            return rsp
        self.s.sendall(data)
        hdr = self._recv(10)
        n = struct.unpack(">I", hdr[2:6])[0]
        return hdr + self._recv(n - 10)


def command(tag, cc, handles, auth, params):
    body = b"".join(struct.pack(">I", h) for h in handles)
    if tag == 0x8002:
        body += struct.pack(">I", len(auth)) + auth
    body += params
    return struct.pack(">HII", tag, 10 + len(body), cc) + body


def rc_of(rsp):
    return struct.unpack(">I", rsp[6:10])[0]


def policy_read(t, index, cc, times):
    out = []
    for _ in range(times):
        nonce = os.urandom(16)
        # StartAuthSession(tpmKey=NULL, bind=NULL, nonceCaller, no salt,
        # POLICY, symmetric NULL, SHA-256)
        rsp = t.cmd(command(0x8001, 0x176, [0x40000007, 0x40000007], b"",
                            struct.pack(">H", 16) + nonce + struct.pack(">HBHH", 0, 1, 0x10, 0x0B)))
        if rc_of(rsp) != 0:
            out.append("%x" % rc_of(rsp))
            continue
        sess = struct.unpack(">I", rsp[10:14])[0]
        rsp = t.cmd(command(0x8001, 0x16C, [sess], b"", struct.pack(">I", cc)))
        if rc_of(rsp) != 0:
            out.append("%x" % rc_of(rsp))
            continue
        # NV_Read(authHandle=index, nvIndex=index, size 1, offset 0); the
        # session: nonceCaller 16 bytes, attributes 0 (ends), empty HMAC
        auth = struct.pack(">IH", sess, 16) + os.urandom(16) + struct.pack(">BH", 0, 0)
        rsp = t.cmd(command(0x8002, 0x14E, [index, index], auth, struct.pack(">HH", 1, 0)))
        out.append("%x" % rc_of(rsp))
        if rc_of(rsp) != 0:  # the session survives a failed command: flush it
            t.cmd(command(0x8001, 0x165, [], b"", struct.pack(">I", sess)))
    return out


def main():
    if len(sys.argv) != 7 or sys.argv[3] != "policy-read":
        print(__doc__, file=sys.stderr)
        return 2
    t = Tpm(sys.argv[1], int(sys.argv[2]))
    for rc in policy_read(t, int(sys.argv[4], 0), int(sys.argv[5], 0), int(sys.argv[6])):
        print(rc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
