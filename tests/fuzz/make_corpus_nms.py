#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make_corpus_nms.py OUT_DIR — deep seeds for fuzz_nms_request (tests/fuzz/corpus-nms).

Each seed is one byte choosing the handler ('0' enrol, '1' activate, '2' tls-key,
'3' evidence: the harness takes it modulo 4) and a JSON body whose every field is well
formed: TPM structures marshalled as TPM 2.0
Part 2 lays them out (big-endian; TPM2B_PUBLIC §12.2.5, TPMS_ATTEST §10.12.12,
TPMT_SIGNATURE §11.3.4), a DER EK certificate made with the openssl CLI, an ima-ng
entry in the kernel's binary form with its template hash. The fuzzer then starts past
the parsers' first checks (base64, unmarshalling, lengths) instead of at them. The
nonce is the one fuzz_nms_request stores for its router before each call.
Run by hand when a handler's input changes; the seeds are committed.
"""
import base64, hashlib, json, os, struct, subprocess, sys, tempfile

NONCE = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
u16 = lambda v: struct.pack(">H", v)
u32 = lambda v: struct.pack(">I", v)
u64 = lambda v: struct.pack(">Q", v)
b2 = lambda b: u16(len(b)) + b
b64 = lambda b: base64.b64encode(b).decode()

def ecc_public(attrs, policy=b""):
    body = (u16(0x0023) + u16(0x000B) + u32(attrs) + b2(policy) +
            u16(0x0010) + u16(0x0010) + u16(0x0003) + u16(0x0010) +  # sym, scheme, P-256, kdf
            b2(bytes(range(32))) + b2(bytes(range(32, 64))))
    return b2(body)

FIXED = 0x2 | 0x10 | 0x20 | 0x40          # fixedTPM fixedParent sensitiveDataOrigin userWithAuth
AK = ecc_public(FIXED | 0x10000 | 0x40000)  # restricted, sign
EK = ecc_public(0x2 | 0x10 | 0x20 | 0x80 | 0x10000 | 0x20000, bytes(32))  # adminWithPolicy, restricted, decrypt
TLS = ecc_public((FIXED & ~0x40) | 0x40000, bytes(32))

def pcr_sel(pcrs):
    bits = bytearray(3)
    for p in pcrs:
        bits[p // 8] |= 1 << (p % 8)
    return u32(1) + u16(0x000B) + bytes([3]) + bytes(bits)

def attest(kind, attested):
    body = (u32(0xFF544347) + u16(kind) + b2(b"\x00\x0b" + bytes(32)) + b2(bytes.fromhex(NONCE)) +
            u64(123456) + u32(1) + u32(0) + b"\x01" + u64(0x20240101) + attested)
    return b2(body)

SIG = u16(0x0018) + u16(0x000B) + b2(bytes(32)) + b2(bytes(32))  # ECDSA-SHA256

def ima_ng(path, content):
    d = hashlib.sha256(content).digest()
    alg = b"sha256:\x00" + d
    name = path.encode() + b"\x00"
    data = struct.pack("<I", len(alg)) + alg + struct.pack("<I", len(name)) + name
    th = hashlib.sha1(data).digest()
    return struct.pack("<I", 10) + th + struct.pack("<I", 6) + b"ima-ng" + struct.pack("<I", len(data)) + data

def ek_cert():
    with tempfile.TemporaryDirectory() as t:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=fuzz EK",
                        "-keyout", t + "/k", "-out", t + "/c", "-days", "1", "-outform", "DER"],
                       check=True, capture_output=True)
        return open(t + "/c", "rb").read()

def main(out):
    os.makedirs(out, exist_ok=True)
    cert = ek_cert()
    seeds = {
        "enrol-deep": (0, {"hostname": "r1", "ek_cert": b64(cert), "ek_pub": b64(EK),
                           "ak_pub": b64(AK)}),
        "enrol-chain": (0, {"hostname": "r1", "ek_cert": b64(cert), "ek_pub": b64(EK),
                            "ak_pub": b64(AK), "ek_chain": [b64(cert), b64(cert)]}),
        "activate-deep": (1, {"credential": "ab" * 32}),
        "tlskey-deep": (2, {"nonce": NONCE, "tls_pub": b64(TLS),
                            "certify_info": b64(attest(0x8017, b2(b"\x00\x0b" + bytes(32)) +
                                                       b2(b"\x00\x0b" + bytes(32)))),
                            "signature": b64(SIG),
                            "pcr_values": {"sha256": {"10": "00" * 32}}}),
        "evidence-deep": (3, {"nonce": NONCE,
                              "quote": b64(attest(0x8018, pcr_sel([0, 10]) + b2(bytes(32)))),
                              "signature": b64(SIG),
                              "pcr_values": {"sha256": {"0": "00" * 32, "10": "11" * 32}},
                              "uptime": 5,
                              "log": {"format": "ima-binary", "from_index": 0,
                                      "entries": b64(ima_ng("/usr/sbin/routerd", b"r") +
                                                     ima_ng("/etc/frr/frr.conf", b"c"))}}),
        "evidence-from": (3, {"nonce": NONCE,
                              "quote": b64(attest(0x8018, pcr_sel([10]) + b2(bytes(32)))),
                              "signature": b64(SIG), "pcr_values": {"sha256": {"10": "00" * 32}},
                              "uptime": 0, "log": {"format": "ima-binary", "from_index": 7,
                                                   "entries": ""}}),
    }
    for name, (sel, body) in seeds.items():
        with open(os.path.join(out, name + ".json"), "wb") as f:
            f.write(str(sel).encode() + json.dumps(body, separators=(",", ":")).encode())

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus-nms"))
