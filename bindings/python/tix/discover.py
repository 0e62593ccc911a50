"""Finding things: title search, recommendations, venues nearby.

    db.search("dark kn", city=blr, date="2026-12-01")  -> [SearchHit]
    db.recommend(user, days=7, limit=10)               -> [Recommendation]
    db.venues_nearby(12.97, 77.59, radius_km=5)        -> [(Venue, km)]

These calls appeared in tix.h after the catalog and seat engine; on a
library that does not export them yet they raise tix.State naming the
missing function.
"""
from __future__ import annotations

import datetime
import enum
from typing import TYPE_CHECKING, List, NamedTuple, Optional

from ._ffi import ffi, lib, has
from . import _util
from ._util import DateLike, IdLike, as_id, dec
from .errors import State

if TYPE_CHECKING:
    from .catalog import Venue
    from .db import Database

#: tix.h TIX_NEARBY_RADIUS_MAX (a double, so not in the cdef): largest radius, km
NEARBY_RADIUS_MAX = 20100.0
#: tix.h TIX_POPULARITY_DAYS / TIX_SEARCH_LIMIT_MAX
POPULARITY_DAYS = lib.TIX_POPULARITY_DAYS
SEARCH_LIMIT_MAX = lib.TIX_SEARCH_LIMIT_MAX


def require(name: str) -> None:
    """Raises tix.State when the loaded libtix lacks C function @name."""
    if not has(name):
        raise State("this libtix has no %s yet" % name)


class Reason(enum.IntEnum):
    """Why a movie was recommended."""
    SHOWING = lib.TIX_REASON_SHOWING
    GENRE = lib.TIX_REASON_GENRE
    LANGUAGE = lib.TIX_REASON_LANGUAGE
    ALSO_BOOKED = lib.TIX_REASON_ALSO_BOOKED
    POPULAR = lib.TIX_REASON_POPULAR


class SearchHit(NamedTuple):
    """A title search hit: popularity is the confirmed bookings of the last
    POPULARITY_DAYS days."""
    movie_id: int
    title: str
    popularity: int


class Recommendation(NamedTuple):
    """A movie for a user, its score's parts, the main reason and its next
    show (next_show_start an aware UTC datetime)."""
    movie_id: int
    title: str
    score: int
    genre_points: int
    language_points: int
    also_booked_points: int
    popularity_points: int
    reason: Reason
    reason_text: str
    reason_movie_id: int
    next_show_id: int
    next_show_start: Optional[datetime.datetime]


class NearbyVenue(NamedTuple):
    """A venue and its distance from the point asked about."""
    venue: Venue
    distance_km: float


def search(db: Database, query: str, city: Optional[IdLike] = None,
           date: Optional[DateLike] = None, limit: int = 0) -> List[SearchHit]:
    """Movies whose title has a word starting with every word of @query,
    most popular first. With @city (and @date, required then), only movies
    showing there that day. tix.InvalidArgument for a too-short query."""
    require("tix_movie_search")
    opts = ffi.new("tix_search_opts *")
    if city is not None:
        opts.city_id = as_id(city, "city")
        if date is None:
            raise TypeError("search: date is required with city")
        opts.date = _util.as_date(date)
    opts.limit = limit
    out = ffi.new("tix_search_result **")
    db._call("tix_movie_search", _util.enc(query, "query", allow_none=False),
             opts, out)
    r = out[0]
    try:
        return [SearchHit(r.items[i].movie_id, dec(r.items[i].title),
                          r.items[i].popularity) for i in range(r.count)]
    finally:
        lib.tix_search_result_free(r)


def recommend(db: Database, user: IdLike, city: Optional[IdLike] = None,
              days: int = 0, limit: int = 0) -> List[Recommendation]:
    """Upcoming movies for @user, best first (see tix_recommend() in tix.h
    for the scoring)."""
    require("tix_recommend")
    opts = ffi.new("tix_recommend_opts *")
    opts.city_id = as_id(city, "city", allow_none=True)
    opts.days = _util.as_u32(days, "days")
    opts.limit = limit
    out = ffi.new("tix_recommendation_list **")
    db._call("tix_recommend", as_id(user, "user"), opts, out)
    lst = out[0]
    try:
        res = []
        for i in range(lst.count):
            c = lst.items[i]
            res.append(Recommendation(
                c.movie_id, dec(c.title), c.score, c.genre_points,
                c.language_points, c.also_booked_points, c.popularity_points,
                Reason(c.reason), dec(c.reason_text), c.reason_movie_id,
                c.next_show_id, _util.utc(c.next_show_start)))
        return res
    finally:
        lib.tix_recommendation_list_free(lst)


def venues_nearby(db: Database, lat: float, lon: float, radius_km: float,
                  limit: int = 0) -> List[NearbyVenue]:
    """Venues within @radius_km of (@lat, @lon), nearest first, as
    (Venue, distance_km) pairs."""
    from .catalog import Venue
    require("tix_venue_nearby")
    out = ffi.new("tix_venue_near_list **")
    db._call("tix_venue_nearby", float(lat), float(lon), float(radius_km),
             limit, out)
    lst = out[0]
    try:
        return [NearbyVenue(Venue._from_c(db, lst.items[i].venue),
                            lst.items[i].distance_km) for i in range(lst.count)]
    finally:
        lib.tix_venue_near_list_free(lst)
