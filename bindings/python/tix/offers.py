"""Offers (discount codes) and price quotes.

    tix.Offer.create(db, "MONSOON20", movie, percent=20, cap_minor=10000)
    show.quote([4, 5], offer_code="monsoon20", user=u)   -> tix.Quote
    hold.confirm(user=u, payment_ref="pay_1", offer_code="MONSOON20")

An offer's scope is inferred from the record it is given for (Movie, Venue,
Screen or Tier), or set with scope= and an id. valid_from / valid_until /
created_at are aware UTC datetimes (None: no limit).
"""
from __future__ import annotations

import enum
from typing import (TYPE_CHECKING, Any, Dict, Iterable, Iterator, List,
                    NamedTuple, Optional, Union)

from ._ffi import ffi, lib
from . import _util
from ._util import IdLike, Keep, TimeLike, as_id, dec, dec_array
from .catalog import Movie, Record, Screen, Tier, Venue
from .discover import require
from .errors import InvalidArgument

if TYPE_CHECKING:
    from .db import Database


class OfferScope(enum.IntEnum):
    """What an offer applies to."""
    MOVIE = lib.TIX_OFFER_MOVIE
    VENUE = lib.TIX_OFFER_VENUE
    SCREEN = lib.TIX_OFFER_SCREEN
    TIER = lib.TIX_OFFER_TIER


_SCOPE_OF = {Movie: OfferScope.MOVIE, Venue: OfferScope.VENUE,
             Screen: OfferScope.SCREEN, Tier: OfferScope.TIER}


class Offer(Record):
    """A discount code limited to one movie, venue, screen or tier."""
    _fields = ("id", "code", "scope", "scope_id", "percent", "amount_minor",
               "cap_minor", "valid_from", "valid_until", "max_uses",
               "max_uses_per_user", "uses", "created_at")
    _ctype = "tix_offer"
    _get = "tix_offer_get"

    @classmethod
    def _from_c(cls, db: Database, c: Any) -> Offer:  # type: ignore[override]
        return cls(db, id=c.id, code=dec(c.code), scope=OfferScope(c.scope),
                   scope_id=c.scope_id, percent=c.percent,
                   amount_minor=c.amount_minor, cap_minor=c.cap_minor,
                   valid_from=_util.utc(c.valid_from),
                   valid_until=_util.utc(c.valid_until),
                   max_uses=c.max_uses, max_uses_per_user=c.max_uses_per_user,
                   uses=c.uses, created_at=_util.utc(c.created_at))

    @classmethod
    def create(cls, db: Database, code: str, target: IdLike,
               scope: Union[OfferScope, str, None] = None, percent: int = 0,
               amount_minor: int = 0, cap_minor: int = 0,
               valid_from: Optional[TimeLike] = None,
               valid_until: Optional[TimeLike] = None, max_uses: int = 0,
               max_uses_per_user: int = 0) -> Offer:
        """Creates offer @code for @target (a Movie, Venue, Screen or Tier,
        or an id with @scope = "movie" | "venue" | "screen" | "tier").
        Give either @percent (1..100) or @amount_minor (per seat)."""
        require("tix_offer_create")
        if scope is None:
            scope = _SCOPE_OF.get(type(target))
            if scope is None:
                raise InvalidArgument("give scope= with a plain id target")
        elif isinstance(scope, str):
            try:
                scope = OfferScope[scope.upper()]
            except KeyError:
                raise InvalidArgument("scope must be movie, venue, screen "
                                      "or tier") from None
        keep = Keep()
        c = keep.hold(ffi.new("tix_offer *"))
        c.code = keep.str(code, "code", allow_none=False)
        c.scope = int(scope)
        c.scope_id = as_id(target, "target")
        c.percent = _util.as_u32(percent, "percent")
        c.amount_minor = amount_minor
        c.cap_minor = cap_minor
        c.valid_from = _util.as_time(valid_from)
        c.valid_until = _util.as_time(valid_until)
        c.max_uses = _util.as_u32(max_uses, "max_uses")
        c.max_uses_per_user = _util.as_u32(max_uses_per_user,
                                           "max_uses_per_user")
        out = ffi.new("tix_id *")
        db._call("tix_offer_create", c, out)
        return cls.get(db, out[0])

    @classmethod
    def get(cls, db: Database, id: IdLike) -> Offer:  # type: ignore[override]
        """Offer @id (tix.NotFound)."""
        require("tix_offer_get")
        return cls._fetch(db, id)

    @classmethod
    def find_code(cls, db: Database, code: str) -> Offer:
        """The offer with @code, ignoring case (tix.NotFound)."""
        require("tix_offer_find_code")
        out = ffi.new("tix_offer **")
        db._call("tix_offer_find_code",
                 _util.enc(code, "code", allow_none=False), out)
        try:
            return cls._from_c(db, out[0])
        finally:
            lib.tix_offer_free(out[0])

    @classmethod
    def list(cls, db: Database, after: IdLike = 0,
             page: int = 100) -> Iterator[Offer]:
        """Iterator over every offer by id."""
        require("tix_offer_list_all")
        return cls._pages(db, "tix_offer_list_all", after, page)


class QuoteSeat(NamedTuple):
    """One seat of a quote; in_scope: the offer applies to it."""
    seat: int
    tier_id: int
    price_minor: int
    in_scope: bool


class Quote(NamedTuple):
    """A price: subtotal - discount + fee = total, in minor units."""
    show_id: int
    offer_id: int
    currency: str
    subtotal_minor: int
    discount_minor: int
    fee_minor: int
    total_minor: int
    seats: List[QuoteSeat]

    def as_dict(self) -> Dict[str, Any]:
        """The quote as JSON-ready dicts."""
        d = self._asdict()
        d["seats"] = [s._asdict() for s in self.seats]
        return d


def quote(db: Database, show: IdLike, seats: Iterable[Any],
          offer_code: Optional[str] = None,
          user: Optional[IdLike] = None) -> Quote:
    """Prices @seats of @show as a confirm would now (reads only)."""
    from .seats import _seat_indexes
    require("tix_price_quote")
    idx = _seat_indexes(seats)
    arr = ffi.new("uint32_t[]", idx) if idx else ffi.NULL
    out = ffi.new("tix_quote **")
    db._call("tix_price_quote", as_id(show, "show"), arr, len(idx),
             _util.arg(offer_code, "offer_code"),
             as_id(user, "user", allow_none=True), out)
    q = out[0]
    try:
        return Quote(q.show_id, q.offer_id, dec_array(q.currency),
                     q.subtotal_minor, q.discount_minor, q.fee_minor,
                     q.total_minor,
                     [QuoteSeat(q.seats[i].seat, q.seats[i].tier_id,
                                q.seats[i].price_minor, bool(q.seats[i].in_scope))
                      for i in range(q.n_seats)])
    finally:
        lib.tix_quote_free(q)
