#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# router-cert.sh NMS_DIR ROUTER_ID OUT_PREFIX — a router-role client certificate for tests.
#
# Mints OUT_PREFIX.key (P-256) and OUT_PREFIX.crt with subject OU=router, CN=ROUTER_ID,
# signed by the NMS's privacy CA (NMS_DIR/privacy-ca.{crt,key}, made by `qtpm-nms init`),
# which is what the NMS reads the router role from (src/nms/server.c, find_role). It
# stands in for the TPM-bound TLS certificate a real agent gets from POST tls-key, so the
# routing endpoints can be driven with curl without a TPM; the router must still be
# enrolled for most of them. Valid for one day.
set -eu
dir=$1 id=$2 out=$3
openssl ecparam -name prime256v1 -genkey -noout -out "$out.key" 2>/dev/null
chmod 600 "$out.key"
openssl req -new -key "$out.key" -subj "/OU=router/CN=$id" -out "$out.csr" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n' \
    >"$out.ext"
openssl x509 -req -in "$out.csr" -CA "$dir/privacy-ca.crt" -CAkey "$dir/privacy-ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -days 1 -extfile "$out.ext" -out "$out.crt" \
    2>/dev/null
rm -f "$out.csr" "$out.ext"
openssl verify -CAfile "$dir/privacy-ca.crt" "$out.crt" >/dev/null
