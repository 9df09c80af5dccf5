# SPDX-License-Identifier: BSD-2-Clause
# test_persist.sh — persistent objects: evictcontrol in and out, listing
# handles, using a persistent key as a parent.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_evictcontrol -C o -c primary.ctx 0x81000001 >/dev/null
run tpm2_flushcontext -t
run tpm2_getcap handles-persistent | grep -q 0x81000001
run tpm2_readpublic -c 0x81000001 >/dev/null
run tpm2_create -C 0x81000001 -G ecc -u k.pub -r k.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C 0x81000001 -u k.pub -r k.priv -c k.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_evictcontrol -C o -c 0x81000001 >/dev/null
if tpm2_getcap handles-persistent | grep -q 0x81000001; then
    echo "persistent handle still listed after eviction" >&2
    exit 1
fi
