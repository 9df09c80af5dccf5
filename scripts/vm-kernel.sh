#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# vm-kernel.sh — puts Debian's kernel where the VM tests (tests/vm/) boot it:
# the newest linux-image-<version>-amd64 apt offers, fetched with
# `apt-get download` and unpacked with dpkg-deb into CACHE_DIR (CACHE_DIR/boot/
# vmlinuz-*, CACHE_DIR/lib/modules/...). Nothing happens when it is there.
# The Makefile calls it before the tests, so the tests themselves make no
# network traffic.
#
#   scripts/vm-kernel.sh CACHE_DIR
set -eu
cache=$1
mkdir -p "$cache"
ls "$cache"/boot/vmlinuz-* >/dev/null 2>&1 && exit 0
deb=$(ls "$cache"/linux-image-*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
    pkg=$(apt-cache search '^linux-image-[0-9.]+-[0-9]+-amd64$' | awk '{print $1}' | sort -V | tail -1)
    if [ -z "$pkg" ]; then
        echo "vm-kernel.sh: apt offers no linux-image-*-amd64 package (run apt-get update)" >&2
        exit 1
    fi
    echo "vm-kernel.sh: fetching $pkg for the VM tests"
    if ! (cd "$cache" && apt-get download "$pkg"); then
        echo "vm-kernel.sh: could not download $pkg (apt-get update, or check the mirror)" >&2
        exit 1
    fi
    deb=$(ls "$cache"/linux-image-*.deb | head -1)
fi
dpkg-deb -x "$deb" "$cache"
