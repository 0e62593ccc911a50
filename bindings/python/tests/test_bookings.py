"""Confirm, bookings, tickets, QR payloads, cancel, check-in, availability."""
import datetime

import pytest

import tix
from conftest import at


def test_confirm_returns_booking_with_tickets(city, payref):
    ref = payref()
    with city.show.hold([14, 15, 16]) as h:
        b = h.confirm(user=city.user, payment_ref=ref, seats_per_ticket=2)
    assert isinstance(b, tix.Booking)
    assert (b.user_id, b.show_id, b.payment_ref) == (city.user.id,
                                                     city.show.id, ref)
    assert b.status == tix.BookingStatus.CONFIRMED and not b.cancelled
    assert b.seat_indexes == [14, 15, 16]
    assert b.total_minor == 3 * 28000 and b.currency == "INR"
    assert all(s.tier_id == city.gold.id and s.price_minor == 28000
               for s in b.seats)
    assert [len(t.seats) for t in b.tickets] == [2, 1]
    for t in b.tickets:
        assert len(t.code) == tix.lib.TIX_TICKET_CODE_LEN
        assert t.qr == "tix1:%s:%d:%s" % (t.code, city.show.id,
                                          ",".join(map(str, t.seats)))
        assert t.checked_in_at is None and t.gate == ""
    assert city.show.seat_states()[14] == tix.SeatState.BOOKED


def test_same_payment_ref_gives_same_booking(city, payref):
    ref = payref()
    h = city.show.hold([3])
    b1 = h.confirm(city.user, ref)
    b2 = h.confirm(city.user, ref)   # the gateway calls back twice
    assert b1 == b2
    assert city.db.booking_by_payment(ref) == b1
    assert len(city.show.bookings()) == 1
    h.close()


def test_confirm_after_expiry_when_seats_still_free(city, clock, payref):
    h = city.show.hold([4], ttl=10)
    clock.advance(60)
    b = h.confirm(city.user, payref())           # late payment still books
    assert b.seat_indexes == [4]
    h.close()


def test_confirm_after_expiry_when_seat_taken(city, clock, payref):
    h = city.show.hold([5, 6], ttl=10)
    clock.advance(60)
    other = city.show.hold([6])
    with pytest.raises(tix.Expired):
        h.confirm(city.user, payref())
    # nothing booked, the other hold untouched
    assert city.show.seat_states()[5] == tix.SeatState.FREE
    assert city.show.seat_states()[6] == tix.SeatState.HELD
    other.close()
    h.close()


def test_confirm_unknown_user(city, payref):
    with city.show.hold([7]) as h:
        with pytest.raises(tix.NotFound):
            h.confirm(9999, payref())
    # the failed confirm left the hold in place
    assert city.show.seat_states()[7] == tix.SeatState.HELD


def test_confirm_bad_payment_ref(city):
    with city.show.hold([8]) as h:
        with pytest.raises(tix.InvalidArgument):
            h.confirm(city.user, "")


def test_confirm_async(city, payref):
    h = city.show.hold([9, 10])
    with h.confirm_async(city.user, payref()) as pc:
        b = pc.wait(timeout=10)
        assert b.seat_indexes == [9, 10]
        assert pc.poll() == b and pc.done
    assert pc.wait() == b  # the result stays after close
    h.close()


def test_confirm_async_freed_in_flight_still_books(city, payref):
    from conftest import wait_for
    ref = payref()
    with city.show.hold([27]) as h:
        pc = h.confirm_async(city.user, ref)
    pc.close()
    with pytest.raises(tix.State):
        pc.wait()

    def booked():
        try:
            return city.db.booking_by_payment(ref)
        except tix.NotFound:
            return None
    assert wait_for(booked).seat_indexes == [27]


def test_booking_lookups(city, payref):
    b1 = city.show.hold([11]).confirm(city.user, payref())
    b2 = city.show.hold([12]).confirm(city.user, payref())
    assert city.user.bookings() == [b1, b2]
    assert tix.Booking.list_by_show(city.db, city.show) == [b1, b2]
    assert city.db.booking(b2.id).seat_indexes == [12]
    with pytest.raises(tix.NotFound):
        city.db.booking(999)
    with pytest.raises(tix.NotFound):
        city.db.booking_by_payment("nope")


def test_cancel_frees_seats(city, payref):
    b = city.show.hold([20, 21]).confirm(city.user, payref())
    assert city.show.availability()["booked"] == 2
    b.cancel()
    assert b.cancelled and b.cancelled_at is not None
    assert b.cancelled_at.tzinfo is not None
    assert city.show.availability()["booked"] == 0
    with city.show.hold([20, 21]):
        pass
    with pytest.raises(tix.Already):
        b.cancel()
    with pytest.raises(tix.State):
        city.db.checkin(b.tickets[0].code, "Gate A")


def test_checkin_once(city, clock, payref):
    b = city.show.hold([22, 23]).confirm(city.user, payref(),
                                         seats_per_ticket=2)
    code = b.tickets[0].code
    ci = city.db.checkin(code, "Gate A")
    assert ci == tix.CheckIn(b.id, city.show.id, 2, at(clock.now), "Gate A")
    first = at(clock.now)
    clock.advance(90)
    with pytest.raises(tix.Already) as ei:
        city.db.checkin(code.lower(), "Gate B")
    e = ei.value
    assert (e.checked_in_at, e.gate) == (first, "Gate A")
    assert e.checkin.booking_id == b.id
    t = b.refresh().tickets[0]
    assert (t.checked_in_at, t.gate) == (first, "Gate A")


def test_checkin_code_forms(city, payref):
    b = city.show.hold([24]).confirm(city.user, payref())
    code = b.tickets[0].code
    spaced = "-".join(code[i:i + 4] for i in range(0, len(code), 4))
    assert city.db.checkin(spaced.lower(), "G").booking_id == b.id


def test_checkin_errors(city, payref):
    b = city.show.hold([26]).confirm(city.user, payref())
    code = b.tickets[0].code
    # one changed symbol fails the check symbol
    swapped = code[:3] + ("0" if code[3] != "0" else "1") + code[4:]
    with pytest.raises(tix.BadCode):
        city.db.checkin(swapped, "G")
    with pytest.raises(tix.BadCode):
        city.db.checkin("", "G")


def test_availability_shape_and_counts(city, payref):
    a = city.show.availability()
    assert a == {"show_id": city.show.id, "total": 30, "free": 30, "held": 0,
                 "booked": 0, "unavailable": 0,
                 "tiers": [{"tier_id": city.silver.id, "total": 10, "free": 10,
                            "held": 0, "booked": 0, "unavailable": 0},
                           {"tier_id": city.gold.id, "total": 20, "free": 20,
                            "held": 0, "booked": 0, "unavailable": 0}]}
    h = city.show.hold([0, 15])
    city.show.hold([16, 17]).confirm(city.user, payref())
    city.show.block([29])
    a = city.show.availability()
    assert (a["free"], a["held"], a["booked"], a["unavailable"]) == (25, 2, 2, 1)
    assert a["tiers"][0]["held"] == 1 and a["tiers"][1]["booked"] == 2
    h.close()


def test_seat_states_and_map(city, payref):
    city.show.hold([1]).close()
    city.show.hold([2]).confirm(city.user, payref())
    st = city.show.seat_states()
    assert len(st) == 30
    assert st[:4] == [tix.SeatState.FREE, tix.SeatState.HELD,
                      tix.SeatState.BOOKED, tix.SeatState.FREE]
    m = city.show.seat_map()
    assert m[2]["label"] == "A3" and m[2]["state"] == tix.SeatState.BOOKED
    assert set(m[0]) >= {"index", "row", "number", "x", "y", "tier_id",
                         "flags", "state", "label"}


def test_booking_as_dict_is_json_ready(city, payref):
    import json
    b = city.show.hold([3]).confirm(city.user, payref())
    d = json.loads(json.dumps(b.as_dict()))
    assert d["status"] == "confirmed" and d["tickets"][0]["qr"].startswith("tix1:")


def test_show_cancel_refunds_and_closes_the_show(city, payref):
    b = city.show.hold([20, 21]).confirm(city.user, payref())
    h = city.show.hold([3])
    with pytest.raises(tix.Busy, match="held"):
        city.show.cancel("flood")
    h.release()
    assert city.db.booking(b.id).status == tix.BookingStatus.CONFIRMED
    with pytest.raises(tix.InvalidArgument):
        city.show.cancel("two\nlines")
    sh = city.show.cancel("flood")
    assert sh.cancelled and not city.show.cancelled  # read back, not mutated
    assert city.db.booking(b.id).cancelled
    assert set(city.show.seat_states()) == {tix.SeatState.UNAVAILABLE}
    with pytest.raises(tix.State, match="cancelled"):
        city.show.hold([5])
    with pytest.raises(tix.Already):
        sh.cancel()
    ev = [e for e in tix.Consumer.register(city.db, "t").read(1000)
          if e.type == tix.EventType.SHOW_CANCELLED]
    assert len(ev) == 1 and ev[0].show_id == sh.id and ev[0].gate == "flood"


def test_show_reschedule_moves_it_and_tells_buyers(city, payref):
    b = city.show.hold([20]).confirm(city.user, payref())
    start, length = city.show.start, city.show.end - city.show.start
    later = start + datetime.timedelta(hours=5)
    sh = city.show.reschedule(later)
    assert sh.start == later and sh.end == later + length
    with pytest.raises(tix.OutOfRange):
        sh.reschedule(0)
    other = tix.Show.create(city.db, city.movie, city.screen,
                            later + datetime.timedelta(days=1))
    with pytest.raises(tix.Overlap):
        other.reschedule(later + datetime.timedelta(minutes=30))
    ev = [e for e in tix.Consumer.register(city.db, "r").read(1000)
          if e.type == tix.EventType.RESCHEDULED]
    assert [(e.booking_id, e.old_start, e.show_start) for e in ev] == [
        (b.id, start, later)]
    sh.cancel()
    with pytest.raises(tix.State, match="cancelled"):
        sh.reschedule(later + datetime.timedelta(hours=1))
