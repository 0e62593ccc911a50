"""Holds: create, conflict, best available, extend, expiry, release,
handles as strings, context manager semantics, request keys."""
import gc

import pytest

import tix
from conftest import at


def test_hold_copies_its_fields(city):
    h = city.show.hold([5, 3, 4], ttl=120)
    assert h.show_id == city.show.id
    assert h.seats == (3, 4, 5)          # ascending
    assert h.expires == at(city.db.now() + 120)
    assert h.expires_in() == 120
    h.close()
    assert h.closed and h.seats == (3, 4, 5)  # the copy stays


def test_hold_accepts_seat_objects_and_single_int(city):
    seats = city.show.seats()
    with city.show.hold([seats[12], seats[13]]) as h:
        assert h.seats == (12, 13)
    with city.show.hold(20) as h:
        assert h.seats == (20,)


def test_conflicting_hold_is_all_or_nothing(city):
    h = city.show.hold([4, 5])
    with pytest.raises(tix.Conflict):
        city.show.hold([6, 5])
    # seat 6 was not left held by the failed attempt
    with city.show.hold([6]):
        pass
    assert city.show.availability()["held"] == 3
    h.close()


def test_invalid_seat_lists(city):
    with pytest.raises(tix.InvalidArgument):
        city.show.hold([])
    with pytest.raises(tix.InvalidArgument):
        city.show.hold([1, 1])
    with pytest.raises(tix.InvalidArgument):
        city.show.hold([30])
    with pytest.raises(tix.InvalidArgument):
        city.show.hold([-1])
    with pytest.raises(tix.NotFound):
        tix.seats.hold_seats(city.db, 999, [1])


def test_release_frees_and_is_harmless_twice(city):
    h = city.show.hold([7, 8])
    assert h.release() == 2
    assert h.release() == 0  # says it freed nothing the second time
    assert city.show.availability()["held"] == 0
    h2 = city.show.hold([7, 8])
    assert h.release() == 0  # an old handle does not free others' seats
    assert city.show.availability()["held"] == 2
    h.close()
    h2.close()


def test_expiry_frees_seats_lazily(city, clock):
    h = city.show.hold([9], ttl=30)
    clock.advance(29)
    assert city.show.seat_states()[9] == tix.SeatState.HELD
    clock.advance(1)
    assert city.show.seat_states()[9] == tix.SeatState.FREE
    other = city.show.hold([9])
    with pytest.raises(tix.Expired):
        h.extend()
    other.close()
    h.close()


def test_extend(city, clock):
    h = city.show.hold([10], ttl=30)
    text = str(h)
    clock.advance(20)
    h.extend(300)
    assert h.expires == at(clock.now + 300)
    assert str(h) != text  # the handle carries the expiry
    clock.advance(200)
    assert city.show.seat_states()[10] == tix.SeatState.HELD
    with pytest.raises(tix.OutOfRange):
        h.extend(10 ** 6)
    h.close()


def test_ttl_above_max(city):
    with pytest.raises(tix.OutOfRange):
        city.show.hold([1], ttl=3601)


def test_string_round_trip(city, payref):
    h = city.show.hold([11, 12])
    text = str(h)
    assert text.startswith("H2") and " " not in text
    h.close()
    back = tix.Hold.from_string(city.db, text)
    assert back.seats == (11, 12) and back.show_id == city.show.id
    assert city.db.hold_from_string(text).seats == (11, 12)
    b = back.confirm(city.user, payref())
    assert b.seat_indexes == [11, 12]
    back.close()


def test_tampered_string_is_rejected(city):
    with city.show.hold([13]) as h:
        text = str(h)
    for bad in (text[:-1], text[:10], text[:-3] + ("A" if text[-3] != "A" else "B")
                + text[-2:], "", "H1" + text[2:]):
        with pytest.raises(tix.BadCode):
            # the form may parse; the MAC refuses it when it is used
            tix.Hold.from_string(city.db, bad).release()


def test_stale_handle_cannot_release_new_holders_seats(city):
    """A released handle names the same show and seats as the next hold of
    them, but not its token: releasing it again leaves them held."""
    h = city.show.hold([14])
    h.release()
    mine = city.show.hold([14])
    h.release()
    assert city.show.seat_states()[14] == tix.SeatState.HELD
    mine.close()
    h.close()


def test_context_manager_releases_on_exception(city):
    with pytest.raises(RuntimeError):
        with city.show.hold([15, 16]) as h:
            assert city.show.availability()["held"] == 2
            raise RuntimeError("payment page crashed")
    assert h.closed
    assert city.show.availability()["held"] == 0


def test_context_manager_keeps_seats_on_normal_exit(city):
    with city.show.hold([17]) as h:
        text = str(h)
    assert h.closed
    assert city.show.seat_states()[17] == tix.SeatState.HELD
    tix.Hold.from_string(city.db, text).release()
    assert city.show.seat_states()[17] == tix.SeatState.FREE


def test_closed_hold_refuses_operations(city):
    h = city.show.hold([18])
    h.close()
    h.close()
    for op in (h.release, h.extend, lambda: str(h),
               lambda: h.confirm(city.user, "p")):
        with pytest.raises(tix.State):
            op()
    tix.seats.hold_seats(city.db, city.show.id, [19]).close()


def test_unclosed_hold_is_freed_by_gc(city):
    # ffi.gc safety net: dropping many unclosed holds must not break anything
    for i in range(200):
        h = city.show.hold([20 + i % 5], ttl=1)
        h.release()
        del h
    gc.collect()


def test_request_key_makes_holds_idempotent(city):
    a = city.show.hold([21, 22], request_key="click-123")
    b = city.show.hold([21, 22], request_key="click-123")   # double click
    assert a.seats == b.seats and str(a) == str(b)
    with pytest.raises(tix.Conflict):
        city.show.hold([21, 22], request_key="click-456")
    a.close()
    b.close()


def test_hold_best_prefers_the_ideal_point(city):
    h = city.show.hold_best(2, tier=city.gold)
    seats = city.show.seats()
    chosen = [seats[i] for i in h.seats]
    assert all(s.tier_id == city.gold.id for s in chosen)
    assert chosen[0].row == chosen[1].row
    assert abs(chosen[0].number - chosen[1].number) == 1
    assert not any(s.accessible for s in chosen)
    h.close()


def test_hold_best_cheapest_tier_by_default(city):
    with city.show.hold_best(2) as h:
        assert all(city.show.seats()[i].tier_id == city.silver.id for i in h.seats)


def test_hold_best_accessible(city):
    with city.show.hold_best(2, accessible=True) as h:
        assert all(city.show.seats()[i].accessible for i in h.seats)


def test_hold_best_sold_out_is_conflict(city):
    holds = []
    try:
        while True:
            holds.append(city.show.hold_best(2, tier=city.gold))
    except tix.Conflict:
        pass
    assert len(holds) == 10   # rows B and C: 10 seats each, pairs
    for h in holds:
        h.close()


def test_hold_best_request_key(city):
    a = city.show.hold_best(3, request_key="req-1")
    b = city.show.hold_best(3, request_key="req-1")
    assert a.seats == b.seats
    a.close()
    b.close()


def test_hold_on_ended_show_is_state(city, clock):
    clock.now = city.show.end
    with pytest.raises(tix.State):
        city.show.hold_best(1)


def test_blocked_seats(city):
    city.show.block([25, 26])
    assert city.show.seat_states()[25] == tix.SeatState.UNAVAILABLE
    with pytest.raises(tix.Conflict):
        city.show.hold([25])
    assert city.show.availability()["unavailable"] == 2
    city.show.unblock([25, 26])
    with city.show.hold([25]):
        pass
    with pytest.raises(tix.State):
        city.show.unblock([27])


def test_exception_after_confirm_keeps_the_booking(city, payref):
    """Leaving the block by an exception after confirm releases nothing:
    release only frees seats still held by the hold, not booked ones."""
    with pytest.raises(RuntimeError):
        with city.show.hold([23, 24]) as h:
            b = h.confirm(city.user, payref())
            raise RuntimeError("mail server down")
    assert city.show.seat_states()[23] == tix.SeatState.BOOKED
    assert city.db.booking(b.id).seat_indexes == [23, 24]


def test_released_or_foreign_holds_never_book(city, tmp_path):
    """Issue 14 from Python: a released hold is dead, a handle of another
    store is tix.BadCode, a reused payment_ref with another hold is
    tix.Exists, and the charged amount is checked at commit."""
    h = city.show.hold([20, 21])
    text = str(h)
    h.release()
    with pytest.raises(tix.State):
        tix.Hold.from_string(city.db, text).confirm(city.user, "py-released")

    h = city.show.hold([22])
    tier = city.db.tier(city.show.seats()[22].tier_id)
    tier_price, currency = tier.price_minor, tier.currency
    with pytest.raises(tix.PriceMismatch):
        h.confirm(city.user, "py-charged", expected=(tier_price + 1, currency))
    with pytest.raises(tix.PriceMismatch):
        h.confirm(city.user, "py-charged", expected=(tier_price, "XXX"))
    b = h.confirm(city.user, "py-charged", expected=(tier_price, currency))
    assert b.total_minor == tier_price

    other = city.show.hold([23])
    with pytest.raises(tix.Exists):
        other.confirm(city.user, "py-charged")
    assert city.show.seat_states()[23] == tix.SeatState.HELD
    other.release()

    with pytest.raises(tix.Exists):
        city.show.hold([24, 25], request_key="py-key").close()
        city.show.hold([25, 26], request_key="py-key")


def test_best_wheelchair_with_companion(db):
    from conftest import build_city
    c = build_city(db, accessible=True)
    # Row A: wheelchair at 1 and 10, companions at 2 and 9.
    h = c.show.hold_best(1, accessible=True, companions=1)
    assert len(h.seats) == 2 and h.seats in ((0, 1), (8, 9))
    h2 = c.show.hold_best(1, accessible=True, companions=1)
    assert {h.seats, h2.seats} == {(0, 1), (8, 9)}
    with pytest.raises(tix.Conflict):
        c.show.hold_best(1, accessible=True, companions=1)
    with pytest.raises(tix.InvalidArgument):
        c.show.hold_best(1, companions=1)
    with pytest.raises(tix.Limit):
        c.show.hold_best(1, accessible=True, companions=10)


def test_live_holds_by_tag(city, clock):
    a = city.show.hold([7, 3], ttl=300)
    b = city.show.hold([12], ttl=60)
    holds = city.show.live_holds()
    assert [h["tag"] for h in holds] == [b.tag, a.tag]   # soonest end first
    assert holds[1]["seats"] == [3, 7]
    assert holds[0]["expires"] == b.expires
    assert not holds[0]["confirming"]
    clock.advance(61)                                    # b runs out
    assert [h["tag"] for h in city.show.live_holds()] == [a.tag]
    a.release()
    assert city.show.live_holds() == []
    with pytest.raises(tix.NotFound):
        tix.seats.live_holds(city.db, 999)
