# SPDX-License-Identifier: BSD-2-Clause
# test_ecc2phase.sh — two-phase ECC (Part 3 §19.2-19.3, §14.7): Commit on an
# ECDAA key, EC_Ephemeral, and ZGen_2Phase whose Z1 (static part, d·Q) must
# equal the Z of an ECDH_KeyGen made with the same key.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
run -t tpm2_commit tpm2_create -C primary.ctx -G ecc256:ecdaa -u daa.pub -r daa.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u daa.pub -r daa.priv -c daa.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_commit -c daa.ctx -t counter.bin --eccpoint-K K.bin --eccpoint-L L.bin -u E.bin >/dev/null
run tpm2_flushcontext -t
check -t tpm2_commit "Commit returns a P-256 point E" "$(wc -c <E.bin)" -eq 70
run tpm2_ecephemeral -u q.bin -t ctr.bin ecc256 >/dev/null
check -t tpm2_ecephemeral "EC_Ephemeral returns a P-256 point" "$(wc -c <q.bin)" -eq 70
run tpm2_create -C primary.ctx -G ecc256:ecdh -u ecdh.pub -r ecdh.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u ecdh.pub -r ecdh.priv -c ecdh.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_ecdhkeygen -c ecdh.ctx -u static.q -o static.z
run tpm2_flushcontext -t
run tpm2_zgen2phase -c ecdh.ctx --static-public static.q --ephemeral-public q.bin \
    -t "$(od -An -tu2 --endian=big ctr.bin | tr -d ' ')" --output-Z1 z1.bin --output-Z2 z2.bin >/dev/null
run tpm2_flushcontext -t
check -t tpm2_zgen2phase "ZGen_2Phase Z1 equals ECDH_KeyGen's Z" "$(hexof z1.bin)" = "$(hexof static.z)"
