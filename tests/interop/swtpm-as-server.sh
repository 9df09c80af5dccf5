#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# swtpm-as-server.sh — starts swtpm (the reference software TPM) with
# qtpm-server's command line, so run-with-server.sh can run the same interop
# scripts against it: `run-with-server.sh --tcti swtpm --server
# tests/interop/swtpm-as-server.sh SCRIPT`. It checks the scripts themselves
# (a script failing here is wrong, not the engine) and gives the reference
# column of docs/INTEROP.md. Only the swtpm protocol: swtpm has no mssim port.
port=2321 host=127.0.0.1 state=
while [ $# -gt 0 ]; do
    case $1 in
    --port) port=$2; shift 2 ;;
    --host) host=$2; shift 2 ;;
    --state) state=$2; shift 2 ;;
    --swtpm|-v|--verbose) shift ;;
    # swtpm 0.7 / libtpms 0.9 implement no SHA-3 at all: what compat-tss3
    # (docs/SERVER.md "Profiles") asks for is what it is; nothing else is
    --profile)
        [ "$2" = compat-tss3 ] || { echo "swtpm-as-server.sh: swtpm 0.7 has no profile $2" >&2; exit 2; }
        shift 2 ;;
    *) echo "swtpm-as-server.sh: unsupported option $1" >&2; exit 2 ;;
    esac
done
mkdir -p "$state"
exec swtpm socket --tpm2 --tpmstate dir="$state" --flags not-need-init \
    --server type=tcp,port="$port",bindaddr="$host" \
    --ctrl type=tcp,port=$((port + 1)),bindaddr="$host"
