#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""test_json_schema.py — `qtpm --json` output against its published schema,
docs/schemas/qtpm-cli-v1.schema.json (issue 12): every document of a session
covering the main subcommands (classic and post-quantum keys, quotes, NV,
errors of each kind) validates against the schema's definition for its
subcommand, and the validator rejects documents that break it.

  test_json_schema.py QTPM QTPM_SERVER SCHEMA
"""
import copy
import json
import os
import subprocess
import sys
import tempfile
import time

import jsonschema

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../lib"))
from freeport import free_pair  # noqa: E402

qtpm, server, schema_path = (os.path.abspath(a) for a in sys.argv[1:4])
schema = json.load(open(schema_path))
jsonschema.Draft202012Validator.check_schema(schema)
failures = []


def validator(defn):
    s = copy.deepcopy(schema)
    s["allOf"] = [{"$ref": "#/$defs/" + defn}]
    return jsonschema.Draft202012Validator(s)




tmp = tempfile.mkdtemp(prefix="qtpm-json-")
port = free_pair()
log = open(os.path.join(tmp, "server.log"), "w")
srv = subprocess.Popen([server, "--memory", "--host", "127.0.0.1", "--port", str(port)],
                       stdout=log, stderr=subprocess.STDOUT)
env = dict(os.environ, QTPM_TCTI="mssim:host=127.0.0.1,port=%d" % port)


def run(defn, args, want_rc=0):
    p = subprocess.run([qtpm, "--json"] + args, cwd=tmp, env=env, capture_output=True,
                       text=True, timeout=60)
    what = "qtpm --json " + " ".join(args)
    if p.returncode != want_rc:
        failures.append("%s: exit %d (wanted %d): %s" % (what, p.returncode, want_rc, p.stderr))
        print("FAIL " + failures[-1])
        return None
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        failures.append("%s: not JSON (%s): %r" % (what, e, p.stdout[:200]))
        print("FAIL " + failures[-1])
        return None
    errs = sorted(validator(defn).iter_errors(doc), key=lambda e: list(e.path))
    if errs:
        failures.append("%s: %s at %s" % (what, errs[0].message, list(errs[0].path)))
        print("FAIL " + failures[-1])
    else:
        print("ok   %s (%s)" % (what, defn))
    return doc


try:
    end = time.monotonic() + 20
    while time.monotonic() < end:
        with open(os.path.join(tmp, "server.log")) as f:
            if ": ready," in f.read():
                break
        time.sleep(0.05)
    with open(os.path.join(tmp, "msg"), "w") as f:
        f.write("hello\n")
    run("startup", ["startup", "-c"])
    run("getrandom", ["getrandom", "16"])
    d = run("readclock", ["readclock"])
    if d is not None and not (d["clock_info"]["reset_count"] >= 1 and d["clock_info"]["safe"] is True):
        failures.append("readclock: %r" % d)
    run("pcrread", ["pcrread", "sha256:0,1,16+sha1:0"])
    run("createprimary", ["createprimary", "-c", "p.ctx"])
    run("createprimary", ["createprimary", "-G", "ecc256", "-c", "pe.ctx"])
    run("create", ["create", "-C", "p.ctx", "-G", "ecc256", "-u", "k.pub", "-r", "k.priv"])
    run("load", ["load", "-C", "p.ctx", "-u", "k.pub", "-r", "k.priv", "-c", "k.ctx"])
    run("sign", ["sign", "-c", "k.ctx", "-g", "sha256", "-o", "s.sig", "msg"])
    run("verifysignature", ["verifysignature", "-c", "k.ctx", "-g", "sha256", "-m", "msg", "-s", "s.sig"])
    run("hash", ["hash", "-g", "sha256", "msg"])
    run("create", ["create", "-C", "p.ctx", "-G", "mlkem768", "-u", "m.pub", "-r", "m.priv", "-c", "m.ctx"])
    run("encapsulate", ["encapsulate", "-c", "m.ctx", "-C", "ct.bin", "-o", "ss.bin"])
    run("decapsulate", ["decapsulate", "-c", "m.ctx", "-C", "ct.bin", "-o", "ss2.bin"])
    run("create", ["create", "-C", "p.ctx", "-G", "mldsa65", "-c", "d.ctx"])
    run("readpublic", ["readpublic", "-c", "d.ctx"])
    run("readpublic", ["readpublic", "-c", "p.ctx"])
    run("createek", ["createek", "-c", "ek.ctx", "-u", "ek.pub"])
    run("createak", ["createak", "-C", "ek.ctx", "-c", "ak.ctx", "-u", "ak.pub"])
    run("quote", ["quote", "-c", "ak.ctx", "-l", "sha256:0,16", "-q", "0badc0de", "-m", "q.msg",
                  "-s", "q.sig", "-o", "q.pcrs"])
    run("checkquote", ["checkquote", "-u", "ak.pub", "-m", "q.msg", "-s", "q.sig", "-f", "q.pcrs",
                       "-q", "0badc0de"])
    run("createek", ["createek", "-G", "mlkem768", "-c", "qek.ctx", "-u", "qek.pub"])
    run("createak", ["createak", "-C", "qek.ctx", "-G", "mldsa44", "-c", "qak.ctx", "-u", "qak.pub"])
    run("quote", ["quote", "-c", "qak.ctx", "-l", "sha256:0", "-q", "01", "-m", "pq.msg", "-s",
                  "pq.sig", "-o", "pq.pcrs"])
    run("checkquote", ["checkquote", "-u", "qak.pub", "-m", "pq.msg", "-s", "pq.sig", "-f", "pq.pcrs",
                       "-q", "01"])
    run("nvdefine", ["nvdefine", "0x1500001", "-s", "8"])
    run("nvwrite", ["nvwrite", "0x1500001", "-i", "msg"])
    run("nvwrite", ["nvwrite", "0x1500001", "-i", "msg", "--cphash", "cp.bin"])
    run("nvread", ["nvread", "0x1500001", "-s", "6"])
    run("getcap-properties", ["getcap", "properties-fixed"])
    # issue 10 item 11's subcommands
    run("pcrevent", ["pcrevent", "16", "msg"])
    run("gettime", ["gettime", "-c", "k.ctx", "--attestation", "t.att"])
    run("testparms", ["testparms", "ecc256"])
    run("dictionarylockout", ["dictionarylockout", "-c"])
    run("dictionarylockout", ["dictionarylockout", "-s", "-n", "5"])
    run("print-public", ["print", "-t", "TPM2B_PUBLIC", "k.pub"])
    run("print-attest", ["print", "-t", "TPMS_ATTEST", "q.msg"])
    run("print-attest", ["print", "-t", "TPMS_ATTEST", "t.att"])
    run("print-context", ["print", "-t", "TPMS_CONTEXT", "k.ctx"])
    run("print-signature", ["print", "-t", "TPMT_SIGNATURE", "s.sig"])
    subprocess.run([qtpm, "evictcontrol", "-c", "p.ctx", "-o", "p.tr", "0x81000020"], cwd=tmp,
                   env=env, check=True, capture_output=True, timeout=60)
    run("print-esys-tr", ["print", "-t", "ESYS_TR", "p.tr"])
    subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                 "make_eventlog.py"), "agile3",
                    os.path.join(tmp, "log.bin")], check=True)
    run("eventlog", ["eventlog", "log.bin"])
    subprocess.run([qtpm, "startauthsession", "-S", "s.ses"], cwd=tmp, env=env, check=True,
                   capture_output=True, timeout=60)
    run("policy", ["policycountertimer", "-S", "s.ses", "--ugt", "clock=10"])
    run("policy", ["policycphash", "-S", "s.ses", "--cphash-input", "ss.bin"])
    run("policy", ["policynv", "-S", "s.ses", "-i", "msg", "0x1500001", "eq"])
    subprocess.run([qtpm, "flushcontext", "s.ses"], cwd=tmp, env=env, check=True,
                   capture_output=True, timeout=60)
    run("rcdecode", ["rcdecode", "0x98e"])
    # Errors: usage, file, TPM (decoded), transport (with detail).
    d = run("failure", ["getrandom", "0"], want_rc=2)
    d = run("failure", ["unseal", "-c", "no-such.ctx"], want_rc=1)
    d = run("failure", ["sign", "-c", "k.ctx", "-p", "wrong", "-g", "sha256", "-o", "x.sig", "msg"], want_rc=3)
    if d and d["error"].get("name") != "TPM_RC_AUTH_FAIL":
        failures.append("a wrong password's error is %r" % d["error"])
    closed = free_pair()
    d = run("failure", ["-T", "mssim:host=127.0.0.1,port=%d" % closed, "getrandom", "8"], want_rc=4)
    # The validator must be able to say no.
    bad = [("getrandom", {"random": "00"}), ("getrandom", {"json-version": 2, "random": "00"}),
           ("getrandom", {"json-version": 1, "random": "0G"}),
           ("pcrread", {"json-version": 1, "sha256": {"24": "00"}}),
           ("readpublic", {"json-version": 1, "name": "00", "type": "mldsa", "name-alg": "sha256",
                           "attributes": "0x00040072", "qualified-name": "00"}),
           ("failure", {"json-version": 1, "error": {}}),
           ("eventlog", {"json-version": 1, "version": 1, "format": "agile", "events": [], "pcrs": {}}),
           ("pcrevent", {"json-version": 1, "md5": "00", "sha1": "00"}),
           ("print-attest", {"json-version": 1, "magic": "ff544348", "type": "8018",
                             "qualifiedSigner": "", "extraData": "", "firmwareVersion": "",
                             "clockInfo": {"clock": 1, "resetCount": 0, "restartCount": 0, "safe": 1},
                             "attested": {"quote": {}}})]
    for defn, doc in bad:
        if validator(defn).is_valid(doc):
            failures.append("the schema accepts a bad %s document %s" % (defn, json.dumps(doc)))
            print("FAIL " + failures[-1])
    print("ok   the schema rejects %d broken documents" % len(bad))
finally:
    srv.terminate()
    srv.wait(10)
    subprocess.run(["rm", "-rf", tmp])

if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("all --json documents match docs/schemas/qtpm-cli-v1.schema.json")
