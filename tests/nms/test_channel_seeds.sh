#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_channel_seeds.sh CHECK CORPUS — what the bind parser does with each seed of
# fuzz_nms_channel (ctest nms_channel_fuzz_seeds): the well-formed bodies (a real
# ML-DSA-44 binding key's public area) pass, every broken one is refused.
set -eu
cd "$2"
out=$("$1" valid-ecdsa-sig.json valid-mldsa-sig.json valid-padded.json extra-field.json \
    missing-sig.json router-number.json pub-truncated.json pub-trailing.json \
    sig-trailing.json bad-base64.json not-object.json)
echo "$out"
want="valid-ecdsa-sig.json ok
valid-mldsa-sig.json ok
valid-padded.json ok
extra-field.json refused
missing-sig.json refused
router-number.json refused
pub-truncated.json refused
pub-trailing.json refused
sig-trailing.json refused
bad-base64.json refused
not-object.json refused"
[ "$out" = "$want" ] || { echo "FAIL: expected"; echo "$want"; exit 1; }
echo "nms_channel_fuzz_seeds: ok"
