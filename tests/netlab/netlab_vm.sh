#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# netlab_vm.sh NETLAB BUILD [RESULT.json] — the seeds' lab with router R2 as a QEMU guest
# (qtpm-netlab --vm R2 --trust, docs/ROUTING.md "Routers as VMs"): enrolment from the
# guest, every router good on the guest kernel's IMA list, OSPF Full with the namespace
# neighbours, an attack in the guest turning R2 bad and R1's route leaving it
# (tests/netlab/netlab_vm.py). Gated as both families of tests are: without root or FRR
# it skips (77) like the netlab tests; without QEMU, busybox or the kernel in
# BUILD/vm-cache (scripts/vm-kernel.sh) it fails like the vm tests.
set -eu
nl=$1 build=$(cd "$2" && pwd) result=${3:-}
src=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces, taps)"; exit 77; }
[ -x /usr/lib/frr/zebra ] || { echo "SKIP: FRR is not installed"; exit 77; }
command -v vtysh >/dev/null || { echo "SKIP: FRR's vtysh is not installed"; exit 77; }
command -v qemu-system-x86_64 >/dev/null ||
    { echo "FAIL: no qemu-system-x86_64 (scripts/deps.sh installs it)"; exit 1; }
command -v busybox >/dev/null || { echo "FAIL: no busybox (scripts/deps.sh installs busybox-static)"; exit 1; }
ls "$build"/vm-cache/boot/vmlinuz-* >/dev/null 2>&1 ||
    { echo "FAIL: no kernel in $build/vm-cache: run sh scripts/vm-kernel.sh $build/vm-cache (make check does)"; exit 1; }
# the operator's Python client needs the qtpm provider's hybrid groups (ctest sets it)
if [ -z "${OPENSSL_CONF:-}" ] && [ -z "${QTPM_TEST_SANITIZE:-}" ] && [ -f "$build/qtpm-provider-test.cnf" ]; then
    export OPENSSL_CONF="$build/qtpm-provider-test.cnf"
fi
"$nl/qtpm-netlab" down seeds > /dev/null 2>&1 || true
start=$(date +%s)
"$nl/qtpm-netlab" run "$nl/topologies/seeds.topo" --trust --vm R2 --build "$build" -- \
    python3 "$src/netlab_vm.py" $result
echo "netlab_vm: whole run $(( $(date +%s) - start )) s"
