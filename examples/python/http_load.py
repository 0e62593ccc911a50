#!/usr/bin/python3
"""A bounded load test of http_api.py on loopback, standard library only.

    /usr/bin/python3 examples/python/http_load.py http://127.0.0.1:8080 \
        [--clients 8] [--seconds 3] [--path /shows/1/availability]

Runs two phases of --seconds each: --clients threads that reuse one
keep-alive connection each, then the same number opening a fresh
connection per request. Prints one line per phase and, with --json, a JSON
object {"keepalive": {...}, "fresh": {...}} with requests, errors, req/s,
p50 and p99 in milliseconds. Only 127.0.0.1 / localhost URLs are accepted.
"""
import argparse
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit


def _one_client(host, port, path, keepalive, until, out):
    lat, errors = [], 0
    conn = None
    while time.monotonic() < until:
        if conn is None:
            conn = http.client.HTTPConnection(host, port, timeout=5)
        t0 = time.perf_counter()
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = None
            continue
        lat.append(time.perf_counter() - t0)
        if not keepalive:
            conn.close()
            conn = None
    if conn is not None:
        conn.close()
    out.append((lat, errors))


def _percentile(sorted_lat, p):
    if not sorted_lat:
        return 0.0
    k = min(len(sorted_lat) - 1, int(round(p / 100.0 * (len(sorted_lat) - 1))))
    return sorted_lat[k] * 1000.0


def run_phase(base, path, clients, seconds, keepalive):
    """One phase; returns {"requests", "errors", "rps", "p50_ms", "p99_ms"}."""
    u = urlsplit(base)
    if u.hostname not in ("127.0.0.1", "localhost"):
        raise ValueError("loopback only, not %r" % u.hostname)
    results = []
    start = time.monotonic()
    until = start + seconds
    threads = [threading.Thread(target=_one_client, daemon=True,
                                args=(u.hostname, u.port, path, keepalive,
                                      until, results))
               for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 10)
    elapsed = time.monotonic() - start
    lat = sorted(x for lats, _ in results for x in lats)
    errors = sum(e for _, e in results)
    return {"requests": len(lat), "errors": errors,
            "rps": round(len(lat) / elapsed, 1),
            "p50_ms": round(_percentile(lat, 50), 2),
            "p99_ms": round(_percentile(lat, 99), 2)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base", help="http://127.0.0.1:PORT")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--path", default="/shows/1/availability")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out = {}
    for name, keep in (("keepalive", True), ("fresh", False)):
        out[name] = r = run_phase(args.base, args.path, args.clients,
                                  args.seconds, keep)
        if not args.json:
            print("%-9s %d clients: %8.1f req/s  p50 %6.2f ms  p99 %7.2f ms"
                  "  (%d requests, %d errors)"
                  % (name, args.clients, r["rps"], r["p50_ms"], r["p99_ms"],
                     r["requests"], r["errors"]))
    if args.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
