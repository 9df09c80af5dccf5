#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# interop-report.sh — run every interop script (tests/interop/test_*.sh, the
# ones CTest runs, and tests/interop/pending/test_*.sh, the ones that fail
# against qtpm-server for a reason given in their "# pending:" comment) over
# every transport (mssim, swtpm, tpm2-abrmd) against a fresh qtpm-server each
# time, and once against swtpm (the reference), then write docs/INTEROP.md:
# one row per tpm2-tools tool (every /usr/bin/tpm2_* and `tpm2`) with
# whether it applies (tests/interop/tools.txt lists those that do not), the
# scripts that run it and its result per transport; a summary count; one
# row per script.
#
#   scripts/interop-report.sh [BUILD_DIR] [OUTPUT]
#
# BUILD_DIR defaults to ./build (it must contain src/server/qtpm-server, or
# QTPM_SERVER names the server binary); OUTPUT defaults to docs/INTEROP.md.
# A tool is "pass" on a transport when every logged step of it passed (lib.sh
# logs a tool as failing when it fails, or when a check of its result fails),
# "fail" when any failed, and "not reached" when no script got to it.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
out=${2:-$root/docs/INTEROP.md}
server=${QTPM_SERVER:-$build/src/server/qtpm-server}
harness=$root/tests/interop/run-with-server.sh
if [ ! -x "$server" ]; then
    echo "interop-report.sh: $server not built (the engine is needed)" >&2
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

: >"$tmp/scripts"
: >"$tmp/tools"
for script in "$root"/tests/interop/test_*.sh "$root"/tests/interop/pending/test_*.sh; do
    [ -f "$script" ] || continue
    name=$(basename "$script" .sh)
    case $script in */pending/*) where=pending ;; *) where=ctest ;; esac
    for tcti in mssim swtpm abrmd swtpm-reference; do
        log=$tmp/$name.$tcti.tools
        : >"$log"
        # The last column runs swtpm itself (DESIGN.md decision 7: always a
        # second system): a failure there is the script's, not the engine's.
        srv=$server proto=$tcti
        if [ "$tcti" = swtpm-reference ]; then
            command -v swtpm >/dev/null || continue
            srv=$root/tests/interop/swtpm-as-server.sh proto=swtpm
        fi
        if INTEROP_LOG=$log "$harness" --tcti "$proto" --server "$srv" "$script" \
            >"$tmp/$name.$tcti.out" 2>&1; then
            result=pass
        else
            result=fail
        fi
        echo "$name $where $tcti $result" >>"$tmp/scripts"
        sed "s/\$/ $tcti $name/" "$log" >>"$tmp/tools"
        echo "$name $tcti: $result" >&2
    done
done

ls /usr/bin/tpm2_* /usr/bin/tpm2 2>/dev/null | xargs -n1 basename >"$tmp/all_tools"
python3 - "$tmp/scripts" "$tmp/tools" "$tmp/all_tools" "$root" "$out" \
    "tpm2-tools $(tpm2_startup --version 2>/dev/null | sed -n 's/.*version="\([^"]*\)".*/\1/p')" <<'PYEOF'
import datetime, glob, os, re, sys
scripts_file, tools_file, all_file, root, out, version = sys.argv[1:7]
tctis = ["mssim", "swtpm", "abrmd", "swtpm-reference"]
heads = ["mssim", "swtpm", "abrmd", "reference swtpm"]

# Why a pending script fails: its "# pending:" comment (and the comment lines after it).
reasons = {}
for path in glob.glob(os.path.join(root, "tests/interop/pending/test_*.sh")):
    name = os.path.basename(path)[:-3]
    text, on = [], False
    for line in open(path):
        if line.startswith("# pending:"):
            on = True
            text.append(line[len("# pending:"):].strip())
        elif on and line.startswith("# "):
            text.append(line[2:].strip())
        elif on:
            break
    reasons[name] = " ".join(text) or "fails against qtpm-server"

not_applicable = {}
for line in open(os.path.join(root, "tests/interop/tools.txt")):
    if line.strip() and not line.startswith("#"):
        tool, why = line.rstrip("\n").split("\t", 1)
        not_applicable[tool] = why

scripts = [l.split() for l in open(scripts_file) if l.strip()]
where = {s[0]: s[1] for s in scripts}
results = {}        # tool -> tcti -> pass/fail
users = {}          # tool -> scripts
fail_scripts = {}   # tool -> scripts where it failed on a qtpm transport
for line in open(tools_file):
    parts = line.split()
    if len(parts) != 4:
        continue
    tool, result, tcti, script = parts
    users.setdefault(tool, set()).add(script)
    cur = results.setdefault(tool, {})
    cur[tcti] = "fail" if result == "fail" or cur.get(tcti) == "fail" else "pass"
    if result == "fail" and tcti != "swtpm-reference":
        fail_scripts.setdefault(tool, set()).add(script)

all_tools = sorted(set(l.strip() for l in open(all_file) if l.strip()))
applicable = [t for t in all_tools if t not in not_applicable]
covered = [t for t in applicable if t in users]
passing = {t: sum(1 for tool in applicable if results.get(tool, {}).get(t) == "pass") for t in tctis}

def cell(tool, tcti):
    r = results.get(tool, {}).get(tcti)
    return {"pass": "pass", "fail": "**fail**", None: "not reached"}[r]

lines = [
    "# Interoperability with tpm2-tools",
    "",
    "Generated by `scripts/interop-report.sh` on %s UTC." %
        datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"),
    "Client: %s; transports: tpm2-tss mssim and swtpm TCTIs, and tpm2-abrmd (tabrmd) "
    "over mssim. The reference column runs the same script against swtpm (libtpms), "
    "which checks the scripts themselves." % (version or "tpm2-tools"),
    "Each script runs against a fresh qtpm-server (tests/interop/run-with-server.sh) "
    "in the TPM profile `%s` (docs/SERVER.md \"Profiles\": tpm2-tss 3.2.1, which these "
    "tools run on, cannot hash with SHA-3, so the TPM advertises none); "
    "test_profile_rc compares its answers to SHA-3 with swtpm's, test_loops loops over "
    "every hash, object type, PCR bank and NV type the TPM lists." %
        os.environ.get("QTPM_INTEROP_PROFILE", "compat-tss3"),
    "A tool fails when it fails or when a check of its result fails (tests/interop/lib.sh).",
    "",
    "## Summary",
    "",
    "| | count |",
    "|---|---|",
    "| tools in tpm2-tools (`tpm2_*` and `tpm2`) | %d |" % len(all_tools),
    "| applicable (talk to a TPM) | %d |" % len(applicable),
    "| applicable and run by a script | %d |" % len(covered),
]
for t, h in zip(tctis, heads):
    lines.append("| applicable tools passing over %s | %d |" % (h, passing[t]))
lines += [
    "",
    "## Tools",
    "",
    "| tool | applies? | script(s) | mssim | swtpm | abrmd | reference swtpm | note |",
    "|---|---|---|---|---|---|---|---|",
]
for tool in all_tools:
    if tool in not_applicable:
        lines.append("| %s | no | | | | | | %s |" % (tool, not_applicable[tool]))
        continue
    used = sorted(users.get(tool, []))
    names = ", ".join(("pending/" if where.get(s) == "pending" else "") + s for s in used) or "**none**"
    qtpm_ok = all(results.get(tool, {}).get(t) == "pass" for t in tctis[:3])
    note = "" if qtpm_ok else "; ".join(
        "%s: %s" % (s, reasons[s]) for s in used
        if s in reasons and (s in fail_scripts.get(tool, ()) or tool not in fail_scripts))
    if tool in fail_scripts and not note:
        note = "fails in " + ", ".join(sorted(fail_scripts[tool]))
    lines.append("| %s | yes | %s | %s | %s |" % (
        tool, names, " | ".join(cell(tool, t) for t in tctis), note))
lines += [
    "",
    "## Scripts",
    "",
    "Scripts in tests/interop/pending are not registered with CTest against qtpm-server "
    "(CTest still runs them against swtpm); the report runs them all.",
    "",
    "| script | where | mssim | swtpm | abrmd | reference swtpm | why pending |",
    "|---|---|---|---|---|---|---|",
]
by_script = {}
for name, w, tcti, result in scripts:
    by_script.setdefault((name, w), {})[tcti] = result
for (name, w), r in by_script.items():
    lines.append("| %s | %s | %s | %s |" % (
        name, "CTest (label interop)" if w == "ctest" else "tests/interop/pending",
        " | ".join(r.get(t, "not run") for t in tctis), reasons.get(name, "") if w == "pending" else ""))
open(out, "w").write("\n".join(lines) + "\n")
PYEOF
echo "wrote $out" >&2
