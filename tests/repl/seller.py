"""A primary selling a show from several threads, for tests/repl: every
booking whose confirm returned is printed as "B <id> <seat,seat,...>"
(flushed), so the test knows what was acknowledged when it kills -9 this
process.

usage: seller.py STORE NATS_URLS STREAM SHOW USER THREADS LEASE_MS
"""
import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bindings", "python"))
import tix  # noqa: E402


def main():
    store, urls, stream, show, user, threads, lease = sys.argv[1:8]
    db = tix.open(store, repl_urls=urls, repl_stream=stream,
                  repl_lease_ms=int(lease), create=False)
    sh = tix.Show.get(db, int(show))
    out = threading.Lock()
    print("READY", flush=True)

    def sell(k):
        n = 0
        while True:
            try:
                h = sh.hold_best(2, any_tier=True)
            except tix.Conflict:
                return
            n += 1
            try:
                b = h.confirm(int(user), "s%d-%d-%d" % (os.getpid(), k, n))
            except tix.Error as e:
                with out:
                    print("E %s" % e, flush=True)
                continue
            with out:
                print("B %d %s" % (b.id, ",".join(str(s.seat) for s in b.seats)),
                      flush=True)

    ts = [threading.Thread(target=sell, args=(k,)) for k in range(int(threads))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("SOLDOUT", flush=True)
    db.close()


if __name__ == "__main__":
    main()
