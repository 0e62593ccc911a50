"""Catalog records: Place, Venue, Screen, Tier, Seat, Movie, Show, User.

Every record is a plain Python copy of the C record (the C block is freed
before the call returns) plus a reference to its Database for the
convenience methods. Pattern, for each class X:

    X.create(db, ...)   -> X        (creates, then reads it back)
    X.get(db, id)       -> X        (tix.NotFound if missing)
    x.update(**fields)  -> x        (writes, then refreshes x in place)
    X.list(db, ...)     -> list, or an iterator for paged tables (Movie, User)

Records compare equal when they have the same class and id. Times are
aware UTC datetimes (epoch seconds are accepted wherever a time is taken).
"""
from __future__ import annotations

import datetime
import enum
from typing import (TYPE_CHECKING, Any, Dict, Iterable, Iterator, List,
                    Optional, Sequence, Tuple, Type, TypeVar, Union)

from ._ffi import ffi, lib
from . import _util
from ._util import (DateLike, IdLike, Keep, TimeLike, as_id, dec, dec_array,
                    strlist)
from .errors import InvalidArgument, NotFound

if TYPE_CHECKING:
    from .db import Database
    from .discover import NearbyVenue, Recommendation, SearchHit
    from .offers import Quote
    from .reviews import Review
    from .seats import Booking, Hold, SeatState

R = TypeVar("R", bound="Record")
#: A seat argument: its index, its label ("E7") or the tix.Seat.
SeatLike = Union[int, str, "Seat"]


class PlaceKind(enum.IntEnum):
    """What a Place is: a country, a state (under a country) or a city."""
    COUNTRY = lib.TIX_PLACE_COUNTRY
    STATE = lib.TIX_PLACE_STATE
    CITY = lib.TIX_PLACE_CITY


class SeatFlag(enum.IntFlag):
    """Properties of a seat; they combine (AISLE | WHEELCHAIR)."""
    NONE = 0
    AISLE = lib.TIX_SEAT_AISLE
    WHEELCHAIR = lib.TIX_SEAT_WHEELCHAIR
    COMPANION = lib.TIX_SEAT_COMPANION
    BLOCKED = lib.TIX_SEAT_BLOCKED
    STANDING = lib.TIX_SEAT_STANDING


class Record:
    """Base of the catalog records: attribute bag + db reference."""
    _fields = ()
    _ctype = None   # "tix_place"
    _get = None     # name of the C getter

    id: int

    def __init__(self, db: Database, **values: Any) -> None:
        self._db = db
        for f in self._fields:
            setattr(self, f, values[f])

    @property
    def db(self) -> Database:
        """The Database this record was read from."""
        return self._db

    def as_dict(self) -> Dict[str, Any]:
        """The record's fields as a dict (JSON friendly: enums as ints,
        times as ISO 8601 strings)."""
        out = {}
        for f in self._fields:
            v = getattr(self, f)
            if isinstance(v, enum.Enum):
                v = int(v)
            out[f] = _util.jsonable(list(v) if isinstance(v, tuple) else v)
        return out

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.id == other.id and self._db is other._db

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.id))

    def __repr__(self) -> str:
        shown = ", ".join("%s=%r" % (f, getattr(self, f))
                          for f in self._fields[:4])
        return "<tix.%s %s>" % (type(self).__name__, shown)

    # ---- shared plumbing ---------------------------------------------------
    @classmethod
    def _from_c(cls: Type[R], db: Database, c: Any) -> R:
        raise NotImplementedError  # each record class copies its C struct

    @classmethod
    def _fetch(cls: Type[R], db: Database, id: IdLike) -> R:
        out = ffi.new(cls._ctype + " **")
        free = getattr(lib, cls._ctype + "_free")
        db._call(cls._get, as_id(id, cls.__name__.lower() + " id"), out)
        try:
            return cls._from_c(db, out[0])
        finally:
            free(out[0])

    @classmethod
    def get(cls: Type[R], db: Database, id: IdLike) -> R:
        """Reads record @id.

        Raises:
            tix.NotFound: there is no such record.
        """
        return cls._fetch(db, id)

    @classmethod
    def _list(cls: Type[R], db: Database, fn: str, *args: Any) -> List[R]:
        out = ffi.new(cls._ctype + "_list **")
        db._call(fn, *args, out)
        lst = out[0]
        try:
            return [cls._from_c(db, lst.items[i]) for i in range(lst.count)]
        finally:
            getattr(lib, cls._ctype + "_list_free")(lst)

    @classmethod
    def _pages(cls: Type[R], db: Database, fn: str, after: IdLike,
               page: int) -> Iterator[R]:
        """Iterator over a table listed by id, @page records per C call. Each
        page is copied and freed before its records are yielded, so an
        abandoned iterator leaks nothing."""
        after = as_id(after, "after", allow_none=True)
        if page < 1:
            raise InvalidArgument("page must be >= 1")
        while True:
            items = cls._list(db, fn, after, page)
            yield from items
            if len(items) < page:
                return
            after = items[-1].id

    def _refresh(self: R) -> R:
        fresh = self._fetch(self._db, self.id)
        for f in self._fields:
            setattr(self, f, getattr(fresh, f))
        return self

    def refresh(self: R) -> R:
        """Re-reads the record from the store; returns it."""
        return self._refresh()

    def _update(self: R, changes: Dict[str, Any],
                allowed: Sequence[str]) -> R:
        bad = set(changes) - set(allowed)
        if bad:
            raise TypeError("%s.update: cannot change %s (can: %s)"
                            % (type(self).__name__, ", ".join(sorted(bad)),
                               ", ".join(allowed)))
        values = {f: getattr(self, f) for f in self._fields}
        values.update(changes)
        keep = Keep()
        c = self._to_c(keep, values)
        c.id = self.id
        self._db._call(self._ctype + "_update", c)
        return self._refresh()

    @classmethod
    def _create(cls: Type[R], db: Database, values: Dict[str, Any]) -> R:
        keep = Keep()
        c = cls._to_c(keep, values)
        out = ffi.new("tix_id *")
        db._call(cls._ctype + "_create", c, out)
        return cls.get(db, out[0])


# ---------------------------------------------------------------------------
class _Deletable:
    """The delete() of the records tix_<noun>_delete serves."""
    _ctype: Any
    _db: Database
    id: int

    def delete(self) -> None:
        """Deletes the record and its index entries in one transaction.

        Raises:
            tix.Busy: something refers to it (the message names one:
                "venue 3 has screens (screen 7)"); nothing changed.
            tix.NotFound: it is gone already.
        """
        self._db._call(self._ctype + "_delete", self.id)


class Place(_Deletable, Record):
    """A country, state or city. A city's local time (the dates of its
    shows, the local times of its events) comes from its IANA time_zone
    ("Europe/London", summer time included) or, without one, from the fixed
    utc_offset_min."""
    _fields = ("id", "kind", "parent_id", "name", "utc_offset_min",
               "time_zone")
    _ctype = "tix_place"
    _get = "tix_place_get"

    @classmethod
    def _from_c(cls: Type[R], db: Database, c: Any) -> R:
        return cls(db, id=c.id, kind=PlaceKind(c.kind), parent_id=c.parent_id,
                   name=dec(c.name), utc_offset_min=c.utc_offset_min,
                   time_zone=dec(c.time_zone))

    @staticmethod
    def _to_c(keep: Keep, v: Dict[str, Any]) -> Any:
        c = keep.hold(ffi.new("tix_place *"))
        c.kind = int(v["kind"])
        c.parent_id = as_id(v["parent_id"], "parent", allow_none=True)
        c.name = keep.str(v["name"], "name", allow_none=False)
        c.utc_offset_min = v["utc_offset_min"]
        c.time_zone = keep.str(v.get("time_zone") or None, "time_zone")
        return c

    @classmethod
    def create(cls, db: Database, name: str, parent: Optional[IdLike] = None,
               kind: Union[PlaceKind, str, None] = None,
               utc_offset_min: int = 0,
               time_zone: Optional[str] = None) -> Place:
        """Creates a place.

        Args:
            name: unique among the parent's children.
            parent: the country of a state, the state of a city.
            kind: defaults to what fits under @parent: country (no parent),
                state (under a country), city (under a state).
            utc_offset_min: a city's fixed offset from UTC, used when it
                has no @time_zone.
            time_zone: an IANA name the system tzdata has ("Asia/Kolkata");
                tix.InvalidArgument otherwise.
        """
        if kind is None:
            if parent is None:
                kind = PlaceKind.COUNTRY
            else:
                p = parent if isinstance(parent, Place) else cls.get(db, parent)
                if p.kind == PlaceKind.CITY:
                    raise InvalidArgument("a city has no children")
                kind = PlaceKind(p.kind + 1)
        elif isinstance(kind, str):
            try:
                kind = PlaceKind[kind.upper()]
            except KeyError:
                raise InvalidArgument("kind must be country, state or city") from None
        return cls._create(db, dict(kind=kind, parent_id=parent, name=name,
                                    utc_offset_min=utc_offset_min,
                                    time_zone=time_zone))

    def update(self, **changes: Any) -> Place:
        """Changes name, utc_offset_min and/or time_zone (places never
        move)."""
        return self._update(changes, ("name", "utc_offset_min", "time_zone"))

    def utc_offset(self, t: TimeLike) -> int:
        """Minutes east of UTC at @t (epoch seconds or aware datetime): the
        zone's offset then, or the fixed one."""
        out = ffi.new("int32_t *")
        self._db._call("tix_place_utc_offset", self.id, _util.as_time(t), out)
        return out[0]

    @classmethod
    def list(cls, db: Database, parent: Optional[IdLike] = None) -> List[Place]:
        """Children of @parent (None = the countries), by name."""
        return cls._list(db, "tix_place_list_by_parent",
                         as_id(parent, "parent", allow_none=True))

    @classmethod
    def find_city(cls, db: Database, name: str) -> Place:
        """The city called @name (case ignored), in any country and state.

        Raises:
            tix.NotFound: no city has that name.
        """
        want = name.casefold()
        for country in cls.list(db, None):
            for state in country.children():
                for city in state.children():
                    if city.name.casefold() == want:
                        return city
        raise NotFound("no city named %r" % name, lib.TIX_ENOTFOUND,
                       "Place.find_city")

    def children(self) -> List[Place]:
        """The states of a country, the cities of a state, by name."""
        return Place.list(self._db, self.id)

    def parent(self) -> Optional[Place]:
        """The place this one is in (None for a country)."""
        return Place.get(self._db, self.parent_id) if self.parent_id else None

    def venues(self) -> List[Venue]:
        """Venues of this city, by name."""
        return Venue.list(self._db, self.id)

    def shows(self, date: DateLike, movie: Optional[IdLike] = None) -> List[Show]:
        """Shows in this city on a local date, by start time."""
        return Show.list(self._db, city=self.id, date=date, movie=movie)


# ---------------------------------------------------------------------------
class Venue(_Deletable, Record):
    _fields = ("id", "city_id", "name", "address", "lat", "lon")
    _ctype = "tix_venue"
    _get = "tix_venue_get"

    @classmethod
    def _from_c(cls: Type[R], db: Database, c: Any) -> R:
        return cls(db, id=c.id, city_id=c.city_id, name=dec(c.name),
                   address=dec(c.address), lat=c.lat, lon=c.lon)

    @staticmethod
    def _to_c(keep: Keep, v: Dict[str, Any]) -> Any:
        c = keep.hold(ffi.new("tix_venue *"))
        c.city_id = as_id(v["city_id"], "city")
        c.name = keep.str(v["name"], "name", allow_none=False)
        c.address = keep.str(v["address"], "address")
        c.lat = float(v["lat"])
        c.lon = float(v["lon"])
        return c

    @classmethod
    def create(cls, db: Database, city: IdLike, name: str, address: str = "",
               lat: float = 0.0, lon: float = 0.0) -> Venue:
        """Creates a venue in @city; @lat/@lon place it for venues_nearby."""
        return cls._create(db, dict(city_id=city, name=name, address=address,
                                    lat=lat, lon=lon))

    def update(self, **changes: Any) -> Venue:
        """Changes name, address, lat, lon (venues never change city)."""
        return self._update(changes, ("name", "address", "lat", "lon"))

    @classmethod
    def list(cls, db: Database, city: IdLike) -> List[Venue]:
        """Venues of @city, by name."""
        return cls._list(db, "tix_venue_list_by_city", as_id(city, "city"))

    def city(self) -> Place:
        """The venue's city."""
        return Place.get(self._db, self.city_id)

    def screens(self) -> List[Screen]:
        """The venue's screens (halls, stadium bowls), by name."""
        return Screen.list(self._db, self.id)

    def shows(self, date: DateLike) -> List[Show]:
        """The venue's shows on a local @date, by start time."""
        return Show.list(self._db, venue=self.id, date=date)

    @classmethod
    def nearby(cls, db: Database, lat: float, lon: float, radius_km: float,
               limit: int = 0) -> List[NearbyVenue]:
        """[(Venue, distance_km)] within @radius_km, nearest first."""
        from .discover import venues_nearby
        return venues_nearby(db, lat, lon, radius_km, limit)


# ---------------------------------------------------------------------------
class Screen(_Deletable, Record):
    _fields = ("id", "venue_id", "name", "ideal_x", "ideal_y", "seat_count")
    _ctype = "tix_screen"
    _get = "tix_screen_get"

    @classmethod
    def _from_c(cls: Type[R], db: Database, c: Any) -> R:
        return cls(db, id=c.id, venue_id=c.venue_id, name=dec(c.name),
                   ideal_x=c.ideal_x, ideal_y=c.ideal_y,
                   seat_count=c.seat_count)

    @staticmethod
    def _to_c(keep: Keep, v: Dict[str, Any]) -> Any:
        c = keep.hold(ffi.new("tix_screen *"))
        c.venue_id = as_id(v["venue_id"], "venue")
        c.name = keep.str(v["name"], "name", allow_none=False)
        c.ideal_x = float(v["ideal_x"])
        c.ideal_y = float(v["ideal_y"])
        return c

    @classmethod
    def create(cls, db: Database, venue: IdLike, name: str,
               ideal_x: float = 0.0, ideal_y: float = 0.0) -> Screen:
        """Creates an empty screen; (@ideal_x, @ideal_y) is the best seat
        position, which best-available seats are picked around."""
        return cls._create(db, dict(venue_id=venue, name=name, ideal_x=ideal_x,
                                    ideal_y=ideal_y, seat_count=0))

    def update(self, **changes: Any) -> Screen:
        """Changes name, ideal_x, ideal_y."""
        return self._update(changes, ("name", "ideal_x", "ideal_y"))

    @classmethod
    def list(cls, db: Database, venue: IdLike) -> List[Screen]:
        """Screens of @venue, by name."""
        return cls._list(db, "tix_screen_list_by_venue", as_id(venue, "venue"))

    def venue(self) -> Venue:
        """The screen's venue."""
        return Venue.get(self._db, self.venue_id)

    def tiers(self) -> List[Tier]:
        """The screen's price tiers, cheapest first."""
        return Tier.list(self._db, self.id)

    def seats(self) -> List[Seat]:
        """Every seat, in index order."""
        return Seat.list(self._db, self.id)

    def add_tier(self, name: str, price_minor: int, currency: str) -> Tier:
        """Creates a price tier of this screen."""
        return Tier.create(self._db, self, name, price_minor, currency)

    def areas(self) -> List[Area]:
        """The screen's general-admission areas, by name."""
        return Area.list(self._db, self.id)

    def add_area(self, name: str, tier: IdLike, capacity: int) -> Area:
        """Creates a general-admission area of @capacity places priced by
        @tier (see Area.create); refreshes seat_count."""
        a = Area.create(self._db, self, name, tier, capacity)
        self._refresh()
        return a

    def add_rows(self, rows: Iterable[Any]) -> int:
        """Adds rows of seats (see Seat.add_rows); returns the first new
        seat index and refreshes seat_count."""
        first = Seat.add_rows(self._db, self, rows)
        self._refresh()
        return first


# ---------------------------------------------------------------------------
class Area(Record):
    """A general-admission area: @capacity places of one tier, sold by
    count. Its places are seats first_seat .. first_seat + capacity - 1
    of the screen (flag SeatFlag.STANDING, row = the area's name)."""
    _fields = ("id", "screen_id", "tier_id", "name", "capacity",
               "first_seat")
    _ctype = "tix_area"
    _get = "tix_area_get"

    @classmethod
    def _from_c(cls: Type[R], db: Database, c: Any) -> R:
        return cls(db, id=c.id, screen_id=c.screen_id, tier_id=c.tier_id,
                   name=dec(c.name), capacity=c.capacity,
                   first_seat=c.first_seat)

    @staticmethod
    def _to_c(keep: Keep, v: Dict[str, Any]) -> Any:
        c = keep.hold(ffi.new("tix_area *"))
        c.screen_id = as_id(v["screen_id"], "screen")
        c.tier_id = as_id(v["tier_id"], "tier")
        c.name = keep.str(v["name"], "name", allow_none=False)
        c.capacity = _util.as_u32(v["capacity"], "capacity")
        return c

    @classmethod
    def create(cls, db: Database, screen: IdLike, name: str, tier: IdLike,
               capacity: int) -> Area:
        """Creates an area of @capacity places on a screen without shows.
        @name (1..8 bytes) is printed as the row of its tickets.

        Raises:
            tix.Exists: an area or a seat row of the screen has @name.
            tix.Busy: the screen has shows (its layout is frozen).
        """
        return cls._create(db, dict(screen_id=screen, name=name, tier_id=tier,
                                    capacity=capacity, first_seat=0))

    @classmethod
    def list(cls, db: Database, screen: IdLike) -> List[Area]:
        """Areas of a screen, by name."""
        return cls._list(db, "tix_area_list_by_screen",
                         as_id(screen, "screen"))

    def places(self) -> range:
        """The seat indexes of its places."""
        return range(self.first_seat, self.first_seat + self.capacity)


# ---------------------------------------------------------------------------
class Tier(_Deletable, Record):
    _fields = ("id", "screen_id", "name", "price_minor", "currency")
    _ctype = "tix_tier"
    _get = "tix_tier_get"

    @classmethod
    def _from_c(cls: Type[R], db: Database, c: Any) -> R:
        return cls(db, id=c.id, screen_id=c.screen_id, name=dec(c.name),
                   price_minor=c.price_minor, currency=dec_array(c.currency))

    @staticmethod
    def _to_c(keep: Keep, v: Dict[str, Any]) -> Any:
        c = keep.hold(ffi.new("tix_tier *"))
        c.screen_id = as_id(v["screen_id"], "screen")
        c.name = keep.str(v["name"], "name", allow_none=False)
        c.price_minor = v["price_minor"]
        cur = _util.enc(v["currency"], "currency", allow_none=False)
        if len(cur) > 3:
            raise InvalidArgument("currency %r is not a 3-letter code"
                                  % v["currency"])
        c.currency = cur
        return c

    @classmethod
    def create(cls, db: Database, screen: IdLike, name: str, price_minor: int,
               currency: str) -> Tier:
        """Creates a tier: @price_minor per seat in minor units (paise,
        cents) of @currency; tix.InvalidArgument when @currency is not an
        active ISO 4217 code."""
        return cls._create(db, dict(screen_id=screen, name=name,
                                    price_minor=price_minor, currency=currency))

    @property
    def price(self) -> str:
        """The price as text in the currency's decimals, "JPY 1800"."""
        from .money import format_money
        return format_money(self.price_minor, self.currency)

    def update(self, **changes: Any) -> Tier:
        """Changes name, price_minor, currency."""
        return self._update(changes, ("name", "price_minor", "currency"))

    @classmethod
    def list(cls, db: Database, screen: IdLike) -> List[Tier]:
        """Tiers of a screen, cheapest first."""
        return cls._list(db, "tix_tier_list_by_screen", as_id(screen, "screen"))


# ---------------------------------------------------------------------------
class SeatSpec:
    """One seat of a row being added: number (>= 1), position, tier, flags."""
    __slots__ = ("number", "x", "y", "tier", "flags")

    def __init__(self, number: int, x: float = 0.0, y: float = 0.0,
                 tier: Optional[IdLike] = 0, flags: int = 0) -> None:
        self.number, self.x, self.y, self.tier, self.flags = \
            number, x, y, tier, flags

    def __repr__(self) -> str:
        return "SeatSpec(%r, x=%r, y=%r, tier=%r, flags=%r)" % (
            self.number, self.x, self.y, self.tier, self.flags)


def _seat_spec(s: Any, default_tier: Optional[IdLike]) -> SeatSpec:
    if isinstance(s, SeatSpec):
        return s
    if isinstance(s, dict):
        d = dict(s)
        if "tier_id" in d:
            d["tier"] = d.pop("tier_id")
        d.setdefault("tier", default_tier)
        return SeatSpec(**d)
    if isinstance(s, int):
        return SeatSpec(s, x=float(s), tier=default_tier)
    return SeatSpec(*s)


class Seat(Record):
    """A seat of a screen. index (0..seat_count-1) names it in holds and
    seat maps. Seats are only ever added (Seat.add_rows) and listed."""
    _fields = ("index", "row", "number", "x", "y", "tier_id", "flags")

    index: int
    row: str
    number: int
    tier_id: int
    flags: SeatFlag

    @property
    def id(self) -> int:  # type: ignore[override]
        """The seat's index (what equality and hashing use)."""
        return self.index

    @property
    def label(self) -> str:
        """Row and number, "E7" (holds and seat lists take it too)."""
        return "%s%d" % (self.row, self.number)

    @property
    def accessible(self) -> bool:
        """A wheelchair space or its companion seat."""
        return bool(self.flags & (SeatFlag.WHEELCHAIR | SeatFlag.COMPANION))

    @classmethod
    def _from_c(cls: Type[R], db: Database, c: Any) -> R:
        return cls(db, index=c.index, row=dec(c.row), number=c.number, x=c.x,
                   y=c.y, tier_id=c.tier_id, flags=SeatFlag(c.flags))

    @classmethod
    def add_rows(cls, db: Database, screen: IdLike, rows: Iterable[Any],
                 tier: Optional[IdLike] = None) -> int:
        """Adds rows to a screen in one transaction, all or nothing.

        @rows: iterable of (label, seats) pairs (or dicts with "label" and
        "seats"); each seat is a SeatSpec, a dict of its fields, a tuple
        (number, x, y, tier, flags), or just a seat number (x = number,
        y = 0, tier = @tier). No two seats of a screen may share a row and
        number, or a position (tix.Exists). Returns the index of the first
        new seat."""
        keep = Keep()
        crows = []
        default_tier = tier
        for row in rows:
            if isinstance(row, dict):
                label, seats = row["label"], row["seats"]
            else:
                label, seats = row
            specs = [_seat_spec(s, default_tier) for s in seats]
            arr = keep.hold(ffi.new("tix_seat_spec[]", max(len(specs), 1)))
            for i, s in enumerate(specs):
                arr[i].number = _util.as_u32(s.number, "seat number")
                arr[i].x = float(s.x)
                arr[i].y = float(s.y)
                arr[i].tier_id = as_id(s.tier, "tier", allow_none=True)
                arr[i].flags = int(s.flags)
            crows.append((keep.str(label, "row label", allow_none=False), arr,
                          len(specs)))
        if not crows:
            raise InvalidArgument("no rows to add")
        carr = keep.hold(ffi.new("tix_row_spec[]", len(crows)))
        for i, (label, arr, n) in enumerate(crows):
            carr[i].label = label
            carr[i].seats = arr
            carr[i].count = n
        first = ffi.new("uint32_t *")
        db._call("tix_seats_add_rows", as_id(screen, "screen"), carr,
                 len(crows), first)
        return first[0]

    @classmethod
    def list(cls, db: Database, screen: IdLike) -> List[Seat]:
        """Every seat of a screen, in index order (items[i].index == i)."""
        out = ffi.new("tix_seat_list **")
        db._call("tix_seat_list_by_screen", as_id(screen, "screen"), out)
        lst = out[0]
        try:
            return [cls._from_c(db, lst.items[i]) for i in range(lst.count)]
        finally:
            lib.tix_seat_list_free(lst)

    def __repr__(self) -> str:
        return "<tix.Seat %d %s tier=%d %s>" % (self.index, self.label,
                                                self.tier_id, self.flags)


# ---------------------------------------------------------------------------
_MOVIE_LISTS = ("languages", "genres", "cast", "crew", "media")


class Movie(_Deletable, Record):
    _fields = ("id", "title", "duration_min", "certificate", "synopsis") + \
        _MOVIE_LISTS
    _ctype = "tix_movie"
    _get = "tix_movie_get"

    @classmethod
    def _from_c(cls: Type[R], db: Database, c: Any) -> R:
        v = dict(id=c.id, title=dec(c.title), duration_min=c.duration_min,
                 certificate=dec(c.certificate), synopsis=dec(c.synopsis))
        for f in _MOVIE_LISTS:
            v[f] = strlist(getattr(c, f), getattr(c, "n_" + f))
        return cls(db, **v)

    @staticmethod
    def _to_c(keep: Keep, v: Dict[str, Any]) -> Any:
        c = keep.hold(ffi.new("tix_movie *"))
        c.title = keep.str(v["title"], "title", allow_none=False)
        c.duration_min = _util.as_u32(v["duration_min"], "duration_min")
        c.certificate = keep.str(v["certificate"], "certificate")
        c.synopsis = keep.str(v["synopsis"], "synopsis")
        for f in _MOVIE_LISTS:
            arr, n = keep.strlist(v[f], f)
            setattr(c, f, arr)
            setattr(c, "n_" + f, n)
        return c

    @classmethod
    def create(cls, db: Database, title: str, duration_min: int,
               certificate: str = "", synopsis: str = "",
               languages: Iterable[str] = (), genres: Iterable[str] = (),
               cast: Iterable[str] = (), crew: Iterable[str] = (),
               media: Iterable[str] = ()) -> Movie:
        """Creates a movie or event; titles need not be unique."""
        return cls._create(db, dict(title=title, duration_min=duration_min,
                                    certificate=certificate, synopsis=synopsis,
                                    languages=languages, genres=genres,
                                    cast=cast, crew=crew, media=media))

    def update(self, **changes: Any) -> Movie:
        """Changes any field but the id."""
        return self._update(changes, self._fields[1:])

    def set_user_cap(self, max_seats: int) -> None:
        """At most @max_seats seats per user over all shows of this movie
        (0 removes the cap); seats already booked count."""
        self._db._call("tix_movie_set_user_cap", self.id,
                       _util.as_u32(max_seats, "max_seats"))

    @classmethod
    def list(cls, db: Database, after: IdLike = 0,
             page: int = 100) -> Iterator[Movie]:
        """Iterator over every movie by id (fetched @page at a time)."""
        return cls._pages(db, "tix_movie_list_all", after, page)

    @classmethod
    def search(cls, db: Database, query: str, city: Optional[IdLike] = None,
               date: Optional[DateLike] = None,
               limit: int = 0) -> List[SearchHit]:
        """Title search by word prefix: [tix.SearchHit], most popular first."""
        from .discover import search
        return search(db, query, city=city, date=date, limit=limit)

    def reviews(self, order: str = "newest",
                page: int = 20) -> Iterator[Review]:
        """Iterator over the movie's reviews ("newest" or "helpful")."""
        from .reviews import Review
        return Review.list(self._db, self.id, order=order, page=page)

    def review(self, user: IdLike, rating: int, text: str = "") -> Review:
        """Writes (creates or replaces) @user's review of this movie."""
        from .reviews import Review
        return Review.write(self._db, self.id, user, rating, text)

    def rating_summary(self) -> Dict[str, Any]:
        """Count, average and histogram of the movie's ratings."""
        from .reviews import rating_summary
        return rating_summary(self._db, self.id)


# ---------------------------------------------------------------------------
class Show(Record):
    """A movie on a screen at a time. start/end are aware UTC datetimes;
    local_date is YYYYMMDD in the city's time; cancelled is True once
    cancel() called it off."""
    _fields = ("id", "movie_id", "screen_id", "start", "end", "venue_id",
               "city_id", "local_date", "seat_count", "cancelled")
    _ctype = "tix_show"
    _get = "tix_show_get"

    @classmethod
    def _from_c(cls: Type[R], db: Database, c: Any) -> R:
        return cls(db, id=c.id, movie_id=c.movie_id, screen_id=c.screen_id,
                   start=_util.utc(c.start), end=_util.utc(c.end),
                   venue_id=c.venue_id,
                   city_id=c.city_id, local_date=c.local_date,
                   seat_count=c.seat_count,
                   cancelled=bool(c.flags & lib.TIX_SHOW_CANCELLED))

    @classmethod
    def create(cls, db: Database, movie: IdLike, screen: IdLike,
               start: TimeLike, allow_past: bool = False,
               user_cap: Optional[int] = None) -> Show:
        """Schedules @movie on @screen at @start (an aware datetime or epoch
        seconds); @user_cap: at most that many seats per user
        (set_user_cap).

        Raises:
            tix.Overlap: it collides with another show on the screen.
            tix.OutOfRange: @start is before now, unless @allow_past
                (history, an admin's correction).
        """
        keep = Keep()
        c = keep.hold(ffi.new("tix_show *"))
        c.movie_id = as_id(movie, "movie")
        c.screen_id = as_id(screen, "screen")
        c.start = _util.as_time(start)
        c.flags = lib.TIX_SHOW_ALLOW_PAST if allow_past else 0
        cap = None if user_cap is None else _util.as_u32(user_cap, "user_cap")
        out = ffi.new("tix_id *")
        db._call("tix_show_create", c, out)
        show = cls.get(db, out[0])
        if cap:
            show.set_user_cap(cap)
        return show

    @classmethod
    def list(cls, db: Database, city: Union[IdLike, str, None] = None,
             date: Optional[DateLike] = None, movie: Optional[IdLike] = None,
             venue: Optional[IdLike] = None) -> List[Show]:
        """Shows on a local @date, by start time.

        Args:
            city: a city id, Place or name ("Mumbai", case ignored).
            date: YYYYMMDD, datetime.date or "YYYY-MM-DD".
            movie: only this movie's shows (with @city).
            venue: instead of @city: the shows at one venue.
        """
        if date is None:
            raise InvalidArgument("date is required")
        d = _util.as_date(date)
        if isinstance(city, str):
            city = Place.find_city(db, city)
        if venue is not None:
            if city is not None or movie is not None:
                raise InvalidArgument("give either city (and movie) or venue")
            return cls._list(db, "tix_show_list_by_venue",
                             as_id(venue, "venue"), d)
        return cls._list(db, "tix_show_list_by_city", as_id(city, "city"), d,
                         as_id(movie, "movie", allow_none=True))

    def movie(self) -> Movie:
        """The movie or event shown."""
        return Movie.get(self._db, self.movie_id)

    def local_start(self) -> datetime.datetime:
        """The start as an aware datetime in the city's local time (its
        time zone's offset at that instant, or its fixed offset)."""
        out = ffi.new("int32_t *")
        t = _util.as_time(self.start)
        self._db._call("tix_place_utc_offset", self.city_id, t, out)
        from .money import local_datetime
        return local_datetime(t, out[0])

    def screen(self) -> Screen:
        """The screen it is on."""
        return Screen.get(self._db, self.screen_id)

    def venue(self) -> Venue:
        """The venue it is at."""
        return Venue.get(self._db, self.venue_id)

    def seats(self) -> List[Seat]:
        """The show's seats (its screen's layout), in index order."""
        return Seat.list(self._db, self.screen_id)

    def seat_index(self, seat: SeatLike) -> int:
        """The index of @seat: an index, a tix.Seat or a label ("E7",
        case ignored). tix.NotFound for a label the show does not have."""
        if isinstance(seat, str):
            labels = self.__dict__.get("_labels")
            if labels is None:  # seats are only ever added: cache them
                labels = {s.label.upper(): s.index for s in self.seats()}
                self.__dict__["_labels"] = labels
            try:
                return labels[seat.strip().upper()]
            except KeyError:
                raise NotFound("show %d has no seat %s" % (self.id, seat),
                               lib.TIX_ENOTFOUND, "Show.seat_index") from None
        if isinstance(seat, Seat):
            return seat.index
        return seat

    def seat_indexes(self, seats: Union[SeatLike, Iterable[SeatLike]]) -> List[int]:
        """seat_index() of each of @seats (one seat may be given alone)."""
        if isinstance(seats, (int, str, Seat)):
            seats = [seats]
        return [self.seat_index(s) for s in seats]

    # ---- the seat engine (implemented in tix.seats) -------------------------
    def hold(self, seats: Union[SeatLike, Iterable[SeatLike]],
             ttl: Optional[int] = None, request_key: Optional[str] = None,
             user: Optional[IdLike] = None,
             channel: Optional[IdLike] = None,
             queue_ticket: Optional[str] = None,
             box_office: bool = False) -> Hold:
        """Holds @seats, all or nothing.

        Args:
            seats: indexes, labels ("E7") or tix.Seat objects.
            ttl: seconds the hold lasts (None = the store default).
            request_key: an idempotency key: the same key again returns
                the same hold instead of failing on its own seats.
            user: the buyer: a hold past the user's per-customer cap is
                refused early (tix.Limit).
            channel: the sales channel (id or tix.Channel) the hold is
                made through; None sees only the public pool.
            queue_ticket: on a show with a waiting room, the buyer's
                admitted ticket (queue_join()).
            box_office: hold on a queued show without a ticket (trusted
                callers only).

        Raises:
            tix.Conflict: a seat is taken (the message names it).
            tix.Permission: a seat belongs to another channel, or a queued
                show and no ticket.
            tix.Again: the ticket is not admitted yet.
            tix.Expired: the ticket's shopping window has ended.
        """
        from .seats import hold_seats
        return hold_seats(self._db, self.id, self.seat_indexes(seats), ttl,
                          request_key, user, channel, queue_ticket, box_office)

    def hold_best(self, n: int, tier: Optional[IdLike] = None,
                  accessible: bool = False, any_tier: bool = False,
                  ttl: Optional[int] = None,
                  request_key: Optional[str] = None,
                  user: Optional[IdLike] = None,
                  companions: int = 0,
                  channel: Optional[IdLike] = None,
                  queue_ticket: Optional[str] = None,
                  box_office: bool = False) -> Hold:
        """Holds the @n best adjacent seats of @tier (None = cheapest tier
        with room). With accessible=True and @companions > 0: @n wheelchair
        seats and @companions companion seats next to them, one run of one
        row. @user, @queue_ticket, @box_office: as for hold().

        Raises:
            tix.Conflict: no such seats exist.
        """
        from .seats import hold_best
        return hold_best(self._db, self.id, n, tier, accessible, any_tier, ttl,
                         request_key, user, companions, channel,
                         queue_ticket, box_office)

    # ---- sales channels (implemented in tix.channels) -----------------------
    def assign_channel(self, channel: Optional[IdLike],
                       seats: Union[SeatLike, Iterable[SeatLike]]) -> None:
        """Sets @seats aside for @channel (None: back to the public
        pool), all or nothing; each seat must be free."""
        from .channels import assign
        assign(self._db, self.id, channel, self.seat_indexes(seats))

    def assign_channel_tier(self, channel: IdLike, tier: IdLike,
                            count: int) -> None:
        """Sets @count free public seats of @tier aside for @channel."""
        from .channels import assign_tier
        assign_tier(self._db, self.id, channel, tier, count)

    def release_channel(self, channel: IdLike,
                        at: Optional[Any] = None) -> None:
        """Gives @channel's unsold seats back to the public pool at @at
        (datetime or Unix seconds), or now with None."""
        from .channels import release
        release(self._db, self.id, channel, at)

    def channel_availability(self) -> List[Dict[str, Any]]:
        """Seat counts per channel: the public pool (channel_id 0) first."""
        from .channels import availability
        return availability(self._db, self.id)

    def seat_channels(self) -> List[int]:
        """The channel of each seat (0 = public pool)."""
        from .channels import seat_channels
        return seat_channels(self._db, self.id)

    def hold_areas(self, areas: Dict[IdLike, int],
                   seats: Union[SeatLike, Iterable[SeatLike]] = (),
                   ttl: Optional[int] = None,
                   user: Optional[IdLike] = None,
                   channel: Optional[IdLike] = None,
                   queue_ticket: Optional[str] = None,
                   box_office: bool = False) -> Hold:
        """Holds places of general-admission areas by count, {area: n},
        with @seats (indexes or labels), all or nothing, in one hold; the
        hold's seats list the places it got. @ttl, @user: as for hold().

        Raises:
            tix.Conflict: an area has fewer free places than asked, or a
                seat is taken.
        """
        from .seats import hold_areas
        return hold_areas(self._db, self.id, areas, self.seat_indexes(seats),
                          ttl, user, channel, queue_ticket, box_office)

    def area_availability(self, area: IdLike) -> Dict[str, int]:
        """{"tier_id", "total", "free", "held", "booked", "unavailable"} of
        the places of @area in this show."""
        from .seats import area_availability
        return area_availability(self._db, self.id, area)

    # ---- the waiting room (implemented in tix.queue) ------------------------
    def set_queue(self, onsale: TimeLike, capacity: int, rate: int = 0,
                  window: int = 0) -> None:
        """Puts a waiting room in front of this show (or changes it): who
        joins before @onsale is shuffled then; @rate admissions a second
        from then on (0: only queue_admit()); at most @capacity tickets;
        an admitted ticket holds for @window seconds from its first hold
        (0: no limit)."""
        from .queue import set_queue
        set_queue(self._db, self.id, onsale, capacity, rate, window)

    def remove_queue(self) -> None:
        """Takes the waiting room away; its tickets stop working."""
        from .queue import remove_queue
        remove_queue(self._db, self.id)

    def queue(self) -> Dict[str, Any]:
        """The waiting room's state (tix.NotFound when there is none)."""
        from .queue import queue_info
        return queue_info(self._db, self.id)

    def queue_join(self) -> str:
        """Joins the waiting room: the new ticket, a short string."""
        from .queue import join
        return join(self._db, self.id)

    def queue_admit(self, n: int) -> None:
        """Admits @n more places now (as seats free up)."""
        from .queue import admit
        admit(self._db, self.id, n)

    def cancel(self, reason: str = "") -> Show:
        """Calls the show off: every live booking is refunded (one CANCELLED
        outbox event each, then one SHOW_CANCELLED event with @reason),
        every seat is blocked for good and holds on it raise tix.State.
        Returns the show as read back (cancelled True).

        Raises:
            tix.Busy: a seat is held or being confirmed (nothing changed).
            tix.Already: it is cancelled already.
            tix.State: it has ended.
        """
        self._db._call("tix_show_cancel", self.id,
                       _util.arg(reason, "reason"))
        return Show.get(self._db, self.id)

    def reschedule(self, start: TimeLike) -> Show:
        """Moves the show to @start (an aware datetime or epoch seconds),
        its length kept; holds and bookings stay and each live booking gets
        a RESCHEDULED outbox event (old_start). Returns the show as read
        back.

        Raises:
            tix.Overlap: another show of the screen is in the way.
            tix.OutOfRange: @start is in the past.
            tix.State: the show is cancelled or has ended.
        """
        self._db._call("tix_show_reschedule", self.id, _util.as_time(start))
        return Show.get(self._db, self.id)

    def set_user_cap(self, max_seats: int) -> None:
        """At most @max_seats seats of this show per user (0 removes the
        cap); seats already booked count. A confirm past it: tix.Limit."""
        self._db._call("tix_show_set_user_cap", self.id,
                       _util.as_u32(max_seats, "max_seats"))

    def user_caps(self, user: Optional[IdLike] = None) -> Dict[str, int]:
        """{"show_cap", "show_booked", "movie_cap", "movie_booked"}: the
        caps on this show and its movie (0 = none) and the seats @user has
        booked under each."""
        c = ffi.new("tix_user_caps *")
        self._db._call("tix_user_caps_get", self.id,
                       as_id(user, "user", allow_none=True), c)
        return {"show_cap": c.show_cap, "show_booked": c.show_booked,
                "movie_cap": c.movie_cap, "movie_booked": c.movie_booked}

    def availability(self) -> Dict[str, Any]:
        """{"show_id", "total", "free", "held", "booked", "unavailable",
        "tiers": [{"tier_id", "total", ...}, ...]} (tiers cheapest first;
        seats being confirmed count as held)."""
        from .seats import availability
        return availability(self._db, self.id)

    def seat_states(self) -> List[SeatState]:
        """[tix.SeatState for seat 0, 1, ...]."""
        from .seats import seat_states
        return seat_states(self._db, self.id, self.seat_count)

    def seat_history(self, seat: SeatLike) -> Dict[str, Any]:
        """What happened to @seat (index, label or Seat): its state now and
        its recorded events (booked, cancelled, checked_in, blocked,
        unblocked) with times, oldest first; see tix.seats.seat_history."""
        from .seats import seat_history
        return seat_history(self._db, self.id, self.seat_index(seat))

    def live_holds(self) -> List[Dict[str, Any]]:
        """The holds of this show that have not run out, soonest end
        first; see tix.seats.live_holds."""
        from .seats import live_holds
        return live_holds(self._db, self.id)

    def seat_state_bytes(self) -> bytes:
        """bytes, one tix.SeatState value per seat (fast for big venues)."""
        from .seats import seat_state_bytes
        return seat_state_bytes(self._db, self.id, self.seat_count)

    def seat_map(self) -> List[Dict[str, Any]]:
        """Seats with their current state: a list of dicts (index, row,
        number, label, x, y, tier_id, flags, state) in index order."""
        states = self.seat_states()
        out = []
        for s in self.seats():
            d = s.as_dict()
            d["flags"] = int(s.flags)
            d["label"] = s.label
            d["state"] = states[s.index]
            out.append(d)
        return out

    def bookings(self) -> List[Booking]:
        """The show's bookings, cancelled ones included."""
        from .seats import Booking
        return Booking.list_by_show(self._db, self.id)

    def quote(self, seats: Union[SeatLike, Iterable[SeatLike]],
              offer_code: Optional[str] = None,
              user: Optional[IdLike] = None) -> Quote:
        """Prices @seats (indexes or labels) as a confirm would now
        (tix.Quote); reads only."""
        from .offers import quote
        return quote(self._db, self.id, self.seat_indexes(seats), offer_code,
                     user)

    def block(self, seats: Union[SeatLike, Iterable[SeatLike]]) -> None:
        """Takes seats (indexes or labels) off sale (admin block), all or
        nothing."""
        from .seats import block
        block(self._db, self.id, self.seat_indexes(seats), True)

    def unblock(self, seats: Union[SeatLike, Iterable[SeatLike]]) -> None:
        """Puts admin-blocked seats back on sale, all or nothing."""
        from .seats import block
        block(self._db, self.id, self.seat_indexes(seats), False)


# ---------------------------------------------------------------------------
class User(_Deletable, Record):
    _fields = ("id", "name", "email", "phone", "home_city_id", "languages",
               "genres")
    _ctype = "tix_user"
    _get = "tix_user_get"

    @classmethod
    def _from_c(cls: Type[R], db: Database, c: Any) -> R:
        return cls(db, id=c.id, name=dec(c.name), email=dec(c.email),
                   phone=dec(c.phone), home_city_id=c.home_city_id,
                   languages=strlist(c.languages, c.n_languages),
                   genres=strlist(c.genres, c.n_genres))

    @staticmethod
    def _to_c(keep: Keep, v: Dict[str, Any]) -> Any:
        c = keep.hold(ffi.new("tix_user *"))
        c.name = keep.str(v["name"], "name", allow_none=False)
        c.email = keep.str(v["email"], "email", allow_none=False)
        c.phone = keep.str(v["phone"], "phone")
        c.home_city_id = as_id(v["home_city_id"], "home_city", allow_none=True)
        c.languages, c.n_languages = keep.strlist(v["languages"], "languages")
        c.genres, c.n_genres = keep.strlist(v["genres"], "genres")
        return c

    @classmethod
    def create(cls, db: Database, name: str, email: str, phone: str = "",
               home_city: Optional[IdLike] = None,
               languages: Iterable[str] = (),
               genres: Iterable[str] = ()) -> User:
        """Creates a customer; @email is unique (ASCII case ignored)."""
        return cls._create(db, dict(name=name, email=email, phone=phone,
                                    home_city_id=home_city,
                                    languages=languages, genres=genres))

    def update(self, **changes: Any) -> User:
        """Changes any field but the id (home_city= takes a Place)."""
        if "home_city" in changes:
            changes["home_city_id"] = changes.pop("home_city")
        return self._update(changes, self._fields[1:])

    @classmethod
    def find_email(cls, db: Database, email: str) -> User:
        """The user with this e-mail (ASCII case ignored); tix.NotFound."""
        out = ffi.new("tix_user **")
        db._call("tix_user_find_email",
                 _util.enc(email, "email", allow_none=False), out)
        try:
            return cls._from_c(db, out[0])
        finally:
            lib.tix_user_free(out[0])

    @classmethod
    def list(cls, db: Database, after: IdLike = 0,
             page: int = 100) -> Iterator[User]:
        """Iterator over every user by id (fetched @page at a time)."""
        return cls._pages(db, "tix_user_list_all", after, page)

    def bookings(self) -> List[Booking]:
        """The user's bookings, cancelled ones included."""
        from .seats import Booking
        return Booking.list_by_user(self._db, self.id)

    def recommendations(self, city: Optional[IdLike] = None, days: int = 0,
                        limit: int = 0) -> List[Recommendation]:
        """Shows the user may like (tix.Recommendation), best first."""
        from .discover import recommend
        return recommend(self._db, self.id, city=city, days=days, limit=limit)
