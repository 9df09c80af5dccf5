#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""bench/ztp_fsyncs.py TRACE — who flushes what during a zero-touch provisioning.

TRACE is the output of bench/ztp.sh run under strace (docs/ZTP.md, "Performance"):

    strace -f -T -tt -o TRACE -e trace=execve,fsync,fdatasync,sync_file_range,syncfs,\\
        openat,exit_group sh bench/ztp.sh BUILD 3

Each `qtpm-agent bootstrap` process is one window (its execve to its exit); its store (disk
or tmpfs) and TPM (qtpm or swtpm) are read from the agent.conf it opens. For every window
the flush calls made by any process (the agent, qtpm-nms, qtpm-server, swtpm, qtpm-ztp)
are counted with their time (strace -T); printed: the median count and median total time
per window, by store and TPM.
"""
import collections
import re
import statistics
import sys


def seconds(t):
    h, m, s = t.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def main(path):
    name, start, windows, flushes = {}, {}, [], []
    line_re = re.compile(r"(\d+) +(\S+) (.*)")
    flush_re = re.compile(r"(?:<\.\.\. )?(fsync|fdatasync|sync_file_range|syncfs)\b.*<([\d.]+)>$")
    for line in open(path, errors="replace"):
        m = line_re.match(line.rstrip("\n"))
        if not m:
            continue
        pid, t, rest = int(m.group(1)), seconds(m.group(2)), m.group(3)
        if rest.startswith("execve("):
            e = re.match(r'execve\("([^"]+)"', rest)
            if e:
                name[pid] = e.group(1).rsplit("/", 1)[-1]
            if "qtpm-agent" in rest and '"bootstrap"' in rest:
                start[pid] = [t, None, None]
        elif pid in start and start[pid][1] is None and rest.startswith("openat(") and \
                "/agent.conf" in rest:
            start[pid][1] = "tmpfs" if "/dev/shm/" in rest else "disk"
            start[pid][2] = "swtpm" if "/swtpm-" in rest else "qtpm"
        if (rest.startswith("+++ exited") or rest.startswith("exit_group")) and pid in start:
            t0, store, tpm = start.pop(pid)
            windows.append((t0, t, store or "?", tpm or "?"))
        f = flush_re.match(rest)
        if f:
            flushes.append((pid, t, f.group(1), float(f.group(2)) * 1000))
    table = collections.defaultdict(lambda: collections.defaultdict(list))
    for t0, t1, store, tpm in windows:
        count, ms = collections.Counter(), collections.Counter()
        for pid, t, call, d in flushes:
            if t0 <= t <= t1:
                key = (name.get(pid, "?"), call)
                count[key] += 1
                ms[key] += d
        for key in set(count) | set(table[(store, tpm)]):
            table[(store, tpm)][key].append((count[key], ms[key]))
    for (store, tpm), rows in sorted(table.items()):
        print(f"{tpm}-{store} ({len(next(iter(rows.values())))} bootstraps)")
        for (proc, call), v in sorted(rows.items()):
            print(f"  {proc:14s} {call:16s} {statistics.median(x[0] for x in v):5.0f} calls"
                  f"  {statistics.median(x[1] for x in v):7.2f} ms")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: bench/ztp_fsyncs.py TRACE")
    main(sys.argv[1])
