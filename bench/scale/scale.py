#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""scale.py — one run of the NMS scale benchmark (docs/SWARM.md).

    scale.py BUILD --routers N [--duration S] [--period S] [--threads T]
             [--workers W] [--bad F] [--offline F] [--replay F] [--perf S]
             [--json OUT] [--keep DIR]

Sets up, in a temporary directory: a vendor (an EK CA made by `qtpm-swarm ca`, digest-list
keys, a router image of --files files and its signed digest list), an NMS (`qtpm-nms init`,
the vendor imported, the list added) on PostgreSQL when QTPM_TEST_PG is set (run it under
tests/store/pg-cluster.sh) and on SQLite otherwise, starts `qtpm-nms serve` (W processes
when --workers > 1, see "workers" below) and runs `qtpm-swarm run`, then adds what only the
outside can see: CPU seconds of the NMS and of the PostgreSQL server processes over the
steady window (from /proc), the NMS's resident memory before enrolment and at the end, the
database size before and after the steady window, and, with --perf S, a `perf record` of
the NMS for S seconds in the middle of the window whose self time is split by symbol into
TLS, quote verification, list verification, database client, HTTP/JSON and other.

Workers: --workers W > 1 starts W `qtpm-nms serve` processes on the same database, each on
a port of its own and `--worker https://127.0.0.1:PORT` (the verifier workers of
docs/SCALE.md), and the swarm spreads its routers over them (router i talks to worker
i mod W first; a worker that does not hold the router's lease answers 307 and the router
follows it). W = 1 is the single-process NMS without --worker.

Everything started here is stopped at the end; the temp dir is removed unless --keep.
"""
import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "lib"))
from freeport import free_pair  # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime + stime of a process (and its reaped children, which we do not have)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK
    except (OSError, IndexError, ValueError):
        return 0.0


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children_of(ppid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == ppid:
                out.append(int(d))
        except (OSError, IndexError, ValueError):
            pass
    return out


def pg_pids():
    """The postmaster of our throwaway cluster and its children (backends, writers)."""
    d = os.environ.get("QTPM_TEST_PG_DIR")
    if not d:
        return []
    try:
        with open(os.path.join(d, "data", "postmaster.pid")) as f:
            pm = int(f.readline())
    except (OSError, ValueError):
        return []
    return [pm] + children_of(pm)


def pg_cpu():
    return sum(cpu_seconds(p) for p in pg_pids())


def history_size(db_url):
    """Bytes of the append-only history (verdicts and events, with their indexes and TOAST):
    what grows with every attestation. The whole database can shrink meanwhile
    (autovacuum truncating the nonces table), so growth per day is measured on these."""
    if not db_url.startswith("postgresql:"):
        return None
    r = subprocess.run(["psql", db_url[len("postgresql:"):], "-Atc",
                        "select pg_total_relation_size('verdicts') + "
                        "pg_total_relation_size('events')"],
                       capture_output=True, text=True, timeout=60)
    return int(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip() else None


def db_size(db_url, nmsdir):
    if db_url.startswith("postgresql:"):
        r = subprocess.run(["psql", db_url[len("postgresql:"):], "-Atc",
                            "select pg_database_size(current_database())"],
                           capture_output=True, text=True, timeout=60)
        return int(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip() else None
    total = 0
    for suffix in ("", "-wal", "-shm"):
        p = os.path.join(nmsdir, "nms.db" + suffix)
        if os.path.exists(p):
            total += os.path.getsize(p)
    return total


def wait_port(port, proc, tries=200):
    for _ in range(tries):
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), 0.3).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def nms_handshakes(path):
    """The NMS's handshake log lines (docs/CHANNEL.md) counted by negotiated group."""
    groups, refused = {}, 0
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = re.search(r"tls \S+ TLSv[\d.]+ group (\S+) cipher", line)
                if m:
                    groups[m.group(1)] = groups.get(m.group(1), 0) + 1
                elif "handshake refused" in line:
                    refused += 1
    except OSError:
        return None
    return {"by_group": groups, "refused": refused}


# Self-time categories of the NMS's profile, by symbol (first match wins).
CATEGORIES = [
    # the hybrid key exchange's ML-KEM (qtpm provider) before ML-DSA's look-alike names;
    # its SHAKE calls (keccak) still count as quote verification
    ("TLS (records, handshakes)", re.compile(r"mlkem|qtpm_provider|qtpm_pqtls")),
    ("quote verification (ML-DSA-44)", re.compile(r"mldsa|keccak|shake|poly_|polyvec|ntt|"
                                                  r"invntt|montgomery|rej_|decompose|"
                                                  r"use_hint|make_hint|qtpm_tss_quote_verify|"
                                                  r"qtpm_tss_verify_signature")),
    ("list verification (IMA replay, digest lists)", re.compile(
        r"qtpm_ima|qtpm_attest|qtpm_digestlist|verifier_state|sha256_block|sha1_block|"
        r"SHA256|SHA1|digestlist")),
    ("approval signature (ECDSA P-256)", re.compile(r"ecp_nistz256|ECDSA|ec_|EC_|bn_|BN_|"
                                                    r"qtpm_ras_approve")),
    ("TLS (records, handshakes)", re.compile(r"aes|gcm|AES|GCM|ssl|SSL|tls|TLS|chacha|poly1305|"
                                             r"x25519|X25519|EVP_Cipher|ossl_|bufferevent_openssl|"
                                             r"be_openssl|RAND|rand_|drbg")),
    ("database client (libpq / SQLite)", re.compile(r"^PQ|pq|libpq|sqlite|qtpm_store|db_pg|"
                                                    r"db_sqlite")),
    ("HTTP and JSON (evhttp, jansson)", re.compile(r"evhttp|evbuffer|event_|json|hashtable|"
                                                   r"lex_|utf8|base64|EVP_Decode|EVP_Encode|"
                                                   r"unb64|b64|gate_")),
    ("kernel (network, syscalls)", re.compile(r"\[k\]|^k:")),
    ("memory allocation (libc malloc/free)", re.compile(r"malloc|_int_free|cfree|unlink_chunk|"
                                                        r"calloc|realloc|^free$|tcache")),
]


def perf_split(datafile):
    """perf report's self time by dso/symbol → the categories above (percent of samples)."""
    r = subprocess.run(["perf", "report", "-i", datafile, "--stdio", "--no-children",
                        "--sort", "dso,sym", "--percent-limit", "0.01"],
                       capture_output=True, text=True, timeout=300)
    split = {name: 0.0 for name, _ in CATEGORIES}
    split["other"] = 0.0
    top = []
    for line in r.stdout.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*)$", line)
        if not m:
            continue
        p, dso, kind, sym = float(m.group(1)), m.group(2), m.group(3), m.group(4).strip()
        key = ("k:" + sym) if kind == "k" else (dso + " " + sym)
        if len(top) < 25:
            top.append({"percent": p, "dso": dso, "symbol": sym})
        for name, rx in CATEGORIES:
            if kind == "k" and name.startswith("kernel"):
                split[name] += p
                break
            if kind != "k" and (rx.search(sym) or (name.startswith("database") and
                                                   ("libpq" in dso or "sqlite" in dso)) or
                                (name.startswith("TLS") and "libssl" in dso)):
                split[name] += p
                break
        else:
            split["other"] += p
        del key
    return {"percent_of_nms_samples": split, "top_symbols": top}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--routers", type=int, required=True)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--period", type=float, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--bad", type=float, default=0)
    ap.add_argument("--offline", type=float, default=0)
    ap.add_argument("--replay", type=float, default=0)
    ap.add_argument("--grow", type=float, default=0.05)
    ap.add_argument("--files", type=int, default=64)
    ap.add_argument("--enrol-concurrency", type=int, default=16)
    ap.add_argument("--perf", type=float, default=0)
    ap.add_argument("--pg-index", action="store_true",
                    help="add indexes on nonces(expires) and verdicts(router, id) first")
    ap.add_argument("--pg-sync", choices=("on", "off"), default="on",
                    help="PostgreSQL synchronous_commit (off: commits return before the WAL "
                         "flush; a crash may lose the last ~0.6 s, never corrupts)")
    ap.add_argument("--two-step", action="store_true",
                    help="the swarm asks POST /challenge every round (the flow before the "
                         "evidence reply carried the next challenge)")
    ap.add_argument("--json")
    ap.add_argument("--keep")
    a = ap.parse_args()

    build = os.path.abspath(a.build)
    nms = f"{build}/src/nms/qtpm-nms"
    swarm = f"{build}/src/swarm/qtpm-swarm"
    dl = f"{build}/src/attest/qtpm-digestlist"
    for b in (nms, swarm, dl):
        if not os.access(b, os.X_OK):
            sys.exit(f"scale.py: {b} is missing (build first)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < a.routers + 256:
        sys.exit(f"scale.py: the file limit ({hard}) is below {a.routers} connections")

    tmp = a.keep or tempfile.mkdtemp(prefix="qtpm-scale-")
    os.makedirs(tmp, exist_ok=True)
    procs = []

    def stop_all():
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def run(*cmd):
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise SystemExit(f"scale.py: {' '.join(cmd)} failed: {r.stderr.strip()}")
        return r.stdout

    try:
        # The vendor: EK CA, digest-list keys, image, signed list.
        image = os.path.join(tmp, "image")
        os.makedirs(image, exist_ok=True)
        for i in range(a.files):
            with open(os.path.join(image, f"f{i:04d}"), "w") as f:
                f.write(f"qtpm-swarm router image file {i}\n")
        run(swarm, "ca", f"{tmp}/vendor-ca")
        run(dl, "keygen", "--out-dir", f"{tmp}/vk")
        run(dl, "build", "--vendor", "swarmco", "--image", "swarm-os", "--version", "1",
            "--root", image, "--prefix", "/usr/lib/swarm/", "--mldsa-key", f"{tmp}/vk/mldsa65.key",
            "--ecdsa-key", f"{tmp}/vk/ecdsa-p384.key", "-o", f"{tmp}/list.qdl")
        nmsdir = f"{tmp}/nms"
        run(nms, "init", "--dir", nmsdir)
        pg = os.environ.get("QTPM_TEST_PG")
        db = f"postgresql:{pg}" if pg else f"sqlite:{nmsdir}/nms.db"
        run(nms, "--db", db, "vendor", "import", "--name", "swarmco", "--ca",
            f"{tmp}/vendor-ca/ca-cert.pem", "--mldsa-pub", f"{tmp}/vk/mldsa65.pub",
            "--ecdsa-pub", f"{tmp}/vk/ecdsa-p384.pub")
        run(nms, "--db", db, "digestlist", "add", f"{tmp}/list.qdl")
        if pg and a.pg_index:
            # the two indexes the schema lacks (docs/SWARM.md, "Bottlenecks"): the nonce
            # sweep (DELETE ... WHERE expires < now) and the last verdict of a router
            # (WHERE router = $1 ORDER BY id DESC LIMIT 1) scan whole tables without them
            run("psql", pg, "-Atc", "CREATE INDEX swarm_nonces_expires ON nonces(expires)")
            run("psql", pg, "-Atc", "CREATE INDEX swarm_verdicts_router ON verdicts(router, id)")
        if pg and os.environ.get("SCALE_PG_LOG_STATEMENTS"):
            # every statement into the server log, to count them (docs/SWARM.md)
            run("psql", pg, "-Atc", "ALTER SYSTEM SET log_statement = 'all'")
            run("psql", pg, "-Atc", "SELECT pg_reload_conf()")
        if pg and a.pg_sync == "off":
            run("psql", pg, "-Atc", "ALTER SYSTEM SET synchronous_commit = off")
            run("psql", pg, "-Atc", "SELECT pg_reload_conf()")

        ports = []
        nms_procs = []
        log = open(f"{tmp}/nms.log", "w")
        for w in range(a.workers):
            port = free_pair()
            cmd = [nms, "serve", "--dir", nmsdir, "--db", db, "--listen", f"127.0.0.1:{port}",
                   "--period", str(max(1, int(round(a.period))))]
            # the NMS's defaults (hybrid groups only, router connections bound) apply; the
            # swarm's calls are the anonymous ones, which do not bind (docs/CHANNEL.md).
            # Sanitizer test builds add --allow-classic-tls for Debian's tools.
            cmd += os.environ.get("QTPM_TEST_NMS_FLAGS", "").split()
            if a.workers > 1:
                cmd += ["--worker", f"https://127.0.0.1:{port}"]
            p = subprocess.Popen(cmd, stdout=log, stderr=log)
            procs.append(p)
            nms_procs.append(p)
            if not wait_port(port, p):
                raise SystemExit(f"scale.py: qtpm-nms worker {w} did not start (see {tmp}/nms.log)")
            ports.append(port)

        nms_rss0 = sum(rss_kib(p.pid) for p in nms_procs)
        size0 = db_size(db, nmsdir)
        out_json = f"{tmp}/swarm.json"
        cmd = [swarm, "run", "--routers", str(a.routers), "--nms", "https://127.0.0.1:" + ",".join(map(str, ports)),
               "--ca", f"{nmsdir}/operator-ca.crt", "--vendor-ca", f"{tmp}/vendor-ca",
               "--image", image, "--prefix", "/usr/lib/swarm/", "--period", str(a.period),
               "--duration", str(a.duration), "--threads", str(a.threads),
               "--bad", str(a.bad), "--offline", str(a.offline), "--replay", str(a.replay),
               "--grow", str(a.grow), "--enrol-concurrency", str(a.enrol_concurrency),
               "--operator-cert", f"{nmsdir}/operator.crt",
               "--operator-key", f"{nmsdir}/operator.key", "--json", out_json]
        if a.two_step:
            cmd += ["--two-step", "1"]  # (a swarm older than the option knows only this flow)
        t0 = time.time()
        sw = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(sw)
        marks = {}
        lines = []

        def reader():
            for line in sw.stdout:
                lines.append(line)
                sys.stdout.write(line)
                sys.stdout.flush()
                if "routers enrolled" in line:
                    marks["steady"] = time.monotonic()
                    marks["enrolled_nms_rss"] = sum(rss_kib(p.pid) for p in nms_procs)
        th = threading.Thread(target=reader, daemon=True)
        th.start()
        # Wait for the steady phase; sample CPU after the warm-up and at the window's end.
        while "steady" not in marks and sw.poll() is None:
            time.sleep(0.05)
        def loadavg():
            with open("/proc/loadavg") as f:
                return f.read().strip()
        result = {"loadavg_at_steady_start": loadavg(), "setup": {"routers": a.routers, "duration_s": a.duration, "period_s": a.period,
                            "threads": a.threads, "workers": a.workers,
                            "database": "postgresql" if pg else "sqlite",
                            "synchronous_commit": a.pg_sync if pg else None,
                            "extra_indexes": bool(pg and a.pg_index),
                            "image_files": a.files, "grow": a.grow,
                            "faults": {"bad": a.bad, "offline": a.offline, "replay": a.replay}}}
        if "steady" in marks:
            warm = 2 * a.period
            t_start = marks["steady"] + warm
            while time.monotonic() < t_start and sw.poll() is None:
                time.sleep(0.02)
            c_nms0 = sum(cpu_seconds(p.pid) for p in nms_procs)
            c_pg0 = pg_cpu()
            c_sw0 = cpu_seconds(sw.pid)
            pglog = os.path.join(os.environ.get("QTPM_TEST_PG_DIR", ""), "server.log")
            log0 = os.path.getsize(pglog) if os.path.exists(pglog) else None
            s_start = db_size(db, nmsdir)
            h_start = history_size(db)
            w0 = time.monotonic()
            perf = None
            if a.perf > 0:
                mid = t_start + max(0.0, (a.duration - warm - a.perf) / 2)
                while time.monotonic() < mid and sw.poll() is None:
                    time.sleep(0.05)
                pdata = f"{tmp}/perf.data"
                pr = subprocess.run(["perf", "record", "-F", "499", "-o", pdata, "-p",
                                     str(nms_procs[0].pid), "--", "sleep", str(a.perf)],
                                    capture_output=True, text=True)
                if pr.returncode == 0:
                    perf = perf_split(pdata)
                    perf["seconds"] = a.perf
                    perf["frequency_hz"] = 499
            t_end = marks["steady"] + a.duration
            while time.monotonic() < t_end and sw.poll() is None:
                time.sleep(0.02)
            w1 = time.monotonic()
            c_nms1 = sum(cpu_seconds(p.pid) for p in nms_procs)
            c_pg1 = pg_cpu()
            c_sw1 = cpu_seconds(sw.pid)
            statements = None
            if log0 is not None and os.environ.get("SCALE_PG_LOG_STATEMENTS"):
                with open(pglog, errors="replace") as f:
                    f.seek(log0)
                    text = f.read()
                kinds = {}
                for m in re.finditer(r"LOG:  (?:statement|execute [^:]*): (\w+(?: \w+)?)", text):
                    kinds[m.group(1)] = kinds.get(m.group(1), 0) + 1
                statements = {"total": sum(kinds.values()), "by_start": kinds}
            s_end = db_size(db, nmsdir)
            h_end = history_size(db)
            nms_rss1 = sum(rss_kib(p.pid) for p in nms_procs)
            result["loadavg_at_window_end"] = loadavg()
            result["outside"] = {
                "window_s": w1 - w0,
                "nms_cpu_s": c_nms1 - c_nms0, "postgres_cpu_s": c_pg1 - c_pg0,
                "swarm_cpu_s": c_sw1 - c_sw0,
                "nms_rss_kib": {"before_enrolment": nms_rss0,
                                "after_enrolment": marks.get("enrolled_nms_rss"),
                                "end": nms_rss1},
                "db_bytes": {"before_enrolment": size0, "window_start": s_start,
                             "window_end": s_end},
                "history_bytes": {"window_start": h_start, "window_end": h_end},
                "perf": perf,
                "pg_statements": statements,
            }
        sw.wait(timeout=a.duration + 3600)
        th.join(timeout=5)
        result["swarm_exit"] = sw.returncode
        result["nms_tls"] = nms_handshakes(f"{tmp}/nms.log")
        try:
            with open(out_json) as f:
                result["swarm"] = json.load(f)
        except (OSError, ValueError):
            result["swarm"] = None
        # Derived figures.
        s, o = result.get("swarm"), result.get("outside")
        if s and o:
            att = s["steady"]["attestations"]
            rate = s["steady"]["attestations_per_s"]
            window = s["steady"]["window_s"]
            d = {}
            if att:
                per = o["window_s"] / window if window else 1
                d["nms_cpu_ms_per_attestation"] = 1e3 * o["nms_cpu_s"] / (rate * o["window_s"])
                d["postgres_cpu_ms_per_attestation"] = 1e3 * o["postgres_cpu_s"] / (rate * o["window_s"])
                d["swarm_cpu_ms_per_attestation"] = 1e3 * o["swarm_cpu_s"] / (rate * o["window_s"])
                del per
                b0, b1 = o["db_bytes"]["window_start"], o["db_bytes"]["window_end"]
                if o["history_bytes"]["window_start"] is not None:
                    b0, b1 = o["history_bytes"]["window_start"], o["history_bytes"]["window_end"]
                    d["db_growth_measured_on"] = "verdicts + events tables"
                if b0 is not None and b1 is not None:
                    d["db_bytes_per_router_per_day"] = (b1 - b0) / a.routers / o["window_s"] * 86400
                    d["db_bytes_per_attestation"] = (b1 - b0) / (rate * o["window_s"])
                if o.get("pg_statements"):
                    d["pg_statements_per_attestation"] = o["pg_statements"]["total"] / (rate * o["window_s"])
                r0, r1 = o["nms_rss_kib"]["before_enrolment"], o["nms_rss_kib"]["end"]
                d["nms_kib_per_router"] = (r1 - r0) / a.routers
                if o.get("perf"):
                    nms_ms = d["nms_cpu_ms_per_attestation"]
                    d["nms_cpu_ms_per_attestation_by_part"] = {
                        k: nms_ms * v / 100 for k, v in o["perf"]["percent_of_nms_samples"].items()}
            result["derived"] = d
        result["wall_s"] = time.time() - t0
        text = json.dumps(result, indent=1)
        if a.json:
            with open(a.json, "w") as f:
                f.write(text + "\n")
        return 0 if result["swarm_exit"] == 0 else 1
    finally:
        stop_all()
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
