"""tix.open / tix.Database: options, lifetime, guard, finalizer."""
import os
import gc
import threading
import time

import pytest

import tix
from conftest import build_city, needs


def test_open_context_manager_closes(tmp_path):
    with tix.open(str(tmp_path / "s")) as db:
        assert not db.closed
        assert db.path.endswith("s")
        assert abs(db.now() - time.time()) < 5
    assert db.closed
    with pytest.raises(tix.State):
        db.now()
    # closed for real: the same process may open it again (else TIX_EBUSY)
    with tix.open(str(tmp_path / "s")):
        pass


def test_close_is_idempotent(tmp_path):
    db = tix.open(str(tmp_path / "s"))
    db.close()
    db.close()
    assert "closed" in repr(db)


def test_pathlike_path(tmp_path):
    with tix.open(tmp_path / "s") as db:
        assert db.path == str(tmp_path / "s")


@pytest.mark.parametrize("name,value", [("full", tix.Durability.FULL),
                                        ("NOMETA", tix.Durability.NOMETA),
                                        ("none", tix.Durability.NONE),
                                        ("journal", tix.Durability.JOURNAL),
                                        (tix.Durability.NONE, tix.Durability.NONE)])
def test_durability_option(tmp_path, name, value):
    with tix.open(str(tmp_path / "s"), durability=name) as db:
        assert db.durability == value


def test_bad_durability(tmp_path):
    with pytest.raises(tix.InvalidArgument):
        tix.open(str(tmp_path / "s"), durability="sometimes")


def test_unknown_option_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="hold_tll"):
        tix.open(str(tmp_path / "s"), hold_tll=5)


def test_config_values_reach_the_library(tmp_path):
    with tix.open(str(tmp_path / "s"), durability="none", hold_ttl_default=42,
                  hold_max_seats=3) as db:
        c = build_city(db)
        h = c.show.hold([0, 1])
        assert h.expires_in() == 42
        assert h.expires.timestamp() - db.now() == 42
        with pytest.raises(tix.Limit):
            c.show.hold([3, 4, 5, 6])
        h.close()


def test_bad_config_value_from_library(tmp_path):
    with pytest.raises(tix.InvalidArgument) as ei:
        tix.open(str(tmp_path / "s"), hold_ttl_default=7200, hold_ttl_max=3600)
    assert ei.value.message  # the library says which field


def test_negative_option(tmp_path):
    with pytest.raises(tix.InvalidArgument):
        tix.open(str(tmp_path / "s"), hold_ttl_max=-1)


def test_second_open_in_process_is_busy(tmp_path):
    with tix.open(str(tmp_path / "s")):
        with pytest.raises(tix.Busy) as ei:
            tix.open(str(tmp_path / "s"))
        assert ei.value.code == tix.lib.TIX_EBUSY


def test_create_false_on_missing_store(tmp_path):
    with pytest.raises(tix.NotFound):
        tix.open(str(tmp_path / "nothing"), create=False)


def test_readonly_refuses_writes(tmp_path):
    with tix.open(str(tmp_path / "s")) as db:
        tix.Place.create(db, "India")
    with tix.open(str(tmp_path / "s"), readonly=True) as db:
        assert db.readonly
        assert [p.name for p in db.countries()] == ["India"]
        with pytest.raises(tix.Permission):
            tix.Place.create(db, "Nepal")


def test_fake_clock(tmp_path, clock):
    with tix.open(str(tmp_path / "s"), clock=clock) as db:
        assert db.now() == clock.now
        clock.advance(100)
        assert db.now() == clock.now


def test_broken_clock_falls_back_to_real_time(tmp_path):
    def clock():
        raise RuntimeError("no time")
    with tix.open(str(tmp_path / "s"), clock=clock) as db:
        assert abs(db.now() - time.time()) < 5


def test_sync(db):
    db.sync()


@needs("tix_db_backup")
def test_backup_opens_as_a_store(tmp_path, clock):
    with tix.open(str(tmp_path / "s"), durability="none", clock=clock) as db:
        c = build_city(db)
        with c.show.hold([3]) as h:
            b = h.confirm(c.user, "backup-1")
        db.backup(tmp_path / "copy")
        with pytest.raises(tix.Exists):
            db.backup(str(tmp_path / "copy"))
    with tix.open(str(tmp_path / "copy"), clock=clock) as copy:
        assert copy.booking(b.id).seat_indexes == [3]
        assert copy.show(c.show.id).seat_states()[3] == tix.SeatState.BOOKED


def test_finalizer_closes_dropped_database(tmp_path):
    db = tix.open(str(tmp_path / "s"))
    del db
    gc.collect()
    with tix.open(str(tmp_path / "s")):  # would be TIX_EBUSY if still open
        pass


def test_close_waits_for_calls_in_flight(tmp_path):
    """close() from one thread while others keep calling: every call either
    completes or raises tix.State -- never a crash."""
    db = tix.open(str(tmp_path / "s"), durability="none")
    c = build_city(db)
    errors, states, done = [], [0], [0]
    stop = threading.Event()

    def worker():
        while not stop.is_set():
            try:
                c.show.availability()
                done[0] += 1
            except tix.State:
                states[0] += 1
                return
            except Exception as e:  # pragma: no cover
                errors.append(e)
                return

    ts = [threading.Thread(target=worker) for _ in range(4)]
    for t in ts:
        t.start()
    time.sleep(0.1)
    db.close()
    stop.set()
    for t in ts:
        t.join(10)
    assert not any(t.is_alive() for t in ts)
    assert not errors
    assert done[0] > 0


def test_records_outlive_the_database(tmp_path):
    with tix.open(str(tmp_path / "s"), durability="none") as db:
        c = build_city(db)
    assert c.show.seat_count == 30 and c.user.email == "asha@example.com"
    with pytest.raises(tix.State):
        c.show.availability()


def test_version():
    assert tix.version().count(".") == 2
    assert tix.__version__ == tix.version()


def test_journal_mode_needs_the_store_alone(tmp_path):
    """A journal-mode store refuses a read-write open from another process
    (it would write around the journal); after close, anyone may open it."""
    import subprocess
    import sys
    path = str(tmp_path / "s")
    code = ("import sys, tix\n"
            "try:\n"
            "    tix.open(sys.argv[1], durability='full').close()\n"
            "except tix.Busy:\n"
            "    sys.exit(10)\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(tix.__file__))
    with tix.open(path, durability="journal") as db:
        assert db.durability == tix.Durability.JOURNAL
        r = subprocess.run([sys.executable, "-c", code, path], env=env)
        assert r.returncode == 10
    r = subprocess.run([sys.executable, "-c", code, path], env=env)
    assert r.returncode == 0


@needs("tix_backup_restore")
def test_restore_makes_the_store_the_backup(tmp_path, clock):
    store, copy = tmp_path / "s", tmp_path / "copy"
    with tix.open(str(store), durability="journal", clock=clock) as db:
        c = build_city(db)
        db.backup(copy)
        with c.show.hold([3]) as h:
            h.confirm(c.user, "after-backup")
        with pytest.raises(tix.Busy):           # open here: refused
            tix.restore(copy, store, replace=True)
    with pytest.raises(tix.Exists):
        tix.restore(copy, store)
    tix.restore(copy, store, replace=True)
    assert sorted(os.listdir(store)) == ["data.mdb"]
    with tix.open(str(store), durability="journal", clock=clock) as db:
        assert db.show(c.show.id).seat_states()[3] == tix.SeatState.FREE
    with pytest.raises(tix.NotFound):
        tix.restore(tmp_path / "nothing", tmp_path / "t")
    assert not (tmp_path / "t").exists()
