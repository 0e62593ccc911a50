#!/usr/bin/python3
"""holds/s and confirms/s from Python, next to the same loops in C.

    /usr/bin/python3 bindings/python/bench.py [--seconds 2] [--repeat 3]
        [--threads 1,2] [--confirm-threads 1,16] [--c-bench PATH] [--no-c]
        [--json]

The loops are tix-bench's (bench/tix_bench.c), run three ways:
  tix       the Pythonic binding: show.hold([i, i+1]); h.release(); h.close()
            and show.hold(seats); h.confirm(user, ref) (which also reads the
            booking back); h.close()
  raw cffi  the same C calls straight through cffi (tix_hold_create,
            tix_hold_release, tix_hold_free / tix_hold_confirm): the cost of
            crossing from Python, without the binding's conveniences
  C         tix-bench --json --only hold,confirm, run as a subprocess
            (build/release/bench/tix-bench unless --c-bench; skipped if absent)

hold+release: 2 adjacent random seats of a 20,000-seat show (500 rows of
40), no LMDB involved. confirm: 1 or 2 seats per confirm from a private
pool per thread, durability full (one fsync per group commit), each run on
a fresh copy of one template store, as tix-bench does (both sides get the
same pool size). Threads are Python threads; cffi releases the GIL
in every C call, so confirms from many threads share commits.

Every step runs --repeat times and the median is reported, on both sides
(tix-bench --repeat). Confirm rates hang on fsync latency, which other
I/O on the machine changes a lot: compare figures of one run only. For the
hold loops, point TIX_LIB at a release build (the default picks the most
recently built of build/release and build/debug).
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tix  # noqa: E402
from tix import ffi, lib  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
ROW_SEATS = 40


def make_store(base, name, rows, durability, shows=1):
    db = tix.open(os.path.join(base, name), durability=durability,
                  hold_ttl_max=3600)
    india = tix.Place.create(db, "Benchland")
    st = tix.Place.create(db, "State", parent=india)
    city = tix.Place.create(db, "City", parent=st)
    venue = tix.Venue.create(db, city, "Bench Hall")
    screen = tix.Screen.create(db, venue, "Big", ideal_x=ROW_SEATS / 2,
                               ideal_y=rows / 2)
    tier = screen.add_tier("Std", 10000, "EUR")
    # add the rows in chunks to keep each transaction moderate
    for r0 in range(0, rows, 100):
        screen.add_rows([("R%d" % r, [tix.SeatSpec(n, x=n, y=r, tier=tier)
                                       for n in range(1, ROW_SEATS + 1)])
                         for r in range(r0, min(rows, r0 + 100))])
    movie = tix.Movie.create(db, "Bench", 120)
    start = db.now() + 86400
    show_list = [tix.Show.create(db, movie, screen, start + i * 4 * 3600)
                 for i in range(shows)]
    users = [tix.User.create(db, "U%d" % i, "u%d@bench.example" % i)
             for i in range(16)]
    return db, show_list, users


def median_rate(repeat, n, make_body, seconds):
    rates = sorted(timed_threads(n, make_body(), seconds) for _ in range(repeat))
    return rates[len(rates) // 2]


def clone_store(template_dir, dest, durability):
    """Opens a fresh copy of a template store, as tix-bench does for every
    confirm run: data.mdb copied (seats.map rebuilds), regions mapped."""
    os.mkdir(dest, 0o700)
    shutil.copyfile(os.path.join(template_dir, "data.mdb"),
                    os.path.join(dest, "data.mdb"))
    db = tix.open(dest, durability=durability)
    return db


def timed_threads(n, body, seconds):
    """Runs body(k, deadline) -> ops in @n threads; returns total ops/s."""
    barrier = threading.Barrier(n + 1)
    counts = [0] * n
    spans = [0.0] * n

    def run(k):
        barrier.wait()
        t0 = time.perf_counter()
        counts[k] = body(k, t0 + seconds)
        spans[k] = time.perf_counter() - t0

    ts = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in ts:
        t.start()
    barrier.wait()
    for t in ts:
        t.join()
    return sum(counts) / max(spans)


# ---- hold + release ----------------------------------------------------------

def hold_tix(show, rows):
    def body(k, deadline):
        rnd = random.Random(k)
        ops = 0
        while time.perf_counter() < deadline:
            for _ in range(100):
                i = rnd.randrange(rows) * ROW_SEATS + rnd.randrange(ROW_SEATS - 1)
                try:
                    h = show.hold([i, i + 1])
                except tix.Conflict:   # another thread has one of them
                    continue
                h.release()
                h.close()
                ops += 1
        return ops
    return body


def hold_raw(db, show, rows):
    ptr = db._ptr
    sid = show.id

    def body(k, deadline):
        rnd = random.Random(k)
        seats = ffi.new("uint32_t[2]")
        out = ffi.new("tix_hold **")
        create, release, free = (lib.tix_hold_create, lib.tix_hold_release,
                                 lib.tix_hold_free)
        ops = 0
        while time.perf_counter() < deadline:
            for _ in range(100):
                i = rnd.randrange(rows) * ROW_SEATS + rnd.randrange(ROW_SEATS - 1)
                seats[0], seats[1] = i, i + 1
                if create(ptr, sid, seats, 2, ffi.NULL, out) == 0:
                    release(ptr, out[0])
                    free(out[0])
                    ops += 1
        return ops
    return body


# ---- confirm -------------------------------------------------------------------

def confirm_body(db, shows, users, threads, raw):
    """Thread k takes seats from rows k, k+threads, ... of each show."""
    per_show_rows = len(shows) and shows[0].seat_count // ROW_SEATS

    def seats_of(k):
        for show in shows:
            for row in range(k, per_show_rows, threads):
                base = row * ROW_SEATS
                pos, take = 0, 1
                while pos + take <= ROW_SEATS:
                    yield show, list(range(base + pos, base + pos + take))
                    pos += take
                    take = 3 - take          # 1, 2, 1, 2 ... like tix-bench

    def body(k, deadline):
        user = users[k % len(users)]
        it = seats_of(k)
        ops = 0
        opts = ffi.new("tix_confirm_opts *")
        opts.user_id = user.id
        out, bid = ffi.new("tix_hold **"), ffi.new("tix_id *")
        arr = ffi.new("uint32_t[2]")
        while time.perf_counter() < deadline:
            try:
                show, seats = next(it)
            except StopIteration:
                break
            ref = ("pay-%d-%d" % (k, ops)).encode()
            if raw:
                for j, s in enumerate(seats):
                    arr[j] = s
                if lib.tix_hold_create(db._ptr, show.id, arr, len(seats),
                                       ffi.NULL, out):
                    continue
                cref = ffi.new("char[]", ref)
                opts.payment_ref = cref
                rc = lib.tix_hold_confirm(db._ptr, out[0], opts, bid)
                lib.tix_hold_free(out[0])
                if rc == 0:
                    ops += 1
            else:
                with show.hold(seats) as h:
                    h.confirm(user, ref.decode())
                ops += 1
        return ops
    return body


def pool_rows(seconds, threads):
    """Rows enough for 5,000 confirms/s of 1.5 seats (the pool must not run
    dry); tix-bench gets the same pool (--confirm-pool) so both sides commit
    into stores of the same size."""
    return int(seconds * 5000 * 1.5 / ROW_SEATS) + 2 * threads


# ---- C side ----------------------------------------------------------------------

def c_bench(path, seconds, threads, cthreads, pool, repeat):
    if not path or not os.access(path, os.X_OK):
        return None, "tix-bench not found (make release builds it)"
    args = [path, "--json", "--only", "hold,confirm", "--seconds", str(seconds),
            "--threads", ",".join(map(str, threads)),
            "--confirm-threads", ",".join(map(str, cthreads)),
            "--confirm-pool", str(pool), "--repeat", str(repeat)]
    try:
        r = subprocess.run(args, capture_output=True, text=True,
                           timeout=120 + 20 * seconds * repeat * (len(threads) + len(cthreads)))
    except subprocess.TimeoutExpired:
        return None, "tix-bench timed out"
    if r.returncode != 0:
        return None, "tix-bench failed: %s" % r.stderr.strip()[-300:]
    try:
        data = json.loads(r.stdout)
    except ValueError:
        return None, "tix-bench printed no JSON"
    out = {}
    for x in data.get("results", []):
        out[(x["scenario"], x["threads"])] = x["ops_per_s"]
    return out, "%s (%s)" % (path, data.get("version", "?"))


def fmt(v):
    return "-" if v is None else "{:,.0f}/s".format(v)


def main(argv=None):
    ap = argparse.ArgumentParser(description="libtix Python vs C benchmark")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--confirm-threads", default="1,16")
    ap.add_argument("--c-bench", default=os.path.join(
        REPO, "build", "release", "bench", "tix-bench"))
    ap.add_argument("--no-c", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    threads = [int(x) for x in a.threads.split(",")]
    cthreads = [int(x) for x in a.confirm_threads.split(",")]
    base = tempfile.mkdtemp(prefix="tix-pybench-")
    rows = []
    try:
        db, shows, _ = make_store(base, "holds", 500, "none")
        with db:
            for n in threads:
                rows.append(("hold+release (2 seats, 20k-seat show)",
                             "hold_release", n,
                             median_rate(a.repeat, n,
                                         lambda: hold_tix(shows[0], 500),
                                         a.seconds),
                             median_rate(a.repeat, n,
                                         lambda: hold_raw(db, shows[0], 500),
                                         a.seconds)))
        # confirm runs: like tix-bench, a template store (made without
        # fsync) copied afresh for every run, opened with durability full
        rows_needed = max(pool_rows(a.seconds, n) for n in cthreads)
        tdb, tshows, tusers = make_store(base, "confirm-template",
                                         rows_needed, "none")
        tdb.sync()
        show_ids, user_ids = [s.id for s in tshows], [u.id for u in tusers]
        tdb.close()
        run_no = 0
        for n in cthreads:
            res = []
            for raw in (False, True):
                rates = []
                for k in range(a.repeat):
                    run_no += 1
                    db = clone_store(os.path.join(base, "confirm-template"),
                                     os.path.join(base, "run-%d" % run_no),
                                     "full")
                    with db:
                        shows = [db.show(i) for i in show_ids]
                        users = [db.user(i) for i in user_ids]
                        for sh in shows:
                            sh.availability()    # map the region now
                        rates.append(timed_threads(
                            n, confirm_body(db, shows, users, n, raw),
                            a.seconds))
                res.append(sorted(rates)[len(rates) // 2])
            rows.append(("confirm (1-2 seats, durability full)", "confirm", n,
                         res[0], res[1]))
    finally:
        shutil.rmtree(base, ignore_errors=True)

    pool = max(pool_rows(a.seconds, n) for n in cthreads) * ROW_SEATS
    c, c_note = (None, "skipped (--no-c)") if a.no_c else c_bench(
        a.c_bench, a.seconds, threads, cthreads, pool, a.repeat)
    table = []
    for label, key, n, py, raw in rows:
        cv = c.get((key, n)) if c else None
        table.append({"scenario": key, "label": label, "threads": n,
                      "python_tix": py, "python_raw_cffi": raw, "c": cv,
                      "python_vs_c": (py / cv) if cv else None})
    if a.json:
        print(json.dumps({"tool": "tix bench.py", "version": tix.version(),
                          "nproc": os.cpu_count(),
                          "load_average": os.getloadavg()[0],
                          "lib": tix.LIB_PATH, "python": sys.version.split()[0],
                          "seconds": a.seconds, "repeat": a.repeat,
                          "c_bench": c_note,
                          "results": table}, indent=1))
        return 0
    print("libtix %s at %s; Python %s; %.3g s per step, median of %d; "
          "nproc %d, load average %.1f" % (
              tix.version(), tix.LIB_PATH, sys.version.split()[0], a.seconds,
              a.repeat, os.cpu_count() or 0, os.getloadavg()[0]))
    print("C figures: %s" % c_note)
    print("%-38s %4s %14s %16s %14s %9s" % ("scenario", "thr", "Python tix",
                                            "Python raw cffi", "C tix-bench",
                                            "tix/C"))
    for t in table:
        print("%-38s %4d %14s %16s %14s %9s" % (
            t["label"], t["threads"], fmt(t["python_tix"]),
            fmt(t["python_raw_cffi"]), fmt(t["c"]),
            "%.1f%%" % (100 * t["python_vs_c"]) if t["python_vs_c"] else "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
