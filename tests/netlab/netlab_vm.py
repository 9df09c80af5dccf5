#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""netlab_vm.py [RESULT.json] — run by `qtpm-netlab run seeds.topo --trust --vm R2 -- ...`
(tests/netlab/netlab_vm.sh): router R2 is a QEMU guest. Checks, each failing the test:
R2's agent enrolled from the guest and every router attests good; R2's list is the guest
kernel's IMA list (boot_aggregate, the guest's zebra/ospfd/qtpm-agent, PCR 10 of the
guest's TPM not zero); OSPF is Full between R2 and its namespace neighbours R1, R4 and R2
has OSPF routes to every other router; R1 reaches dst over two equal-cost paths; then a
trojaned /usr/sbin/routerd executed inside the guest turns R2 bad and R1's route to dst
leaves R2. Prints (and writes to RESULT.json) boot-to-enrolled and boot-to-good times of
the VM router and of the namespace routers (docs/ROUTING.md, "Routers as VMs").
"""
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
import time

STATE = os.environ["NETLAB_STATE"]
TOOL = os.environ["NETLAB_TOOL"]
VM = "R2"
TROJAN = '#!/bin/sh\\necho routerd 3.4.2\\n# implant\\nexit 0\\n'


def fail(msg):
    print("FAIL: netlab_vm: " + msg, flush=True)
    sys.exit(1)


def load_nms():
    path = os.path.join(os.path.dirname(TOOL), "experiment")
    loader = importlib.machinery.SourceFileLoader("netlab_experiment", path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod.Nms


def vm_exec(cmd, timeout=60):
    r = subprocess.run([TOOL, "exec", "--lab", os.environ["NETLAB_LAB"], VM, "sh", "-c", cmd],
                       capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout + r.stderr


def ns_routes(info, node, dst):
    return subprocess.run(["ip", "-n", info["ns"][node], "route", "show", "match", dst],
                          capture_output=True, text=True).stdout


def main():
    with open(os.path.join(STATE, "lab.json")) as f:
        info = json.load(f)
    vm = info["routers"].get(VM, {})
    if not vm.get("vm") or not vm.get("id"):
        fail(f"{VM} is not an enrolled VM router in lab.json: {vm}")
    nms = load_nms()(info["nms"]["url"], info["nms"]["dir"])
    ids = {r: v["id"] for r, v in info["routers"].items()}
    names = {v: k for k, v in ids.items()}
    # 1. everyone good
    end = time.monotonic() + 90
    states = {}
    while time.monotonic() < end:
        st, j = nms.req("GET", "/routers")
        rs = j.get("routers", []) if isinstance(j, dict) else (j or [])
        states = {names.get(x.get("id"), x.get("id")): x.get("state") for x in rs}
        if all(states.get(r) == "good" for r in ids):
            break
        time.sleep(0.3)
    else:
        st, d = nms.req("GET", f"/routers/{ids[VM]}")
        fail(f"not every router attested good in 90 s: {states}; {VM}: "
             f"{(d or {}).get('reasons')}")
    print(f"netlab_vm: every router good: {states}")
    # 2. the list is the guest kernel's
    rc, out = vm_exec("cat /sys/kernel/security/ima/ascii_runtime_measurements; "
                      "echo PCR10 $(cat /sys/class/tpm/tpm0/pcr-sha256/10); "
                      "grep ima_source /netlab/agent.conf")
    if rc != 0:
        fail(f"cannot read the guest's IMA list: {out[-300:]}")
    lines = [l for l in out.splitlines() if l.startswith("10 ")]
    paths = {l.split()[-1] for l in lines}
    for want in ("boot_aggregate", "/usr/lib/frr/zebra", "/usr/lib/frr/ospfd",
                 "/usr/bin/qtpm-agent"):
        if want not in paths:
            fail(f"the guest's IMA list has no {want} ({len(lines)} entries)")
    pcr = next((l.split()[1] for l in out.splitlines() if l.startswith("PCR10 ")), "")
    if len(pcr) != 64 or set(pcr) == {"0"}:
        fail(f"the guest's PCR 10 (sha256) is '{pcr}'")
    if "ima_source = kernel" not in out:
        fail("the guest's agent is not configured for the kernel's IMA list")
    print(f"netlab_vm: {VM}'s kernel IMA list: {len(lines)} entries, PCR 10 {pcr[:16]}...")
    # 3. OSPF Full with the namespace neighbours, routes in the guest
    rid = info["topology"]["nodes"][VM]["id"]
    for nb in ("R1", "R4"):
        out = subprocess.run(["vtysh", "-N", info["ns"][nb], "-c", "show ip ospf neighbor"],
                             capture_output=True, text=True, timeout=30).stdout
        row = [l for l in out.splitlines() if l.startswith(rid + " ")]
        if not row or "Full" not in row[0]:
            fail(f"{nb} has no Full adjacency with {VM} ({rid}):\n{out}")
    rc, out = vm_exec("ip route show")
    for r, n in info["topology"]["nodes"].items():
        if n["kind"] == "router" and r != VM and not any(
                l.startswith(n["id"]) for l in out.splitlines()):
            fail(f"the guest has no route to {r} ({n['id']}):\n{out}")
    print(f"netlab_vm: OSPF Full between {VM} and R1, R4; the guest routes to every router")
    dst = info["hosts"]["dst"]
    end = time.monotonic() + 30
    while ns_routes(info, "R1", dst).count("nexthop") != 2 and time.monotonic() < end:
        time.sleep(0.2)
    r1 = ns_routes(info, "R1", dst)
    if r1.count("nexthop") != 2 or "eR2" not in r1:
        fail(f"R1 has not two paths to dst (one through {VM}):\n{r1}")
    # 4. the attack inside the guest
    t_exec = time.time() * 1000
    rc, out = vm_exec(f"printf '{TROJAN}' > /usr/sbin/routerd.new && chmod 755 "
                      "/usr/sbin/routerd.new && mv /usr/sbin/routerd.new /usr/sbin/routerd && "
                      "/usr/sbin/routerd")
    if rc != 0:
        fail(f"the attack did not run in the guest: {out}")
    end = time.monotonic() + 30
    bad = None
    while time.monotonic() < end and bad is None:
        st, d = nms.req("GET", f"/routers/{ids[VM]}")
        if d and d.get("state") == "bad":
            bad = d
        else:
            time.sleep(0.1)
    if bad is None:
        fail(f"{VM} is not bad 30 s after the attack")
    reasons = bad.get("reasons") or []
    if not any("routerd" in json.dumps(x) for x in reasons):
        fail(f"{VM} is bad, but not for routerd: {reasons}")
    t_bad = min((e["time_ms"] for e in bad.get("history", []) if e.get("kind") == "verdict"
                 and e.get("detail") == "bad" and e.get("time_ms", 0) >= t_exec - 1000),
                default=None)
    end = time.monotonic() + 30
    while time.monotonic() < end and "eR2" in ns_routes(info, "R1", dst):
        time.sleep(0.05)
    t_moved = time.time() * 1000
    r1 = ns_routes(info, "R1", dst)
    if "eR2" in r1 or "eR3" not in r1:
        fail(f"R1's route to dst did not leave {VM}:\n{r1}")
    print(f"netlab_vm: attack in the guest: verdict bad "
          f"{(t_bad - t_exec) if t_bad else float('nan'):.0f} ms, R1 round {VM} "
          f"{t_moved - t_exec:.0f} ms after the execution")
    # 5. times
    res = {"vm": VM, "accel": vm.get("accel"), "routers": {},
           "load_avg": os.getloadavg()}
    for r, v in info["routers"].items():
        st, d = nms.req("GET", f"/routers/{v['id']}")
        goods = [e["time_ms"] for e in (d or {}).get("history", [])
                 if e.get("kind") == "verdict" and e.get("detail") == "good"]
        t0 = v["t_boot"] if v.get("vm") else v["t_enrol_start"]
        row = {"kind": "vm" if v.get("vm") else "namespace",
               "to_enrolled_ms": round((v["t_enrolled"] - t0) * 1000),
               "to_good_ms": round(min(goods) - t0 * 1000) if goods else None}
        if v.get("vm"):
            row["guest_uptime_at_enrol_start_s"] = v.get("guest_enrol_start_s")
            row["guest_uptime_at_enrolled_s"] = v.get("guest_enrolled_s")
        res["routers"][r] = row
        print(f"netlab_vm: {r} ({row['kind']}): boot-to-enrolled {row['to_enrolled_ms']} ms, "
              f"boot-to-good {row['to_good_ms']} ms")
    res["attack_to_bad_ms"] = round(t_bad - t_exec) if t_bad else None
    res["attack_to_reroute_ms"] = round(t_moved - t_exec)
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            json.dump(res, f, indent=1)
    print("netlab_vm: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
