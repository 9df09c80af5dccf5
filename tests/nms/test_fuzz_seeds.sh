#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_fuzz_seeds.sh CHECK CORPUS — the deep seeds of fuzz_nms_request get past every
# parser of their handler (ctest nms_fuzz_seeds): each must stop at a check behind the
# parsing — the vendor CA (enrol), the pending enrolment (activate), the AK's signature
# over the certification (tls-key) or the quote (evidence: a verdict) — never at a 400.
set -eu
out=$("$1" "$2"/enrol-deep.json "$2"/enrol-chain.json "$2"/activate-deep.json \
    "$2"/tlskey-deep.json "$2"/evidence-deep.json "$2"/evidence-from.json)
echo "$out"
want="enrol-deep.json 403 ek-untrusted
enrol-chain.json 403 ek-untrusted
activate-deep.json 404 not-found
tlskey-deep.json 403 certify-invalid
evidence-deep.json 200 bad bad-quote-signature
evidence-from.json 200 bad bad-quote-signature"
[ "$out" = "$want" ] || { echo "FAIL: expected"; echo "$want"; exit 1; }
echo "nms_fuzz_seeds: ok"
