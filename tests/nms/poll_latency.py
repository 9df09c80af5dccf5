#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# poll_latency.py NMS_DIR PORT CERT_DIR — measures the NMS side of enforcement: the time
# from sending PUT /routing/policy to the neighbour's held long poll being answered with
# the new command (30 rounds, each acknowledged), p50/p99/max. Needs a running
# `qtpm-nms serve --dir NMS_DIR` on 127.0.0.1:PORT whose store has routers r1 (good) and
# r3 (bad), and CERT_DIR/r1.{crt,key}, r3.{crt,key} from tests/nms/router-cert.sh. A
# measuring tool (docs/ROUTING.md "NMS implementation"), not a ctest.
import json, ssl, http.client, os, sys, threading, time, statistics
D, PORT, RDIR = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def conn(cert, key):
    ctx = ssl.create_default_context(cafile=os.path.join(D, "operator-ca.crt"))
    ctx.load_cert_chain(cert, key)
    c = http.client.HTTPSConnection("127.0.0.1", PORT, context=ctx, timeout=30)
    c.connect(); return c
r1 = conn(RDIR + "/r1.crt", RDIR + "/r1.key"); r3 = conn(RDIR + "/r3.crt", RDIR + "/r3.key")
op = conn(os.path.join(D, "operator.crt"), os.path.join(D, "operator.key"))
def post(c, m, p, b):
    c.request(m, p, json.dumps(b), {"Content-Type": "application/json"}); r = c.getresponse(); return r.status, json.loads(r.read())
post(r1, "POST", "/api/v1/routers/r1/routing", {"ospf_router_id":"10.255.0.1","interfaces":[{"name":"eth2","address":"10.0.13.1/30","cost":10,"passive":False}],"neighbours":[{"ospf_router_id":"10.255.0.3","interface":"eth2","address":"10.0.13.2","state":"Full"}],"routes":[]})
post(r3, "POST", "/api/v1/routers/r3/routing", {"ospf_router_id":"10.255.0.3","interfaces":[],"neighbours":[],"routes":[]})
# drain the first command
r1.request("GET", "/api/v1/routers/r1/commands?wait=0"); cmds = json.loads(r1.getresponse().read())["commands"]
after = max([c["seq"] for c in cmds] + [0])
lat = []
for i in range(30):
    out = {}
    def poll():
        r1.request("GET", "/api/v1/routers/r1/commands?after=%d&wait=10" % after)
        out["body"] = json.loads(r1.getresponse().read()); out["t"] = time.perf_counter()
    th = threading.Thread(target=poll); th.start(); time.sleep(0.05)
    t0 = time.perf_counter()
    post(op, "PUT", "/api/v1/routing/policy", {"metrics": {"bad": 30 + (i % 2) + 1}})
    th.join()
    c = out["body"]["commands"][-1]; after = c["seq"]
    post(r1, "POST", "/api/v1/routers/r1/commands/%d/ack" % after, {"ok": True, "received_ms": 1, "applied_ms": 2, "fib_ms": None})
    lat.append((out["t"] - t0) * 1000)
lat.sort()
print("PUT policy -> held poll answered: n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms" % (len(lat), statistics.median(lat), lat[int(0.99*(len(lat)-1))], lat[-1]))
