# SPDX-License-Identifier: BSD-2-Clause
# test_selftest.sh — IncrementalSelfTest and GetTestResult (Part 3 §10): an
# algorithm asked for is tested (no longer listed as remaining); after a full
# self test nothing remains; the test result is TPM_RC_SUCCESS.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_incrementalselftest aes sha256 >inc.yaml
grep -Eq 'status: *(success|complete)' inc.yaml || { echo "incrementalselftest:" >&2; cat inc.yaml >&2; exit 1; }
if grep -Eq '^ +(aes|sha256)$' inc.yaml; then
    echo "aes/sha256 still remaining after being tested" >&2; cat inc.yaml >&2; exit 1
fi
run tpm2_selftest --fulltest
run tpm2_incrementalselftest >inc2.yaml
if grep -Eq '^ +[a-z]' inc2.yaml; then
    echo "algorithms remain after a full self test:" >&2; cat inc2.yaml >&2; exit 1
fi
run tpm2_gettestresult >result.yaml
grep -q 'status: *success' result.yaml || { echo "gettestresult:" >&2; cat result.yaml >&2; exit 1; }
