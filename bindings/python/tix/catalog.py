"""Catalog records: Place, Venue, Screen, Tier, Seat, Movie, Show, User.

Every record is a plain Python copy of the C record (the C block is freed
before the call returns) plus a reference to its Database for the
convenience methods. Pattern, for each class X:

    X.create(db, ...)   -> X        (creates, then reads it back)
    X.get(db, id)       -> X        (tix.NotFound if missing)
    x.update(**fields)  -> x        (writes, then refreshes x in place)
    X.list(db, ...)     -> list, or an iterator for paged tables (Movie, User)

Records compare equal when they have the same class and id.
"""
import enum

from ._ffi import ffi, lib
from . import _util
from ._util import Keep, as_id, dec, dec_array, strlist
from .errors import InvalidArgument


class PlaceKind(enum.IntEnum):
    COUNTRY = lib.TIX_PLACE_COUNTRY
    STATE = lib.TIX_PLACE_STATE
    CITY = lib.TIX_PLACE_CITY


class SeatFlag(enum.IntFlag):
    NONE = 0
    AISLE = lib.TIX_SEAT_AISLE
    WHEELCHAIR = lib.TIX_SEAT_WHEELCHAIR
    COMPANION = lib.TIX_SEAT_COMPANION
    BLOCKED = lib.TIX_SEAT_BLOCKED


class Record:
    """Base of the catalog records: attribute bag + db reference."""
    _fields = ()
    _ctype = None   # "tix_place"
    _get = None     # name of the C getter

    def __init__(self, db, **values):
        self._db = db
        for f in self._fields:
            setattr(self, f, values[f])

    @property
    def db(self):
        return self._db

    def as_dict(self):
        """The record's fields as a dict (JSON friendly)."""
        out = {}
        for f in self._fields:
            v = getattr(self, f)
            if isinstance(v, enum.Enum):
                v = int(v)
            out[f] = list(v) if isinstance(v, tuple) else v
        return out

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self.id == other.id and self._db is other._db

    def __hash__(self):
        return hash((type(self).__name__, self.id))

    def __repr__(self):
        shown = ", ".join("%s=%r" % (f, getattr(self, f))
                          for f in self._fields[:4])
        return "<tix.%s %s>" % (type(self).__name__, shown)

    # ---- shared plumbing ---------------------------------------------------
    @classmethod
    def _fetch(cls, db, id):
        out = ffi.new(cls._ctype + " **")
        free = getattr(lib, cls._ctype + "_free")
        db._call(cls._get, as_id(id, cls.__name__.lower() + " id"), out)
        try:
            return cls._from_c(db, out[0])
        finally:
            free(out[0])

    @classmethod
    def get(cls, db, id):
        """Reads record @id (tix.NotFound when there is none)."""
        return cls._fetch(db, id)

    @classmethod
    def _list(cls, db, fn, *args):
        out = ffi.new(cls._ctype + "_list **")
        db._call(fn, *args, out)
        lst = out[0]
        try:
            return [cls._from_c(db, lst.items[i]) for i in range(lst.count)]
        finally:
            getattr(lib, cls._ctype + "_list_free")(lst)

    @classmethod
    def _pages(cls, db, fn, after, page):
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

    def _refresh(self):
        fresh = self._fetch(self._db, self.id)
        for f in self._fields:
            setattr(self, f, getattr(fresh, f))
        return self

    def refresh(self):
        """Re-reads the record from the store."""
        return self._refresh()

    def _update(self, changes, allowed):
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
    def _create(cls, db, values):
        keep = Keep()
        c = cls._to_c(keep, values)
        out = ffi.new("tix_id *")
        db._call(cls._ctype + "_create", c, out)
        return cls.get(db, out[0])


# ---------------------------------------------------------------------------
class Place(Record):
    """A country, state or city. A city's local time (the dates of its
    shows, the local times of its events) comes from its IANA time_zone
    ("Europe/London", summer time included) or, without one, from the fixed
    utc_offset_min."""
    _fields = ("id", "kind", "parent_id", "name", "utc_offset_min",
               "time_zone")
    _ctype = "tix_place"
    _get = "tix_place_get"

    @classmethod
    def _from_c(cls, db, c):
        return cls(db, id=c.id, kind=PlaceKind(c.kind), parent_id=c.parent_id,
                   name=dec(c.name), utc_offset_min=c.utc_offset_min,
                   time_zone=dec(c.time_zone))

    @staticmethod
    def _to_c(keep, v):
        c = keep.hold(ffi.new("tix_place *"))
        c.kind = int(v["kind"])
        c.parent_id = as_id(v["parent_id"], "parent", allow_none=True)
        c.name = keep.str(v["name"], "name", allow_none=False)
        c.utc_offset_min = v["utc_offset_min"]
        c.time_zone = keep.str(v.get("time_zone") or None, "time_zone")
        return c

    @classmethod
    def create(cls, db, name, parent=None, kind=None, utc_offset_min=0,
               time_zone=None):
        """Creates a place. @kind defaults to what fits under @parent:
        country (no parent), state (under a country), city (under a state).
        @time_zone is an IANA name the system tzdata has (tix.InvalidArgument
        otherwise); without it @utc_offset_min holds all year."""
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

    def update(self, **changes):
        """Changes name, utc_offset_min and/or time_zone (places never
        move)."""
        return self._update(changes, ("name", "utc_offset_min", "time_zone"))

    def utc_offset(self, t):
        """Minutes east of UTC at @t (epoch seconds or aware datetime): the
        zone's offset then, or the fixed one."""
        out = ffi.new("int32_t *")
        self._db._call("tix_place_utc_offset", self.id, _util.as_time(t), out)
        return out[0]

    @classmethod
    def list(cls, db, parent=None):
        """Children of @parent (None = the countries), by name."""
        return cls._list(db, "tix_place_list_by_parent",
                         as_id(parent, "parent", allow_none=True))

    def children(self):
        return Place.list(self._db, self.id)

    def parent(self):
        return Place.get(self._db, self.parent_id) if self.parent_id else None

    def venues(self):
        """Venues of this city, by name."""
        return Venue.list(self._db, self.id)

    def shows(self, date, movie=None):
        """Shows in this city on a local date, by start time."""
        return Show.list(self._db, city=self.id, date=date, movie=movie)


# ---------------------------------------------------------------------------
class Venue(Record):
    _fields = ("id", "city_id", "name", "address", "lat", "lon")
    _ctype = "tix_venue"
    _get = "tix_venue_get"

    @classmethod
    def _from_c(cls, db, c):
        return cls(db, id=c.id, city_id=c.city_id, name=dec(c.name),
                   address=dec(c.address), lat=c.lat, lon=c.lon)

    @staticmethod
    def _to_c(keep, v):
        c = keep.hold(ffi.new("tix_venue *"))
        c.city_id = as_id(v["city_id"], "city")
        c.name = keep.str(v["name"], "name", allow_none=False)
        c.address = keep.str(v["address"], "address")
        c.lat = float(v["lat"])
        c.lon = float(v["lon"])
        return c

    @classmethod
    def create(cls, db, city, name, address="", lat=0.0, lon=0.0):
        return cls._create(db, dict(city_id=city, name=name, address=address,
                                    lat=lat, lon=lon))

    def update(self, **changes):
        """Changes name, address, lat, lon (venues never change city)."""
        return self._update(changes, ("name", "address", "lat", "lon"))

    @classmethod
    def list(cls, db, city):
        return cls._list(db, "tix_venue_list_by_city", as_id(city, "city"))

    def city(self):
        return Place.get(self._db, self.city_id)

    def screens(self):
        return Screen.list(self._db, self.id)

    def shows(self, date):
        return Show.list(self._db, venue=self.id, date=date)

    @classmethod
    def nearby(cls, db, lat, lon, radius_km, limit=0):
        """[(Venue, distance_km)] within @radius_km, nearest first."""
        from .discover import venues_nearby
        return venues_nearby(db, lat, lon, radius_km, limit)


# ---------------------------------------------------------------------------
class Screen(Record):
    _fields = ("id", "venue_id", "name", "ideal_x", "ideal_y", "seat_count")
    _ctype = "tix_screen"
    _get = "tix_screen_get"

    @classmethod
    def _from_c(cls, db, c):
        return cls(db, id=c.id, venue_id=c.venue_id, name=dec(c.name),
                   ideal_x=c.ideal_x, ideal_y=c.ideal_y,
                   seat_count=c.seat_count)

    @staticmethod
    def _to_c(keep, v):
        c = keep.hold(ffi.new("tix_screen *"))
        c.venue_id = as_id(v["venue_id"], "venue")
        c.name = keep.str(v["name"], "name", allow_none=False)
        c.ideal_x = float(v["ideal_x"])
        c.ideal_y = float(v["ideal_y"])
        return c

    @classmethod
    def create(cls, db, venue, name, ideal_x=0.0, ideal_y=0.0):
        return cls._create(db, dict(venue_id=venue, name=name, ideal_x=ideal_x,
                                    ideal_y=ideal_y, seat_count=0))

    def update(self, **changes):
        return self._update(changes, ("name", "ideal_x", "ideal_y"))

    @classmethod
    def list(cls, db, venue):
        return cls._list(db, "tix_screen_list_by_venue", as_id(venue, "venue"))

    def venue(self):
        return Venue.get(self._db, self.venue_id)

    def tiers(self):
        return Tier.list(self._db, self.id)

    def seats(self):
        return Seat.list(self._db, self.id)

    def add_tier(self, name, price_minor, currency):
        return Tier.create(self._db, self, name, price_minor, currency)

    def add_rows(self, rows):
        """Adds rows of seats (see Seat.add_rows); returns the first new
        seat index and refreshes seat_count."""
        first = Seat.add_rows(self._db, self, rows)
        self._refresh()
        return first


# ---------------------------------------------------------------------------
class Tier(Record):
    _fields = ("id", "screen_id", "name", "price_minor", "currency")
    _ctype = "tix_tier"
    _get = "tix_tier_get"

    @classmethod
    def _from_c(cls, db, c):
        return cls(db, id=c.id, screen_id=c.screen_id, name=dec(c.name),
                   price_minor=c.price_minor, currency=dec_array(c.currency))

    @staticmethod
    def _to_c(keep, v):
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
    def create(cls, db, screen, name, price_minor, currency):
        """tix.InvalidArgument when @currency is not an active ISO 4217
        code."""
        return cls._create(db, dict(screen_id=screen, name=name,
                                    price_minor=price_minor, currency=currency))

    @property
    def price(self):
        """The price as text in the currency's decimals, "JPY 1800"."""
        from .money import format_money
        return format_money(self.price_minor, self.currency)

    def update(self, **changes):
        return self._update(changes, ("name", "price_minor", "currency"))

    @classmethod
    def list(cls, db, screen):
        """Tiers of a screen, cheapest first."""
        return cls._list(db, "tix_tier_list_by_screen", as_id(screen, "screen"))


# ---------------------------------------------------------------------------
class SeatSpec:
    """One seat of a row being added: number (>= 1), position, tier, flags."""
    __slots__ = ("number", "x", "y", "tier", "flags")

    def __init__(self, number, x=0.0, y=0.0, tier=0, flags=0):
        self.number, self.x, self.y, self.tier, self.flags = \
            number, x, y, tier, flags

    def __repr__(self):
        return "SeatSpec(%r, x=%r, y=%r, tier=%r, flags=%r)" % (
            self.number, self.x, self.y, self.tier, self.flags)


def _seat_spec(s, default_tier):
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

    @property
    def id(self):  # for equality/hash: a seat is identified by its index
        return self.index

    @property
    def label(self):
        return "%s%d" % (self.row, self.number)

    @property
    def accessible(self):
        return bool(self.flags & (SeatFlag.WHEELCHAIR | SeatFlag.COMPANION))

    @classmethod
    def _from_c(cls, db, c):
        return cls(db, index=c.index, row=dec(c.row), number=c.number, x=c.x,
                   y=c.y, tier_id=c.tier_id, flags=SeatFlag(c.flags))

    @classmethod
    def add_rows(cls, db, screen, rows, tier=None):
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
    def list(cls, db, screen):
        """Every seat of a screen, in index order (items[i].index == i)."""
        out = ffi.new("tix_seat_list **")
        db._call("tix_seat_list_by_screen", as_id(screen, "screen"), out)
        lst = out[0]
        try:
            return [cls._from_c(db, lst.items[i]) for i in range(lst.count)]
        finally:
            lib.tix_seat_list_free(lst)

    def __repr__(self):
        return "<tix.Seat %d %s tier=%d %s>" % (self.index, self.label,
                                                self.tier_id, self.flags)


# ---------------------------------------------------------------------------
_MOVIE_LISTS = ("languages", "genres", "cast", "crew", "media")


class Movie(Record):
    _fields = ("id", "title", "duration_min", "certificate", "synopsis") + \
        _MOVIE_LISTS
    _ctype = "tix_movie"
    _get = "tix_movie_get"

    @classmethod
    def _from_c(cls, db, c):
        v = dict(id=c.id, title=dec(c.title), duration_min=c.duration_min,
                 certificate=dec(c.certificate), synopsis=dec(c.synopsis))
        for f in _MOVIE_LISTS:
            v[f] = strlist(getattr(c, f), getattr(c, "n_" + f))
        return cls(db, **v)

    @staticmethod
    def _to_c(keep, v):
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
    def create(cls, db, title, duration_min, certificate="", synopsis="",
               languages=(), genres=(), cast=(), crew=(), media=()):
        return cls._create(db, dict(title=title, duration_min=duration_min,
                                    certificate=certificate, synopsis=synopsis,
                                    languages=languages, genres=genres,
                                    cast=cast, crew=crew, media=media))

    def update(self, **changes):
        return self._update(changes, self._fields[1:])

    def set_user_cap(self, max_seats):
        """At most @max_seats seats per user over all shows of this movie
        (0 removes the cap); seats already booked count."""
        self._db._call("tix_movie_set_user_cap", self.id,
                       _util.as_u32(max_seats, "max_seats"))

    @classmethod
    def list(cls, db, after=0, page=100):
        """Iterator over every movie by id (fetched @page at a time)."""
        return cls._pages(db, "tix_movie_list_all", after, page)

    @classmethod
    def search(cls, db, query, city=None, date=None, limit=0):
        """Title search by word prefix: [tix.SearchHit], most popular first."""
        from .discover import search
        return search(db, query, city=city, date=date, limit=limit)

    def reviews(self, order="newest", page=20):
        """Iterator over the movie's reviews ("newest" or "helpful")."""
        from .reviews import Review
        return Review.list(self._db, self.id, order=order, page=page)

    def review(self, user, rating, text=""):
        """Writes (creates or replaces) @user's review of this movie."""
        from .reviews import Review
        return Review.write(self._db, self.id, user, rating, text)

    def rating_summary(self):
        from .reviews import rating_summary
        return rating_summary(self._db, self.id)


# ---------------------------------------------------------------------------
class Show(Record):
    """A movie on a screen at a time. start/end are seconds since the epoch
    (UTC); local_date is YYYYMMDD in the city's time."""
    _fields = ("id", "movie_id", "screen_id", "start", "end", "venue_id",
               "city_id", "local_date", "seat_count")
    _ctype = "tix_show"
    _get = "tix_show_get"

    @classmethod
    def _from_c(cls, db, c):
        return cls(db, id=c.id, movie_id=c.movie_id, screen_id=c.screen_id,
                   start=c.start, end=c.end, venue_id=c.venue_id,
                   city_id=c.city_id, local_date=c.local_date,
                   seat_count=c.seat_count)

    @classmethod
    def create(cls, db, movie, screen, start, allow_past=False, user_cap=None):
        """Schedules @movie on @screen at @start (epoch seconds or an aware
        datetime). tix.Overlap if it collides with another show there;
        tix.OutOfRange if @start is before now, unless @allow_past (history,
        an admin's correction). @user_cap: at most that many seats per user
        (set_user_cap)."""
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
    def list(cls, db, city=None, date=None, movie=None, venue=None):
        """Shows on a local @date (YYYYMMDD, date or "YYYY-MM-DD") in a
        @city (optionally of one @movie), or at a @venue; by start time."""
        if date is None:
            raise InvalidArgument("date is required")
        d = _util.as_date(date)
        if venue is not None:
            if city is not None or movie is not None:
                raise InvalidArgument("give either city (and movie) or venue")
            return cls._list(db, "tix_show_list_by_venue",
                             as_id(venue, "venue"), d)
        return cls._list(db, "tix_show_list_by_city", as_id(city, "city"), d,
                         as_id(movie, "movie", allow_none=True))

    def movie(self):
        return Movie.get(self._db, self.movie_id)

    def local_start(self):
        """The start as an aware datetime in the city's local time (its
        time zone's offset at that instant, or its fixed offset)."""
        out = ffi.new("int32_t *")
        self._db._call("tix_place_utc_offset", self.city_id, self.start, out)
        from .money import local_datetime
        return local_datetime(self.start, out[0])

    def screen(self):
        return Screen.get(self._db, self.screen_id)

    def venue(self):
        return Venue.get(self._db, self.venue_id)

    def seats(self):
        """The show's seats (its screen's layout), in index order."""
        return Seat.list(self._db, self.screen_id)

    # ---- the seat engine (implemented in tix.seats) -------------------------
    def hold(self, seats, ttl=None, request_key=None, user=None):
        """Holds @seats (indexes or Seat objects), all or nothing, for @ttl
        seconds (None = the store default). Returns a tix.Hold.
        tix.Conflict names the first seat that is taken. With @user, a hold
        past the user's per-customer cap is refused early (tix.Limit)."""
        from .seats import hold_seats
        return hold_seats(self._db, self.id, seats, ttl, request_key, user)

    def hold_best(self, n, tier=None, accessible=False, any_tier=False,
                  ttl=None, request_key=None, user=None, companions=0):
        """Holds the @n best adjacent seats of @tier (None = cheapest tier
        with room). tix.Conflict when no such seats exist. With
        accessible=True and @companions > 0: @n wheelchair seats and
        @companions companion seats next to them, one run of one row."""
        from .seats import hold_best
        return hold_best(self._db, self.id, n, tier, accessible, any_tier, ttl,
                         request_key, user, companions)

    def set_user_cap(self, max_seats):
        """At most @max_seats seats of this show per user (0 removes the
        cap); seats already booked count. A confirm past it: tix.Limit."""
        self._db._call("tix_show_set_user_cap", self.id,
                       _util.as_u32(max_seats, "max_seats"))

    def user_caps(self, user=None):
        """{"show_cap", "show_booked", "movie_cap", "movie_booked"}: the
        caps on this show and its movie (0 = none) and the seats @user has
        booked under each."""
        c = ffi.new("tix_user_caps *")
        self._db._call("tix_user_caps_get", self.id,
                       as_id(user, "user", allow_none=True), c)
        return {"show_cap": c.show_cap, "show_booked": c.show_booked,
                "movie_cap": c.movie_cap, "movie_booked": c.movie_booked}

    def availability(self):
        """{"show_id", "total", "free", "held", "booked", "unavailable",
        "tiers": [{"tier_id", "total", ...}, ...]} (tiers cheapest first;
        seats being confirmed count as held)."""
        from .seats import availability
        return availability(self._db, self.id)

    def seat_states(self):
        """[tix.SeatState for seat 0, 1, ...]."""
        from .seats import seat_states
        return seat_states(self._db, self.id, self.seat_count)

    def seat_history(self, seat):
        """What happened to @seat (index or Seat): its state now and its
        recorded events (booked, cancelled, checked_in, blocked,
        unblocked) with times, oldest first; see tix.seats.seat_history."""
        from .seats import seat_history
        return seat_history(self._db, self.id, seat)

    def seat_state_bytes(self):
        """bytes, one tix.SeatState value per seat (fast for big venues)."""
        from .seats import seat_state_bytes
        return seat_state_bytes(self._db, self.id, self.seat_count)

    def seat_map(self):
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

    def bookings(self):
        from .seats import Booking
        return Booking.list_by_show(self._db, self.id)

    def quote(self, seats, offer_code=None, user=None):
        """Prices @seats as a confirm would now (tix.Quote); reads only."""
        from .offers import quote
        return quote(self._db, self.id, seats, offer_code, user)

    def block(self, seats):
        """Takes seats off sale (admin block), all or nothing."""
        from .seats import block
        block(self._db, self.id, seats, True)

    def unblock(self, seats):
        from .seats import block
        block(self._db, self.id, seats, False)


# ---------------------------------------------------------------------------
class User(Record):
    _fields = ("id", "name", "email", "phone", "home_city_id", "languages",
               "genres")
    _ctype = "tix_user"
    _get = "tix_user_get"

    @classmethod
    def _from_c(cls, db, c):
        return cls(db, id=c.id, name=dec(c.name), email=dec(c.email),
                   phone=dec(c.phone), home_city_id=c.home_city_id,
                   languages=strlist(c.languages, c.n_languages),
                   genres=strlist(c.genres, c.n_genres))

    @staticmethod
    def _to_c(keep, v):
        c = keep.hold(ffi.new("tix_user *"))
        c.name = keep.str(v["name"], "name", allow_none=False)
        c.email = keep.str(v["email"], "email", allow_none=False)
        c.phone = keep.str(v["phone"], "phone")
        c.home_city_id = as_id(v["home_city_id"], "home_city", allow_none=True)
        c.languages, c.n_languages = keep.strlist(v["languages"], "languages")
        c.genres, c.n_genres = keep.strlist(v["genres"], "genres")
        return c

    @classmethod
    def create(cls, db, name, email, phone="", home_city=None, languages=(),
               genres=()):
        return cls._create(db, dict(name=name, email=email, phone=phone,
                                    home_city_id=home_city,
                                    languages=languages, genres=genres))

    def update(self, **changes):
        if "home_city" in changes:
            changes["home_city_id"] = changes.pop("home_city")
        return self._update(changes, self._fields[1:])

    @classmethod
    def find_email(cls, db, email):
        """The user with this e-mail (ASCII case ignored); tix.NotFound."""
        out = ffi.new("tix_user **")
        db._call("tix_user_find_email",
                 _util.enc(email, "email", allow_none=False), out)
        try:
            return cls._from_c(db, out[0])
        finally:
            lib.tix_user_free(out[0])

    @classmethod
    def list(cls, db, after=0, page=100):
        """Iterator over every user by id (fetched @page at a time)."""
        return cls._pages(db, "tix_user_list_all", after, page)

    def bookings(self):
        from .seats import Booking
        return Booking.list_by_user(self._db, self.id)

    def recommendations(self, city=None, days=0, limit=0):
        from .discover import recommend
        return recommend(self._db, self.id, city=city, days=days, limit=limit)
