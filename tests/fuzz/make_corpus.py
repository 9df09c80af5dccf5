#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Writes the seed corpus of fuzz_execute (tests/fuzz/corpus/).

Each file is valid TPM 2.0 command bytes (Part 3 layouts; structures of
Part 2 v1.85), one command or several back to back: fuzz_execute splits an
input at the commands' own size fields, so a file can be a sequence such as
CreatePrimary then Sign on the handle it returns (0x80000000, the first
transient handle). Re-run after changing it: python3 make_corpus.py
"""
import os
import struct

TPM_ST_NO_SESSIONS, TPM_ST_SESSIONS = 0x8001, 0x8002
RH_OWNER, RH_ENDORSEMENT, RH_NULL, RS_PW = 0x40000001, 0x4000000B, 0x40000007, 0x40000009
SHA256, NULL_ALG, AES, CFB, ECDSA = 0x000B, 0x0010, 0x0006, 0x0043, 0x0018
FIRST_TRANSIENT = 0x80000000


def u8(v): return struct.pack(">B", v)
def u16(v): return struct.pack(">H", v)
def u32(v): return struct.pack(">I", v)
def tpm2b(b): return u16(len(b)) + b


def command(cc, handles=(), params=b"", auths=None):
    """Header, handles, password authorizations (empty password), parameters."""
    body = b"".join(u32(h) for h in handles)
    tag = TPM_ST_NO_SESSIONS
    if auths:
        tag = TPM_ST_SESSIONS
        area = b"".join(u32(RS_PW) + tpm2b(b"") + u8(0x01) + tpm2b(b"") for _ in range(auths))
        body += u32(len(area)) + area
    body += params
    return u16(tag) + u32(10 + len(body)) + u32(cc) + body


def pcr_select(hash_alg, pcrs):
    bits = bytearray(3)
    for p in pcrs:
        bits[p // 8] |= 1 << (p % 8)
    return u32(1) + u16(hash_alg) + u8(3) + bytes(bits)


FIXED = (1 << 1) | (1 << 4) | (1 << 5) | (1 << 6)  # fixedTPM fixedParent sensitiveDataOrigin userWithAuth
RESTRICTED, DECRYPT, SIGN = 1 << 16, 1 << 17, 1 << 18
AES128CFB = u16(AES) + u16(128) + u16(CFB)


def public(type_, attrs, params, unique):
    return tpm2b(u16(type_) + u16(SHA256) + u32(attrs) + tpm2b(b"") + params + unique)


ECC_STORAGE = public(0x0023, FIXED | RESTRICTED | DECRYPT,
                     AES128CFB + u16(NULL_ALG) + u16(0x0003) + u16(NULL_ALG), u16(0) + u16(0))
ECC_SIGNING = public(0x0023, FIXED | SIGN,
                     u16(NULL_ALG) + u16(ECDSA) + u16(SHA256) + u16(0x0003) + u16(NULL_ALG),
                     u16(0) + u16(0))
RSA_STORAGE = public(0x0001, FIXED | RESTRICTED | DECRYPT,
                     AES128CFB + u16(NULL_ALG) + u16(2048) + u32(0), u16(0))
MLDSA65 = public(0x00A1, FIXED | SIGN, u16(0x0002) + u8(0), u16(0))
MLKEM768 = public(0x00A0, FIXED | DECRYPT, u16(NULL_ALG) + u16(0x0002), u16(0))


NODA = 1 << 10
LDAA_KEY = public(0x0008, FIXED | NODA | RESTRICTED | SIGN, u16(0x0005) + u16(SHA256), u16(0))


def create_primary(hierarchy, pub):
    sensitive = tpm2b(tpm2b(b"") + tpm2b(b""))
    return command(0x131, (hierarchy,), sensitive + pub + tpm2b(b"") + u32(0), auths=1)


def sign(handle, digest):
    validation = u16(0x8024) + u32(RH_NULL) + tpm2b(b"")
    return command(0x15D, (handle,), tpm2b(digest) + u16(NULL_ALG) + validation, auths=1)


SEEDS = {
    "startup_clear": command(0x144, params=u16(0)),
    "startup_state": command(0x144, params=u16(1)),
    "shutdown_state": command(0x145, params=u16(1)),
    "selftest_full": command(0x143, params=u8(1)),
    "gettestresult": command(0x17C),
    "getrandom_32": command(0x17B, params=u16(32)),
    "getcap_algs": command(0x17A, params=u32(0) + u32(1) + u32(64)),
    "getcap_commands": command(0x17A, params=u32(2) + u32(0x11F) + u32(256)),
    "getcap_pcrs": command(0x17A, params=u32(5) + u32(0) + u32(1)),
    "getcap_properties_fixed": command(0x17A, params=u32(6) + u32(0x100) + u32(64)),
    "getcap_ml_parameter_sets": command(0x17A, params=u32(6) + u32(0x100 + 49) + u32(1)),
    "pcr_read_sha256": command(0x17E, params=pcr_select(SHA256, range(8))),
    "pcr_extend_16": command(0x182, (16,), u32(1) + u16(SHA256) + bytes(range(32)), auths=1),
    "pcr_reset_16": command(0x13D, (16,), auths=1),
    "hash_sha256": command(0x17D, params=tpm2b(b"abc") + u16(SHA256) + u32(RH_NULL)),
    "createprimary_ecc_storage": create_primary(RH_OWNER, ECC_STORAGE),
    "createprimary_rsa_storage": create_primary(RH_OWNER, RSA_STORAGE),
    "createprimary_ecc_ek": create_primary(RH_ENDORSEMENT, ECC_STORAGE),
    "createprimary_mldsa65": create_primary(RH_OWNER, MLDSA65),
    "createprimary_mlkem768": create_primary(RH_OWNER, MLKEM768),
    "seq_ecc_sign": create_primary(RH_OWNER, ECC_SIGNING) + sign(FIRST_TRANSIENT, bytes(32)),
    "seq_mldsa_sign": create_primary(RH_OWNER, MLDSA65) + sign(FIRST_TRANSIENT, bytes(32)),
    "seq_readpublic_flush": create_primary(RH_OWNER, ECC_STORAGE)
    + command(0x173, (FIRST_TRANSIENT,)) + command(0x165, params=u32(FIRST_TRANSIENT)),
    "nv_define_write_read": command(0x12A, (RH_OWNER,), tpm2b(b"")
                                    + tpm2b(u32(0x01500016) + u16(SHA256) + u32(0x00060006)
                                            + tpm2b(b"") + u16(16)), auths=1)
    + command(0x137, (0x01500016, 0x01500016), tpm2b(b"0123456789abcdef") + u16(0), auths=1)
    + command(0x14E, (0x01500016, 0x01500016), u16(16) + u16(0), auths=1),
    # the lattice DAA's vendor commands (docs/DAA.md "LDAA in the engine") on
    # a restricted keyedHash LDAA key: join request, commit, a second piece of
    # the commitment, and a respond with a wrong ticket
    "seq_ldaa_vendor": create_primary(RH_OWNER, LDAA_KEY)
    + command(0x20000101, (FIRST_TRANSIENT,), tpm2b(bytes(32)) + tpm2b(bytes(range(32))) + u32(0),
              auths=1)
    + command(0x20000102, (FIRST_TRANSIENT,), tpm2b(bytes(32)) + tpm2b(bytes(32)), auths=1)
    + command(0x20000103, (FIRST_TRANSIENT,), tpm2b(bytes(32)) + tpm2b(bytes(32)) + u16(0)
              + u32(7680), auths=1)
    + command(0x20000104, (FIRST_TRANSIENT,), tpm2b(bytes(32)) + tpm2b(bytes(32)) + u16(0)
              + tpm2b(bytes(32)) + tpm2b(bytes(40)) + u32(0), auths=1),
    "malformed_short": bytes.fromhex("8001000000"),
    "malformed_size_mismatch": bytes.fromhex("80010000ffff0000017b0010"),
}

if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(SEEDS), out))
