#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""udpflow.py — the experiment's traffic (docs/ROUTING.md, "The experiment").

  udpflow.py send DST PORT RATE SECONDS     one UDP flow, RATE packets/s; each payload is
                                            its sequence number and send time (ns, wall clock)
  udpflow.py recv PORT SECONDS OUT          one line per packet to OUT (flushed at once):
                                            "seq send_ns recv_ns tos" — tos is the IP TOS byte
                                            as received (IP_RECVTOS), which the routers on
                                            the two paths mark with different DSCPs

Every namespace of the lab shares the one wall clock, so send and receive times compare.
"""
import socket
import struct
import sys
import time

FMT = ">QQ"


def send(dst, port, rate, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    n = int(rate * seconds)
    period = 1.0 / rate
    t0 = time.monotonic()
    for i in range(n):
        delay = t0 + i * period - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            s.sendto(struct.pack(FMT, i, time.time_ns()) + b"\0" * 48, (dst, port))
        except OSError:
            pass  # no route for a moment: the packet counts as lost
    print(n)


def recv(port, seconds, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS, 1)
    s.bind(("0.0.0.0", port))
    end = time.monotonic() + seconds
    with open(out, "w") as f:
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                data, anc, _, _ = s.recvmsg(256, socket.CMSG_SPACE(4))
            except socket.timeout:
                break
            now = time.time_ns()
            if len(data) < 16:
                continue
            seq, sent = struct.unpack(FMT, data[:16])
            tos = 0
            for level, typ, val in anc:
                if level == socket.IPPROTO_IP and typ == socket.IP_TOS and val:
                    tos = val[0]
            f.write(f"{seq} {sent} {now} {tos}\n")
            f.flush()


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) == 5 and a[0] == "send":
        send(a[1], int(a[2]), float(a[3]), float(a[4]))
    elif len(a) == 4 and a[0] == "recv":
        recv(int(a[1]), float(a[2]), a[3])
    else:
        sys.exit(__doc__)
