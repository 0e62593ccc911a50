"""Replication figures (docs/replication.md, BENCHMARKS.md), against 3
nats-server nodes with clustered JetStream started on 127.0.0.1 for the run
(tests/repl/cluster.py):

  1. replicated vs local-only confirms at 1 and 16 clients, in the same
     tix-bench run (tix-bench --only confirm --repl URLS);
  2. the follower's lag during a flash sale of a 150,000-seat stadium
     (16 selling threads, 1-4 seats each, until sold out), sampled every
     10 ms;
  3. failover: kill -9 of the selling primary to the first confirm on the
     promoted follower (tests/repl/test_repl.py, scenario failover).

usage: repl_bench.py BUILD_DIR [--seconds S]
"""
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "repl"))
sys.path.insert(0, os.path.join(REPO, "bindings", "python"))
import cluster  # noqa: E402

ROWS, COLS = 3750, 40  # 150,000 seats


def confirms(build, urls, seconds):
    out = subprocess.run([os.path.join(build, "bench", "tix-bench"), "--only",
                          "confirm", "--confirm-threads", "1,16", "--repeat", "3", "--seconds",
                          str(seconds), "--repl", urls],
                         capture_output=True, text=True, check=True).stdout
    print(out)


def stadium(db):
    country = tix.Place.create(db, "Benchland")
    state = tix.Place.create(db, "Loadshire", parent=country)
    city = tix.Place.create(db, "Throughput City", parent=state)
    venue = tix.Venue.create(db, city, "Stadium")
    screen = tix.Screen.create(db, venue, "Bowl", ideal_x=COLS / 2, ideal_y=ROWS / 2)
    tier = screen.add_tier("Stand", 150000, "INR")
    for first in range(0, ROWS, 250):  # each call one record of ~1 MB
        screen.add_rows([("R%d" % r, [tix.SeatSpec(n, x=n, y=r, tier=tier)
                                      for n in range(1, COLS + 1)])
                         for r in range(first, min(first + 250, ROWS))])
    movie = tix.Movie.create(db, "Final", 180)
    return tix.Show.create(db, movie, screen, db.now() + 86400), \
        tix.User.create(db, "Fan", "fan@example.com")


def flash_sale(urls, tmp):
    p = tix.open(os.path.join(tmp, "p"), repl_urls=urls, repl_stream="FLASH",
                 map_size=1 << 30)
    show, user = stadium(p)
    p.backup(os.path.join(tmp, "f"))
    f = tix.open(os.path.join(tmp, "f"), repl_urls=urls, repl_stream="FLASH",
                 repl_role="follower", map_size=1 << 30)
    stop, lags, sold = False, [], [0]
    lock = threading.Lock()

    def follow():
        while not stop:
            f.replica_follow(100)

    def sell(k):
        rnd, n = random.Random(k), 0
        while True:
            try:
                h = tix.Show.get(p, show.id).hold_best(rnd.randint(1, 4), any_tier=True)
            except tix.Conflict:
                try:
                    h = tix.Show.get(p, show.id).hold_best(1, any_tier=True)
                except tix.Conflict:
                    return
            n += 1
            b = h.confirm(user, "f%d-%d" % (k, n))
            with lock:
                sold[0] += len(b.seats)

    fol = threading.Thread(target=follow, daemon=True)
    fol.start()
    t0 = time.monotonic()
    ts = [threading.Thread(target=sell, args=(k,)) for k in range(16)]
    for t in ts:
        t.start()
    while any(t.is_alive() for t in ts):
        st = f.replica_status()
        lags.append((st["lag"], st["stream_seq"]))
        time.sleep(0.01)
    secs = time.monotonic() - t0
    end = time.monotonic()
    while f.replica_status()["lag"] and time.monotonic() - end < 30:
        time.sleep(0.001)
    drain = time.monotonic() - end
    stop = True
    fol.join(5)
    l = sorted(x for x, _ in lags)
    batches = p.replica_status()["applied_seq"]
    print("flash sale: %d seats sold in %.1f s by 16 threads (%d replicated "
          "batches); follower lag sampled %d times: median %d, p99 %d, max %d "
          "records; caught up %.0f ms after the last confirm"
          % (sold[0], secs, batches, len(l), l[len(l) // 2],
             l[int(len(l) * 0.99)], l[-1], drain * 1000))
    f.close()
    p.close()


def main():
    global tix
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build = sys.argv[1]
    seconds = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--seconds" else "3"
    os.environ["TIX_LIB"] = os.path.join(build, "libtix.so")
    import tix as _tix
    tix = _tix
    c = cluster.Cluster().start()
    try:
        confirms(build, c.urls, seconds)
        with tempfile.TemporaryDirectory(prefix="tix-replbench-") as tmp:
            flash_sale(c.urls, tmp)
    finally:
        c.stop()


if __name__ == "__main__":
    main()
