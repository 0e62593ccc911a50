"""The notification outbox: events written with every booking, cancel,
check-in and review, read by named consumers.

    c = tix.Consumer.register(db, "email")          # or db.consumer("email")
    for ev in c.events(follow=True, stop=stop_event):
        send_mail(ev)                               # make it idempotent on ev.seq

Delivery is at least once. Consumer.events() acknowledges an event only
when the loop asks for the next one, i.e. after the body finished with it;
an event whose body raised (or after which the loop was left) is read again
next time. Acks are batched: one write per batch, not per event.

Consumer.wait() and events(follow=True) block in tix_outbox_wait() with the
GIL released.
"""
import enum
from collections import namedtuple

from ._ffi import ffi, lib
from . import _util
from ._util import dec, dec_array
from .discover import require
from .errors import Error, Exists, NotFound, TimedOut

READ_MAX = lib.TIX_OUTBOX_READ_MAX
NAME_MAX = lib.TIX_CONSUMER_NAME_MAX


class EventType(enum.IntEnum):
    BOOKED = lib.TIX_EVENT_BOOKED
    CANCELLED = lib.TIX_EVENT_CANCELLED
    CHECKED_IN = lib.TIX_EVENT_CHECKED_IN
    REVIEWED = lib.TIX_EVENT_REVIEWED


EventSeat = namedtuple("EventSeat", "seat row number")
EventTicket = namedtuple("EventTicket", "code qr")

_EVENT_FIELDS = ("seq", "type", "version", "at", "booking_id", "user_id",
                 "show_id", "movie_id", "review_id", "user_name", "user_email",
                 "user_phone", "movie_title", "show_start", "venue_name",
                 "venue_address", "screen_name", "total_minor", "currency",
                 "seats", "tickets", "gate", "show_local", "after_checkin")


class Event(namedtuple("Event", _EVENT_FIELDS)):
    """One outbox event, copied out of C (see tix_event in tix.h for which
    fields each type sets; unset ids are 0 and strings "")."""
    __slots__ = ()

    @classmethod
    def _from_c(cls, e):
        seats = [EventSeat(e.seats[i].seat, dec(e.seats[i].row),
                           e.seats[i].number) for i in range(e.n_seats)]
        tickets = [EventTicket(dec_array(e.tickets[i].code),
                               dec(e.tickets[i].qr))
                   for i in range(e.n_tickets)]
        try:
            etype = EventType(e.type)
        except ValueError:   # a type newer than this binding
            etype = int(e.type)
        return cls(e.seq, etype, e.version, e.at, e.booking_id, e.user_id,
                   e.show_id, e.movie_id, e.review_id, dec(e.user_name),
                   dec(e.user_email), dec(e.user_phone), dec(e.movie_title),
                   e.show_start, dec(e.venue_name), dec(e.venue_address),
                   dec(e.screen_name), e.total_minor, dec_array(e.currency),
                   seats, tickets, dec(e.gate), dec(e.show_local),
                   bool(e.after_checkin))

    def as_dict(self):
        d = self._asdict()
        d["type"] = self.type.name.lower() if isinstance(self.type, EventType) \
            else self.type
        d["seats"] = [s._asdict() for s in self.seats]
        d["tickets"] = [t._asdict() for t in self.tickets]
        return d


class Consumer:
    """A named reader of the outbox with its own cursor in the store.
    Attributes: name, acked (last acknowledged seq), created_at, acked_at
    (as of when this object was made or refreshed)."""

    def __init__(self, db, name, acked=0, created_at=0, acked_at=0):
        self._db = db
        self.name = name
        self._bname = _util.enc(name, "consumer name", allow_none=False)
        self.acked = acked
        self.created_at = created_at
        self.acked_at = acked_at

    def __repr__(self):
        return "<tix.Consumer %r acked=%d>" % (self.name, self.acked)

    def __eq__(self, other):
        return (isinstance(other, Consumer) and other.name == self.name and
                other._db is self._db)

    def __hash__(self):
        return hash(("Consumer", self.name))

    @classmethod
    def register(cls, db, name, from_end=False, exist_ok=False):
        """Registers consumer @name (its cursor starts before the oldest
        retained event, or after the newest with @from_end). With
        @exist_ok an existing consumer is returned as it is."""
        require("tix_outbox_register")
        flags = lib.TIX_CONSUMER_FROM_END if from_end else 0
        try:
            db._call("tix_outbox_register",
                     _util.enc(name, "consumer name", allow_none=False), flags)
        except Exists:
            if not exist_ok:
                raise
        return cls.get(db, name)

    @classmethod
    def list(cls, db):
        """Every registered consumer, by name."""
        require("tix_outbox_consumers")
        out = ffi.new("tix_consumer_list **")
        db._call("tix_outbox_consumers", out)
        lst = out[0]
        try:
            return [cls(db, dec(c.name), c.acked, c.created_at, c.acked_at)
                    for c in (lst.items[i] for i in range(lst.count))]
        finally:
            lib.tix_consumer_list_free(lst)

    @classmethod
    def get(cls, db, name):
        for c in cls.list(db):
            if c.name == name:
                return c
        raise NotFound("consumer %r is not registered" % name)

    def refresh(self):
        fresh = Consumer.get(self._db, self.name)
        self.acked, self.created_at, self.acked_at = \
            fresh.acked, fresh.created_at, fresh.acked_at
        return self

    def unregister(self):
        self._db._call("tix_outbox_unregister", self._bname)

    def read(self, max=100):
        """Up to @max events after the cursor, oldest first, without moving
        it ([] when up to date)."""
        out = ffi.new("tix_event_list **")
        self._db._call("tix_outbox_read", self._bname, max, out)
        lst = out[0]
        try:
            return [Event._from_c(lst.items[i]) for i in range(lst.count)]
        finally:
            lib.tix_event_list_free(lst)

    def ack(self, seq):
        """Acknowledges every event up to @seq (older acks are no-ops)."""
        if hasattr(seq, "seq"):
            seq = seq.seq
        self._db._call("tix_outbox_ack", self._bname, seq)
        if seq > self.acked:
            self.acked = seq

    def wait(self, timeout=None):
        """Blocks (GIL released) until an event is ready or @timeout seconds
        pass (None = no limit). Returns True when ready, False on timeout."""
        ms = -1 if timeout is None else max(0, int(timeout * 1000))
        try:
            self._db._call("tix_outbox_wait", self._bname, ms)
            return True
        except TimedOut:
            return False

    def events(self, batch=100, follow=False, poll=1.0, stop=None):
        """Iterator over this consumer's events, acknowledging each one when
        the next is asked for (see the module doc). Stops when caught up,
        or with @follow keeps waiting for new events, checking @stop (a
        threading.Event) every @poll seconds."""
        done = 0   # highest seq whose loop body finished
        try:
            while True:
                evs = self.read(batch)
                if not evs:
                    if done:
                        self.ack(done)
                        done = 0
                    if not follow or (stop is not None and stop.is_set()):
                        return
                    self.wait(poll)
                    if stop is not None and stop.is_set():
                        return
                    continue
                for ev in evs:
                    yield ev
                    done = ev.seq
                self.ack(done)
                done = 0
        finally:
            if done and not self._db.closed:
                try:
                    self.ack(done)
                except Error:
                    pass  # not acked: delivered again (at least once)


def consumers(db):
    return Consumer.list(db)


def get_event(db, seq):
    """Event @seq (tix.NotFound when there is none or it was trimmed)."""
    require("tix_outbox_get")
    out = ffi.new("tix_event **")
    db._call("tix_outbox_get", seq, out)
    try:
        return Event._from_c(out[0])
    finally:
        lib.tix_event_free(out[0])


def trim(db):
    """Deletes events every consumer acknowledged; returns how many."""
    require("tix_outbox_trim")
    out = ffi.new("uint64_t *")
    db._call("tix_outbox_trim", out)
    return out[0]
