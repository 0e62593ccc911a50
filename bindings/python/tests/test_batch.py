"""db.batch(): catalog writes of one thread in one transaction."""
import os
import threading

import pytest

import tix

from conftest import build_city, needs

pytestmark = needs("tix_db_begin", "tix_db_commit", "tix_db_rollback")


def places(db):
    country = tix.Place.create(db, "India")
    state = tix.Place.create(db, "Goa", parent=country)
    return tix.Place.create(db, "Panaji", parent=state, utc_offset_min=330)


def names(db, city):
    return sorted(v.name for v in tix.Venue.list(db, city))


def test_commit_makes_every_write_visible(db):
    city = places(db)
    with db.batch():
        v = tix.Venue.create(db, city, "Inox", lat=15.5, lon=73.8)
        s = tix.Screen.create(db, v, "Audi 1")
        t = s.add_tier("Std", 100, "INR")
        s.add_rows([("A", [tix.SeatSpec(n, x=n, tier=t) for n in (1, 2, 3)])])
        # This thread reads its own writes inside the batch...
        assert db.screen(s.id).seat_count == 3
    # ...and after the commit so does everyone.
    assert db.venue(v.id).name == "Inox"
    assert len(tix.Seat.list(db, s)) == 3


def test_exception_rolls_everything_back(db):
    city = places(db)
    with pytest.raises(RuntimeError):
        with db.batch():
            v = tix.Venue.create(db, city, "Inox", lat=15.5, lon=73.8)
            raise RuntimeError("payment gateway down")
    with pytest.raises(tix.NotFound):
        db.venue(v.id)
    # The name is free again: the venue never existed.
    assert tix.Venue.create(db, city, "Inox", lat=15.5, lon=73.8).id == v.id


def test_a_failed_call_inside_changes_nothing_and_the_batch_goes_on(db):
    city = places(db)
    with db.batch():
        tix.Venue.create(db, city, "Inox", lat=15.5, lon=73.8)
        with pytest.raises(tix.Exists):
            tix.Venue.create(db, city, "Inox", lat=1, lon=1)
        with pytest.raises(tix.InvalidArgument):
            tix.Venue.create(db, city, "Bad\x01name", lat=1, lon=1)
        tix.Venue.create(db, city, "PVR", lat=15.4, lon=73.9)
    assert names(db, city) == ["Inox", "PVR"]


def test_rollback_and_commit_end_it_early(db):
    city = places(db)
    with db.batch() as b:
        v = tix.Venue.create(db, city, "Inox", lat=15.5, lon=73.8)
        assert b.open
        b.rollback()  # a dry run
        assert not b.open
    with pytest.raises(tix.NotFound):
        db.venue(v.id)
    with db.batch() as b:
        v = tix.Venue.create(db, city, "Inox", lat=15.5, lon=73.8)
        b.commit()
        with pytest.raises(tix.State):
            b.commit()
    assert db.venue(v.id).name == "Inox"


def test_nested_batches_are_savepoints(db):
    city = places(db)
    with db.batch():
        outer = tix.Venue.create(db, city, "Outer", lat=1, lon=1)
        with pytest.raises(KeyError):
            with db.batch():
                inner = tix.Venue.create(db, city, "Inner", lat=2, lon=2)
                raise KeyError("undo only the inner level")
        with db.batch():
            kept = tix.Venue.create(db, city, "Kept", lat=3, lon=3)
    assert db.venue(outer.id).name == "Outer"
    assert db.venue(kept.id).name == "Kept"
    assert names(db, city) == ["Kept", "Outer"]
    assert inner.id == kept.id  # its id was handed out again


def test_seat_calls_are_refused_inside(tmp_path, clock):
    db = tix.open(str(tmp_path / "s"), durability="none", clock=clock)
    try:
        city = build_city(db)
        with db.batch():
            with pytest.raises(tix.State, match="batch"):
                city.show.hold_best(2)
            with pytest.raises(tix.State):
                city.show.availability()
            with pytest.raises(tix.State):
                db.sync()
            with pytest.raises(tix.State):
                db.backup(str(tmp_path / "b"))
            assert not os.path.exists(str(tmp_path / "b"))
            tix.Movie.create(db, "Allowed", 90)  # a catalog write joins
        with city.show.hold_best(2) as h:  # fine again after the batch
            assert len(h.seats) == 2
    finally:
        db.close()


def test_other_threads_see_nothing_and_wait(db):
    city = places(db)
    seen, done = [], threading.Event()

    def other():
        try:
            seen.append(db.venue(1).name)
        except tix.NotFound:
            seen.append(None)
        tix.Venue.create(db, city, "Second", lat=1, lon=1)  # waits
        done.set()

    with db.batch():
        tix.Venue.create(db, city, "First", lat=2, lon=2)
        t = threading.Thread(target=other)
        t.start()
        assert not done.wait(0.3)  # its write waits for the batch
        assert seen == [None]      # and its read did not see the batch
    t.join(10)
    assert done.is_set()
    assert names(db, city) == ["First", "Second"]


def test_close_inside_the_batch_rolls_it_back(tmp_path):
    path = str(tmp_path / "s")
    db = tix.open(path, durability="none")
    city = places(db)
    with pytest.raises(tix.State, match="closed inside the batch"):
        with db.batch():
            tix.Venue.create(db, city, "Gone", lat=1, lon=1)
            db.close()
    db = tix.open(path, durability="none")
    try:
        assert names(db, city) == []
    finally:
        db.close()


def test_close_from_another_thread_waits_for_the_batch(tmp_path):
    db = tix.open(str(tmp_path / "s"), durability="none")
    city = places(db)
    closed = threading.Event()

    def closer():
        db.close()
        closed.set()

    with db.batch():
        tix.Venue.create(db, city, "Kept", lat=1, lon=1)
        t = threading.Thread(target=closer)
        t.start()
        assert not closed.wait(0.3)  # close() waits for the batch's end
        with pytest.raises(tix.State, match="closed"):
            tix.Venue.create(db, city, "Late", lat=2, lon=2)  # new calls: no
    t.join(10)
    assert closed.is_set()
    db = tix.open(str(tmp_path / "s"), durability="none")
    try:
        assert names(db, city) == ["Kept"]
    finally:
        db.close()
