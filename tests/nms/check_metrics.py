#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# check_metrics.py FILE — checks a /metrics reply against the Prometheus text exposition
# format 0.0.4: every line is "# HELP name text", "# TYPE name type" or a sample
# "name{label="value",...} value [timestamp]"; names and label names match the format's
# regular expressions; every sample belongs to a family with one TYPE line given before it;
# a histogram's buckets have increasing le ending with +Inf, cumulative (non-decreasing)
# counts, +Inf equal to _count, and a _sum. Exit 1 with the offending line otherwise.
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Inf|NaN)"
LABELVAL = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(?:\{((?:%s=%s)(?:,%s=%s)*,?)?\})? (%s)(?: (-?[0-9]+))?$" %
                    (NAME, LABEL, LABELVAL, LABEL, LABELVAL, VALUE))
HELP = re.compile(r"^# HELP (%s) (.*)$" % NAME)
TYPE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % NAME)
PAIR = re.compile(r'(%s)=(%s)' % (LABEL, LABELVAL))


def bad(n, line, why):
    sys.exit("line %d: %s: %r" % (n, why, line))


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    if not text.endswith("\n"):
        sys.exit("the exposition does not end with a newline")
    types, helps, hist = {}, set(), {}
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("#"):
            m = TYPE.match(line)
            if m:
                if m.group(1) in types:
                    bad(n, line, "a second TYPE line")
                types[m.group(1)] = m.group(2)
                continue
            m = HELP.match(line)
            if m:
                helps.add(m.group(1))
                continue
            if line.startswith("# HELP") or line.startswith("# TYPE"):
                bad(n, line, "malformed HELP/TYPE")
            continue  # other comments are allowed
        m = SAMPLE.match(line)
        if not m:
            bad(n, line, "not a sample")
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        family = name
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and types.get(name[: -len(suffix)]) == "histogram":
                family = name[: -len(suffix)]
        if family not in types:
            bad(n, line, "no TYPE line before the sample")
        if types[family] == "counter" and float(value) < 0:
            bad(n, line, "negative counter")
        if types[family] == "histogram":
            h = hist.setdefault(family, {"buckets": [], "sum": None, "count": None})
            pairs = dict(PAIR.findall(labels))
            if name.endswith("_bucket"):
                if "le" not in pairs:
                    bad(n, line, "a bucket without le")
                le = pairs["le"].strip('"')
                h["buckets"].append((math.inf if le == "+Inf" else float(le), float(value)))
            elif name.endswith("_sum"):
                h["sum"] = float(value)
            elif name.endswith("_count"):
                h["count"] = float(value)
            else:
                bad(n, line, "a histogram sample that is not _bucket/_sum/_count")
    for family, h in hist.items():
        b = h["buckets"]
        if not b or b[-1][0] != math.inf:
            sys.exit("%s: the last bucket is not le=\"+Inf\"" % family)
        for (l1, c1), (l2, c2) in zip(b, b[1:]):
            if not l2 > l1:
                sys.exit("%s: le not increasing (%g, %g)" % (family, l1, l2))
            if c2 < c1:
                sys.exit("%s: buckets not cumulative (%g after %g)" % (family, c2, c1))
        if h["count"] is None or h["sum"] is None:
            sys.exit("%s: no _count or _sum" % family)
        if b[-1][1] != h["count"]:
            sys.exit("%s: +Inf bucket %g != _count %g" % (family, b[-1][1], h["count"]))
    for family in types:
        if family not in helps:
            sys.exit("%s: TYPE without HELP" % family)
    print("metrics: %d families, %d histograms, format ok" % (len(types), len(hist)))


main()
