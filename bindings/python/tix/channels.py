"""Sales channels: seats of a show set aside for the box office, the
theater's own app or an aggregator (tix_channel_* in tix.h).

A seat in a channel is held only through that channel (Show.hold(...,
channel=...)); seats in no channel form the public pool, which every hold
sees. A channel's unsold seats go back to the pool at a release time or
at once (Show.release_channel)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional

from ._ffi import ffi, lib
from . import _util
from ._util import IdLike, as_id, dec

if TYPE_CHECKING:
    from .db import Database


class Channel:
    """A sales channel: id and name (a plain copy)."""

    def __init__(self, id: int, name: str) -> None:
        self.id = id
        self.name = name

    def __int__(self) -> int:
        return self.id

    def __index__(self) -> int:
        return self.id

    def __repr__(self) -> str:
        return "Channel(%d, %r)" % (self.id, self.name)

    def as_dict(self) -> Dict[str, Any]:
        return {"id": self.id, "name": self.name}


def create(db: Database, name: str) -> Channel:
    """Creates a channel (tix.Exists when the name is taken, tix.Limit past
    255 channels)."""
    c = ffi.new("tix_channel *")
    keep = ffi.new("char[]", _util.enc(name, "channel name", allow_none=False))
    c.name = keep
    out = ffi.new("tix_id *")
    db._call("tix_channel_create", c, out)
    return Channel(out[0], name)


def get(db: Database, id: IdLike) -> Channel:
    out = ffi.new("tix_channel **")
    db._call("tix_channel_get", as_id(id, "channel"), out)
    try:
        return Channel(out[0].id, dec(out[0].name))
    finally:
        lib.tix_channel_free(out[0])


def find(db: Database, name: str) -> Channel:
    """The channel named @name (tix.NotFound when none)."""
    out = ffi.new("tix_channel **")
    keep = ffi.new("char[]", _util.enc(name, "channel name", allow_none=False))
    db._call("tix_channel_find", keep, out)
    try:
        return Channel(out[0].id, dec(out[0].name))
    finally:
        lib.tix_channel_free(out[0])


def list_all(db: Database) -> List[Channel]:
    out = ffi.new("tix_channel_list **")
    db._call("tix_channel_list_all", out)
    try:
        return [Channel(out[0].items[i].id, dec(out[0].items[i].name))
                for i in range(out[0].count)]
    finally:
        lib.tix_channel_list_free(out[0])


def assign(db: Database, show: IdLike, channel: Optional[IdLike],
           seats: Iterable[int]) -> None:
    idx = [int(s) for s in seats]
    arr = ffi.new("uint32_t[]", idx) if idx else ffi.new("uint32_t[1]")
    db._call("tix_channel_assign", as_id(show, "show"),
             as_id(channel, "channel", allow_none=True), arr, len(idx))


def assign_tier(db: Database, show: IdLike, channel: IdLike, tier: IdLike,
                count: int) -> None:
    db._call("tix_channel_assign_tier", as_id(show, "show"),
             as_id(channel, "channel"), as_id(tier, "tier"),
             _util.as_u32(count, "count"))


def release(db: Database, show: IdLike, channel: IdLike,
            at: Optional[Any] = None) -> None:
    db._call("tix_channel_release", as_id(show, "show"),
             as_id(channel, "channel"), 0 if at is None else _util.as_time(at))


def availability(db: Database, show: IdLike) -> List[Dict[str, Any]]:
    out = ffi.new("tix_channel_avail **")
    db._call("tix_channel_availability", as_id(show, "show"), out)
    try:
        res = []
        for i in range(out[0].count):
            it = out[0].items[i]
            c = it.counts
            res.append({"channel_id": it.channel_id,
                        "release_at": it.release_at or None,
                        "released": bool(it.released),
                        "total": c.total, "free": c.free, "held": c.held,
                        "booked": c.booked, "unavailable": c.unavailable})
        return res
    finally:
        lib.tix_channel_avail_free(out[0])


def seat_channels(db: Database, show: IdLike) -> List[int]:
    n = db.show(show).seat_count
    buf = ffi.new("uint8_t[]", max(n, 1))
    db._call("tix_channel_seats", as_id(show, "show"), buf, max(n, 1))
    return list(buf[0:n])
