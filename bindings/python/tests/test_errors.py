"""Every negative code maps to its own tix.Error subclass with the detail
message; most are provoked through real calls."""
import datetime
import pickle

import pytest

import tix
from tix.errors import BY_CODE, error_for


def test_hierarchy_and_builtins():
    assert issubclass(tix.InvalidArgument, ValueError)
    assert issubclass(tix.NotFound, LookupError)
    assert issubclass(tix.NoMemory, MemoryError)
    for cls in BY_CODE.values():
        assert issubclass(cls, tix.Error)


def test_attributes_and_str(db):
    with pytest.raises(tix.NotFound) as ei:
        tix.Venue.get(db, 999)
    e = ei.value
    assert e.code == tix.lib.TIX_ENOTFOUND == -2
    assert e.name.startswith("TIX_ENOTFOUND")
    assert "999" in e.message
    assert e.call == "tix_venue_get"
    assert e.symbol == "TIX_ENOTFOUND"
    assert str(e) == "TIX_ENOTFOUND: %s" % e.message


def test_str_says_not_found_once(db):
    """Issue 19: "not found show 9999 not found" read the generic text and
    the detail back to back."""
    with pytest.raises(tix.NotFound) as ei:
        db.show(9999)
    assert str(ei.value) == "TIX_ENOTFOUND: show 9999 not found"
    assert str(ei.value).count("not found") == 1
    assert str(tix.NotFound()) == "TIX_ENOTFOUND: not found"


def test_pickle_round_trip():
    e = tix.Conflict("seat 4 of show 1 is held", call="tix_hold_create")
    e2 = pickle.loads(pickle.dumps(e))
    assert type(e2) is tix.Conflict and e2.message == e.message
    assert e2.code == -4 and e2.call == "tix_hold_create"


def test_unknown_code_gives_base_error():
    e = error_for(-999)
    assert type(e) is tix.Error and e.code == -999


def test_exists(city):
    with pytest.raises(tix.Exists):
        tix.Place.create(city.db, "India")


def test_invalid_argument(city):
    with pytest.raises(tix.InvalidArgument):
        tix.User.create(city.db, "X", "not-an-email")


def test_out_of_range(city):
    with pytest.raises(tix.OutOfRange):
        tix.Venue.create(city.db, city.city, "Moon Cinema", lat=91.0)


def test_too_long(city):
    with pytest.raises(tix.TooLong):
        tix.Movie.create(city.db, "x" * 129, 100)


def test_bad_utf8(city):
    with pytest.raises(tix.BadUTF8):
        tix.Movie.create(city.db, b"bad \xff title", 100)


def test_nul_in_string_is_refused_before_c(city):
    with pytest.raises(tix.InvalidArgument, match="NUL"):
        tix.Movie.create(city.db, "a\0b", 100)


def test_overlap(city):
    with pytest.raises(tix.Overlap) as ei:
        tix.Show.create(city.db, city.movie, city.screen,
                        city.show.start + datetime.timedelta(minutes=10))
    assert ei.value.message


def test_limit(city):
    with pytest.raises(tix.Limit):
        city.show.hold(range(11))


def test_conflict_names_the_seat(city):
    h = city.show.hold([3, 4])
    with pytest.raises(tix.Conflict) as ei:
        city.show.hold([4])
    assert "4" in ei.value.message
    h.close()


def test_bad_code(city):
    with pytest.raises(tix.BadCode):
        city.db.checkin("0000-not-a-code", "Gate A")
    with pytest.raises(tix.BadCode):
        tix.Hold.from_string(city.db, "H1garbage")


def test_expired(city, clock):
    h = city.show.hold([1], ttl=60)
    clock.advance(61)
    with pytest.raises(tix.Expired):
        h.extend()
    h.close()


def test_already(city, payref):
    b = city.show.hold([5]).confirm(city.user, payref())
    b.cancel()
    with pytest.raises(tix.Already):
        b.cancel()


def test_state_after_show_ended(city, clock):
    clock.advance(2 * 86400)
    with pytest.raises(tix.State):
        city.show.hold([1])


def test_permission_and_busy_in_test_db():
    # covered with real stores in test_db.py; here just the mapping
    assert BY_CODE[tix.lib.TIX_EPERM] is tix.Permission
    assert BY_CODE[tix.lib.TIX_EBUSY] is tix.Busy
    assert BY_CODE[tix.lib.TIX_EIO] is tix.IOFailure


def test_error_message_is_per_thread(city):
    """tix_errmsg() is thread-local: a failure in another thread does not
    change the detail of this one."""
    import threading
    with pytest.raises(tix.NotFound) as ei:
        tix.Movie.get(city.db, 4242)
    t = threading.Thread(target=lambda: pytest.raises(
        tix.Exists, tix.Place.create, city.db, "India"))
    t.start()
    t.join()
    assert "4242" in ei.value.message
