"""Sales channels and multi-show holds through the binding."""
import pytest

import tix


def test_channel_seats_sell_only_through_their_channel(city, payref):
    db, show = city.db, city.show
    box = db.create_channel("box office")
    assert db.channel_by_name("box office").id == box.id
    assert [c.name for c in db.channels()] == ["box office"]
    with pytest.raises(tix.Exists):
        db.create_channel("box office")
    show.assign_channel(box, ["B5", "B6"])
    with pytest.raises(tix.Permission):
        show.hold(["B5"])
    h = show.hold(["B5", "B4"], channel=box)
    # The channel travels in the handle.
    back = db.hold_from_string(str(h))
    b = back.confirm(city.user, payref())
    assert b.channel_id == box.id and b.group_id == 0
    assert b.as_dict()["channel_id"] == box.id
    av = show.channel_availability()
    assert av[0]["channel_id"] == 0
    assert av[1]["channel_id"] == box.id and av[1]["booked"] == 1
    chans = show.seat_channels()
    assert chans[show.seat_index("B6")] == box.id
    show.release_channel(box)
    show.hold(["B6"]).release()
    with pytest.raises(tix.Already):
        show.release_channel(box)


def test_best_available_and_tier_share(city):
    db, show = city.db, city.show
    app = db.create_channel("app")
    show.assign_channel_tier(app, city.silver, 6)
    h = show.hold_best(2, tier=city.silver, channel=app)
    assert all(show.seat_channels()[s] == app.id for s in h.seats)
    with pytest.raises(tix.InvalidArgument):
        show.hold([1], channel=256)


def test_group_hold_and_confirm(city, payref):
    db = city.db
    show2 = tix.Show.create(db, city.movie, city.screen, db.now() + 3 * 86400)
    holds = db.hold_group([(city.show, [1, 2]), (show2, [3])])
    assert [h.show_id for h in holds] == [city.show.id, show2.id]
    ref = payref()
    books = db.confirm_group(holds, city.user, ref)
    assert [b.group_id for b in books] == [books[0].id] * 2
    assert books[1].payment_ref == ref + "#2"
    # All or nothing at hold time.
    with pytest.raises(tix.Conflict):
        db.hold_group([(city.show, [5]), (show2, [3])])
    assert city.show.seat_states()[5] == tix.SeatState.FREE


def test_channel_moves_in_seat_history(city):
    db, show = city.db, city.show
    box = db.create_channel("box office")
    show.assign_channel(box, ["C3"])
    show.assign_channel(None, ["C3"])
    events = show.seat_history("C3")["events"]
    assert [(e["type"], e["channel_id"], e["booking_id"]) for e in events] == [
        ("channel", box.id, 0), ("channel", 0, 0)]
