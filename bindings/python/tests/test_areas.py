"""General-admission areas: places sold by count beside seats, through
the binding (create, hold with seats, confirm, check-in, cancel, counts,
bad inputs)."""
import pytest

import tix
from conftest import build_city


@pytest.fixture
def fest(db):
    """A screen with 30 seats and a 40-place standing area, then a show."""
    ns = build_city(db)  # its screen has a show: areas go on a new one
    ns.screen2 = tix.Screen.create(db, ns.venue, "Arena")
    ns.lawn = ns.screen2.add_tier("Lawn", 9900, "INR")
    ns.pit = ns.screen2.add_tier("Pit", 15000, "INR")
    ns.screen2.add_rows([("A", [tix.SeatSpec(n, x=n, y=0, tier=ns.pit)
                                for n in range(1, 6)])])
    ns.area = ns.screen2.add_area("LAWN", ns.lawn, 40)
    ns.show2 = tix.Show.create(db, ns.movie, ns.screen2, db.now() + 86400)
    return ns


def test_area_record_and_places(fest):
    a = fest.area
    assert (a.name, a.capacity, a.first_seat) == ("LAWN", 40, 5)
    assert a.tier_id == fest.lawn.id
    assert fest.db.area(a.id) == a
    assert [x.id for x in fest.screen2.areas()] == [a.id]
    assert fest.screen2.seat_count == 45
    seat = fest.screen2.seats()[a.first_seat + 3]
    assert (seat.row, seat.number) == ("LAWN", 4)
    assert seat.flags & tix.SeatFlag.STANDING
    assert list(a.places()) == list(range(5, 45))
    c = fest.show2.area_availability(a)
    assert (c["total"], c["free"], c["tier_id"]) == (40, 40, fest.lawn.id)


def test_mixed_hold_books_checks_in_and_cancels(fest, payref):
    h = fest.show2.hold_areas({fest.area: 3}, seats=["A2"])
    assert len(h.seats) == 4 and h.seats[0] == 1
    assert all(s in fest.area.places() for s in h.seats[1:])
    assert fest.show2.area_availability(fest.area)["held"] == 3
    b = h.confirm(fest.user, payref(), seats_per_ticket=1,
                  expected=(15000 + 3 * 9900, "INR"))
    assert b.total_minor == 15000 + 3 * 9900
    assert fest.show2.area_availability(fest.area)["booked"] == 3
    place_ticket = [t for t in b.tickets if t.seats[0] >= 5][0]
    fest.db.checkin(place_ticket.code, "Gate 1")
    with pytest.raises(tix.CheckedIn):
        b.cancel()
    b.cancel(after_checkin=True)
    assert fest.show2.area_availability(fest.area)["free"] == 40


def test_sold_out_area_is_a_conflict_and_holds_nothing(fest):
    holds = [fest.show2.hold_areas({fest.area: 10}) for _ in range(4)]
    with pytest.raises(tix.Conflict, match="0 free places"):
        fest.show2.hold_areas({fest.area: 1})
    holds[0].release()
    holds.append(fest.show2.hold_areas({fest.area: 6}))
    with pytest.raises(tix.Conflict):
        fest.show2.hold_areas({fest.area: 5}, seats=[0])
    c = fest.show2.area_availability(fest.area)
    assert (c["free"], c["held"]) == (4, 36)
    with fest.show2.hold([0]):
        pass  # seat 0 was not left held by the refused hold


def test_bad_inputs(fest):
    with pytest.raises(tix.InvalidArgument):
        fest.show2.hold_areas({})
    with pytest.raises(tix.InvalidArgument):
        fest.show2.hold_areas({fest.area: 0})
    with pytest.raises(tix.NotFound):
        fest.show2.hold_areas({fest.lawn.id: 1})   # a tier, not an area
    with pytest.raises(tix.NotFound):
        fest.show.hold_areas({fest.area: 1})       # another screen's area
    with pytest.raises(tix.Limit):
        fest.show2.hold_areas({fest.area: 11})
    with pytest.raises(tix.Busy):
        fest.screen2.add_area("PIT", fest.pit, 5)  # the screen has a show
    s3 = tix.Screen.create(fest.db, fest.venue, "Hall")
    t3 = s3.add_tier("Hall", 100, "INR")
    s3.add_rows([("A", [tix.SeatSpec(1, x=1, y=0, tier=t3)])])
    with pytest.raises(tix.Exists):
        s3.add_area("A", t3, 5)  # row A: the label is taken
    with pytest.raises(tix.TooLong):
        s3.add_area("STANDING1", t3, 5)
    with pytest.raises(tix.OutOfRange):
        s3.add_area("FLOOR", t3, 0)
    with pytest.raises(tix.InvalidArgument):
        s3.add_area("FLOOR", fest.lawn, 5)  # a tier of another screen
    assert s3.areas() == [] and s3.seat_count == 1
