#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""test_crash_journal.py — qtpm-server killed with SIGKILL during NV writes,
KILLS times, restarted from its state directory after each kill.

    test_crash_journal.py QTPM_SERVER [KILLS] [--json FILE]

The client speaks raw TPM 2.0 over the swtpm data socket, so a round costs
milliseconds, not the tens of milliseconds of a tpm2-tools call: `make check`
runs 100 kills (tests/server/CMakeLists.txt), `make crash-test` 1000.

Each round starts the server on the same directory, sends TPM2_Startup and
checks the state against what the client knows (below), then runs NV changes
in a loop — NV_Write of a new value into an ordinary index (a delta record of
the journal), NV_Increment of a counter (delta), NV_DefineSpace /
NV_UndefineSpace of a third index and EvictControl in and out of a
persistent handle (whole-blob records: the blob's length changes), and
changes that change nothing — NV_Write of the value the index holds,
NV_SetBits of a bit already set (most of them: 8 bits to choose from),
which write no record at all — and
kills the server at a random moment: usually right after a command was
sent, so that the kill lands while the server appends and fdatasyncs its
record, sometimes a little later or between two commands. The journal is
small (2, 4 or 8 KiB, and now and then the default, chosen per round), so
compactions — snapshot rewritten, slot 0 cleared, a journal of another size
replacing the old one — happen every few commands and get killed too.

A change counts as acknowledged when its whole response arrived (even after
the kill: the server sent it, so its record had been synced). After each
kill the new server must start (a state that does not load is corrupt) and
every value must be the last acknowledged one or the one in flight:
 - the ordinary index holds the last acknowledged write or the one in flight,
 - the counter equals its acknowledged count, or one more if one was in flight,
 - the third index exists or not as last acknowledged (or as in flight),
 - the persistent handle likewise,
 - the bit-field index holds the acknowledged bits, or those and the bit in
   flight,
so an acknowledged change is never missing (no rollback) and nothing is
ever made up. Exit 0 pass, 1 fail, 77 skip.
"""
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from freeport import free_pair  # noqa: E402

OWNER = 0x40000001
PW = 0x40000009
IDX_DATA = 0x01500101
IDX_CTR = 0x01500102
IDX_FLIP = 0x01500103
IDX_BITS = 0x01500104
PERSIST = 0x81000007
RC_OK = 0
JOURNALS = [2048, 4096, 8192, 2048, 4096, 0, None]  # None: the default size


class Gone(Exception):
    """The server went away before the whole response arrived."""


LOG = {"path": None}


def fail(msg):
    print("FAIL: " + msg)
    if LOG["path"] and os.path.exists(LOG["path"]):
        with open(LOG["path"], errors="replace") as f:
            print("---- server log (end) ----\n" + f.read()[-2000:])
    sys.exit(1)


def cmd(cc, handles=(), params=b"", sess=True):
    body = b"".join(struct.pack(">I", h) for h in handles)
    if sess:
        pw = struct.pack(">IHBH", PW, 0, 0, 0)
        body += struct.pack(">I", len(pw)) + pw
    body += params
    return struct.pack(">HII", 0x8002 if sess else 0x8001, 10 + len(body), cc) + body


def nv_public(index, attrs, size):
    pub = struct.pack(">IHIHH", index, 0x000B, attrs, 0, size)
    return struct.pack(">H", len(pub)) + pub


ATTR_ORDINARY = 0x2 | 0x20000  # OWNERWRITE | OWNERREAD
ATTR_COUNTER = ATTR_ORDINARY | (1 << 4)  # TPM_NT_COUNTER
ATTR_BITS = ATTR_ORDINARY | (2 << 4)  # TPM_NT_BITS
STARTUP = cmd(0x144, params=struct.pack(">H", 0), sess=False)
DEFINE_DATA = cmd(0x12A, [OWNER], struct.pack(">H", 0) + nv_public(IDX_DATA, ATTR_ORDINARY, 8))
DEFINE_CTR = cmd(0x12A, [OWNER], struct.pack(">H", 0) + nv_public(IDX_CTR, ATTR_COUNTER, 8))
DEFINE_BITS = cmd(0x12A, [OWNER], struct.pack(">H", 0) + nv_public(IDX_BITS, ATTR_BITS, 8))
DEFINE_FLIP = cmd(0x12A, [OWNER], struct.pack(">H", 0) + nv_public(IDX_FLIP, ATTR_ORDINARY, 64))
UNDEFINE_FLIP = cmd(0x122, [OWNER, IDX_FLIP])
INCREMENT = cmd(0x134, [OWNER, IDX_CTR])
# ECC P-256 storage primary (restricted decrypt, AES-128-CFB), empty auth
ECC_TEMPLATE = struct.pack(">HHIH", 0x0023, 0x000B, 0x00030072, 0) + struct.pack(
    ">HHHHHHHH", 0x0006, 128, 0x0043, 0x0010, 0x0003, 0x0010, 0, 0)
CREATE_PRIMARY = cmd(0x131, [OWNER], struct.pack(">HHH", 4, 0, 0) +
                     struct.pack(">H", len(ECC_TEMPLATE)) + ECC_TEMPLATE + struct.pack(">HI", 0, 0))
EVICT_OUT = cmd(0x120, [OWNER, PERSIST], struct.pack(">I", PERSIST))


def nv_write(value):
    return cmd(0x137, [OWNER, IDX_DATA], struct.pack(">H", 8) + struct.pack(">Q", value) +
               struct.pack(">H", 0))


def set_bits(bits):
    return cmd(0x135, [OWNER, IDX_BITS], struct.pack(">Q", bits))


def nv_read(index):
    return cmd(0x14E, [OWNER, index], struct.pack(">HH", 8, 0))


def read_public(handle, nv):
    return cmd(0x169 if nv else 0x173, [handle], sess=False)


class Tpm:
    def __init__(self, sock):
        self.s = sock

    def send(self, data):
        self.s.sendall(data)

    def recv(self):
        h = b""
        need = 10
        while len(h) < need:
            try:
                x = self.s.recv(4096)
            except OSError:
                x = b""
            if not x:
                raise Gone()
            h += x
            if len(h) >= 6:
                need = struct.unpack(">I", h[2:6])[0]
        return h

    def call(self, data):
        self.send(data)
        r = self.recv()
        return struct.unpack(">I", r[6:10])[0], r


def start(server, state, port, journal, log):
    args = [server, "--swtpm", "--host", "127.0.0.1", "--port", str(port), "--state", state]
    if journal is not None:
        args += ["--journal", str(journal)]
    p = subprocess.Popen(args, stdout=log, stderr=log)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if p.poll() is not None:
            return p, None
        try:
            s = socket.create_connection(("127.0.0.1", port), 0.5)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return p, Tpm(s)
        except OSError:
            time.sleep(0.002)
    return p, None


def kill(p):
    try:
        p.send_signal(signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()


def main():
    argv = sys.argv[1:]
    json_path = None
    if "--json" in argv:
        k = argv.index("--json")
        json_path = argv[k + 1]
        del argv[k:k + 2]
    if not argv:
        print(__doc__)
        return 2
    server = argv[0]
    kills = int(argv[1]) if len(argv) > 1 else 100
    seed = int(os.environ.get("CRASH_SEED", str(int(time.time()))))
    rnd = random.Random(seed)
    work = tempfile.mkdtemp(prefix="qtpm-crashj-")
    state = os.path.join(work, "state")
    logpath = os.path.join(work, "server.log")
    log = open(logpath, "ab")
    LOG["path"] = logpath
    port = free_pair()
    t0 = time.monotonic()

    # what the client knows: acknowledged values and what is in flight
    data_acked, data_flight = 0, None
    ctr_acked, ctr_flight = 0, False  # increments acknowledged since the counter began
    ctr_base = None
    flip_acked, flip_flight = False, None
    pers_acked, pers_flight = False, None
    bits_acked, bits_flight = 0, None
    stats = {"kills": 0, "acked_changes": 0, "in_flight_at_kill": 0, "in_flight_applied": 0,
             "killed_after_send": 0, "acked_unchanging": 0}
    proc = None
    try:
        for rnd_no in range(kills + 1):
            journal = rnd.choice(JOURNALS)
            for _ in range(5):
                log.flush()
                mark = os.path.getsize(logpath)
                proc, tpm = start(server, state, port, journal, log)
                if tpm is not None:
                    break
                # another program may have taken the port between two rounds:
                # that is no fault of the state, so move to other ports
                log.flush()
                with open(logpath, "rb") as f:
                    f.seek(mark)
                    if b"in use" not in f.read():
                        break
                port = free_pair()
            if tpm is None:
                log.flush()
                fail("round %d: the server did not start on the state (exit %s): corrupt state?"
                     % (rnd_no, proc.poll()))
            rc, _ = tpm.call(STARTUP)
            if rc != RC_OK:
                fail("round %d: Startup answered 0x%x" % (rnd_no, rc))
            if rnd_no == 0:
                for c in (DEFINE_DATA, DEFINE_CTR, DEFINE_BITS):
                    rc, _ = tpm.call(c)
                    if rc != RC_OK:
                        fail("setup: NV_DefineSpace answered 0x%x" % rc)
                rc, _ = tpm.call(nv_write(0))
                rc2, _ = tpm.call(INCREMENT)
                rc3, _ = tpm.call(set_bits(0))
                if rc or rc2 or rc3:
                    fail("setup: first write/increment/setbits 0x%x 0x%x 0x%x" % (rc, rc2, rc3))
            else:
                # --- the checks after a kill ---
                rc, r = tpm.call(nv_read(IDX_DATA))
                if rc != RC_OK:
                    fail("round %d: NV_Read of the data index answered 0x%x" % (rnd_no, rc))
                v = struct.unpack(">Q", r[16:24])[0]
                if v != data_acked and v != data_flight:
                    fail("round %d: data index holds %d, acknowledged %d (in flight %s)"
                         % (rnd_no, v, data_acked, data_flight))
                stats["in_flight_applied"] += v != data_acked
                data_acked, data_flight = v, None
                rc, r = tpm.call(nv_read(IDX_CTR))
                if rc != RC_OK:
                    fail("round %d: NV_Read of the counter answered 0x%x" % (rnd_no, rc))
                c = struct.unpack(">Q", r[16:24])[0]
                want = ctr_base + ctr_acked
                if c != want and not (ctr_flight and c == want + 1):
                    fail("round %d: counter is %d, acknowledged %d (in flight: %s)"
                         % (rnd_no, c, want, ctr_flight))
                stats["in_flight_applied"] += c != want
                ctr_acked, ctr_flight = c - ctr_base, False
                rc, _ = tpm.call(read_public(IDX_FLIP, True))
                there = rc == RC_OK
                if there != flip_acked and there != flip_flight:
                    fail("round %d: index 0x%x %s, acknowledged %s"
                         % (rnd_no, IDX_FLIP, "exists" if there else "is gone",
                            "defined" if flip_acked else "undefined"))
                stats["in_flight_applied"] += there != flip_acked
                flip_acked, flip_flight = there, None
                rc, _ = tpm.call(read_public(PERSIST, False))
                there = rc == RC_OK
                if there != pers_acked and there != pers_flight:
                    fail("round %d: persistent 0x%x %s, acknowledged %s"
                         % (rnd_no, PERSIST, "exists" if there else "is gone",
                            "present" if pers_acked else "absent"))
                stats["in_flight_applied"] += there != pers_acked
                pers_acked, pers_flight = there, None
                rc, r = tpm.call(nv_read(IDX_BITS))
                if rc != RC_OK:
                    fail("round %d: NV_Read of the bit field answered 0x%x" % (rnd_no, rc))
                b = struct.unpack(">Q", r[16:24])[0]
                if b != bits_acked and b != bits_flight:
                    fail("round %d: bit field holds 0x%x, acknowledged 0x%x (in flight %s)"
                         % (rnd_no, b, bits_acked, bits_flight))
                stats["in_flight_applied"] += b != bits_acked
                bits_acked, bits_flight = b, None
            if ctr_base is None:
                rc, r = tpm.call(nv_read(IDX_CTR))
                ctr_base = struct.unpack(">Q", r[16:24])[0] - 1
                ctr_acked = 1
            if rnd_no == kills:
                break
            rc, r = tpm.call(CREATE_PRIMARY)
            if rc != RC_OK:
                fail("round %d: CreatePrimary answered 0x%x" % (rnd_no, rc))
            primary = struct.unpack(">I", r[10:14])[0]

            # --- NV changes until the kill ---
            ops = rnd.randint(1, 40)
            mode = rnd.random()
            for k in range(ops):
                last = k == ops - 1
                op = rnd.choice(("write", "write", "increment", "increment", "flip", "evict",
                                 "rewrite", "setbits", "setbits"))
                if op == "write":
                    data_flight = data_acked + 1
                    c = nv_write(data_flight)
                elif op == "rewrite":
                    data_flight = data_acked  # the value it holds: no record
                    c = nv_write(data_flight)
                elif op == "setbits":
                    bit = 1 << rnd.randrange(8)
                    bits_flight = bits_acked | bit
                    c = set_bits(bit)
                elif op == "increment":
                    ctr_flight = True
                    c = INCREMENT
                elif op == "flip":
                    flip_flight = not flip_acked
                    c = DEFINE_FLIP if flip_flight else UNDEFINE_FLIP
                else:
                    pers_flight = not pers_acked
                    c = (cmd(0x120, [OWNER, primary], struct.pack(">I", PERSIST))
                         if pers_flight else EVICT_OUT)
                tpm.send(c)
                if last and mode < 0.85:
                    # kill while the server works on (and syncs) this change
                    if mode > 0.4:
                        end = time.perf_counter() + rnd.uniform(0, 0.0006)
                        while time.perf_counter() < end:
                            pass
                    kill(proc)
                    stats["killed_after_send"] += 1
                try:
                    r = tpm.recv()
                except Gone:
                    stats["in_flight_at_kill"] += 1
                    break
                rc = struct.unpack(">I", r[6:10])[0]
                if rc != RC_OK:
                    fail("round %d: %s answered 0x%x" % (rnd_no, op, rc))
                stats["acked_changes"] += 1
                if op == "rewrite" or (op == "setbits" and bits_flight == bits_acked):
                    stats["acked_unchanging"] += 1
                if op in ("write", "rewrite"):
                    data_acked, data_flight = data_flight, None
                elif op == "setbits":
                    bits_acked, bits_flight = bits_flight, None
                elif op == "increment":
                    ctr_acked, ctr_flight = ctr_acked + 1, False
                elif op == "flip":
                    flip_acked, flip_flight = flip_flight, None
                else:
                    pers_acked, pers_flight = pers_flight, None
            if proc.poll() is None:
                kill(proc)  # between two commands
            stats["kills"] += 1
            tpm.s.close()
        elapsed = time.monotonic() - t0
        kill(proc)
        proc = None
        msg = ("ok: %d SIGKILLs during NV writes (seed %d, %.1f s): the state loaded every time, "
               "no acknowledged change missing (%d acknowledged, %d kills with a change in flight, "
               "%d of those found applied; %d acknowledged commands changed nothing); data %d, "
               "counter +%d, index %s, persistent %s, bits 0x%x"
               % (stats["kills"], seed, elapsed, stats["acked_changes"], stats["in_flight_at_kill"],
                  stats["in_flight_applied"], stats["acked_unchanging"], data_acked, ctr_acked,
                  "defined" if flip_acked else "undefined", "present" if pers_acked else "absent",
                  bits_acked))
        print(msg)
        if json_path:
            stats.update({"seed": seed, "seconds": round(elapsed, 1), "corrupt_states": 0,
                          "rolled_back_states": 0,
                          "note": "written only when every check after every kill passed: the "
                                  "first state that does not load or misses an acknowledged "
                                  "change ends the test with exit status 1 and no file",
                          "journal_sizes": JOURNALS[:-1] + ["default"],
                          "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
            with open(json_path, "w") as f:
                json.dump(stats, f, indent=2)
                f.write("\n")
        return 0
    finally:
        if proc is not None and proc.poll() is None:
            kill(proc)
        log.close()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
