#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Installs the Debian packages qtpm needs to build, test, benchmark and demo.
# Only what is missing is installed; nothing happens when everything is there.
# Called by the Makefile before every top-level target, so a fresh Debian 12
# machine needs nothing but `make check` or `make demo`.
set -eu

pkgs="build-essential cmake pkg-config clang libclang-rt-14-dev llvm valgrind
libssl-dev libjansson-dev libcmocka-dev
tpm2-tools libtss2-dev libtss2-tcti-tabrmd0 tpm2-abrmd swtpm swtpm-tools dbus
python3 iproute2
libevent-dev libcurl4-openssl-dev libsqlite3-dev libpq-dev postgresql curl openssl libyaml-dev
libfido2-dev
help2man python3-jsonschema jq systemd
nodejs chromium
frr nftables gnuplot-nox sqlite3
qemu-system-x86 busybox-static cpio ovmf
linux-perf"

missing=""
for p in $pkgs; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done

# The dashboard's npm packages (web/package-lock.json): npm comes with nodejs from
# NodeSource, as Debian's own package "npm" otherwise.
command -v npm >/dev/null 2>&1 || missing="$missing npm"

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "qtpm: these Debian packages are missing:$missing" >&2
    echo "qtpm: run 'make' as root, or install them with: sudo apt-get install$missing" >&2
    exit 1
fi

echo "qtpm: installing missing packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y --no-install-recommends $missing; then
    apt-get update
    apt-get install -y --no-install-recommends $missing
fi
