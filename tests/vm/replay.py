#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# replay.py — checks a VM test's console (tests/vm/vm_ima.sh): the kernel
# found a TPM 2.0, the IMA list between the markers parses with
# libqtpm-attest (qtpm-ima-replay) and its replay equals the PCR 10 the
# guest read from sysfs in the SHA-256 (and SHA-1) bank; lists which PCR
# banks the kernel exposed (SHA-3 included or not); the firmware's event log
# replays with `qtpm eventlog` (QTPM_CLI) to PCRs 0-7 of every bank.
import json, os, subprocess, sys, tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evlog_replay

console, tpm, dev = sys.argv[1], sys.argv[2], sys.argv[3]
tool = os.environ["QTPM_IMA_REPLAY"]
lines = open(console, errors="replace").read().splitlines()
ima, evlog, inside, pcrs, tpmline, raw = [], [], None, {}, "", []
for ln in lines:
    if ln.startswith("=== IMA-BEGIN"):
        inside = ima
    elif ln.startswith("=== EVLOG-BEGIN"):
        inside = evlog
    elif ln.startswith(("=== IMA-END", "=== EVLOG-END")):
        inside = None
    elif inside is not None:
        inside.append(ln.strip().replace(" ", ""))
    elif ln.startswith("=== PCR "):
        _, _, bank, idx, val = ln.split()
        pcrs[(bank, int(idx))] = val.lower()
    elif ln.startswith("=== TPM "):
        tpmline = ln
    elif ln.startswith("=== RAWPCR "):
        raw.append(ln.split()[2] if len(ln.split()) > 2 else "")
if not tpmline.startswith("=== TPM 2"):
    sys.exit(f"FAIL: the guest kernel found no TPM 2.0 ({tpmline!r})")
blob = bytes.fromhex("".join(ima))
with tempfile.NamedTemporaryFile(delete=False) as f:
    f.write(blob)
out = subprocess.run([tool, f.name], capture_output=True, text=True)
os.unlink(f.name)
if out.returncode != 0:
    sys.exit("FAIL: qtpm-ima-replay: " + out.stderr)
res = dict(l.split(" ", 1) for l in out.stdout.splitlines() if l.startswith(("replay-", "entries")))
banks = sorted({b for b, _ in pcrs})
print(f"{tpm}/{dev}: {res['entries']} IMA entries, {len(blob)} bytes; PCR banks in sysfs: {' '.join(banks)}")
if int(res["entries"]) < 3 or "/measured-prog" not in out.stdout:
    sys.exit("FAIL: the list does not hold the program the guest ran (/measured-prog)")
ok = True
for bank in ("sha1", "sha256"):
    guest = pcrs.get((bank, 10))
    if guest is None:
        continue
    mine = res["replay-" + bank]
    print(f"  PCR 10 {bank}: guest {guest} replay {mine} {'OK' if guest == mine else 'MISMATCH'}")
    ok = ok and guest == mine
if ("sha256", 10) not in pcrs:
    sys.exit("FAIL: the guest shows no SHA-256 PCR 10")
if not ok:
    sys.exit("FAIL: replay differs from PCR 10")
if not evlog:
    sys.exit("FAIL: the guest shows no firmware event log")
# The firmware's log replays with our C parser (`qtpm eventlog --json`,
# libqtpm-attest src/attest/eventlog.c); tests/vm/evlog_replay.py (Python,
# written separately) must agree with it on every PCR.
evblob = bytes.fromhex("".join(evlog))
save = os.environ.get("VM_EVLOG_SAVE")
if save:
    open(save, "wb").write(evblob)
with tempfile.NamedTemporaryFile(delete=False) as f:
    f.write(evblob)
out = subprocess.run([os.environ["QTPM_CLI"], "eventlog", "--json", f.name],
                     capture_output=True, text=True)
os.unlink(f.name)
if out.returncode != 0:
    sys.exit("FAIL: qtpm eventlog: " + out.stderr + out.stdout)
doc = json.loads(out.stdout)
mine = doc["pcrs"]
n = sum(1 for e in doc["events"] if e["EventType"] != "EV_NO_ACTION")
py, pyn = evlog_replay.replay(evblob)
checked, absent = 0, set()
for (bank, idx), val in sorted(pcrs.items()):
    if idx > 9:
        continue
    # a PCR the log does not touch (a bank the firmware does not log, or
    # PCRs 8/9 under SeaBIOS) must still be zero in the TPM
    got = mine.get(bank, {}).get(str(idx), "00" * (len(val) // 2))
    if bank not in mine:
        absent.add(bank)
    if got != val:
        sys.exit(f"FAIL: qtpm eventlog replay of PCR {idx} ({bank}) {got} != {val}")
    if bank in py and py[bank][idx].hex() != got:
        sys.exit(f"FAIL: evlog_replay.py and qtpm eventlog differ on PCR {idx} ({bank})")
    checked += 1
if absent:
    print(f"  firmware log has no digests for {' '.join(sorted(absent))}: those PCRs 0..9 are zero in the TPM")
if checked < 16:
    sys.exit(f"FAIL: only {checked} firmware PCRs compared")
checked = sum(1 for (b, i) in pcrs if i <= 7 and b in mine)
if len(doc["events"]) - 1 != pyn:  # evlog_replay.py does not count the Spec ID header
    sys.exit(f"FAIL: qtpm eventlog reads {len(doc['events'])} events, evlog_replay.py {pyn} + 1")
print(f"  firmware event log ({doc['format']}, {len(evblob)} bytes): qtpm eventlog replays "
      f"{len(doc['events'])} events ({n} extended) to PCRs 0..7 in {checked // 8} banks (= evlog_replay.py)")

# A SHA3-256 bank (allocated with PCR_Allocate; VM_STATE_FROM): sysfs does
# not show it, the guest read it with raw PCR_Read commands. PCRs 0-7 must
# be the firmware log's replay (SeaBIOS cannot hash SHA3-256 and logs
# 0xff.. digests for it); PCR 10 what the 6.1 kernel's IMA extends into a
# bank it has no hash for: the SHA-1 template digest zero-padded to 32
# bytes (security/integrity/ima/ima_crypto.c).
def pcr_read_answer(h):
    b = bytes.fromhex(h)
    if len(b) < 10 or int.from_bytes(b[6:10], "big") != 0:
        return {}
    off = 14
    n = int.from_bytes(b[off:off + 4], "big"); off += 4
    idx = []
    for _ in range(n):
        alg = int.from_bytes(b[off:off + 2], "big"); sz = b[off + 2]
        bm = b[off + 3:off + 3 + sz]; off += 3 + sz
        idx += [(alg, i) for i in range(8 * sz) if bm[i // 8] >> (i % 8) & 1]
    cnt = int.from_bytes(b[off:off + 4], "big"); off += 4
    out = {}
    for k in range(cnt):
        dl = int.from_bytes(b[off:off + 2], "big")
        out[idx[k][1]] = b[off + 2:off + 2 + dl].hex(); off += 2 + dl
    return out

import hashlib
sha3 = {}
for h in raw:
    sha3.update(pcr_read_answer(h))
if sha3:
    fw3 = mine.get("sha3_256", {})
    for i in range(8):
        if fw3.get(str(i)) != sha3.get(i):
            sys.exit(f"FAIL: SHA3-256 PCR {i}: the TPM has {sha3.get(i)}, qtpm eventlog {fw3.get(str(i))}")
    v, off = bytes(32), 0
    while off < len(blob):
        pcr = int.from_bytes(blob[off:off + 4], "little")
        d = blob[off + 4:off + 24]
        nl = int.from_bytes(blob[off + 24:off + 28], "little")
        off += 28 + nl
        tl = int.from_bytes(blob[off:off + 4], "little")
        off += 4 + tl
        if pcr == 10:
            v = hashlib.sha3_256(v + (b"\xff" * 32 if d == bytes(20) else d + bytes(12))).digest()
    ok3 = sha3.get(10) == v.hex()
    print(f"  SHA3-256 bank (raw PCR_Read): PCRs 0..7 = qtpm eventlog; PCR 10 {sha3.get(10)} "
          f"{'= the padded SHA-1 IMA replay' if ok3 else '!= the padded SHA-1 IMA replay ' + v.hex()}")
    if not ok3:
        sys.exit("FAIL: SHA3-256 PCR 10")
else:
    print("  no SHA3-256 bank allocated (raw PCR_Read shows none)")
    if "sha3_256" in os.environ.get("VM_PCR_ALLOCATE", "") and \
            os.environ.get("VM_PROFILE", "default") == "default" and tpm == "qtpm":
        sys.exit("FAIL: SHA3-256 was allocated before the boot, the guest's TPM has no such bank")
