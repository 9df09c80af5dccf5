#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make_corpus_provider.py DIR — seeds of fuzz_provider_shares
(tests/fuzz/fuzz_provider_shares.c): byte 0 = group (bits 0-1) | direction
(bit 2), then the share. "ok-*" seeds are well formed and must be accepted
(the all-zero ML-KEM key passes FIPS 203 §7.2; X25519 u = 9 and P-256's
generator are valid points; any ML-KEM ciphertext of the right length
decapsulates); "bad-*" seeds must be refused. tests/provider/test_fuzz_seeds.sh
checks both.
"""
import os
import sys

G = bytes.fromhex("04"
                  "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
                  "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5")
X9 = bytes([9]) + bytes(31)
seeds = {
    # client shares (direction 0)
    "ok-x25519mlkem768-share": bytes([0]) + bytes(1184) + X9,
    "ok-p256mlkem768-share": bytes([1]) + G + bytes(1184),
    "ok-mlkem768-share": bytes([2]) + bytes(1184),
    "ok-mlkem1024-share": bytes([3]) + bytes(1568),
    "bad-x25519mlkem768-share-short": bytes([0]) + bytes(1184) + X9[:31],
    "bad-x25519mlkem768-share-ek": bytes([0]) + b"\xff" * 1184 + X9,
    "bad-p256mlkem768-share-point": bytes([1]) + G[:64] + b"\x00" + bytes(1184),
    "bad-mlkem1024-share-long": bytes([3]) + bytes(1569),
    # server shares (direction 1)
    "ok-x25519mlkem768-ct": bytes([4]) + bytes(1088) + X9,
    "ok-p256mlkem768-ct": bytes([5]) + G + bytes(1088),
    "ok-mlkem768-ct": bytes([6]) + bytes(1088),
    "ok-mlkem1024-ct": bytes([7]) + bytes(1568),
    "bad-x25519mlkem768-ct-long": bytes([4]) + bytes(1088) + X9 + b"\x00",
    "bad-x25519mlkem768-ct-lowpoint": bytes([4]) + bytes(1088 + 32),
    "bad-p256mlkem768-ct-order": bytes([5]) + bytes(1088) + G,
    "bad-mlkem768-ct-empty": bytes([6]),
}
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
