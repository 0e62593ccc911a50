"""One Database shared by many Python threads.

cffi releases the GIL around every C call, so threads blocked in
tix_hold_confirm() (waiting for the group commit and its fsync) overlap in
time instead of queueing behind the GIL. These tests check that they all
succeed, that the seat invariants hold, and that the calls overlap.
"""
import threading
import time

import tix
from conftest import build_city


def _big_city(tmp_path, durability):
    db = tix.open(str(tmp_path / "store"), durability=durability)
    return build_city(db, rows=12, seats_per_row=20, accessible=False)


def _check_invariants(c, expected_bookings):
    bookings = c.show.bookings()
    assert len(bookings) == expected_bookings
    seen = set()
    for b in bookings:
        for s in b.seat_indexes:
            assert s not in seen, "seat %d booked twice" % s
            seen.add(s)
    a = c.show.availability()
    assert a["booked"] == len(seen)
    assert a["free"] + a["held"] + a["booked"] + a["unavailable"] == a["total"]
    states = c.show.seat_states()
    assert {i for i, st in enumerate(states)
            if st == tix.SeatState.BOOKED} == seen
    return seen


def test_concurrent_confirms_all_succeed(tmp_path):
    c = _big_city(tmp_path, "none")
    n_threads, per_thread = 8, 15
    errors, barrier = [], threading.Barrier(n_threads)

    def worker(k):
        try:
            barrier.wait(10)
            for i in range(per_thread):
                with c.show.hold_best(1 + (i % 2), any_tier=True) as h:
                    h.confirm(c.user, "t%d-%d" % (k, i))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(n_threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert not any(t.is_alive() for t in ts)
    assert not errors, errors
    seats = _check_invariants(c, n_threads * per_thread)
    assert len(seats) == sum(1 + (i % 2) for i in range(per_thread)) * n_threads
    c.db.close()


def test_confirm_releases_the_gil(tmp_path):
    """Durable confirms from several threads: the time spent inside
    confirm() summed over threads far exceeds the wall time, which can only
    happen if the calls run at the same time (GIL released in C)."""
    c = _big_city(tmp_path, "full")
    n_threads, per_thread = 8, 6
    holds = [[c.show.hold([k * per_thread + i]) for i in range(per_thread)]
             for k in range(n_threads)]
    inside = [0.0] * n_threads
    barrier = threading.Barrier(n_threads + 1)

    def worker(k):
        barrier.wait(10)
        for i, h in enumerate(holds[k]):
            t0 = time.perf_counter()
            h.confirm(c.user, "g%d-%d" % (k, i))
            inside[k] += time.perf_counter() - t0
            h.close()

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(n_threads)]
    for t in ts:
        t.start()
    barrier.wait(10)
    t0 = time.perf_counter()
    for t in ts:
        t.join(60)
    wall = time.perf_counter() - t0
    _check_invariants(c, n_threads * per_thread)
    print("confirm overlap: %.3f s inside, %.3f s wall" % (sum(inside), wall))
    assert sum(inside) > 1.5 * wall, (sum(inside), wall)
    c.db.close()


def test_python_runs_while_a_thread_waits_in_c(tmp_path):
    """While one thread sits in blocking confirms, a pure-Python loop in
    another keeps making progress."""
    c = _big_city(tmp_path, "full")
    stop = threading.Event()
    ticks = [0]

    def spin():
        while not stop.is_set():
            ticks[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        before = ticks[0]
        for i in range(20):
            with c.show.hold([100 + i]) as h:
                h.confirm(c.user, "spin-%d" % i)
        assert ticks[0] > before
    finally:
        stop.set()
        t.join(10)
    c.db.close()


def test_one_seat_one_holder(tmp_path):
    """Threads race for the same two seats: at any moment at most one of
    them holds them."""
    c = _big_city(tmp_path, "none")
    lock = threading.Lock()
    holders, wins, errors = [0], [0], []
    deadline = time.monotonic() + 1.0

    def racer():
        while time.monotonic() < deadline:
            try:
                h = c.show.hold([5, 6], ttl=60)
            except tix.Conflict:
                continue
            except Exception as e:  # pragma: no cover
                errors.append(e)
                return
            with lock:
                holders[0] += 1
                if holders[0] != 1:
                    errors.append(AssertionError("two holders"))
                wins[0] += 1
            with lock:
                holders[0] -= 1
            h.release()
            h.close()

    ts = [threading.Thread(target=racer) for _ in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    assert not errors, errors
    assert wins[0] > 0
    assert c.show.availability()["held"] == 0
    c.db.close()


def test_same_hold_object_from_two_threads(tmp_path):
    """Two threads confirming one Hold object with one payment reference
    get one booking."""
    c = _big_city(tmp_path, "none")
    h = c.show.hold([40, 41])
    out = []
    ts = [threading.Thread(target=lambda: out.append(
        h.confirm(c.user, "same-ref"))) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    assert len(out) == 2 and out[0] == out[1]
    _check_invariants(c, 1)
    h.close()
    c.db.close()
