#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# evlog_replay.py — parses a TCG PC Client crypto-agile firmware event log
# (binary_bios_measurements as the Linux kernel exposes SeaBIOS's log) and
# replays it into PCRs 0..23 per bank. Layout: TCG PC Client Platform
# Firmware Profile §10.2 — the first event in the SHA-1 TCG_PCClientPCREvent
# format carrying TCG_EfiSpecIDEvent ("Spec ID Event03", the algorithm/digest
# size table), then TCG_PCR_EVENT2 records (pcrIndex, eventType, count,
# {algId, digest}..., eventSize, event). EV_NO_ACTION (3) is not extended.
#   import: replay(blob) -> ({alg_name: [24 digests]}, events)
#   CLI:    evlog_replay.py FILE   prints each bank's PCRs 0..7
import hashlib, struct, sys

ALGS = {0x0004: "sha1", 0x000B: "sha256", 0x000C: "sha384", 0x000D: "sha512",
        0x0027: "sha3_256", 0x0028: "sha3_384", 0x0029: "sha3_512"}
EV_NO_ACTION = 3

def replay(blob):
    if len(blob) < 32:
        raise ValueError("event log too short")
    pcr, etype = struct.unpack_from("<II", blob, 0)
    size = struct.unpack_from("<I", blob, 28)[0]
    spec = blob[32:32 + size]
    if etype != EV_NO_ACTION or not spec.startswith(b"Spec ID Event03"):
        raise ValueError("not a crypto-agile log (no Spec ID Event03)")
    n = struct.unpack_from("<I", spec, 24)[0]
    sizes = {}
    for i in range(n):
        alg, dsz = struct.unpack_from("<HH", spec, 28 + 4 * i)
        sizes[alg] = dsz
    pcrs = {ALGS[a]: [bytes(s)] * 24 for a, s in sizes.items() if a in ALGS}
    off, events = 32 + size, 0
    while off + 12 <= len(blob):
        pcr, etype, count = struct.unpack_from("<III", blob, off)
        if pcr == 0 and etype == 0 and count == 0:
            break  # zero padding after the last event
        off += 12
        digests = {}
        for _ in range(count):
            alg = struct.unpack_from("<H", blob, off)[0]
            if alg not in sizes:
                raise ValueError("event %d: algorithm 0x%x not in the Spec ID table" % (events, alg))
            digests[alg] = blob[off + 2:off + 2 + sizes[alg]]
            off += 2 + sizes[alg]
        esz = struct.unpack_from("<I", blob, off)[0]
        off += 4 + esz
        if off > len(blob) or pcr > 23:
            raise ValueError("event %d truncated or PCR %d out of range" % (events, pcr))
        events += 1
        if etype == EV_NO_ACTION:
            continue
        for alg, d in digests.items():
            name = ALGS.get(alg)
            if name:
                pcrs[name][pcr] = hashlib.new(name.replace("_", "-") if name.startswith("sha3") else name,
                                              pcrs[name][pcr] + d).digest()
    return pcrs, events

if __name__ == "__main__":
    p, n = replay(open(sys.argv[1], "rb").read())
    print("events", n)
    for bank, vals in p.items():
        for i in range(8):
            print(bank, i, vals[i].hex())
