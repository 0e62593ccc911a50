"""Per-customer caps: per show, per movie, counted at confirm, given back by
a cancel, checked early by holds that name the user."""
import datetime
import threading

import pytest

import tix


def test_show_cap_refuses_the_confirm_past_it(city, payref):
    city.show.set_user_cap(4)
    b = city.show.hold([10, 11, 12]).confirm(city.user, payref())
    h = city.show.hold([20, 21])
    with pytest.raises(tix.Limit, match="at most 4 seats"):
        h.confirm(city.user, payref())
    assert city.show.user_caps(city.user) == {
        "show_cap": 4, "show_booked": 3, "movie_cap": 0, "movie_booked": 0}
    b.cancel()
    assert city.show.user_caps(city.user)["show_booked"] == 0
    h.confirm(city.user, payref())          # the hold stayed
    assert city.show.user_caps(city.user)["show_booked"] == 2


def test_movie_cap_and_early_check(city, payref):
    city.movie.set_user_cap(2)
    with pytest.raises(tix.Limit):
        city.show.hold([10, 11, 12], user=city.user)
    with pytest.raises(tix.Limit):
        city.show.hold_best(3, user=city.user)
    city.show.hold_best(2, user=city.user).confirm(city.user, payref())
    assert city.show.user_caps(city.user)["movie_booked"] == 2
    city.movie.set_user_cap(0)
    assert city.show.user_caps(city.user)["movie_cap"] == 0


def test_create_with_a_cap(city, db):
    show = tix.Show.create(db, city.movie, city.screen,
                           db.now() + 3 * 86400, user_cap=6)
    assert show.user_caps()["show_cap"] == 6


def test_bad_caps(city):
    with pytest.raises(tix.OutOfRange):
        city.show.set_user_cap(100001)
    with pytest.raises(tix.InvalidArgument):
        city.show.set_user_cap(-1)
    with pytest.raises(tix.NotFound):
        city.show.user_caps(999)
    assert city.show.user_caps()["show_cap"] == 0


def test_threads_never_pass_the_cap(city, payref):
    city.show.set_user_cap(5)
    booked, refused, lock = [], [], threading.Lock()

    def buyer():
        for _ in range(6):
            try:
                h = city.show.hold_best(1)
            except tix.Conflict:
                continue
            try:
                h.confirm(city.user, payref())
                with lock:
                    booked.append(1)
            except tix.Limit:
                with lock:
                    refused.append(1)
                h.release()

    threads = [threading.Thread(target=buyer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(booked) == 5 and refused
    assert city.show.user_caps(city.user)["show_booked"] == 5


def test_seat_history(city, clock, payref):
    # (lives here with the other selling features of issue 17)
    h = city.show.hold([14, 15])
    assert city.show.seat_history(14)["state"] == tix.SeatState.HELD
    b = h.confirm(city.user, payref(), seats_per_ticket=1)
    clock.advance(30)
    city.db.checkin(b.tickets[0].code, "North")
    clock.advance(30)
    b.cancel(after_checkin=True)
    city.show.block([14])
    hist = city.show.seat_history(14)
    assert hist["state"] == tix.SeatState.UNAVAILABLE
    assert [e["type"] for e in hist["events"]] == [
        "booked", "checked_in", "cancelled", "blocked"]
    assert hist["events"][0]["booking_id"] == b.id
    assert hist["events"][0]["user_id"] == city.user.id
    assert hist["events"][1]["gate"] == "North"
    gap = hist["events"][2]["at"] - hist["events"][0]["at"]
    assert gap == datetime.timedelta(seconds=60)
    assert hist["events"][0]["at"].tzinfo is not None
    with pytest.raises(tix.InvalidArgument):
        city.show.seat_history(10_000)
    with pytest.raises(tix.InvalidArgument):
        city.show.seat_history(-1)
