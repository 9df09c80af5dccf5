#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""caps.py — what a TPM advertises, from tpm2_getcap's YAML, as the word
lists the loop tests (test_loops.sh) iterate over, the way users' scripts
loop over `tpm2_getcap algorithms` and `tpm2_getcap pcrs`.

  caps.py hashes ALGS.yaml     the hash algorithms: TPMA_ALGORITHM hash and
                               nothing else (sha256, ...; not hmac, mgf1,
                               keyedhash, xor or the KDFs)
  caps.py objects ALGS.yaml    the object types (TPMA_ALGORITHM object), as
                               tpm2-tools -G names: rsa, ecc, aes for
                               symcipher, hmac for keyedhash; a type
                               tpm2-tools has no name for is printed as
                               "unknown:0xNN"
  caps.py banks PCRS.yaml      the PCR banks listed with at least one PCR
  caps.py listed PCRS.yaml     every PCR bank listed, allocated or not
"""
import sys

import yaml

TOOL_NAME = {"rsa": "rsa", "ecc": "ecc", "symcipher": "aes", "keyedhash": "hmac"}


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__)
    doc = yaml.safe_load(open(argv[2]))
    out = []
    if argv[1] in ("hashes", "objects"):
        for name, a in doc.items():
            flags = {k: a.get(k, 0) for k in ("asymmetric", "symmetric", "hash", "object",
                                                "signing", "encrypting", "method")}
            if argv[1] == "hashes" and flags["hash"] == 1 and \
                    sum(flags.values()) == 1:
                out.append(str(name))
            if argv[1] == "objects" and flags["object"] == 1:
                out.append(TOOL_NAME.get(str(name), "unknown:%s" % a.get("value")))
    elif argv[1] in ("banks", "listed"):
        for entry in doc.get("selected-pcrs") or []:
            for bank, pcrs in entry.items():
                if argv[1] == "listed" or pcrs:
                    out.append(str(bank))
    else:
        raise SystemExit(__doc__)
    print(" ".join(out))


if __name__ == "__main__":
    main(sys.argv)
