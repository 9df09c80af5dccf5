#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""test_docs.py — every fenced ```sh block of README.md and docs/*.md is run,
so an example that drifts from the code fails `make check` (issue 12).

The blocks of one file are run in order as one script (`sh -e`), in one
temporary directory, like a reader following the page from top to bottom.
Unless a block starts its own qtpm-server, the file gets a fresh one (memory
state, free loopback ports, started with TPM2_Startup) and QTPM_TCTI /
TPM2TOOLS_TCTI point at it; its protocol is swtpm if the page talks to
`swtpm:host=`, else mssim. The examples' port 2321 (and 2322) is replaced by
the free port (and the one above it). PATH has this build's programs first.

Not run:
  - a block preceded by `<!-- doc-test: skip: REASON -->` (the reason is
    printed; a skip without a reason fails);
  - a block made only of `make` commands of this repository (`make demo`,
    `make check`, `make install ...`): running them here would run the test
    suite inside itself; release_install covers installing.

  test_docs.py SOURCE_DIR BUILD_DIR
"""
import glob
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../lib"))
from freeport import free_pair  # noqa: E402

src, build = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
bins = [os.path.join(build, d) for d in
        ("src/cli", "src/server", "src/manufacture", "src/nms", "src/agent", "src/attest")]
env_path = ":".join(bins + [os.environ.get("PATH", "/usr/bin:/bin")])
server = os.path.join(build, "src/server/qtpm-server")

FENCE = re.compile(r"^```sh\s*$")
SKIP = re.compile(r"^<!--\s*doc-test:\s*skip:\s*(\S.*?)\s*-->\s*$")
BAD_SKIP = re.compile(r"^<!--\s*doc-test:")


def blocks(path):
    """(line number, text, skip reason or None) of each ```sh block."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        if FENCE.match(lines[i]):
            prev = lines[i - 1] if i > 0 else ""
            reason = None
            m = SKIP.match(prev)
            if m:
                reason = m.group(1)
            elif BAD_SKIP.match(prev):
                raise SystemExit("%s:%d: a doc-test marker needs 'skip: REASON'" % (path, i))
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            out.append((i + 1, "\n".join(lines[i + 1:j]), reason))
            i = j
        i += 1
    return out


def only_make(text):
    cmds = [l.split("#")[0].strip() for l in text.split("\n")]
    cmds = [c for c in cmds if c]
    return bool(cmds) and all(re.match(r"^make(\s|$)", c) for c in cmds)




def wait_ready(proc, log):
    end = time.monotonic() + 20
    while time.monotonic() < end:
        if proc.poll() is not None:
            break
        with open(log) as f:
            if ": ready," in f.read():
                return True
        time.sleep(0.05)
    return False


files = [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md")))
failures, ran, skipped = [], 0, 0
for path in files:
    rel = os.path.relpath(path, src)
    runnable = []
    for line, text, reason in blocks(path):
        if reason:
            print("skip %s:%d (%s)" % (rel, line, reason))
            skipped += 1
        elif only_make(text):
            print("skip %s:%d (make targets of this repository: the suite itself)" % (rel, line))
            skipped += 1
        else:
            runnable.append((line, text))
    if not runnable:
        continue
    port = free_pair()
    script = ["set -e"]
    for line, text in runnable:
        text = re.sub(r"\b2322\b", str(port + 1), re.sub(r"\b2321\b", str(port), text))
        script.append("echo '--- %s:%d' >&2" % (rel, line))
        script.append(text)
    body = "\n".join(script) + "\n"
    own_server = re.search(r"^\s*qtpm-server\b", body, re.M) is not None
    swtpm = "swtpm:host=" in body
    tmp = tempfile.mkdtemp(prefix="qtpm-doc-")
    env = dict(os.environ, PATH=env_path)
    # The NMS takes hybrid key exchange only (docs/CHANNEL.md); the pages' curl and
    # openssl get the provider from OPENSSL_CONF (qtpm_test_pq_clients). Under the
    # sanitizers Debian's clients cannot load the instrumented module: there every
    # qtpm-nms the page runs gets QTPM_TEST_NMS_FLAGS (--allow-classic-tls).
    extra = os.environ.get("QTPM_TEST_NMS_FLAGS", "").split()
    if extra:
        wrap = os.path.join(tmp, "bin")
        os.mkdir(wrap)
        with open(os.path.join(wrap, "qtpm-nms"), "w") as f:
            f.write('#!/bin/sh\nexec %s "$@" %s\n' % (os.path.join(build, "src/nms/qtpm-nms"),
                                                   " ".join(extra)))
        os.chmod(os.path.join(wrap, "qtpm-nms"), 0o755)
        env["PATH"] = wrap + ":" + env_path
    srv = None
    if not own_server:
        log = os.path.join(tmp, "server.log")
        srv = subprocess.Popen([server, "--memory", "--host", "127.0.0.1", "--port", str(port)] +
                               (["--swtpm"] if swtpm else []),
                               stdout=open(log, "w"), stderr=subprocess.STDOUT)
        if not wait_ready(srv, log):
            failures.append("%s: qtpm-server did not start" % rel)
            srv.kill()
            continue
        tcti = "%s:host=127.0.0.1,port=%d" % ("swtpm" if swtpm else "mssim", port)
        env.update(QTPM_TCTI=tcti, TPM2TOOLS_TCTI=tcti)
        subprocess.run(["qtpm", "-T", tcti, "startup", "-c"], env=env, capture_output=True)
    # Its own process group: a server the page starts in the background dies with it.
    # Output to a file: a background server of the page keeps a pipe open.
    outpath = os.path.join(tmp, "out.log")
    with open(outpath, "w") as outf:
        p = subprocess.Popen(["sh", "-c", body], cwd=tmp, env=env, stdout=outf,
                             stderr=subprocess.STDOUT, start_new_session=True)
        try:
            p.wait(timeout=240)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            p.returncode = -1
    out = open(outpath, "rb").read()
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    if srv:
        srv.terminate()
        srv.wait(10)
    ran += len(runnable)
    text = out.decode(errors="replace")
    if p.returncode != 0:
        failures.append(rel)
        print("FAIL %s (exit %d):\n%s" % (rel, p.returncode,
                                          "\n".join("     | " + l for l in text.splitlines()[-30:])))
    else:
        print("ok   %s: %d block(s)" % (rel, len(runnable)))
    subprocess.run(["rm", "-rf", tmp])

print("%d block(s) run, %d skipped" % (ran, skipped))
if failures:
    print("failed: " + ", ".join(failures))
    sys.exit(1)
if ran == 0:
    sys.exit("no block ran")
