#!/bin/busybox sh
# SPDX-License-Identifier: BSD-2-Clause
# guest-init.sh — /init of the VM test's initramfs (tests/vm/vm_ima.sh):
# mounts proc, sys, securityfs; replaces the boot-time tcb policy (which
# skips ramfs/tmpfs, i.e. the whole initramfs) with one that measures every
# executed program — a single write is allowed without
# CONFIG_IMA_WRITE_POLICY (Documentation/ABI/testing/ima_policy) — runs a
# program, prints the IMA list (hex), PCR 10 and the
# firmware event log between markers on ttyS0, and powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t securityfs securityfs /sys/kernel/security
echo "measure func=BPRM_CHECK" > /sys/kernel/security/ima/policy
cp /bin/busybox /measured-prog
/measured-prog true
up=$(cut -d' ' -f1 /proc/uptime)
echo "=== TPM $(cat /sys/class/tpm/tpm0/tpm_version_major 2>/dev/null) $(ls /sys/class/tpm/tpm0/ 2>/dev/null | grep pcr- | tr '\n' ' ')"
echo "=== IMA-BEGIN"
hexdump -v -e '32/1 "%02x" "\n"' /sys/kernel/security/ima/binary_runtime_measurements
ms=$(echo "$up" | awk '{printf "%d", $1 * 1000}')
echo "=== IMA-END $ms"
for b in sha1 sha256 sha384 sha512 sha3_256 sha3_384 sha3_512; do
    for p in 0 1 2 3 4 5 6 7 8 9 10; do
        f=/sys/class/tpm/tpm0/pcr-$b/$p
        [ -r $f ] && echo "=== PCR $b $p $(cat $f)"
    done
done
# sysfs has no pcr-<alg> group for a SHA-3 bank (drivers/char/tpm knows
# SHA-1/256/384/512 and SM3 only): read SHA3-256 PCRs 0-7 and 10 with raw
# TPM2_PCR_Read commands on /dev/tpm0 (one write each; answers in hex).
mount -t devtmpfs dev /dev 2>/dev/null
for sel in '\377\000\000' '\000\004\000'; do
    [ -c /dev/tpm0 ] && (
        exec 3<>/dev/tpm0
        printf "\200\001\000\000\000\024\000\000\001\176\000\000\000\001\000\047\003$sel" >&3
        echo "=== RAWPCR $(dd bs=4096 count=1 <&3 2>/dev/null | hexdump -v -e '1/1 "%02x"')"
    )
done
if [ -r /sys/kernel/security/tpm0/binary_bios_measurements ]; then
    echo "=== EVLOG-BEGIN"
    hexdump -v -e '32/1 "%02x" "\n"' /sys/kernel/security/tpm0/binary_bios_measurements
    echo "=== EVLOG-END"
fi
echo "=== DONE"
# vm_migrate.sh (kernel argument qtpm_wait) moves the machine to another
# host while it sleeps here; the TPM must answer afterwards with its PCRs.
if grep -q qtpm_wait /proc/cmdline; then
    echo "=== WAIT"
    sleep 6
    echo "=== AFTER $(cat /sys/class/tpm/tpm0/pcr-sha256/10 2>&1)"
fi
poweroff -f
