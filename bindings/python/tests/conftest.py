"""Shared fixtures of the tix binding tests.

Run with the Debian interpreter: /usr/bin/python3 -m pytest -q
bindings/python/tests (`make test-python` does, with TIX_LIB pointing at the
debug build). A run that collects no test fails (see pytest_sessionfinish),
as does the Makefile on pytest's exit code 5.
"""
import datetime
import os
import sys
import time
import types

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PKG_ROOT = os.path.dirname(HERE)                      # bindings/python
REPO = os.path.dirname(os.path.dirname(PKG_ROOT))     # the repository
sys.path.insert(0, PKG_ROOT)

import tix  # noqa: E402  (after the path tweak)

try:  # no example database in the source tree (.hypothesis/)
    from hypothesis import settings as _hsettings
    _hsettings.register_profile("tix", database=None)
    _hsettings.load_profile("tix")
except ImportError:  # pragma: no cover - python3-hypothesis is a test dep
    pass

# A fixed "now" for stores opened with the fake clock: 2026-11-01 00:00 UTC.
T0 = 1793491200


def at(seconds):
    """The aware UTC datetime the binding gives for epoch @seconds."""
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def pytest_report_header(config):
    return "tix %s from %s" % (tix.version(), tix.LIB_PATH)


_ran = {"n": 0}


def pytest_runtest_logreport(report):
    if report.when == "call" and (report.passed or report.failed):
        _ran["n"] += 1


def pytest_sessionfinish(session, exitstatus):
    # A run in which no test actually ran (none collected, or every one
    # skipped) must not look like a pass, whatever runs pytest.
    if session.config.option.collectonly:
        return
    if exitstatus in (0, 5) and _ran["n"] == 0:
        session.exitstatus = 5
        sys.stderr.write("\ntix tests: no test ran -- failing\n")


def needs(*names):
    """Skip unless the loaded libtix exports every C function in @names."""
    missing = [n for n in names if not tix._ffi.has(n)]
    return pytest.mark.skipif(bool(missing), reason="libtix at %s lacks %s"
                              % (tix.LIB_PATH, ", ".join(missing)))


class FakeClock:
    """A settable store clock (seconds since the epoch)."""

    def __init__(self, now=T0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def db(tmp_path, clock):
    """A fresh store (no fsync) on the fake clock."""
    d = tix.open(str(tmp_path / "store"), durability="none", clock=clock)
    yield d
    d.close()


def build_city(db, rows=3, seats_per_row=10, accessible=True, show_start=None):
    """A small city: India > Karnataka > Bengaluru, one venue, one screen
    with Silver (row A) and Gold (other rows) tiers, a wheelchair pair at
    both ends of row A, a movie, a show tomorrow and a user."""
    ns = types.SimpleNamespace()
    ns.db = db
    ns.country = tix.Place.create(db, "India")
    ns.state = tix.Place.create(db, "Karnataka", parent=ns.country)
    ns.city = tix.Place.create(db, "Bengaluru", parent=ns.state,
                               utc_offset_min=330)
    ns.venue = tix.Venue.create(db, ns.city, "Cubbon Cineplex",
                                address="12 MG Road", lat=12.9756, lon=77.6066)
    ns.screen = tix.Screen.create(db, ns.venue, "Audi 1",
                                  ideal_x=(seats_per_row + 1) / 2,
                                  ideal_y=rows - 1)
    ns.silver = ns.screen.add_tier("Silver", 20000, "INR")
    ns.gold = ns.screen.add_tier("Gold", 28000, "INR")
    layout = []
    for r in range(rows):
        label = chr(ord("A") + r)
        specs = []
        for n in range(1, seats_per_row + 1):
            flags = 0
            if accessible and r == 0:
                if n in (1, seats_per_row):
                    flags = tix.SeatFlag.WHEELCHAIR
                elif n in (2, seats_per_row - 1):
                    flags = tix.SeatFlag.COMPANION
            specs.append(tix.SeatSpec(n, x=n, y=r,
                                      tier=ns.silver if r == 0 else ns.gold,
                                      flags=flags))
        layout.append((label, specs))
    ns.screen.add_rows(layout)
    ns.movie = tix.Movie.create(db, "Orbit 9", 165, certificate="U/A",
                                languages=["English", "Hindi"],
                                genres=["Science Fiction"])
    start = show_start if show_start is not None else db.now() + 86400
    ns.show = tix.Show.create(db, ns.movie, ns.screen, start)
    ns.user = tix.User.create(db, "Asha Rao", "asha@example.com",
                              phone="+919800000001", home_city=ns.city,
                              languages=["Kannada"], genres=["Drama"])
    return ns


@pytest.fixture
def city(db):
    return build_city(db)


_refs = iter(range(1, 1 << 62))


@pytest.fixture
def payref():
    """A fresh payment reference each call."""
    return lambda: "pay_%d_%d" % (os.getpid(), next(_refs))


def wait_for(pred, timeout=10.0, step=0.02):
    """Polls @pred until it is true or @timeout seconds pass (bounded)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()
