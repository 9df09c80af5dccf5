#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""demo-routing.py — the trust-aware routing half of `make demo` (docs/ROUTING.md).

The seeds' network (netlab/topologies/seeds.topo: src — R1 — {R2, R3} — R4 — dst) comes up
on real Linux routing: each router a network namespace with FRRouting, its own qtpm-server
TPM and qtpm-agent, one qtpm-nms serving the dashboard. Every router attests good and R1
reaches dst over two equal-cost paths. Then R2 is attacked (its routerd replaced by a
trojaned build and executed): R2's agent measures it at once, the NMS's verdict is bad, the
NMS tells R2's *neighbours* to raise their OSPF cost toward R2, and R1's kernel route to
dst moves to R3 alone. The script prints each step's timestamps from the NMS's events and
the dashboard's login link; on a terminal it keeps the lab up until Enter.

  scripts/demo-routing.py [--test] BUILD_DIR

Needs root (network namespaces); everything it starts is removed on any exit.
"""
import importlib.machinery
import importlib.util
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NETLAB = os.path.join(HERE, "..", "netlab")
TOOL = os.path.join(NETLAB, "qtpm-netlab")
TOPO = os.path.join(NETLAB, "topologies", "seeds.topo")
LAB = "seeds"
STATE = "/run/qtpm-netlab/" + LAB
TROJAN = "#!/bin/sh\necho routerd 3.4.2\n# implant\nexit 0\n"


def load_experiment():
    """netlab/experiment's operator client (Nms) and its lab helpers."""
    path = os.path.join(NETLAB, "experiment")
    loader = importlib.machinery.SourceFileLoader("netlab_experiment", path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def say(msg):
    print("\n== " + msg, flush=True)


def show(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    for line in (out.stdout + out.stderr).rstrip().splitlines():
        print("   " + line)
    return out.stdout


def main():
    args = sys.argv[1:]
    test = args[:1] == ["--test"]  # CTest: a skip is exit 77, and stdin is never asked
    if test:
        args = args[1:]
    if len(args) != 1:
        print("usage: demo-routing.py [--test] BUILD_DIR", file=sys.stderr)
        return 2
    build = os.path.abspath(args[0])
    if os.geteuid() != 0:
        print("demo-routing: skipped: routers are network namespaces, which need root "
              "(run `sudo make demo`)")
        return 77 if test else 0
    exp = load_experiment()

    class Args:
        pass
    a = Args()
    a.build = build
    lab = exp.Lab(a) if hasattr(exp, "Lab") else None
    if lab is None:
        print("demo-routing: netlab/experiment has no Lab class", file=sys.stderr)
        return 1
    try:
        say("Trust-aware routing on real Linux routing: the seeds' network")
        print("   qtpm-netlab up seeds.topo --trust: 4 routers (namespaces, FRR zebra + ospfd),\n"
              "   each with a qtpm-server TPM and a qtpm-agent enrolled with one qtpm-nms")
        t0 = time.monotonic()
        lab.up()
        if not lab.wait_ready(90):
            print("demo-routing: the lab did not become ready", file=sys.stderr)
            return 1
        print(f"   up, every router attested good, R1 has two paths to dst "
              f"({time.monotonic() - t0:.1f} s)")
        nms_db = lab.info["nms"]["db"]
        nms_bin = os.path.join(build, "src", "nms", "qtpm-nms")
        say("The NMS's view: routers, links and OSPF costs (qtpm-nms topology)")
        show([nms_bin, "--db", nms_db, "topology"])
        say("The trusted routing policy: trust state → OSPF cost (qtpm-nms policy show)")
        show([nms_bin, "--db", nms_db, "policy", "show"])
        say(f"R1's route to dst ({lab.dst}): two equal-cost paths")
        show(["ip", "-n", lab.ns("R1"), "route", "show", "match", lab.dst])

        say("Attack: R2's /usr/sbin/routerd is replaced by a trojaned build and executed")
        since = lab.last_event()
        path = os.path.join(lab.info["routers"]["R2"]["image"], "usr", "sbin", "routerd")
        t_exec = time.time() * 1000
        with open(path, "w") as f:
            f.write(TROJAN)
        subprocess.run(["ip", "netns", "exec", lab.ns("R2"), path], check=False,
                       stdout=subprocess.DEVNULL)
        id2 = lab.ids["R2"]
        end = time.monotonic() + 20
        moved = False
        while time.monotonic() < end and not moved:
            out = subprocess.run(["ip", "-n", lab.ns("R1"), "route", "show", "match", lab.dst],
                                 capture_output=True, text=True).stdout
            moved = "nexthop" not in out and "via" in out
            time.sleep(0.05)
        time.sleep(0.3)  # let the neighbours' acknowledgements arrive
        events = lab.events(since)
        verdict = next((e for e in events if e.get("kind") == "verdict" and
                        e.get("router") == id2), None)
        for e in events:
            if e.get("kind") in ("verdict", "enforce", "enforced") and e.get("time_ms"):
                who = lab.names.get(e.get("router"), e.get("router"))
                print(f"   +{e['time_ms'] - t_exec:7.1f} ms  {e['kind']:<9} {who}: "
                      f"{e.get('detail', '')[:90]}")
        fibs = [int(m.group(1)) for e in events if e.get("kind") == "enforced"
                for m in [re.search(r"fib_ms=(\d+)", e.get("detail", ""))] if m]
        if verdict:
            print(f"   execution → verdict bad: {verdict['time_ms'] - t_exec:.1f} ms")
        if fibs:
            print(f"   execution → neighbours' kernel routes changed: "
                  f"{max(fibs) - t_exec:.1f} ms")
        say("R1's route to dst now: round R2, via R3 only")
        show(["ip", "-n", lab.ns("R1"), "route", "show", "match", lab.dst])
        show([nms_bin, "--db", nms_db, "topology"])
        if not moved:
            print("demo-routing: R1's route did not move", file=sys.stderr)
            return 1

        say("The NMS dashboard (live map, verdict reasons, routing tables, policy)")
        listen = lab.info["nms"]["url"].split("//", 1)[1]
        for role in ("operator", "read-only"):
            url = subprocess.run([nms_bin, "login-url", "--dir", lab.info["nms"]["dir"],
                                  "--role", role, "--listen", listen],
                                 capture_output=True, text=True).stdout.strip()
            print(f"   {role:<9} {url}")
        print("   (the NMS's certificate is signed by its own operator CA: "
              f"{lab.info['nms']['dir']}/operator-ca.crt)")
        if sys.stdin.isatty() and not test:
            input("\n   The lab stays up while you look. Press Enter to take it down. ")
        return 0
    finally:
        subprocess.run([TOOL, "down", LAB], check=False, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    sys.exit(main())
