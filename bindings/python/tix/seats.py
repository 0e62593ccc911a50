"""The seat engine: holds, confirm, bookings, tickets, check-in, availability.

A Hold owns one C handle (tix_hold *). Close it with close() or a `with`
block; an ffi.gc finalizer frees it if the object is dropped unclosed.
Leaving a `with` block because of an exception releases the seats first;
leaving it normally only frees the handle and the seats stay held (until
confirmed, released or expired) -- take str(hold) inside the block if a
later request (the payment callback) needs the hold back.

Times (Hold.expires, Booking.created_at, Ticket.checked_in_at, ...) are
aware UTC datetimes; a time that has not happened (a booking never
cancelled, a ticket not checked in) is None.
"""
from __future__ import annotations

import datetime
import enum
import threading
from typing import (TYPE_CHECKING, Any, Dict, Iterable, List, NamedTuple,
                    Optional, Tuple)

from ._ffi import ffi, lib
from . import _util
from ._util import IdLike, as_id, dec, dec_array
from .errors import Error, InvalidArgument, State, error_for

if TYPE_CHECKING:
    from .db import Database
    from .offers import Quote


class SeatState(enum.IntEnum):
    """What a seat of a show is doing right now."""
    FREE = lib.TIX_SEAT_FREE
    HELD = lib.TIX_SEAT_HELD
    CONFIRMING = lib.TIX_SEAT_CONFIRMING
    BOOKED = lib.TIX_SEAT_BOOKED
    UNAVAILABLE = lib.TIX_SEAT_UNAVAILABLE


_STATES = tuple(SeatState)


class BookingStatus(enum.IntEnum):
    """A booking is confirmed, or cancelled (refunded)."""
    CONFIRMED = lib.TIX_BOOKING_CONFIRMED
    CANCELLED = lib.TIX_BOOKING_CANCELLED


def _seat_indexes(seats: Any) -> List[int]:
    if isinstance(seats, int):
        seats = (seats,)
    out = []
    for s in seats:
        if type(s) is not int:
            if hasattr(s, "index"):
                s = s.index
            _util.as_u32(s, "seat index")
        elif not 0 <= s < 4294967296:
            raise InvalidArgument("seat index %d out of range" % s)
        out.append(s)
    return out


def _ttl(ttl: Optional[int]) -> int:
    return 0 if ttl is None else _util.as_u32(ttl, "ttl")


# ---------------------------------------------------------------------------
# Holds

def _cstr(text: Optional[str], what: str, keep: List[Any]) -> Any:
    """A C string for an options field, kept alive in @keep for the call;
    NULL for None."""
    b = _util.enc(text, what)
    if b is None:
        return ffi.NULL
    c = ffi.new("char[]", b)
    keep.append(c)
    return c


def _new_hold_ptr() -> Any:
    return ffi.new("tix_hold **")


def hold_seats(db: Database, show_id: IdLike, seats: Iterable[Any],
               ttl: Optional[int] = None, request_key: Optional[str] = None,
               user: Optional[IdLike] = None,
               channel: Optional[IdLike] = None,
               queue_ticket: Optional[str] = None,
               box_office: bool = False) -> Hold:
    """Holds seats by index (Show.hold also takes labels)."""
    idx = _seat_indexes(seats)
    arr = ffi.new("uint32_t[]", idx) if idx else ffi.new("uint32_t[1]")
    opts, _keep = _hold_opts(ttl, request_key, user, channel, queue_ticket,
                             box_office)
    out = _new_hold_ptr()
    db._call("tix_hold_create", as_id(show_id, "show"), arr, len(idx), opts,
             out)
    return Hold(db, out[0], as_id(show_id, "show"), tuple(sorted(idx)))


def _hold_opts(ttl: Optional[int], request_key: Optional[str],
               user: Optional[IdLike], channel: Optional[IdLike],
               queue_ticket: Optional[str] = None,
               box_office: bool = False) -> Any:
    if (ttl is None and request_key is None and user is None and
            not channel and queue_ticket is None and not box_office):
        return ffi.NULL, None
    keep: List[Any] = []
    opts = ffi.new("tix_hold_opts *")
    opts.ttl = _ttl(ttl)
    opts.user_id = as_id(user, "user", allow_none=True)
    opts.channel = as_id(channel, "channel", allow_none=True)
    opts.request_key = _cstr(request_key, "request_key", keep)
    opts.queue_ticket = _cstr(queue_ticket, "queue_ticket", keep)
    opts.flags = lib.TIX_HOLD_BOX_OFFICE if box_office else 0
    return opts, keep


def hold_group(db: Database, parts: Iterable[Tuple[IdLike, Iterable[Any]]],
               ttl: Optional[int] = None, request_key: Optional[str] = None,
               user: Optional[IdLike] = None,
               channel: Optional[IdLike] = None) -> List[Hold]:
    """Holds seats of several shows, all or nothing: @parts is a list of
    (show, seat indexes). Returns one Hold per part."""
    parts = list(parts)
    c_parts = ffi.new("tix_hold_part[]", max(len(parts), 1))
    keep = []
    shown = []
    for i, (show, seats) in enumerate(parts):
        idx = _seat_indexes(seats)
        arr = ffi.new("uint32_t[]", idx) if idx else ffi.new("uint32_t[1]")
        keep.append(arr)
        c_parts[i].show_id = as_id(show, "show")
        c_parts[i].seats = arr
        c_parts[i].n_seats = len(idx)
        shown.append((c_parts[i].show_id, tuple(sorted(idx))))
    opts, _k = _hold_opts(ttl, request_key, user, channel)
    out = ffi.new("tix_hold *[]", max(len(parts), 1))
    db._call("tix_hold_group_create", c_parts, len(parts), opts, out)
    return [Hold(db, out[i], *shown[i]) for i in range(len(parts))]


def confirm_group(db: Database, holds: Iterable[Hold], user: IdLike,
                  payment_ref: str, seats_per_ticket: int = 0,
                  offer_code: Optional[str] = None) -> List[Booking]:
    """Books holds of several shows in one transaction, all or nothing:
    one Booking per hold, linked by group_id (the first one's id). Part i
    (from 1) gets payment reference "<payment_ref>#<i+1>"."""
    holds = list(holds)
    if not holds:
        raise InvalidArgument("no holds to confirm")
    opts, _keep = holds[0]._opts(user, payment_ref, seats_per_ticket,
                                 offer_code)
    arr = ffi.new("tix_hold *[]", [h._use() for h in holds])
    ids = ffi.new("tix_id[]", len(holds))
    db._call("tix_hold_group_confirm", arr, len(holds), opts, ids)
    return [Booking.get(db, ids[i]) for i in range(len(holds))]


def hold_best(db: Database, show_id: IdLike, n: int,
              tier: Optional[IdLike] = None, accessible: bool = False,
              any_tier: bool = False, ttl: Optional[int] = None,
              request_key: Optional[str] = None,
              user: Optional[IdLike] = None, companions: int = 0,
              channel: Optional[IdLike] = None,
              queue_ticket: Optional[str] = None,
              box_office: bool = False) -> Hold:
    """Holds the @n best seats (see Show.hold_best)."""
    opts = ffi.new("tix_best_opts *")
    opts.channel = as_id(channel, "channel", allow_none=True)
    opts.tier_id = as_id(tier, "tier", allow_none=True)
    opts.user_id = as_id(user, "user", allow_none=True)
    opts.companions = _util.as_u32(companions or 0, "companions")
    opts.flags = ((lib.TIX_BEST_ACCESSIBLE if accessible else 0) |
                  (lib.TIX_BEST_ANY_TIER if any_tier else 0) |
                  (lib.TIX_BEST_BOX_OFFICE if box_office else 0))
    opts.ttl = _ttl(ttl)
    keep: List[Any] = []
    opts.request_key = _cstr(request_key, "request_key", keep)
    opts.queue_ticket = _cstr(queue_ticket, "queue_ticket", keep)
    out = _new_hold_ptr()
    db._call("tix_hold_best", as_id(show_id, "show"),
             _util.as_u32(n, "n"), opts, out)
    return Hold(db, out[0])


def hold_areas(db: Database, show_id: IdLike, areas: Dict[IdLike, int],
               seats: Iterable[Any] = (), ttl: Optional[int] = None,
               user: Optional[IdLike] = None,
               channel: Optional[IdLike] = None,
               queue_ticket: Optional[str] = None,
               box_office: bool = False) -> Hold:
    """Holds places of areas by count ({area: n}) and @seats by index, all
    or nothing (see Show.hold_areas)."""
    idx = _seat_indexes(seats)
    arr = ffi.new("uint32_t[]", idx) if idx else ffi.NULL
    takes = [(as_id(a, "area"), _util.as_u32(n, "count"))
             for a, n in dict(areas).items()]
    tarr = ffi.new("tix_area_take[]", takes) if takes else ffi.NULL
    opts, _keep = _hold_opts(ttl, None, user, channel, queue_ticket,
                             box_office)
    out = _new_hold_ptr()
    db._call("tix_hold_areas", as_id(show_id, "show"), arr, len(idx), tarr,
             len(takes), opts, out)
    return Hold(db, out[0])


class Hold:
    """Seats of one show reserved for a while (all or nothing).

    Attributes (plain copies): show_id, seats (tuple of seat indexes,
    ascending), expires (an aware UTC datetime by the store clock).
    str(hold) is the printable handle; Hold.from_string(db, text) turns it
    back into a Hold (in any thread or process of the same store).
    """

    show_id: int
    seats: Tuple[int, ...]
    expires: datetime.datetime

    def __init__(self, db: Database, ptr: Any, show_id: Optional[int] = None,
                 seats: Optional[Tuple[int, ...]] = None) -> None:
        # Own the C handle at once: if anything below fails it is freed.
        self._ptr = ffi.gc(ptr, lib.tix_hold_free)
        self._db = db
        self._lock = threading.Lock()
        self._text: Optional[str] = None
        # show and seats are known to the caller that just made the hold
        # (seats ascending, as the library keeps them); else ask the handle
        self.show_id = show_id if show_id is not None else lib.tix_hold_show(ptr)
        self.seats = seats if seats is not None else tuple(
            lib.tix_hold_seat(ptr, i) for i in range(lib.tix_hold_count(ptr)))
        self.expires = self._expiry(ptr)

    @staticmethod
    def _expiry(ptr: Any) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(lib.tix_hold_expires(ptr),
                                               datetime.timezone.utc)

    @classmethod
    def from_string(cls, db: Database, text: str) -> Hold:
        """Parses a handle made by str(hold). tix.BadCode if it is malformed,
        truncated or altered."""
        out = _new_hold_ptr()
        rc = lib.tix_hold_from_string(_util.enc(text, "hold handle",
                                                allow_none=False), out)
        if rc < 0:
            raise error_for(rc, "tix_hold_from_string")
        return cls(db, out[0])

    # ---- helpers -----------------------------------------------------------
    def _use(self) -> Any:
        if self._ptr is None:
            raise State("hold is closed")
        return self._ptr

    @property
    def closed(self) -> bool:
        """True once close() freed the handle."""
        return self._ptr is None

    def close(self) -> None:
        """Frees the C handle (the seats stay as they are). Idempotent."""
        with self._lock:
            p, self._ptr = self._ptr, None
        if p is not None:
            ffi.release(p)  # runs tix_hold_free now

    def __enter__(self) -> Hold:
        return self

    def __exit__(self, et: Any, ev: Any, tb: Any) -> bool:
        try:
            if et is not None and not self.closed:
                try:
                    self.release()
                except Error:
                    pass  # keep the original exception
        finally:
            self.close()
        return False

    @property
    def tag(self) -> int:
        """The 32-bit tag the seat map keeps for this hold: what
        live_holds() lists it by."""
        return int(self._db._call_void("tix_hold_tag", self._use()))

    # ---- operations --------------------------------------------------------
    def expires_in(self) -> int:
        """Seconds until the hold runs out by the store clock (<= 0: it
        has)."""
        return int(self.expires.timestamp()) - self._db.now()

    def extend(self, ttl: Optional[int] = None) -> Hold:
        """Extends the hold to @ttl seconds from now (None = store default).
        tix.Expired if it has already run out."""
        with self._lock:
            p = self._use()
            self._db._call("tix_hold_extend", p, _ttl(ttl))
            self.expires = self._expiry(p)
            self._text = None
        return self

    def release(self) -> int:
        """Frees the seats still held by this hold and returns how many it
        freed: 0 when it was released, confirmed or lost its seats already
        (so releasing twice is harmless, and says so)."""
        n = ffi.new("size_t *")
        with self._lock:
            self._db._call("tix_hold_release_ex", self._use(), n)
        return int(n[0])

    def _opts(self, user: IdLike, payment_ref: str, seats_per_ticket: int,
              offer_code: Optional[str],
              expected: Optional[Tuple[int, str]] = None) -> Tuple[Any, Any]:
        opts = ffi.new("tix_confirm_opts *")
        opts.user_id = as_id(user, "user")
        ref = ffi.new("char[]", _util.enc(payment_ref, "payment_ref",
                                          allow_none=False))
        opts.payment_ref = ref
        opts.seats_per_ticket = _util.as_u32(seats_per_ticket or 0,
                                             "seats_per_ticket")
        keep = [ref]
        if offer_code:
            oc = ffi.new("char[]", _util.enc(offer_code, "offer_code"))
            opts.offer_code = oc
            keep.append(oc)
        if expected is not None:
            amount, currency = expected
            cur = ffi.new("char[]", _util.enc(currency, "expected currency",
                                              allow_none=False))
            opts.expected_currency = cur
            opts.expected_total_minor = _util.as_i64(amount, "expected amount")
            keep.append(cur)
        return opts, keep

    def confirm(self, user: IdLike, payment_ref: str,
                seats_per_ticket: int = 0, offer_code: Optional[str] = None,
                expected: Optional[Tuple[int, str]] = None) -> Booking:
        """Books the held seats after payment and returns the tix.Booking.

        Blocks until the booking is durable; the GIL is released meanwhile,
        so confirms from many threads share one commit.

        Args:
            user: the customer (id or tix.User).
            payment_ref: the payment's unique reference: the same reference
                with the same hold and user returns the same booking.
            seats_per_ticket: seats on each ticket (0 = one ticket).
            offer_code: an offer to apply, checked at commit.
            expected: (amount_minor, "CUR"), what the gateway charged.

        Raises:
            tix.Exists: @payment_ref was used for something else.
            tix.Expired: the hold ran out and a seat was taken meanwhile.
            tix.State: the hold was released or has already booked.
            tix.PriceMismatch: the price at commit differs from @expected
                (nothing booked).
        """
        opts, _keep = self._opts(user, payment_ref, seats_per_ticket,
                                 offer_code, expected)
        out = ffi.new("tix_id *")
        with self._lock:
            self._db._call("tix_hold_confirm", self._use(), opts, out)
        return Booking.get(self._db, out[0])

    def confirm_async(self, user: IdLike, payment_ref: str,
                      seats_per_ticket: int = 0,
                      offer_code: Optional[str] = None,
                      expected: Optional[Tuple[int, str]] = None
                      ) -> PendingConfirm:
        """Starts a confirm (arguments as confirm()) and returns a
        tix.PendingConfirm at once."""
        opts, _keep = self._opts(user, payment_ref, seats_per_ticket,
                                 offer_code, expected)
        out = ffi.new("tix_confirm **")
        with self._lock:
            self._db._call("tix_confirm_submit", self._use(), opts, out)
        return PendingConfirm(self._db, out[0])

    def quote(self, offer_code: Optional[str] = None,
              user: Optional[IdLike] = None) -> Quote:
        """Prices the held seats (tix.Quote), optionally with an offer."""
        from .offers import quote
        return quote(self._db, self.show_id, self.seats, offer_code, user)

    def to_string(self) -> str:
        """The printable handle (what str(hold) gives); Hold.from_string()
        reads it back."""
        with self._lock:
            if self._text is None:
                buf = ffi.new("char[]", lib.TIX_HOLD_STRING_MAX)
                rc = lib.tix_hold_to_string(self._use(), buf,
                                            lib.TIX_HOLD_STRING_MAX)
                if rc < 0:
                    raise error_for(rc, "tix_hold_to_string")
                self._text = ffi.string(buf).decode("ascii")
            return self._text

    def __str__(self) -> str:
        return self.to_string()

    def __repr__(self) -> str:
        return "<tix.Hold show=%d seats=%r expires=%s%s>" % (
            self.show_id, list(self.seats), self.expires.isoformat(),
            " closed" if self.closed else "")


class PendingConfirm:
    """A confirm in flight (Hold.confirm_async). poll() -> Booking or None;
    wait(timeout) -> Booking (tix.TimedOut when it is not done in time).
    close() frees it; a confirm freed while in flight still completes."""

    def __init__(self, db: Database, ptr: Any) -> None:
        self._ptr = ffi.gc(ptr, lib.tix_confirm_free)
        self._db = db
        self._lock = threading.Lock()
        self._booking: Optional[Booking] = None

    def _finish(self, rc: int, out: Any, call: str) -> Optional[Booking]:
        if rc == lib.TIX_EAGAIN:
            return None
        if rc < 0:
            raise error_for(rc, call)
        self._booking = Booking.get(self._db, out[0])
        return self._booking

    def poll(self) -> Optional[Booking]:
        """The tix.Booking once the confirm is done, else None; raises the
        confirm's error if it failed."""
        if self._booking is not None:
            return self._booking
        out = ffi.new("tix_id *")
        with self._lock:
            if self._ptr is None:
                raise State("confirm is closed")
            rc = lib.tix_confirm_poll(self._ptr, out)
            return self._finish(rc, out, "tix_confirm_poll")

    def wait(self, timeout: Optional[float] = None) -> Optional[Booking]:
        """Waits (GIL released) up to @timeout seconds (None = forever) and
        returns the tix.Booking.

        Raises:
            tix.TimedOut: not done in time.
        """
        if self._booking is not None:
            return self._booking
        ms = -1 if timeout is None else max(0, int(timeout * 1000))
        out = ffi.new("tix_id *")
        with self._lock:
            if self._ptr is None:
                raise State("confirm is closed")
            rc = lib.tix_confirm_wait(self._ptr, ms, out)
            return self._finish(rc, out, "tix_confirm_wait")

    @property
    def done(self) -> bool:
        """True once the confirm has finished."""
        return self.poll() is not None

    def close(self) -> None:
        """Frees the handle; a confirm in flight still completes."""
        with self._lock:
            p, self._ptr = self._ptr, None
        if p is not None:
            ffi.release(p)

    def __enter__(self) -> PendingConfirm:
        return self

    def __exit__(self, *exc: Any) -> bool:
        self.close()
        return False


# ---------------------------------------------------------------------------
# Availability, seat maps, admin blocks

def _counts(c: Any) -> Dict[str, int]:
    return {"tier_id": c.tier_id, "total": c.total, "free": c.free,
            "held": c.held, "booked": c.booked, "unavailable": c.unavailable}


def availability(db: Database, show_id: IdLike) -> Dict[str, Any]:
    """Counts of a show's seats by state, in all and per tier."""
    out = ffi.new("tix_avail **")
    db._call("tix_show_availability", as_id(show_id, "show"), out)
    a = out[0]
    try:
        d = _counts(a.all)
        del d["tier_id"]
        d = dict(show_id=a.show_id, **d)
        d["tiers"] = [_counts(a.tiers[i]) for i in range(a.n_tiers)]
        return d
    finally:
        lib.tix_avail_free(a)


def area_availability(db: Database, show_id: IdLike,
                      area_id: IdLike) -> Dict[str, int]:
    """Counts of the places of one area in a show, by state."""
    c = ffi.new("tix_counts *")
    db._call("tix_area_availability", as_id(show_id, "show"),
             as_id(area_id, "area"), c)
    return _counts(c)


def seat_states(db: Database, show_id: IdLike,
                seat_count: Optional[int] = None) -> List[SeatState]:
    """[tix.SeatState of seat 0, 1, ...]."""
    if seat_count is None:
        from .catalog import Show
        seat_count = Show.get(db, show_id).seat_count
    buf = ffi.new("uint8_t[]", max(seat_count, 1))
    db._call("tix_show_seat_states", as_id(show_id, "show"), buf, seat_count)
    raw = ffi.buffer(buf, seat_count)[:]
    return [_STATES[b] for b in raw]


def seat_state_bytes(db: Database, show_id: IdLike, seat_count: int) -> bytes:
    """One byte per seat (a tix.SeatState value), as the C library fills it:
    the compact form for a web page's live seat map."""
    buf = ffi.new("uint8_t[]", max(seat_count, 1))
    db._call("tix_show_seat_states", as_id(show_id, "show"), buf, seat_count)
    return ffi.buffer(buf, seat_count)[:]


def live_holds(db: Database, show_id: IdLike) -> List[Dict[str, Any]]:
    """The holds of a show that have not run out, soonest end first:
    [{"tag", "expires" (aware datetime), "confirming", "seats": [index,
    ...]}]. The map keeps a tag per hold, not its handle (Hold.tag)."""
    out = ffi.new("tix_live_hold_list **")
    db._call("tix_show_live_holds", as_id(show_id, "show"), out)
    l = ffi.gc(out[0], lib.tix_live_hold_list_free)
    return [{"tag": h.tag, "expires": _util.utc(h.expires_at),
             "confirming": bool(h.confirming),
             "seats": [h.seats[k] for k in range(h.n_seats)]}
            for h in (l.items[i] for i in range(l.count))]


_SEAT_EVENTS = {lib.TIX_SEAT_EVENT_BOOKED: "booked",
                lib.TIX_SEAT_EVENT_CANCELLED: "cancelled",
                lib.TIX_SEAT_EVENT_CHECKED_IN: "checked_in",
                lib.TIX_SEAT_EVENT_BLOCKED: "blocked",
                lib.TIX_SEAT_EVENT_UNBLOCKED: "unblocked",
                lib.TIX_SEAT_EVENT_CHANNEL: "channel"}


def seat_history(db: Database, show_id: IdLike, seat: Any) -> Dict[str, Any]:
    """{"show_id", "seat", "state" (tix.SeatState now), "held_until" (an
    aware datetime, None when not held), "events": [{"type", "at" (aware
    datetime), "booking_id", "user_id", "gate", "channel_id"}, ...] oldest
    first; "channel": moved to channel_id, 0 = the public pool}."""
    idx = _seat_indexes([seat])[0]
    out = ffi.new("tix_seat_history **")
    db._call("tix_seat_history_get", as_id(show_id, "show"), idx, out)
    h = ffi.gc(out[0], lib.tix_seat_history_free)
    events = [{"type": _SEAT_EVENTS.get(e.type, str(e.type)),
               "at": _util.utc(e.at),
               "booking_id": e.booking_id, "user_id": e.user_id,
               "gate": ffi.string(e.gate).decode("utf-8", "replace"),
               "channel_id": e.channel_id}
              for e in (h.items[i] for i in range(h.count))]
    return {"show_id": h.show_id, "seat": h.seat,
            "state": _STATES[h.state], "held_until": _util.utc(h.held_until),
            "events": events}


def block(db: Database, show_id: IdLike, seats: Iterable[Any], on: bool) -> None:
    """Admin-blocks (@on) or unblocks seats by index, all or nothing."""
    idx = _seat_indexes(seats)
    if not idx:
        raise InvalidArgument("no seats given")
    arr = ffi.new("uint32_t[]", idx)
    fn = "tix_seats_block" if on else "tix_seats_unblock"
    db._call(fn, as_id(show_id, "show"), arr, len(idx))


# ---------------------------------------------------------------------------
# Bookings, tickets, check-in

class BookedSeat(NamedTuple):
    """A seat of a booking and the price paid for it."""
    seat: int
    tier_id: int
    price_minor: int


class Ticket(NamedTuple):
    """A ticket: its code, seat indexes, check-in time (None = not yet) and
    gate, and the QR payload "tix1:<code>:<show>:<seats>"."""
    code: str
    seats: Tuple[int, ...]
    checked_in_at: Optional[datetime.datetime]
    gate: str
    qr: str


class CheckIn(NamedTuple):
    """Result of Database.checkin(): booking, show, seats on the ticket, and
    when and at which gate the (first) check-in happened."""
    booking_id: int
    show_id: int
    n_seats: int
    checked_in_at: Optional[datetime.datetime]
    gate: str

    @classmethod
    def _from_c(cls, c: Any) -> CheckIn:
        return cls(c.booking_id, c.show_id, c.n_seats,
                   _util.utc(c.checked_in_at), dec_array(c.gate))


class Booking:
    """A booking: a plain copy of tix_booking (id, user_id, show_id, status,
    created_at, cancelled_at (None unless cancelled), payment_ref,
    total_minor (paid: seat prices - discount_minor + fee_minor), currency,
    seats, tickets, offer_id, cancelled_after_checkin (refunded with the
    after_checkin override), channel_id (the sales channel, 0 = none),
    group_id (bookings made together by confirm_group share it; 0 =
    alone))."""
    _fields = ("id", "user_id", "show_id", "status", "created_at",
               "cancelled_at", "payment_ref", "total_minor", "currency",
               "seats", "tickets", "offer_id", "discount_minor", "fee_minor",
               "cancelled_after_checkin", "channel_id", "group_id")

    id: int
    user_id: int
    show_id: int
    status: BookingStatus
    created_at: datetime.datetime
    cancelled_at: Optional[datetime.datetime]
    payment_ref: str
    total_minor: int
    currency: str
    seats: List[BookedSeat]
    tickets: List[Ticket]

    def __init__(self, db: Database, **v: Any) -> None:
        self._db = db
        for f in self._fields:
            setattr(self, f, v[f])

    @classmethod
    def _from_c(cls, db: Database, b: Any) -> Booking:
        seats = [BookedSeat(b.seats[i].seat, b.seats[i].tier_id,
                            b.seats[i].price_minor) for i in range(b.n_seats)]
        tickets = []
        qr = ffi.new("char[]", 4096)
        for i in range(b.n_tickets):
            t = b.tickets[i]
            rc = lib.tix_ticket_qr(b, i, qr, 4096)
            if rc < 0:
                raise error_for(rc, "tix_ticket_qr")
            tickets.append(Ticket(dec_array(t.code),
                                  tuple(t.seats[j] for j in range(t.n_seats)),
                                  _util.utc(t.checked_in_at), dec(t.gate),
                                  ffi.string(qr).decode("ascii")))
        return cls(db, id=b.id, user_id=b.user_id, show_id=b.show_id,
                   status=BookingStatus(b.status),
                   created_at=_util.utc(b.created_at),
                   cancelled_at=_util.utc(b.cancelled_at),
                   payment_ref=dec(b.payment_ref),
                   total_minor=b.total_minor, currency=dec_array(b.currency),
                   seats=seats, tickets=tickets, offer_id=b.offer_id,
                   discount_minor=b.discount_minor, fee_minor=b.fee_minor,
                   cancelled_after_checkin=bool(b.cancelled_after_checkin),
                   channel_id=b.channel_id, group_id=b.group_id)

    @classmethod
    def _one(cls, db: Database, fn: str, arg: Any) -> Booking:
        out = ffi.new("tix_booking **")
        db._call(fn, arg, out)
        try:
            return cls._from_c(db, out[0])
        finally:
            lib.tix_booking_free(out[0])

    @classmethod
    def _many(cls, db: Database, fn: str, arg: Any) -> List[Booking]:
        out = ffi.new("tix_booking_list **")
        db._call(fn, arg, out)
        lst = out[0]
        try:
            # items[i] is a tix_booking inside the list's one allocation;
            # tix_ticket_qr only reads it.
            return [cls._from_c(db, ffi.addressof(lst.items[i]))
                    for i in range(lst.count)]
        finally:
            lib.tix_booking_list_free(lst)

    @classmethod
    def get(cls, db: Database, id: IdLike) -> Booking:
        """Reads booking @id (tix.NotFound)."""
        return cls._one(db, "tix_booking_get", as_id(id, "booking id"))

    @classmethod
    def find_payment(cls, db: Database, payment_ref: str) -> Booking:
        """The booking made with @payment_ref (tix.NotFound)."""
        return cls._one(db, "tix_booking_find_payment",
                        _util.enc(payment_ref, "payment_ref", allow_none=False))

    @classmethod
    def list_by_user(cls, db: Database, user: IdLike) -> List[Booking]:
        """A user's bookings, oldest first."""
        return cls._many(db, "tix_booking_list_by_user", as_id(user, "user"))

    @classmethod
    def list_by_show(cls, db: Database, show: IdLike) -> List[Booking]:
        """A show's bookings, oldest first."""
        return cls._many(db, "tix_booking_list_by_show", as_id(show, "show"))

    @property
    def seat_indexes(self) -> List[int]:
        """The booked seats' indexes."""
        return [s.seat for s in self.seats]

    @property
    def cancelled(self) -> bool:
        """True once the booking was cancelled."""
        return self.status == BookingStatus.CANCELLED

    def refresh(self) -> Booking:
        """Re-reads the booking (check-ins, cancellation); returns it."""
        fresh = Booking.get(self._db, self.id)
        for f in self._fields:
            setattr(self, f, getattr(fresh, f))
        return self

    def cancel(self, after_checkin: bool = False) -> Booking:
        """Cancels (refunds) the booking: its seats are free again, its
        tickets no longer check in. tix.Already if it was cancelled;
        tix.CheckedIn if a ticket was checked in, unless @after_checkin
        (then the booking and its event record the override)."""
        flags = lib.TIX_CANCEL_AFTER_CHECKIN if after_checkin else 0
        self._db._call("tix_booking_cancel_ex", self.id, flags)
        return self.refresh()

    @property
    def total(self) -> str:
        """The amount paid as text in the currency's decimals."""
        from .money import format_money
        return format_money(self.total_minor, self.currency)

    def as_dict(self) -> Dict[str, Any]:
        """The booking as JSON-ready dicts and lists (times ISO 8601)."""
        return _util.jsonable({
                "id": self.id, "user_id": self.user_id,
                "show_id": self.show_id, "status": self.status.name.lower(),
                "created_at": self.created_at,
                "cancelled_at": self.cancelled_at,
                "payment_ref": self.payment_ref,
                "total_minor": self.total_minor, "currency": self.currency,
                "total": self.total,
                "cancelled_after_checkin": self.cancelled_after_checkin,
                "channel_id": self.channel_id, "group_id": self.group_id,
                "offer_id": self.offer_id,
                "discount_minor": self.discount_minor,
                "fee_minor": self.fee_minor,
                "seats": [s._asdict() for s in self.seats],
                "tickets": [dict(t._asdict(), seats=list(t.seats))
                            for t in self.tickets]})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Booking):
            return NotImplemented
        return self.id == other.id and self._db is other._db

    def __hash__(self) -> int:
        return hash(("Booking", self.id))

    def __repr__(self) -> str:
        return "<tix.Booking %d show=%d user=%d %s seats=%r>" % (
            self.id, self.show_id, self.user_id, self.status.name.lower(),
            self.seat_indexes)
