"""Property tests: random sequences of hold / best / release / extend /
confirm / re-confirm / cancel / block / unblock / clock moves, checked step
by step against a model of the seats.

Invariants after every step:
  - every seat's state (seat_states()) is the model's;
  - availability() counts (whole show and per tier) match the model;
  - confirmed bookings never share a seat, and the booked seats are
    exactly the seats of confirmed bookings (every seat booked at most once).
"""
import itertools
import shutil
import tempfile

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import (Bundle, RuleBasedStateMachine, consumes,
                                 invariant, rule)

import tix
from conftest import FakeClock, at, build_city

ROWS, PER_ROW = 2, 6
N = ROWS * PER_ROW
TTLS = st.sampled_from([1, 5, 60, 600])
seat_sets = st.lists(st.integers(0, N - 1), min_size=1, max_size=4,
                     unique=True)

FREE, HELD, BOOKED, BLOCKED = "free", "held", "booked", "blocked"


class SeatMachine(RuleBasedStateMachine):
    holds = Bundle("holds")
    bookings = Bundle("bookings")

    def __init__(self):
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="tix-prop-")
        self.clock = FakeClock()
        self.db = tix.open(self.dir + "/store", durability="none",
                           clock=self.clock)
        self.c = build_city(self.db, rows=ROWS, seats_per_row=PER_ROW,
                            accessible=False)
        self.show = self.c.show
        self.tier_of = [s.tier_id for s in self.show.seats()]
        # seat -> (FREE,) | (HELD, key, expires) | (BOOKED, booking) | (BLOCKED,)
        self.seat = {i: (FREE,) for i in range(N)}
        self.live_holds = {}
        self.booked = {}        # booking id -> (seats, cancelled)
        self.keys = itertools.count(1)
        self.refs = itertools.count(1)

    def teardown(self):
        for h in self.live_holds.values():
            h.close()
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- model helpers --------------------------------------------------
    def takeable(self, s):
        st_ = self.seat[s]
        return st_[0] == FREE or (st_[0] == HELD and st_[2] <= self.clock.now)

    def live_by(self, s, key):
        st_ = self.seat[s]
        return st_[0] == HELD and st_[1] == key and st_[2] > self.clock.now

    def visible(self, s):
        st_ = self.seat[s]
        if st_[0] == HELD:
            return tix.SeatState.HELD if st_[2] > self.clock.now else tix.SeatState.FREE
        return {FREE: tix.SeatState.FREE, BOOKED: tix.SeatState.BOOKED,
                BLOCKED: tix.SeatState.UNAVAILABLE}[st_[0]]

    def _new_hold(self, h, ttl):
        key = next(self.keys)
        self.live_holds[key] = h
        for s in h.seats:
            self.seat[s] = (HELD, key, self.clock.now + ttl)
        return key

    # ---- rules ------------------------------------------------------------
    @rule(target=holds, seats=seat_sets, ttl=TTLS)
    def hold(self, seats, ttl):
        expect = all(self.takeable(s) for s in seats)
        try:
            h = self.show.hold(seats, ttl=ttl)
        except tix.Conflict:
            assert not expect, "hold refused though every seat was free"
            return None
        assert expect, "hold granted on a taken seat"
        assert h.seats == tuple(sorted(seats))
        assert h.expires == at(self.clock.now + ttl)
        return self._new_hold(h, ttl)

    @rule(target=holds, n=st.integers(1, 3), ttl=TTLS, any_tier=st.booleans())
    def hold_best(self, n, ttl, any_tier):
        try:
            h = self.show.hold_best(n, any_tier=any_tier, ttl=ttl)
        except tix.Conflict:
            return None
        assert len(h.seats) == n
        assert all(self.takeable(s) for s in h.seats), "best took a taken seat"
        rows = {s // PER_ROW for s in h.seats}
        assert len(rows) == 1 and max(h.seats) - min(h.seats) == n - 1
        return self._new_hold(h, ttl)

    @rule(key=holds)
    def release(self, key):
        if key is None:
            return
        self.live_holds[key].release()
        for s, st_ in self.seat.items():
            if st_[0] == HELD and st_[1] == key:
                self.seat[s] = (FREE,)

    @rule(key=holds, ttl=TTLS)
    def extend(self, key, ttl):
        if key is None:
            return
        h = self.live_holds[key]
        expect = all(self.live_by(s, key) for s in h.seats)
        try:
            h.extend(ttl)
        except tix.Expired:
            assert not expect, "extend refused on a live hold"
            return
        assert expect, "extend succeeded on a dead hold"
        for s in h.seats:
            self.seat[s] = (HELD, key, self.clock.now + ttl)

    @rule(target=bookings, key=holds)
    def confirm(self, key):
        if key is None:
            return None
        h = self.live_holds[key]
        # Only the hold's own words (live or run out, not taken since) book:
        # a released hold, or one whose seats went to others, is dead.
        expect = all(self.seat[s][0] == HELD and self.seat[s][1] == key
                     for s in h.seats)
        ref = "ref-%d" % next(self.refs)
        try:
            b = h.confirm(self.c.user, ref)
        except (tix.Expired, tix.Conflict, tix.State):
            assert not expect, "confirm refused though the seats were ours/free"
            return None
        assert expect, "confirm booked a seat someone else had"
        assert sorted(b.seat_indexes) == list(h.seats)
        for s in h.seats:
            self.seat[s] = (BOOKED, b.id)
        self.booked[b.id] = [list(h.seats), False]
        return (b.id, key, ref)

    @rule(entry=bookings)
    def confirm_again_same_ref(self, entry):
        """A duplicated payment callback returns the same booking."""
        if entry is None:
            return
        bid, key, ref = entry
        assert self.live_holds[key].confirm(self.c.user, ref).id == bid

    @rule(entry=consumes(bookings))
    def cancel(self, entry):
        if entry is None:
            return
        bid = entry[0]
        seats, cancelled = self.booked[bid]
        b = self.db.booking(bid)
        if cancelled:
            try:
                b.cancel()
                raise AssertionError("second cancel succeeded")
            except tix.Already:
                return
        b.cancel()
        assert b.cancelled
        self.booked[bid][1] = True
        for s in seats:
            self.seat[s] = (FREE,)

    @rule(seats=seat_sets)
    def block(self, seats):
        expect = all(self.takeable(s) for s in seats)
        try:
            self.show.block(seats)
        except tix.Conflict:
            assert not expect, "block refused on free seats"
            return
        assert expect, "block took a held or booked seat"
        for s in seats:
            self.seat[s] = (BLOCKED,)

    @rule(seats=seat_sets)
    def unblock(self, seats):
        expect = all(self.seat[s][0] == BLOCKED for s in seats)
        try:
            self.show.unblock(seats)
        except tix.State:
            assert not expect, "unblock refused on blocked seats"
            return
        assert expect, "unblock freed a seat that was not blocked"
        for s in seats:
            self.seat[s] = (FREE,)

    @rule(dt=st.sampled_from([0, 1, 4, 30, 59, 61, 600]))
    def tick(self, dt):
        self.clock.advance(dt)

    # ---- invariants ---------------------------------------------------------
    @invariant()
    def states_match_model(self):
        assert self.show.seat_states() == [self.visible(s) for s in range(N)]

    @invariant()
    def availability_matches_model(self):
        a = self.show.availability()
        vis = [self.visible(s) for s in range(N)]

        def counts(idx):
            return {"total": len(idx),
                    "free": sum(vis[i] == tix.SeatState.FREE for i in idx),
                    "held": sum(vis[i] == tix.SeatState.HELD for i in idx),
                    "booked": sum(vis[i] == tix.SeatState.BOOKED for i in idx),
                    "unavailable": sum(vis[i] == tix.SeatState.UNAVAILABLE
                                       for i in idx)}
        whole = counts(range(N))
        assert {k: a[k] for k in whole} == whole
        for t in a["tiers"]:
            idx = [i for i in range(N) if self.tier_of[i] == t["tier_id"]]
            assert {k: t[k] for k in whole} == counts(idx)

    @invariant()
    def every_seat_booked_at_most_once(self):
        owner = {}
        for b in self.show.bookings():
            if b.cancelled:
                continue
            for s in b.seat_indexes:
                assert s not in owner, "seat %d in bookings %d and %d" % (
                    s, owner[s], b.id)
                owner[s] = b.id
        model = {s: st_[1] for s, st_ in self.seat.items() if st_[0] == BOOKED}
        assert owner == model


SeatMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestSeatMachine = SeatMachine.TestCase
