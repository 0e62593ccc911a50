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

Times (Event.at, Event.show_start, Consumer.created_at, Consumer.acked_at)
are aware UTC datetimes; None when unset (a consumer that never acked).
"""
from __future__ import annotations

import datetime
import enum
import threading
from typing import (TYPE_CHECKING, Any, Dict, Iterator, List, NamedTuple,
                    Optional, Union)

from ._ffi import ffi, lib
from . import _util
from ._util import dec, dec_array
from .discover import require
from .errors import Error, Exists, NotFound, TimedOut

if TYPE_CHECKING:
    from .db import Database

READ_MAX = lib.TIX_OUTBOX_READ_MAX
NAME_MAX = lib.TIX_CONSUMER_NAME_MAX


class EventType(enum.IntEnum):
    """What happened: a booking, a cancel, a check-in, a review, ..."""
    BOOKED = lib.TIX_EVENT_BOOKED
    CANCELLED = lib.TIX_EVENT_CANCELLED
    CHECKED_IN = lib.TIX_EVENT_CHECKED_IN
    REVIEWED = lib.TIX_EVENT_REVIEWED
    SHOW_CANCELLED = lib.TIX_EVENT_SHOW_CANCELLED
    RESCHEDULED = lib.TIX_EVENT_RESCHEDULED


class EventSeat(NamedTuple):
    """A seat of an event's booking: index, row label and number."""
    seat: int
    row: str
    number: int


class EventTicket(NamedTuple):
    """A ticket of an event's booking: code and QR payload."""
    code: str
    qr: str




class Event(NamedTuple):
    """One outbox event, copied out of C (see tix_event in tix.h for which
    fields each type sets; unset ids are 0, strings "" and times None)."""
    seq: int
    type: Union[EventType, int]
    version: int
    at: Optional[datetime.datetime]
    booking_id: int
    user_id: int
    show_id: int
    movie_id: int
    review_id: int
    user_name: str
    user_email: str
    user_phone: str
    movie_title: str
    show_start: Optional[datetime.datetime]
    venue_name: str
    venue_address: str
    screen_name: str
    total_minor: int
    currency: str
    seats: List[EventSeat]
    tickets: List[EventTicket]
    gate: str
    show_local: str
    after_checkin: bool
    old_start: Optional[datetime.datetime] = None

    @classmethod
    def _from_c(cls, e: Any) -> Event:
        seats = [EventSeat(e.seats[i].seat, dec(e.seats[i].row),
                           e.seats[i].number) for i in range(e.n_seats)]
        tickets = [EventTicket(dec_array(e.tickets[i].code),
                               dec(e.tickets[i].qr))
                   for i in range(e.n_tickets)]
        try:
            etype: Union[EventType, int] = EventType(e.type)
        except ValueError:   # a type newer than this binding
            etype = int(e.type)
        return cls(e.seq, etype, e.version, _util.utc(e.at), e.booking_id,
                   e.user_id,
                   e.show_id, e.movie_id, e.review_id, dec(e.user_name),
                   dec(e.user_email), dec(e.user_phone), dec(e.movie_title),
                   _util.utc(e.show_start), dec(e.venue_name),
                   dec(e.venue_address),
                   dec(e.screen_name), e.total_minor, dec_array(e.currency),
                   seats, tickets, dec(e.gate), dec(e.show_local),
                   bool(e.after_checkin),
                   _util.utc(e.old_start) if e.old_start else None)

    def as_dict(self) -> Dict[str, Any]:
        """The event as JSON-ready values (type as a name, times ISO 8601)."""
        d = self._asdict()
        d["type"] = self.type.name.lower() if isinstance(self.type, EventType) \
            else self.type
        d["seats"] = [s._asdict() for s in self.seats]
        d["tickets"] = [t._asdict() for t in self.tickets]
        return _util.jsonable(d)


class Consumer:
    """A named reader of the outbox with its own cursor in the store.
    Attributes: name, acked (last acknowledged seq), created_at, acked_at
    (as of when this object was made or refreshed)."""

    def __init__(self, db: Database, name: str, acked: int = 0,
                 created_at: Union[int, datetime.datetime, None] = None,
                 acked_at: Union[int, datetime.datetime, None] = None) -> None:
        self._db = db
        self.name = name
        self._bname = _util.enc(name, "consumer name", allow_none=False)
        self.acked = acked
        self.created_at = (_util.utc(created_at) if isinstance(created_at, int)
                           else created_at)
        self.acked_at = (_util.utc(acked_at) if isinstance(acked_at, int)
                         else acked_at)

    def __repr__(self) -> str:
        return "<tix.Consumer %r acked=%d>" % (self.name, self.acked)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Consumer) and other.name == self.name and
                other._db is self._db)

    def __hash__(self) -> int:
        return hash(("Consumer", self.name))

    @classmethod
    def register(cls, db: Database, name: str, from_end: bool = False,
                 exist_ok: bool = False) -> Consumer:
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
    def list(cls, db: Database) -> List[Consumer]:
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
    def get(cls, db: Database, name: str) -> Consumer:
        """Registered consumer @name (tix.NotFound)."""
        for c in cls.list(db):
            if c.name == name:
                return c
        raise NotFound("consumer %r is not registered" % name)

    def refresh(self) -> Consumer:
        """Re-reads the cursor and its times; returns self."""
        fresh = Consumer.get(self._db, self.name)
        self.acked, self.created_at, self.acked_at = \
            fresh.acked, fresh.created_at, fresh.acked_at
        return self

    def unregister(self) -> None:
        """Drops the consumer and its cursor (events it held back can then
        be trimmed)."""
        self._db._call("tix_outbox_unregister", self._bname)

    def read(self, max: int = 100) -> List[Event]:
        """Up to @max events after the cursor, oldest first, without moving
        it ([] when up to date)."""
        out = ffi.new("tix_event_list **")
        self._db._call("tix_outbox_read", self._bname, max, out)
        lst = out[0]
        try:
            return [Event._from_c(lst.items[i]) for i in range(lst.count)]
        finally:
            lib.tix_event_list_free(lst)

    def ack(self, seq: Union[int, Event]) -> None:
        """Acknowledges every event up to @seq (older acks are no-ops)."""
        if isinstance(seq, Event):
            seq = seq.seq
        self._db._call("tix_outbox_ack", self._bname, seq)
        if seq > self.acked:
            self.acked = seq

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Blocks (GIL released) until an event is ready or @timeout seconds
        pass (None = no limit). Returns True when ready, False on timeout."""
        ms = -1 if timeout is None else max(0, int(timeout * 1000))
        try:
            self._db._call("tix_outbox_wait", self._bname, ms)
            return True
        except TimedOut:
            return False

    def events(self, batch: int = 100, follow: bool = False,
               poll: float = 1.0,
               stop: Optional[threading.Event] = None) -> Iterator[Event]:
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


def consumers(db: Database) -> List[Consumer]:
    """Every registered consumer, by name."""
    return Consumer.list(db)


def get_event(db: Database, seq: int) -> Event:
    """Event @seq (tix.NotFound when there is none or it was trimmed)."""
    require("tix_outbox_get")
    out = ffi.new("tix_event **")
    db._call("tix_outbox_get", seq, out)
    try:
        return Event._from_c(out[0])
    finally:
        lib.tix_event_free(out[0])


def trim(db: Database) -> int:
    """Deletes events every consumer acknowledged; returns how many."""
    require("tix_outbox_trim")
    out = ffi.new("uint64_t *")
    db._call("tix_outbox_trim", out)
    return out[0]
