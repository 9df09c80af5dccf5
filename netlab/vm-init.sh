#!/bin/busybox sh
# SPDX-License-Identifier: BSD-2-Clause
# vm-init.sh — /init of a router VM of qtpm-netlab (netlab/vmrouter.py, docs/ROUTING.md
# "Routers as VMs"). The initramfs is the router image (busybox, FRR's zebra and ospfd,
# qtpm-agent, the shared libraries ldd names, /usr/sbin/routerd) followed by a small
# per-router archive under /netlab/ (conf, frr.conf, agent.conf, ca.crt).
#
# It replaces the boot-time tcb policy, whose dont_measure rules skip ramfs/tmpfs and so
# the whole initramfs, by one that measures every executed program and every library
# mapped executable (a single policy write is allowed without CONFIG_IMA_WRITE_POLICY,
# Documentation/ABI/testing/ima_policy); loads the virtio NIC modules, names the NICs
# after their MAC address as the topology does (e<peer>), starts zebra + ospfd and, with
# /netlab/agent.conf, enrols qtpm-agent (kernel IMA list, /dev/tpmrm0) and runs it. The
# NMS's certificate names 127.0.0.1, so a busybox nc on the guest's loopback forwards to
# the host over the management NIC (QEMU user networking, host = 192.168.200.2).
# Progress lines "=== NETLAB <event> <uptime s>" go to ttyS0; ttyS1 is a shell for
# `qtpm-netlab exec` (commands in, output out).
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:/usr/sbin:/usr/lib/frr
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t securityfs securityfs /sys/kernel/security
mount -t devtmpfs dev /dev
printf 'measure func=BPRM_CHECK\nmeasure func=MMAP_CHECK mask=MAY_EXEC\n' > /sys/kernel/security/ima/policy
up() { echo "=== NETLAB $1 $(cut -d' ' -f1 /proc/uptime)"; }
up init
. /netlab/conf
for m in $NL_MODULES; do insmod "/lib/modules/$m" 2>/dev/null; done
ip link set lo up
ip addr add "$NL_ID/32" dev lo
echo 1 > /proc/sys/net/ipv4/ip_forward
echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter
echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter
# NL_IFS: mac,name,address/len ... (the management NIC has name mgmt0)
i=0
for spec in $NL_IFS; do
    mac=${spec%%,*} rest=${spec#*,}
    name=${rest%%,*} addr=${rest#*,}
    dev=''
    n=0
    while [ -z "$dev" ] && [ $n -lt 100 ]; do
        for d in /sys/class/net/*; do
            [ "$(cat "$d/address" 2>/dev/null)" = "$mac" ] && dev=${d##*/}
        done
        [ -n "$dev" ] || { sleep 0.1; n=$((n + 1)); }
    done
    if [ -z "$dev" ]; then
        up "no-nic-$name"
        continue
    fi
    [ "$dev" = "$name" ] || ip link set "$dev" name "$name"
    echo 0 > "/proc/sys/net/ipv4/conf/$name/rp_filter" 2>/dev/null
    ip addr add "$addr" dev "$name"
    ip link set "$name" up
done
up net
/usr/sbin/routerd > /dev/null
mkdir -p /var/run/frr /var/log/frr /var/lib/qtpm-agent
zebra -d -u root -g root -f /netlab/frr.conf -i /var/run/frr/zebra.pid
ospfd -d -u root -g root -f /netlab/frr.conf -i /var/run/frr/ospfd.pid
up frr
# the shell for qtpm-netlab exec: one command a line, output and a marker line back
stty -F /dev/ttyS1 -echo -onlcr 115200 2>/dev/null
(while :; do sh < /dev/ttyS1 > /dev/ttyS1 2>&1; sleep 0.2; done) &
if [ -f /netlab/agent.conf ]; then
    nc -ll -p "$NL_NMS_PORT" -e busybox nc 192.168.200.2 "$NL_NMS_PORT" &
    up enrol-start
    n=0
    until qtpm-agent enrol -c /netlab/agent.conf > /var/log/agent-enrol.log 2>&1; do
        n=$((n + 1))
        if [ $n -ge 30 ]; then
            up enrol-failed
            sed 's/^/=== AGENT /' /var/log/agent-enrol.log
            break
        fi
        sleep 1
    done
    if [ -r /var/lib/qtpm-agent/router.id ]; then
        echo "=== NETLAB enrolled $(cut -d' ' -f1 /proc/uptime) $(cat /var/lib/qtpm-agent/router.id)"
        qtpm-agent run -c /netlab/agent.conf > /var/log/agent.log 2>&1 &
    fi
fi
while :; do sleep 3600; done
