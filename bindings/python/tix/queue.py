"""Waiting rooms: a fair queue in front of a show's on-sale (tix.h
"Waiting room").

A show gets a queue with Show.set_queue(); buyers join with
Show.queue_join() and get a ticket (a short string: keep it in the
buyer's session); Database.queue_status(ticket) says where it stands;
holds on a queued show pass the ticket (Show.hold(..., queue_ticket=t))
or say box_office=True. Everyone who joined before the on-sale is
shuffled at the on-sale; later arrivals queue behind, in order.
"""
from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Dict, Optional

from ._ffi import ffi, lib
from . import _util
from ._util import IdLike, TimeLike, as_id

if TYPE_CHECKING:
    from .db import Database


class QueueState(enum.IntEnum):
    """Where a queue ticket stands."""
    PREQUEUE = lib.TIX_QUEUE_PREQUEUE  # before on-sale: not placed yet
    WAITING = lib.TIX_QUEUE_WAITING    # placed, not admitted yet
    ADMITTED = lib.TIX_QUEUE_ADMITTED  # may hold seats
    EXPIRED = lib.TIX_QUEUE_EXPIRED    # its shopping window has ended


def set_queue(db: Database, show_id: IdLike, onsale: TimeLike,
              capacity: int, rate: int = 0, window: int = 0) -> None:
    """Puts a waiting room in front of the show, or changes it."""
    c = ffi.new("tix_queue_config *")
    c.onsale = _util.as_i64(_util.as_time(onsale), "onsale")
    c.capacity = _util.as_u32(capacity, "capacity")
    c.rate = _util.as_u32(rate, "rate")
    c.window = _util.as_u32(window, "window")
    db._call("tix_queue_set", as_id(show_id, "show"), c)


def remove_queue(db: Database, show_id: IdLike) -> None:
    db._call("tix_queue_remove", as_id(show_id, "show"))


def queue_info(db: Database, show_id: IdLike) -> Dict[str, Any]:
    """{"show_id", "onsale", "rate", "capacity", "window", "joined",
    "prequeue", "admitted", "shuffled"} (onsale an aware datetime)."""
    q = ffi.new("tix_queue_info *")
    db._call("tix_queue_get", as_id(show_id, "show"), q)
    return {"show_id": q.show_id, "onsale": _util.utc(q.config.onsale),
            "rate": q.config.rate, "capacity": q.config.capacity,
            "window": q.config.window, "joined": q.joined,
            "prequeue": q.prequeue, "admitted": q.admitted,
            "shuffled": bool(q.shuffled)}


def join(db: Database, show_id: IdLike) -> str:
    buf = ffi.new("char[]", lib.TIX_QUEUE_TICKET_MAX)
    db._call("tix_queue_join", as_id(show_id, "show"), buf,
             lib.TIX_QUEUE_TICKET_MAX)
    return _util.dec(buf)


def status(db: Database, ticket: str) -> Dict[str, Any]:
    """{"show_id", "state" (QueueState), "position", "ahead", "wait"
    (seconds, None when unknown), "window_end" (aware datetime or None)}."""
    p = ffi.new("tix_queue_place *")
    t = ffi.new("char[]", _util.enc(ticket, "ticket"))
    db._call("tix_queue_status", t, p)
    return {"show_id": p.show_id, "state": QueueState(p.state),
            "position": p.position, "ahead": p.ahead,
            "wait": None if p.wait < 0 else p.wait,
            "window_end": _util.utc(p.window_end)}


def admit(db: Database, show_id: IdLike, n: int) -> None:
    db._call("tix_queue_admit", as_id(show_id, "show"), _util.as_u32(n, "n"))
