#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make_eventlog.py KIND OUT — writes a TCG PC Client Platform Firmware Profile
binary event log for the eventlog tests (tests/cli/cli_eventlog.sh) and the
fuzz seeds (tests/fuzz/corpus-eventlog).
make_eventlog.py --replay LOG — an independent replay of a good log (the PFP
rules: EV_NO_ACTION not extended, StartupLocality sets PCR 0's start), printed
as the "pcrs:" section of tpm2_eventlog / qtpm eventlog.

Good logs (what SeaBIOS / EDK2 write, built here because tests/vm needs a VM):
  agile      crypto-agile (TCG_PCR_EVENT2) with the Spec ID Event03 header,
             SHA-1 and SHA-256 banks, CRTM version, POST codes, separators on
             PCRs 0-7, IPL events on 8 and 14
  agile3     the same with SHA-1, SHA-256 and SHA-384
  locality   agile with a StartupLocality event (locality 3) first, as
             firmware that starts the TPM from locality 3 writes it
  sha1       the legacy format: TCG_PCClientPCREvent only, SHA-1
Bad logs (each must be refused with a clear message and a non-zero exit):
  truncated  agile cut in the middle of an event's data
  badsize    agile with an event whose eventSize runs past the end
  unknownalg the Spec ID header lists algorithm 0x7777
  hdrsize    the Spec ID header gives SHA-256 a 20-byte digest
  count      an event has a digest count (1) other than the header's (2)
  badalg     an event's digest is of an algorithm the header does not list
  pcr        an event for PCR 99
"""
import hashlib
import struct
import sys

EV_POST_CODE = 0x1
EV_NO_ACTION = 0x3
EV_SEPARATOR = 0x4
EV_ACTION = 0x5
EV_S_CRTM_VERSION = 0x8
EV_IPL = 0xD
EV_EFI_ACTION = 0x80000007

ALGS = {"sha1": (0x0004, 20), "sha256": (0x000B, 32), "sha384": (0x000C, 48)}


def h(alg, data):
    return hashlib.new(alg, data).digest()


def spec_id(algs, sizes=None):
    """TCG_EfiSpecIdEvent (PFP §10.4.5.1) as the data of the first event."""
    body = b"Spec ID Event03\0"
    body += struct.pack("<IBBBB", 0, 0, 2, 0, 2)  # platformClass, 2.0 errata 0, uintnSize 2
    body += struct.pack("<I", len(algs))
    for a in algs:
        alg_id, size = ALGS[a] if isinstance(a, str) else a
        if sizes and a in sizes:
            size = sizes[a]
        body += struct.pack("<HH", alg_id, size)
    body += struct.pack("<B", 0)  # vendorInfoSize
    return body


def sha1_event(pcr, etype, digest, data):
    """TCG_PCClientPCREvent (PFP §10.2.1): the SHA-1 format."""
    return struct.pack("<II", pcr, etype) + digest + struct.pack("<I", len(data)) + data


def event2(pcr, etype, digests, data):
    """TCG_PCR_EVENT2 (PFP §10.2.2)."""
    out = struct.pack("<III", pcr, etype, len(digests))
    for alg_id, d in digests:
        out += struct.pack("<H", alg_id) + d
    return out + struct.pack("<I", len(data)) + data


def measured(algs):
    """(pcr, type, data) of a plausible firmware boot."""
    ev = [(0, EV_S_CRTM_VERSION, "1.0".encode("utf-16-le") + b"\0\0"),
          (0, EV_POST_CODE, b"POST CODE"),
          (1, EV_POST_CODE, b"SMBIOS"),
          (4, EV_ACTION, b"Calling INT 19h"),
          (5, EV_EFI_ACTION, b"Exit Boot Services Invocation")]
    for pcr in range(8):
        ev.append((pcr, EV_SEPARATOR, b"\0\0\0\0"))
    ev.append((8, EV_IPL, b"grub_cmd: linux /vmlinuz root=/dev/vda1\0"))
    ev.append((14, EV_IPL, b"MokList\0"))
    return ev


def agile(algs=("sha1", "sha256"), header_algs=None, sizes=None, fix=None, locality=False):
    header_algs = header_algs or list(algs)
    log = sha1_event(0, EV_NO_ACTION, b"\0" * 20, spec_id(header_algs, sizes))
    if locality:
        # StartupLocality (PFP §10.4.5.3): PCR 0 starts at ...03
        log += event2(0, EV_NO_ACTION, [(ALGS[a][0], b"\0" * ALGS[a][1]) for a in algs],
                      b"StartupLocality\0" + b"\x03")
    for i, (pcr, etype, data) in enumerate(measured(algs)):
        digests = [(ALGS[a][0], h(a, data)) for a in algs]
        if fix:
            pcr, digests = fix(i, pcr, digests)
        log += event2(pcr, etype, digests, data)
    return log


def sha1_log():
    log = b""
    for pcr, etype, data in measured(["sha1"]):
        log += sha1_event(pcr, etype, h("sha1", data), data)
    return log


def replay(path):
    """The PCR values of a good log, independently of the C parser."""
    d = open(path, "rb").read()
    pcr, etype = struct.unpack_from("<II", d, 0)
    (size,) = struct.unpack_from("<I", d, 28)
    first = d[32:32 + size]
    banks = {}  # alg id -> (name, size, {pcr: value})
    names = {v[0]: k for k, v in ALGS.items()}
    off = 32 + size
    if etype == EV_NO_ACTION and first[:16] == b"Spec ID Event03\0":
        (n,) = struct.unpack_from("<I", first, 24)
        for i in range(n):
            alg, sz = struct.unpack_from("<HH", first, 28 + 4 * i)
            banks[alg] = (names[alg], sz, {})
        while off < len(d):
            pcr, etype, count = struct.unpack_from("<III", d, off)
            off += 12
            digests = []
            for _ in range(count):
                (alg,) = struct.unpack_from("<H", d, off)
                sz = banks[alg][1]
                digests.append((alg, d[off + 2:off + 2 + sz]))
                off += 2 + sz
            (size,) = struct.unpack_from("<I", d, off)
            data = d[off + 4:off + 4 + size]
            off += 4 + size
            for alg, dig in digests:
                name, sz, vals = banks[alg]
                if etype == EV_NO_ACTION:
                    start = bytearray(sz)
                    if pcr == 0 and data[:16] == b"StartupLocality\0":
                        start[-1] = data[16]
                    vals.setdefault(pcr, bytes(start))
                    continue
                vals[pcr] = h(name, vals.get(pcr, bytes(sz)) + dig)
    else:
        banks[4] = ("sha1", 20, {})
        off = 0
        while off < len(d):
            pcr, etype = struct.unpack_from("<II", d, off)
            dig = d[off + 8:off + 28]
            (size,) = struct.unpack_from("<I", d, off + 28)
            off += 32 + size
            if etype != EV_NO_ACTION:
                vals = banks[4][2]
                vals[pcr] = h("sha1", vals.get(pcr, bytes(20)) + dig)
    print("pcrs:")
    for alg in sorted(banks):
        name, sz, vals = banks[alg]
        if vals:
            print("  %s:" % name)
            for p in sorted(vals):
                print("    %-3u: 0x%s" % (p, vals[p].hex()))


def main():
    if sys.argv[1] == "--replay":
        replay(sys.argv[2])
        return
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "agile":
        log = agile()
    elif kind == "agile3":
        log = agile(("sha1", "sha256", "sha384"))
    elif kind == "locality":
        log = agile(locality=True)
    elif kind == "sha1":
        log = sha1_log()
    elif kind == "truncated":
        log = agile()[:-20]
    elif kind == "badsize":
        log = agile()
        # the last event's eventSize: 4 bytes before its 8-byte data
        n = len(b"MokList\0")
        log = log[:-n - 4] + struct.pack("<I", 4096) + log[-n:]
    elif kind == "unknownalg":
        log = agile(header_algs=["sha1", "sha256", (0x7777, 32)])
    elif kind == "hdrsize":
        log = agile(sizes={"sha256": 20})
    elif kind == "count":
        log = agile(fix=lambda i, pcr, d: (pcr, d[:1]) if i == 3 else (pcr, d))
    elif kind == "badalg":
        log = agile(fix=lambda i, pcr, d: (pcr, [(0x000C, d[0][1] + b"\0" * 28), d[1]])
                    if i == 3 else (pcr, d))
    elif kind == "pcr":
        log = agile(fix=lambda i, pcr, d: (99, d) if i == 2 else (pcr, d))
    else:
        sys.exit("unknown kind " + kind)
    with open(out, "wb") as f:
        f.write(log)


if __name__ == "__main__":
    main()
