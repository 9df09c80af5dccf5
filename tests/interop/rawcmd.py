#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""rawcmd.py — TPM 2.0 commands tpm2-tools will not build, as bytes for
tpm2_send (which passes them through any TCTI, tpm2-abrmd included), and the
response code of what comes back. The interop scripts use it to send a
TPM algorithm the client library itself cannot handle (SHA-3 with
tpm2-tss 3.2.1) and compare the TPM's answer with the reference's.

  rawcmd.py cmd NAME [HASH]   writes command NAME to stdout; HASH is an
                              algorithm ID (default 0x0027, SHA3-256)
  rawcmd.py rc FILE           prints FILE's response code as 0x%03X
  rawcmd.py flush FILE        writes FlushContext of the handle response FILE
                              returned (a sequence, a session)
  rawcmd.py names             lists the command names

Every command uses password authorization with an empty password where it
needs one (a fresh TPM's hierarchies).
"""
import struct
import sys

PW = struct.pack(">IHBH", 0x40000009, 0, 0x01, 0)  # TPM_RS_PW, no nonce, continue, no hmac
DIGEST_SIZE = {0x0004: 20, 0x000B: 32, 0x000C: 48, 0x000D: 64, 0x0027: 32, 0x0028: 48,
               0x0029: 64}


def command(cc, handles=(), params=b"", auth=False):
    body = b"".join(struct.pack(">I", h) for h in handles)
    tag = 0x8001
    if auth:
        tag = 0x8002
        body += struct.pack(">I", len(PW)) + PW
    body += params
    return struct.pack(">HII", tag, 10 + len(body), cc) + body


def tpm2b(b):
    return struct.pack(">H", len(b)) + b


def ecc_template(name_alg):
    # ECC P-256 signing key, no scheme: type, nameAlg, attributes
    # (fixedTPM fixedParent sensitiveDataOrigin userWithAuth sign), no policy,
    # symmetric NULL, scheme NULL, curve, kdf NULL, empty unique point.
    return struct.pack(">HHIH", 0x0023, name_alg, 0x00040072, 0) + \
        struct.pack(">HHHH", 0x0010, 0x0010, 0x0003, 0x0010) + struct.pack(">HH", 0, 0)


def build(name, alg):
    dlen = DIGEST_SIZE.get(alg, 32)
    if name == "pcr_read":          # Part 3 §22.4: pcrSelectionIn = alg:0
        return command(0x17E, params=struct.pack(">IHB3s", 1, alg, 3, b"\x01\x00\x00"))
    if name == "pcr_extend":        # Part 3 §22.2: PCR 16, digests = {alg: 0x01..}
        return command(0x182, [16], struct.pack(">IH", 1, alg) + b"\x01" * dlen, auth=True)
    if name == "pcr_allocate":      # Part 3 §22.5: platform, {alg: all PCRs}
        return command(0x12B, [0x4000000C], struct.pack(">IHB3s", 1, alg, 3, b"\xff" * 3),
                       auth=True)
    if name == "hash":              # Part 3 §15.4: data, hashAlg, hierarchy
        return command(0x17D, params=tpm2b(b"abc") + struct.pack(">HI", alg, 0x40000001))
    if name == "hash_sequence":     # Part 3 §17.3: auth, hashAlg
        return command(0x186, params=tpm2b(b"") + struct.pack(">H", alg))
    if name == "start_session":     # Part 3 §11.1: tpmKey, bind NULL, nonce, salt, HMAC, sym NULL, authHash
        return command(0x176, [0x40000007, 0x40000007],
                       tpm2b(b"\x00" * 16) + tpm2b(b"") + struct.pack(">BHH", 0, 0x0010, alg))
    if name == "test_parms":        # Part 3 §10.3: keyedhash, HMAC scheme with alg
        return command(0x18A, params=struct.pack(">HHH", 0x0008, 0x0005, alg))
    if name == "create_primary":    # Part 3 §24.1: owner, ECC template with nameAlg alg
        return command(0x131, [0x40000001],
                       tpm2b(struct.pack(">HH", 0, 0)) + tpm2b(ecc_template(alg)) +
                       tpm2b(b"") + struct.pack(">I", 0), auth=True)
    raise SystemExit("rawcmd.py: unknown command " + name)


NAMES = ["pcr_read", "pcr_extend", "pcr_allocate", "hash", "hash_sequence", "start_session",
         "test_parms", "create_primary"]


def main(argv):
    if len(argv) >= 3 and argv[1] == "cmd":
        alg = int(argv[3], 0) if len(argv) > 3 else 0x0027
        sys.stdout.buffer.write(build(argv[2], alg))
    elif len(argv) == 3 and argv[1] == "rc":
        rsp = open(argv[2], "rb").read()
        if len(rsp) < 10:
            raise SystemExit("rawcmd.py: short response (%d bytes)" % len(rsp))
        print("0x%03X" % struct.unpack(">I", rsp[6:10])[0])
    elif len(argv) == 3 and argv[1] == "flush":
        rsp = open(argv[2], "rb").read()
        if len(rsp) < 14:
            raise SystemExit("rawcmd.py: no handle in the response")
        sys.stdout.buffer.write(command(0x165, params=rsp[10:14]))
    elif len(argv) == 2 and argv[1] == "names":
        print("\n".join(NAMES))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
