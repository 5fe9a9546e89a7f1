#!/usr/bin/env python3
"""p50 and p99 per route of the requests between two scrapes of the instances' /metrics (their
`nexus_http_request_duration_seconds` histograms, summed over instances): the servers' own view of a load run.
    p99.py before.txt after.txt
"""

import re
import sys
from collections import defaultdict

LINE = re.compile(r'^nexus_http_request_duration_seconds_bucket\{(.*)\} (\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def buckets(path):
    out = defaultdict(lambda: defaultdict(float))
    for line in open(path):
        m = LINE.match(line.strip())
        if not m:
            continue
        labels = dict(LABEL.findall(m.group(1)))
        le = labels.pop("le")
        key = (labels.get("method", ""), labels.get("route", ""))
        out[key][float("inf") if le == "+Inf" else float(le)] += float(m.group(2))
    return out


def quantile(cum, q):
    edges = sorted(cum)
    total = cum[edges[-1]]
    if total <= 0:
        return None
    want, prev_edge, prev = q * total, 0.0, 0.0
    for e in edges:
        if cum[e] >= want:
            if e == float("inf"):
                return prev_edge
            # Linear within the bucket, as Prometheus' histogram_quantile does.
            return prev_edge + (e - prev_edge) * ((want - prev) / (cum[e] - prev) if cum[e] > prev else 1)
        prev_edge, prev = e, cum[e]
    return None


def main():
    before, after = buckets(sys.argv[1]), buckets(sys.argv[2])
    rows = []
    for key, cum in after.items():
        delta = {e: v - before.get(key, {}).get(e, 0.0) for e, v in cum.items()}
        n = delta[max(delta)]
        if n < 1:
            continue
        rows.append((n, key, quantile(delta, 0.5), quantile(delta, 0.99)))
    for n, (method, route), p50, p99 in sorted(rows, reverse=True)[:25]:
        print("%-6s %-52s %8d requests  p50 %7.1f ms  p99 %7.1f ms" % (method, route, n, p50 * 1000, p99 * 1000))


if __name__ == "__main__":
    main()
