"""No leaked C memory: every wrapper frees what libtix allocated.

glibc's mallinfo2() counts bytes in use in the C heap (Python objects live
in pymalloc arenas, LMDB in its mmap, so neither disturbs it). Each
operation runs a few thousand times after a warm-up; the heap must not
grow by more than a fraction of a byte per call. A single leaked hold
handle shows up as ~65 bytes per call (checked below), a leaked record or
list as more.
"""
import gc

import pytest

import tix
from tix import ffi
from conftest import needs

try:
    _mi = tix._ffi.FFI()   # a private FFI: the binding's cdef stays libtix's
    _mi.cdef("struct mallinfo2 { size_t arena, ordblks, smblks, hblks, hblkhd,"
             " usmblks, fsmblks, uordblks, fordblks, keepcost; };"
             " struct mallinfo2 mallinfo2(void);")
    _libc = _mi.dlopen(None)
    _libc.mallinfo2
except (OSError, AttributeError):  # not glibc >= 2.33
    _libc = None

pytestmark = pytest.mark.skipif(_libc is None, reason="no mallinfo2()")

RUNS = 2000


def heap_used():
    gc.collect()
    return _libc.mallinfo2().uordblks


def growth_per_call(fn):
    for i in range(200):
        fn(i)
    before = heap_used()
    for i in range(RUNS):
        fn(i)
    return (heap_used() - before) / RUNS


def test_detector_sees_a_deliberate_leak(city):
    out = ffi.new("tix_hold **")

    def leak(i):
        arr = ffi.new("uint32_t[]", [i % 20])
        tix.lib.tix_hold_create(city.db._ptr, city.show.id, arr, 1, ffi.NULL, out)
        tix.lib.tix_hold_release(city.db._ptr, out[0])   # never freed
    assert growth_per_call(leak) > 16


def _nf(db):
    def f(i):
        try:
            db.venue(99999)
        except tix.NotFound:
            pass
    return f


@pytest.mark.parametrize("name", [
    "hold+release+close", "hold dropped unclosed", "hold ctx on exception",
    "hold_best", "hold string round trip", "availability", "seat_states",
    "seat list", "movie get", "user pages", "booking get", "bookings by show",
    "not found error", "checkin repeat", "extend",
])
def test_no_growth(city, payref, name):
    db, show = city.db, city.show
    b = show.hold([29]).confirm(city.user, payref())
    code = b.tickets[0].code
    db.checkin(code, "G")
    with show.hold([28]) as h:
        text = str(h)
    keep = show.hold([27], ttl=600)

    def ctx(i):
        try:
            with show.hold([i % 20]):
                raise KeyError
        except KeyError:
            pass

    def checkin(i):
        try:
            db.checkin(code, "G2")
        except tix.Already:
            pass

    ops = {
        "hold+release+close": lambda i: (lambda h: (h.release(), h.close()))(
            show.hold([i % 20])),
        "hold dropped unclosed": lambda i: show.hold([i % 20]).release(),
        "hold ctx on exception": ctx,
        "hold_best": lambda i: (lambda h: (h.release(), h.close()))(
            show.hold_best(2)),
        "hold string round trip": lambda i: tix.Hold.from_string(db, text).close(),
        "availability": lambda i: show.availability(),
        "seat_states": lambda i: show.seat_states(),
        "seat list": lambda i: show.seats(),
        "movie get": lambda i: db.movie(city.movie.id),
        "user pages": lambda i: list(tix.User.list(db, page=1)),
        "booking get": lambda i: db.booking(b.id),
        "bookings by show": lambda i: show.bookings(),
        "not found error": _nf(db),
        "checkin repeat": checkin,
        "extend": lambda i: keep.extend(600),
    }
    assert growth_per_call(ops[name]) < 1.0
    keep.close()


def test_no_growth_confirm_and_cancel(city, payref):
    def f(i):
        with show.hold([i % 20]) as h:
            b = h.confirm(city.user, payref(), seats_per_ticket=1)
        b.cancel()
    show = city.show
    # Write transactions let LMDB keep malloc'ed 4 KiB dirty pages for
    # reuse, a page now and then as the store grows (4112 bytes a time):
    # allow less than half the smallest malloc chunk (32 bytes) per call,
    # which any per-call leak exceeds.
    assert growth_per_call(f) < 16


@needs("tix_outbox_read", "tix_movie_search", "tix_review_list_by_movie")
def test_no_growth_newer_sections(city, payref):
    c = city.db.consumer("leak")
    with city.show.hold([3]) as h:
        h.confirm(city.user, payref())
    city.movie.review(city.user, 7, "fine")

    def f(i):
        c.read(10)
        city.db.search("orbit")
        list(city.movie.reviews())
        city.movie.rating_summary()
    assert growth_per_call(f) < 1.0
