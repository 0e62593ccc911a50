#!/usr/bin/python3
"""A small JSON HTTP API over libtix, standard library only.

    /usr/bin/python3 examples/python/http_api.py --store STORE [--create]
        [--port 8080] [--seed] [--durability full|journal|nometa|none]

Binds 127.0.0.1 only. --port 0 picks a free port; the first line printed
is always "listening on http://127.0.0.1:<port>". A STORE that does not
exist is refused unless --create is given. --seed loads the demo city
(examples/python/demo_data.py, shows on the city's tomorrow) into the
store. SIGINT or SIGTERM stops it cleanly (store closed).

  GET  /shows?city=<id|name>&date=<YYYY-MM-DD|YYYYMMDD>[&movie=<id>]
  GET  /shows/<id>/availability[?seats=1]      counts (+ seat map)
  POST /shows/<id>/holds      {"seats": [4, 5]} or {"best": 2, "tier": 3,
                               "accessible": false}; optional "ttl",
                               "request_key"            -> 201 {"hold": ...}
  POST /holds/<hold>/confirm  {"user": 1, "payment_ref": "pay_1",
                               "seats_per_ticket": 2, "offer_code": null,
                               "charged": {"amount_minor": 30000,
                                           "currency": "INR"}}
                                  -> 201 booking (200: the same payment_ref
                                     again, the booking it already made)
       "charged" is what the payment gateway took: the confirm books only
       if the price at commit is exactly that (else 409 TIX_EPRICE). The
       amount may also be text in the currency's units, {"amount": "300.00",
       "currency": "INR"} ({"amount": "1800", "currency": "JPY"}).
  DELETE /holds/<hold>                                   -> 204 (release)
  GET  /bookings/<id>
  POST /bookings/<id>/cancel  {"after_checkin": false}   -> 200 booking
       refunds; a booking with a checked-in ticket gives 409
       TIX_ECHECKEDIN unless "after_checkin" is true (the override is
       recorded in the booking and its outbox event).
  GET  /shows/<id>/tiers, /screens/<id>/tiers  tiers with names and prices
  GET  /users[?after=<id>&limit=<n>], /users/<id>

Amounts are integers in the currency's minor unit ("total_minor") with the
text beside them in its own decimals ("total": "JPY 1800", "INR 300.00");
times are ISO 8601 in UTC ("2030-06-01T13:30:00Z"), with "start_local"
in the city's time zone; seat flags are names ("aisle", "wheelchair",
"companion", "blocked").

Selling (issue 17):
  POST /shows/<id>/holds  ... "user": 1       refused early (400 TIX_ELIMIT)
                                     past the user's per-customer cap;
                          {"best": 1, "accessible": true, "companions": 1}
                                     a wheelchair seat with its companion
  GET  /shows/<id>/caps[?user=<id>]  the show's and its movie's caps and
                                     what the user has booked under them
  POST /shows/<id>/caps  {"max_per_user": 4}   sets (0 removes) the cap
       a confirm past a cap: 400 TIX_ELIMIT, nothing booked, hold kept
  GET  /shows/<id>/seats/<label>/history   what happened to seat "D7" (or
                                     "@17", an index): state now, events
  GET  /shows/<id>/holds              the live holds: tag, end, seats

Show operations (issue 19):
  DELETE /places/<id>, /venues/<id>, /screens/<id>, /tiers/<id>,
         /movies/<id>, /users/<id>   deletes a record nothing refers to
                                     -> 204; 409 TIX_EBUSY naming what does
  POST /shows/<id>/cancel  {"reason": "flood"}   calls the show off: every
                                     live booking refunded (outbox events),
                                     every seat blocked -> 200 the show
                                     ("cancelled": true); 409 TIX_EBUSY
                                     while a seat is held, TIX_EALREADY
                                     the second time, TIX_ESTATE once ended
  POST /shows/<id>/reschedule  {"start": "2030-06-01T21:00:00Z" (or epoch)}
                                     moves it, length kept -> 200 the show;
                                     each live booking gets a rescheduled
                                     event; 400 TIX_EOVERLAP / TIX_ERANGE,
                                     409 TIX_ESTATE (cancelled or ended)
  GET  /places[?parent=<id>]           countries, or the places in one
  GET  /venues/<id>/screens            a venue's screens with seat counts

General-admission areas (issue 17; places sold by count, not by seat):
  GET  /screens/<id>/areas           the screen's standing areas
  POST /screens/<id>/areas  {"name": "PIT", "tier": 3, "capacity": 500}
                                     -> 201 area (before the first show)
  GET  /shows/<id>/areas             each area with its counts now
  POST /shows/<id>/holds  {"areas": [{"area": 2, "count": 4}],
                           "seats": [7]}   places by count, with seats if
                                     given, all or nothing -> 201 hold
                                     (409 TIX_ECONFLICT: too few free)
  GET  /shows/<id>/availability  ... "areas": the same counts

Waiting room (issue 17):
  POST /shows/<id>/queue  {"onsale": "2030-06-01T10:00:00Z" (or epoch),
                           "capacity": 100000, "rate": 500, "window": 600}
                                     puts a waiting room in front of the
                                     show (or changes it) -> 200 its state
  GET  /shows/<id>/queue             its state (404 when none)
  DELETE /shows/<id>/queue           takes it away -> 204
  POST /shows/<id>/queue/join        -> 201 {"ticket": "Q1..."}
  GET  /queue/<ticket>               where the ticket stands: state,
                                     position, ahead, wait (seconds, null
                                     when unknown), window_end
  POST /shows/<id>/queue/admit  {"n": 10}   admits 10 more places now
  POST /shows/<id>/holds  ... "queue_ticket": "Q1..."   on a queued show a
                                     hold needs an admitted ticket: 403
                                     TIX_EPERM without one, 409 TIX_EAGAIN
                                     while it waits, 410 TIX_EEXPIRED after
                                     its window; "box_office": true holds
                                     without one (this example has no
                                     authentication: put one in front)

Sales channels (issue 17; seats set aside for the box office, an app, an
aggregator, held only through their channel):
  GET  /channels                     every channel: id, name
  POST /channels  {"name": "box office"}   -> 201 channel (409 TIX_EEXISTS:
                                     name taken; 400 TIX_ELIMIT past 255)
  GET  /channels/<id>
  GET  /shows/<id>/channels          seat counts per channel, the public
                                     pool (channel_id 0) first: total,
                                     free, held, booked, release_at,
                                     released
  POST /shows/<id>/channels/<ch>/seats  {"seats": [4, 5]}   sets free seats
                                     aside for channel <ch> (0: back to the
                                     public pool); {"tier": 3, "count": 20}
                                     the 20 best free public seats of tier 3
                                     -> 200 the counts (409 TIX_ECONFLICT:
                                     a seat not free, too few free)
  POST /shows/<id>/channels/<ch>/release  {"at": "2030-06-01T10:00:00Z"}
                                     (or epoch; without "at": now) gives
                                     the channel's unsold seats back to the
                                     pool -> 200 the counts (409
                                     TIX_EALREADY once released)
  POST /shows/<id>/holds  ... "channel": 2   seats and best seats (and
                                     areas) through channel 2: its seats and
                                     the pool; another channel's seat is 403
                                     TIX_EPERM, and without "channel" only
                                     the pool is held

Holds over several shows (issue 17; a festival pass, a season ticket):
  POST /group-holds  {"parts": [{"show": 1, "seats": [4, 5]},
                                {"show": 2, "seats": [9]}],
                      "ttl", "request_key", "user", "channel" as for one}
                                     all or nothing -> 201 {"holds": [...]}
                                     (one hold per show, in the parts' order)
  POST /group-holds/confirm  {"holds": ["H2...", "H2..."], "user": 1,
                              "payment_ref": "pay_7", "seats_per_ticket",
                              "offer_code"}
                                     one transaction, all or nothing -> 201
                                     {"group_id": ..., "bookings": [...]}
                                     (200: the same payment_ref again); part
                                     i (from 1) takes payment_ref "pay_7#<i+1>";
                                     a part that fails fails them all (every
                                     hold kept); no "charged" (per hold)

The seat-map page (examples/web/, web_parts.py) adds:
  GET  /  and  /gate                                     the pages
  GET  /venues                       every venue with its city
  GET  /venues/<id>/shows[?days=7]   shows of the next days, local dates
  GET  /shows/<id>                   one show: movie, venue, hold limits
  GET  /shows/<id>/layout            compact seat positions, rows, tiers
  GET  /shows/<id>/states            one byte per seat (0 free, 1 held,
                                     2 confirming, 3 booked, 4 blocked);
                                     ETag, If-None-Match -> 304
  GET  /shows/<id>/bookings          the show's bookings
  POST /shows/<id>/holds  ... "no_orphans": true  refuses (409 TIX_ESTRAND)
                                     a choice that leaves a lone seat
  POST /holds/<hold>/extend  {"ttl": 60}   -> 200 {"hold": ...} (new handle)
  POST /users  {"name": ..., "email": ...}  finds or creates a customer
  POST /checkin  {"code": ..., "gate": ...}  -> 200, or 409 TIX_EALREADY
                                     with "first": the first check-in
  GET  /bookings/<id>/tickets/<n>/qr.png   the ticket's QR code
Every response carries a Content-Security-Policy (default-src 'self').

Replication (docs/replication.md), with --nats URLS [--stream NAME]
[--follower]:
  GET  /replica                 role, fenced, applied_seq, stream_seq, lag,
                                lease_holder
  POST /replica/promote  {"wait_ms": 30000}   makes this store the primary
                                (409 TIX_EBUSY naming the lease holder)
  POST /feed/publish  {"timeout_ms": 0}   the change feed: outbox events
                                to JetStream -> {"published": n}
  a write on a follower (or a fenced primary): 409 TIX_EFENCED; JetStream
  unreachable or not acknowledging: 503 TIX_EREPL, nothing committed.

Errors are JSON {"error": "TIX_ECONFLICT", "message": "..."} with 400, 404,
405, 408, 409 (conflict, state, exists, price, fenced), 410 (hold expired), 411,
413, 500 or 503 (replication) -- http.server's own errors included. A request whose body
cannot be trusted (bad or oversized Content-Length, a short body) is
answered and its connection closed. One tix.Database
serves every request thread (ThreadingHTTPServer); confirms from parallel
requests are group-committed by libtix.
"""
import argparse
import datetime
import gzip
import hashlib
import json
import os
import re
import signal
import socket
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import tix
except ImportError:  # running from a source tree: use its bindings
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "bindings", "python"))
    import tix

import web_parts

MAX_BODY = 64 * 1024
# A client that stops sending mid-request (a body shorter than its
# Content-Length, a half-written request line) or idles on keep-alive
# gives up its thread after this many seconds.
SOCKET_TIMEOUT = 10.0
# Queued connections the kernel holds while every thread is busy: the
# socketserver default of 5 overflowed with 8 clients opening connections
# at once, and each refused SYN cost a 1 s retransmit.
LISTEN_BACKLOG = 256

STATUS = [  # first match wins
    (tix.NotFound, 404), (tix.Expired, 410), (tix.Permission, 403),
    ((tix.Conflict, tix.State, tix.Exists, tix.Already, tix.Busy,
      tix.PriceMismatch, tix.CheckedIn, tix.Again, tix.Fenced), 409),
    (tix.ReplicationFailed, 503),
    ((tix.InvalidArgument, tix.OutOfRange, tix.TooLong, tix.BadUTF8,
      tix.BadCode, tix.Limit, tix.Overlap), 400),
]


class Raw:
    """A response that is not JSON: bytes of a type, maybe with an ETag."""

    def __init__(self, ctype, data, etag=None, cache=None):
        self.ctype, self.data, self.etag, self.cache = ctype, data, etag, cache


class HttpError(Exception):
    def __init__(self, status, error, message):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def want_int(value, what, lo=0, allow_none=False):
    """@value as an int >= @lo (a JSON number or a decimal string), else a
    400 that names the field (never Python's own error text)."""
    if value is None and allow_none:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise HttpError(400, "bad_request", "%s must be an integer >= %d"
                        % (what, lo))
    if value >= 1 << 64:
        raise HttpError(400, "bad_request", "%s is out of range" % what)
    return value


def want_time(value, what):
    """@value as epoch seconds: ISO 8601 with a zone ("...Z") or an int."""
    if not isinstance(value, str):
        return want_int(value, what)
    try:
        t = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise HttpError(400, "bad_request", "%s must be ISO 8601" % what)
    if t.tzinfo is None:
        raise HttpError(400, "bad_request", "%s needs a zone" % what)
    return int(t.timestamp())


def want_seats(value, what="seats"):
    """@value as a list of seat indexes, else a 400."""
    if not isinstance(value, list) or not all(
            isinstance(s, int) and not isinstance(s, bool) for s in value):
        raise HttpError(400, "bad_request", "%s must be a list of ints" % what)
    return value


def iso(t):
    """ISO 8601 in UTC ("2030-06-01T13:30:00Z") of a datetime, an ISO
    string or epoch seconds; None (or 0: never) stays None."""
    if t is None or t == 0:
        return None
    if isinstance(t, str):  # a record's as_dict() gives ISO already
        t = datetime.datetime.fromisoformat(t)
    if not isinstance(t, datetime.datetime):
        t = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return t.astimezone(datetime.timezone.utc).isoformat().replace(
        "+00:00", "Z")


def epoch(t):
    """Epoch seconds of a datetime or int."""
    if isinstance(t, datetime.datetime):
        return int(t.timestamp())
    return int(t or 0)


def flag_names(flags):
    """["aisle", "wheelchair"] for a seat's flag bits."""
    return [f.name.lower() for f in tix.SeatFlag
            if f.value and int(flags) & f.value]


def status_for(e):
    for cls, code in STATUS:
        if isinstance(e, cls):
            return code
    return 500


class Api:
    """The request logic, independent of http.server (easy to test)."""

    def __init__(self, db):
        self.db = db
        self._cities = {}
        self._layouts = {}  # screen id -> (seat count, layout, JSON bytes)
        self._lock = threading.Lock()

    # ---- helpers ------------------------------------------------------------
    def city(self, value):
        if value is None:
            raise HttpError(400, "bad_request", "city is required")
        if value.isdigit():
            return int(value)
        with self._lock:
            if value.lower() not in self._cities:
                for country in self.db.countries():
                    for state in country.children():
                        for c in state.children():
                            self._cities.setdefault(c.name.lower(), c.id)
            if value.lower() not in self._cities:
                raise HttpError(404, "TIX_ENOTFOUND", "no city %r" % value)
            return self._cities[value.lower()]

    @staticmethod
    def show_json(sh, movie, venue, avail, local=None):
        return {"id": sh.id, "movie_id": sh.movie_id, "movie": movie.title,
                "venue_id": sh.venue_id, "venue": venue.name,
                "screen_id": sh.screen_id, "start": iso(sh.start),
                "end": iso(sh.end),
                "local_date": sh.local_date, "seat_count": sh.seat_count,
                "free": avail["free"], "cancelled": sh.cancelled,
                "start_local": local or sh.local_start().isoformat()}

    @staticmethod
    def charged_amount(charged):
        """(amount_minor, currency) from {"amount_minor": int} or
        {"amount": "18.50"} (text in the currency's own decimals)."""
        cur = charged.get("currency") if isinstance(charged, dict) else None
        if not isinstance(cur, str):
            raise HttpError(400, "bad_request", 'charged must be '
                            '{"amount_minor": int, "currency": "XXX"}')
        minor = charged.get("amount_minor")
        if isinstance(minor, int) and not isinstance(minor, bool):
            return minor, cur
        if isinstance(charged.get("amount"), str):
            return tix.parse_money(charged["amount"], cur), cur
        raise HttpError(400, "bad_request", 'charged needs "amount_minor" '
                        '(int) or "amount" (text)')

    def hold_json(self, h):
        out = {"hold": str(h), "show_id": h.show_id, "seats": list(h.seats),
               "expires": iso(h.expires), "now": iso(self.db.now())}
        q = h.quote()
        out["total_minor"], out["currency"] = q.total_minor, q.currency
        out["total"] = web_parts.format_money(q.total_minor, q.currency)
        layout = self.layout_of(self.db.show(h.show_id))[1]
        out["labels"] = [seat_label(layout, i) for i in h.seats]
        return out

    def layout_of(self, sh):
        """(seat count, compact layout, its JSON) of a show's screen, built
        once per screen (seats are only ever added: a new count rebuilds)."""
        with self._lock:
            hit = self._layouts.get(sh.screen_id)
        if hit and hit[0] == sh.seat_count:
            return hit
        scr = sh.screen()
        lay = web_parts.compact_layout(scr, scr.tiers(), scr.seats())
        hit = (sh.seat_count, lay, json.dumps(lay, separators=(",", ":"))
               .encode())
        with self._lock:
            self._layouts[sh.screen_id] = hit
        return hit

    def booking_json(self, b):
        d = b.as_dict()
        d["created_at"], d["cancelled_at"] = (iso(b.created_at),
                                              iso(b.cancelled_at))
        d["total"] = web_parts.format_money(b.total_minor, b.currency)
        sh = self.db.show(b.show_id)
        layout = self.layout_of(sh)[1]
        for n, t in enumerate(d["tickets"]):
            t["checked_in_at"] = iso(t.get("checked_in_at"))
            t["labels"] = [seat_label(layout, i) for i in t["seats"]]
            t["qr_url"] = "/bookings/%d/tickets/%d/qr.png" % (b.id, n)
        d["movie"] = sh.movie().title
        d["venue"] = sh.venue().name
        d["start"] = iso(sh.start)
        return d

    # ---- endpoints ------------------------------------------------------------
    def list_shows(self, q):
        if "date" not in q:
            raise HttpError(400, "bad_request", "date is required")
        movie = want_int(q.get("movie"), "movie", 1, allow_none=True)
        shows = self.db.shows(city=self.city(q.get("city")), date=q["date"],
                              movie=movie)
        movies, venues = {}, {}
        out = []
        for sh in shows:
            if sh.movie_id not in movies:
                movies[sh.movie_id] = sh.movie()
            if sh.venue_id not in venues:
                venues[sh.venue_id] = sh.venue()
            out.append(self.show_json(sh, movies[sh.movie_id],
                                      venues[sh.venue_id], sh.availability()))
        return 200, {"shows": out}

    def availability(self, show_id, q):
        sh = self.db.show(show_id)
        out = sh.availability()
        prices = {t.id: t for t in sh.screen().tiers()}
        for t in out["tiers"]:
            tier = prices.get(t["tier_id"])
            if tier:
                t.update(price_minor=tier.price_minor, currency=tier.currency,
                         price=tier.price)
        out["areas"] = self.area_counts(sh)
        if q.get("seats") in ("1", "true", "yes"):
            out["seats"] = [dict(s, state=s["state"].name.lower(),
                                 flags=flag_names(s["flags"]))
                            for s in sh.seat_map()]
        return 200, out

    @staticmethod
    def area_json(a):
        return {"id": a.id, "screen_id": a.screen_id, "tier_id": a.tier_id,
                "name": a.name, "capacity": a.capacity,
                "first_seat": a.first_seat}

    def area_counts(self, sh):
        return [dict(self.area_json(a), **sh.area_availability(a))
                for a in sh.screen().areas()]

    def screen_areas(self, screen_id):
        return 200, {"areas": [self.area_json(a)
                               for a in self.db.screen(screen_id).areas()]}

    def add_area(self, screen_id, body):
        name = body.get("name")
        if not isinstance(name, str):
            raise HttpError(400, "bad_request", "name must be a string")
        a = self.db.screen(screen_id).add_area(
            name, want_int(body.get("tier"), "tier", 1),
            want_int(body.get("capacity"), "capacity", 0))
        return 201, self.area_json(a)

    def show_areas(self, show_id):
        return 200, {"areas": self.area_counts(self.db.show(show_id))}

    def hold_areas(self, sh, body, ttl, channel):
        takes = body["areas"]
        if not isinstance(takes, list) or not all(
                isinstance(t, dict) for t in takes):
            raise HttpError(400, "bad_request",
                            'areas must be a list of {"area", "count"}')
        want = {}
        for t in takes:
            area = want_int(t.get("area"), "area", 1)
            if area in want:
                raise HttpError(400, "bad_request", "area %d twice" % area)
            want[area] = want_int(t.get("count"), "count", 0)
        seats = want_seats(body.get("seats", []))
        ticket = body.get("queue_ticket")
        return sh.hold_areas(want, seats, ttl=ttl, user=body.get("user"),
                             channel=channel,
                             queue_ticket=ticket if isinstance(ticket, str)
                             else None,
                             box_office=body.get("box_office") is True)

    def create_hold(self, show_id, body):
        sh = self.db.show(show_id)
        ttl = want_int(body.get("ttl"), "ttl", 1, allow_none=True)
        key = body.get("request_key")
        if key is not None and not isinstance(key, str):
            raise HttpError(400, "bad_request", "request_key must be a string")
        ticket = body.get("queue_ticket")
        if ticket is not None and not isinstance(ticket, str):
            raise HttpError(400, "bad_request", "queue_ticket must be a string")
        box_office = body.get("box_office") is True
        channel = want_int(body.get("channel"), "channel", 1, allow_none=True)
        if "areas" in body:
            if key is not None or "best" in body:
                raise HttpError(400, "bad_request", '"areas" takes neither '
                                '"request_key" nor "best"')
            h = self.hold_areas(sh, body, ttl, channel)
        elif "seats" in body:
            seats = want_seats(body["seats"])
            if body.get("no_orphans"):
                self.refuse_stranding(sh, seats)
            h = sh.hold(seats, ttl=ttl, request_key=key, user=body.get("user"),
                        channel=channel, queue_ticket=ticket,
                        box_office=box_office)
        elif "best" in body:
            n = body["best"]
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise HttpError(400, "bad_request", "best must be a positive int")
            h = sh.hold_best(n, tier=want_int(body.get("tier"), "tier", 1,
                                              allow_none=True),
                             accessible=bool(body.get("accessible")),
                             ttl=ttl, request_key=key, user=body.get("user"),
                             companions=body.get("companions") or 0,
                             channel=channel, queue_ticket=ticket,
                             box_office=box_office)
        else:
            raise HttpError(400, "bad_request",
                            'give "seats", "best" or "areas"')
        with h:  # the handle is freed; the seats stay held
            return 201, self.hold_json(h)

    @staticmethod
    def confirm_args(body):
        """The keyword arguments of a confirm from its request body."""
        for k in ("user", "payment_ref"):
            if k not in body:
                raise HttpError(400, "bad_request", "%s is required" % k)
        ref, offer = body["payment_ref"], body.get("offer_code")
        if not isinstance(ref, str) or not (offer is None
                                            or isinstance(offer, str)):
            raise HttpError(400, "bad_request",
                            "payment_ref and offer_code must be strings")
        return dict(user=want_int(body["user"], "user", 1), payment_ref=ref,
                    seats_per_ticket=want_int(body.get("seats_per_ticket")
                                              or 0, "seats_per_ticket"),
                    offer_code=offer)

    def booked_before(self, ref):
        """The booking @ref already made, or None: a payment callback
        delivered twice gets it back with 200 (201 only when this request
        booked)."""
        try:
            return self.db.booking_by_payment(ref).id
        except tix.NotFound:
            return None

    def confirm(self, handle, body):
        args = self.confirm_args(body)
        expected = None
        charged = body.get("charged")
        if charged is not None:
            expected = self.charged_amount(charged)
        before = self.booked_before(args["payment_ref"])
        # Not "with": a refused confirm must leave the hold held (the buyer
        # may retry), not release it as the context manager would.
        h = tix.Hold.from_string(self.db, handle)
        try:
            b = h.confirm(expected=expected, **args)
        finally:
            h.close()
        return (200 if before == b.id else 201), self.booking_json(b)

    # ---- holds over several shows ------------------------------------------
    def create_group_hold(self, body):
        """Holds the seats of every part, all or nothing: one hold per
        show, confirmed together by confirm_group."""
        parts = body.get("parts")
        if not isinstance(parts, list) or not parts or not all(
                isinstance(p, dict) for p in parts):
            raise HttpError(400, "bad_request",
                            'parts must be a list of {"show", "seats"}')
        key = body.get("request_key")
        if key is not None and not isinstance(key, str):
            raise HttpError(400, "bad_request", "request_key must be a string")
        holds = self.db.hold_group(
            [(want_int(p.get("show"), "show", 1),
              want_seats(p.get("seats"), "seats of a part")) for p in parts],
            ttl=want_int(body.get("ttl"), "ttl", 1, allow_none=True),
            request_key=key,
            user=want_int(body.get("user"), "user", 1, allow_none=True),
            channel=want_int(body.get("channel"), "channel", 1,
                             allow_none=True))
        try:
            return 201, {"holds": [self.hold_json(h) for h in holds]}
        finally:
            for h in holds:  # the handles are freed; the seats stay held
                h.close()

    def confirm_group(self, body):
        """Books the holds of a group hold in one transaction: one booking
        per show, linked by group_id; a failed part fails them all."""
        handles = body.get("holds")
        if not isinstance(handles, list) or not handles or not all(
                isinstance(h, str) for h in handles):
            raise HttpError(400, "bad_request",
                            "holds must be a list of hold handles")
        if "charged" in body:
            raise HttpError(400, "bad_request", '"charged" is per hold: '
                            "confirm the holds one by one to check amounts")
        args = self.confirm_args(body)
        before = self.booked_before(args["payment_ref"])
        holds = []
        try:
            for text in handles:
                holds.append(tix.Hold.from_string(self.db, text))
            bookings = self.db.confirm_group(holds, **args)
        finally:  # not "with": a refused confirm leaves every hold held
            for h in holds:
                h.close()
        return (200 if before == bookings[0].id else 201), {
            "group_id": bookings[0].id,
            "bookings": [self.booking_json(b) for b in bookings]}

    # ---- sales channels ------------------------------------------------------
    def channels(self):
        return 200, {"channels": [c.as_dict() for c in self.db.channels()]}

    def create_channel(self, body):
        name = body.get("name")
        if not isinstance(name, str):
            raise HttpError(400, "bad_request", "name must be a string")
        return 201, self.db.create_channel(name).as_dict()

    def get_channel(self, channel_id):
        return 200, self.db.channel(channel_id).as_dict()

    def show_channels(self, show_id):
        """Seat counts per channel, the public pool (channel_id 0) first."""
        names = {c.id: c.name for c in self.db.channels()}
        out = []
        for c in self.db.show(show_id).channel_availability():
            c["name"] = names.get(c["channel_id"]) if c["channel_id"] else None
            c["release_at"] = iso(c["release_at"])
            out.append(c)
        return 200, {"show_id": show_id, "channels": out}

    def assign_channel(self, show_id, channel_id, body):
        """Sets seats aside for a channel ({"seats": [...]}; channel 0
        gives them back to the public pool) or a share of a tier ({"tier",
        "count"}); seats move only while free."""
        sh = self.db.show(show_id)
        if "seats" in body:
            if "tier" in body or "count" in body:
                raise HttpError(400, "bad_request",
                                'give "seats" or "tier" and "count", not both')
            sh.assign_channel(channel_id or None, want_seats(body["seats"]))
        elif "tier" in body:
            if not channel_id:
                raise HttpError(400, "bad_request", "a tier share goes to a "
                                "channel, not to the public pool (0)")
            sh.assign_channel_tier(channel_id,
                                   want_int(body.get("tier"), "tier", 1),
                                   want_int(body.get("count"), "count", 1))
        else:
            raise HttpError(400, "bad_request",
                            'give "seats" or "tier" and "count"')
        return self.show_channels(show_id)

    def release_channel(self, show_id, channel_id, body):
        """Gives the channel's unsold seats back to the public pool at
        "at" (ISO 8601 or epoch seconds), or now without it."""
        at = body.get("at")
        self.db.show(show_id).release_channel(
            channel_id, None if at is None else want_time(at, "at"))
        return self.show_channels(show_id)

    def refuse_stranding(self, sh, seats):
        layout = self.layout_of(sh)[1]
        if any(not 0 <= i < layout["seat_count"] for i in seats):
            return  # the engine names the bad index
        lone = web_parts.stranded(layout, sh.seat_state_bytes(), seats)
        if lone:
            names = ", ".join(seat_label(layout, i) for i in lone)
            raise HttpError(409, "TIX_ESTRAND", (
                "%s would be left as a single seat between your seats and a "
                "taken seat, an aisle or the row end. A lone seat can only "
                "go to someone buying one ticket, so the box office does not "
                "strand one: shift your choice by a seat or include %s."
                % (names, "it" if len(lone) == 1 else "them")), )

    def extend(self, handle, body):
        ttl = want_int(body.get("ttl"), "ttl", 1, allow_none=True)
        h = tix.Hold.from_string(self.db, handle)
        try:
            h.extend(ttl)
            return 200, self.hold_json(h)
        finally:
            h.close()

    def release(self, handle):
        with tix.Hold.from_string(self.db, handle) as h:
            h.release()
        return 204, None

    def booking(self, booking_id):
        return 200, self.booking_json(self.db.booking(booking_id))

    def cancel(self, booking_id, body):
        """Cancels (refunds) a booking: its seats go back on sale, the
        outbox gets the event; twice is 409 TIX_EALREADY."""
        after = body.get("after_checkin", False)
        if not isinstance(after, bool):
            raise HttpError(400, "bad_request", "after_checkin must be a bool")
        b = self.db.booking(booking_id)
        return 200, self.booking_json(b.cancel(after_checkin=after))

    def show_bookings(self, show_id):
        out = []
        for b in self.db.show(show_id).bookings():
            d = b.as_dict()
            d["created_at"], d["cancelled_at"] = (iso(b.created_at),
                                                  iso(b.cancelled_at))
            for t in d["tickets"]:
                t["checked_in_at"] = iso(t.get("checked_in_at"))
            out.append(d)
        return 200, {"bookings": out}

    @staticmethod
    def tier_json(t):
        return {"id": t.id, "screen_id": t.screen_id, "name": t.name,
                "price_minor": t.price_minor, "currency": t.currency,
                "price": web_parts.format_money(t.price_minor, t.currency)}

    def screen_tiers(self, screen_id):
        tiers = self.db.screen(screen_id).tiers()
        return 200, {"tiers": [self.tier_json(t) for t in tiers]}

    def show_tiers(self, show_id):
        return self.screen_tiers(self.db.show(show_id).screen_id)

    @staticmethod
    def user_json(u):
        return {"id": u.id, "name": u.name, "email": u.email}

    def users(self, q):
        after = want_int(q.get("after") or 0, "after")
        limit = want_int(q.get("limit") or 100, "limit", 1)
        if limit > 1000:
            raise HttpError(400, "bad_request", "limit must be <= 1000")
        out = []
        for u in self.db.users(after=after, page=limit):
            out.append(self.user_json(u))
            if len(out) == limit:
                break
        return 200, {"users": out,
                     "next": out[-1]["id"] if len(out) == limit else None}

    def get_user(self, user_id):
        return 200, self.user_json(self.db.user(user_id))

    def venues(self):
        out = []
        for country in self.db.countries():
            for state in country.children():
                for c in state.children():
                    out += [{"id": v.id, "name": v.name, "city": c.name,
                             "city_id": c.id, "address": v.address}
                            for v in c.venues()]
        return 200, {"venues": out}

    def venue_screens(self, venue_id):
        return 200, {"screens": [{"id": s.id, "name": s.name,
                                  "seat_count": s.seat_count}
                                 for s in self.db.venue(venue_id).screens()]}

    def places(self, q):
        parent = want_int(q.get("parent") or 0, "parent")
        got = (self.db.place(parent).children() if parent
               else self.db.countries())
        return 200, {"places": [{"id": p.id, "name": p.name,
                                 "kind": p.kind.name.lower(),
                                 "parent_id": p.parent_id} for p in got]}

    def live_holds(self, show_id):
        sh = self.db.show(show_id)
        layout = self.layout_of(sh)[1]
        return 200, {"holds": [
            {"tag": "%08x" % h["tag"], "expires": iso(h["expires"]),
             "confirming": h["confirming"], "seats": h["seats"],
             "labels": [seat_label(layout, i) for i in h["seats"]]}
            for h in sh.live_holds()]}

    def venue_shows(self, venue_id, q):
        days = int(q.get("days") or 7)
        if not 1 <= days <= 31:
            raise HttpError(400, "bad_request", "days must be 1..31")
        v = self.db.venue(venue_id)
        city = v.city()  # its time zone: offsets change with summer time
        today = datetime.datetime.fromtimestamp(
            self.db.now() + city.utc_offset(self.db.now()) * 60,
            datetime.timezone.utc).date()
        out, movies = [], {}
        for d in range(days):
            day = today + datetime.timedelta(days=d)
            for sh in self.db.shows(venue=v, date=day):
                if sh.movie_id not in movies:
                    movies[sh.movie_id] = sh.movie()
                out.append(self.show_json(sh, movies[sh.movie_id], v,
                                          sh.availability(),
                                          local_time(sh.start,
                                                     city.utc_offset(sh.start)
                                                     * 60)))
        return 200, {"venue": v.name, "shows": out, "now": iso(self.db.now())}

    def show(self, show_id):
        sh = self.db.show(show_id)
        offset = self.db.place(sh.city_id).utc_offset(sh.start) * 60
        d = self.show_json(sh, sh.movie(), sh.venue(), sh.availability(),
                           local_time(sh.start, offset))
        d["screen"] = sh.screen().name
        d["hold_max_seats"] = self.db.hold_max_seats
        d["hold_ttl"] = self.db.hold_ttl_default
        d["now"] = iso(self.db.now())
        return 200, d

    def caps(self, show_id, q):
        user = q.get("user")
        if user is not None and not user.isdigit():
            raise HttpError(400, "bad_request", "user must be an id")
        out = self.db.show(show_id).user_caps(int(user) if user else None)
        return 200, dict(out, show_id=show_id)

    def cancel_show(self, show_id, body):
        reason = body.get("reason", "")
        if not isinstance(reason, str):
            raise HttpError(400, "bad_request", "reason must be a string")
        sh = self.db.show(show_id).cancel(reason)
        return 200, self.show_json(sh, sh.movie(), sh.venue(),
                                   sh.availability())

    def reschedule_show(self, show_id, body):
        start = want_time(body.get("start"), "start")
        sh = self.db.show(show_id).reschedule(start)
        return 200, self.show_json(sh, sh.movie(), sh.venue(),
                                   sh.availability())

    def set_caps(self, show_id, body):
        n = body.get("max_per_user")
        if not isinstance(n, int) or isinstance(n, bool):
            raise HttpError(400, "bad_request", "max_per_user must be an int")
        sh = self.db.show(show_id)
        sh.set_user_cap(n)
        return 200, dict(sh.user_caps(), show_id=show_id)

    @staticmethod
    def queue_json(q):
        return dict(q, onsale=iso(q["onsale"]))

    def set_queue(self, show_id, body):
        onsale = want_time(body.get("onsale"), "onsale")
        sh = self.db.show(show_id)
        sh.set_queue(onsale, want_int(body.get("capacity"), "capacity"),
                     want_int(body.get("rate") or 0, "rate"),
                     want_int(body.get("window") or 0, "window"))
        return 200, self.queue_json(sh.queue())

    def get_queue(self, show_id):
        return 200, self.queue_json(self.db.show(show_id).queue())

    DELETABLE = {"places": tix.Place, "venues": tix.Venue,
                 "screens": tix.Screen, "tiers": tix.Tier,
                 "movies": tix.Movie, "users": tix.User}

    def delete_record(self, kind, rid):
        self.DELETABLE[kind].get(self.db, int(rid)).delete()
        return 204, None

    def remove_queue(self, show_id):
        self.db.show(show_id).remove_queue()
        return 204, None

    def join_queue(self, show_id, body):
        return 201, {"ticket": self.db.show(show_id).queue_join(),
                     "show_id": show_id}

    def queue_status(self, ticket):
        st = self.db.queue_status(ticket)
        return 200, dict(st, state=st["state"].name.lower(),
                         window_end=iso(st["window_end"]))

    def queue_admit(self, show_id, body):
        sh = self.db.show(show_id)
        sh.queue_admit(want_int(body.get("n"), "n", 1))
        return 200, self.queue_json(sh.queue())

    def seat_history(self, show_id, label):
        sh = self.db.show(show_id)
        seat = None
        if label.startswith("@") and label[1:].isdigit():
            seat = int(label[1:])
        else:
            want = label.upper()  # "D7", or "L07-12-5" when a row ends in a digit
            seat = next((s.index for s in sh.seats()
                         if want in (s.label.upper(),
                                     ("%s-%d" % (s.row, s.number)).upper())),
                        None)
        if seat is None:
            raise HttpError(404, "TIX_ENOTFOUND",
                            "show %d has no seat %s" % (show_id, label))
        h = sh.seat_history(seat)
        h["state"] = h["state"].name.lower()
        h["held_until"] = iso(h["held_until"])
        for e in h["events"]:
            e["at"] = iso(e["at"])
        layout = self.layout_of(sh)[1]
        h["label"] = seat_label(layout, seat) if seat < layout["seat_count"] \
            else label
        return 200, h

    def layout(self, show_id):
        sh = self.db.show(show_id)
        _n, _lay, data = self.layout_of(sh)
        return 200, Raw("application/json", data, cache="no-cache",
                        etag='"L%d-%d"' % (sh.screen_id, sh.seat_count))

    def states(self, show_id):
        data = self.db.show(show_id).seat_state_bytes()
        tag = '"%s"' % hashlib.blake2b(data, digest_size=12).hexdigest()
        return 200, Raw("application/octet-stream", data, etag=tag,
                        cache="no-cache")

    def user(self, body):
        name, email = body.get("name"), body.get("email")
        if not isinstance(name, str) or not isinstance(email, str):
            raise HttpError(400, "bad_request", "name and email are required")
        try:
            u = self.db.user_by_email(email)
        except tix.NotFound:
            u = tix.User.create(self.db, name, email)
        return 200, self.user_json(u)

    def checkin(self, body):
        code, gate = body.get("code"), body.get("gate") or "Gate 1"
        if not isinstance(code, str) or not isinstance(gate, str):
            raise HttpError(400, "bad_request", "code is required")
        code = code.strip()
        if code.startswith("tix1:"):  # a scanned QR payload
            code = code.split(":")[1]
        try:
            c = self.db.checkin(code, gate)
        except tix.Already as e:
            return 409, {"error": "TIX_EALREADY", "message": e.message,
                         "first": self.checkin_json(e.checkin)}
        return 200, self.checkin_json(c)

    def checkin_json(self, c):
        d = c._asdict()
        d["checked_in_at"] = iso(c.checked_in_at)
        sh = self.db.show(c.show_id)
        d["movie"], d["venue"], d["start"] = (sh.movie().title,
                                              sh.venue().name, iso(sh.start))
        return d

    def ticket_qr(self, booking_id, n):
        b = self.db.booking(booking_id)
        if not 0 <= n < len(b.tickets):
            raise HttpError(404, "TIX_ENOTFOUND", "no ticket %d" % n)
        png = web_parts.png_gray(web_parts.qr_modules(b.tickets[n].qr))
        return 200, Raw("image/png", png, cache="private, max-age=3600")

    # (method, path, handler, what it takes besides the path's numbers)
    ROUTES = [
        ("GET", re.compile(r"^/shows$"), "list_shows", "query"),
        ("GET", re.compile(r"^/shows/(\d+)$"), "show", None),
        ("GET", re.compile(r"^/shows/(\d+)/availability$"), "availability",
         "query"),
        ("GET", re.compile(r"^/shows/(\d+)/layout$"), "layout", None),
        ("GET", re.compile(r"^/shows/(\d+)/states$"), "states", None),
        ("GET", re.compile(r"^/shows/(\d+)/bookings$"), "show_bookings", None),
        ("GET", re.compile(r"^/shows/(\d+)/tiers$"), "show_tiers", None),
        ("GET", re.compile(r"^/screens/(\d+)/tiers$"), "screen_tiers", None),
        ("GET", re.compile(r"^/screens/(\d+)/areas$"), "screen_areas", None),
        ("POST", re.compile(r"^/screens/(\d+)/areas$"), "add_area", "body"),
        ("GET", re.compile(r"^/shows/(\d+)/areas$"), "show_areas", None),
        ("POST", re.compile(r"^/shows/(\d+)/holds$"), "create_hold", "body"),
        ("GET", re.compile(r"^/channels$"), "channels", None),
        ("POST", re.compile(r"^/channels$"), "create_channel", "body"),
        ("GET", re.compile(r"^/channels/(\d+)$"), "get_channel", None),
        ("GET", re.compile(r"^/shows/(\d+)/channels$"), "show_channels", None),
        ("POST", re.compile(r"^/shows/(\d+)/channels/(\d+)/seats$"),
         "assign_channel", "body"),
        ("POST", re.compile(r"^/shows/(\d+)/channels/(\d+)/release$"),
         "release_channel", "body"),
        ("POST", re.compile(r"^/group-holds$"), "create_group_hold", "body"),
        ("POST", re.compile(r"^/group-holds/confirm$"), "confirm_group",
         "body"),
        ("GET", re.compile(r"^/shows/(\d+)/queue$"), "get_queue", None),
        ("POST", re.compile(r"^/shows/(\d+)/queue$"), "set_queue", "body"),
        ("DELETE", re.compile(r"^/shows/(\d+)/queue$"), "remove_queue", None),
        ("POST", re.compile(r"^/shows/(\d+)/queue/join$"), "join_queue", "body"),
        ("POST", re.compile(r"^/shows/(\d+)/queue/admit$"), "queue_admit",
         "body"),
        ("GET", re.compile(r"^/queue/([A-Za-z0-9_-]+)$"), "queue_status", None),
        ("GET", re.compile(r"^/shows/(\d+)/caps$"), "caps", "query"),
        ("POST", re.compile(r"^/shows/(\d+)/caps$"), "set_caps", "body"),
        ("POST", re.compile(r"^/shows/(\d+)/cancel$"), "cancel_show", "body"),
        ("POST", re.compile(r"^/shows/(\d+)/reschedule$"), "reschedule_show",
         "body"),
        ("GET", re.compile(r"^/shows/(\d+)/seats/([A-Za-z0-9@:_-]+)/history$"),
         "seat_history", None),
        ("POST", re.compile(r"^/holds/([A-Za-z0-9_-]+)/confirm$"), "confirm",
         "body"),
        ("POST", re.compile(r"^/holds/([A-Za-z0-9_-]+)/extend$"), "extend",
         "body"),
        ("DELETE", re.compile(r"^/holds/([A-Za-z0-9_-]+)$"), "release", None),
        ("DELETE", re.compile(r"^/(places|venues|screens|tiers|movies|users)/"
                              r"(\d+)$"), "delete_record", None),
        ("GET", re.compile(r"^/bookings/(\d+)$"), "booking", None),
        ("POST", re.compile(r"^/bookings/(\d+)/cancel$"), "cancel", "body"),
        ("GET", re.compile(r"^/bookings/(\d+)/tickets/(\d+)/qr\.png$"),
         "ticket_qr", None),
        ("GET", re.compile(r"^/venues$"), "venues", None),
        ("GET", re.compile(r"^/venues/(\d+)/screens$"), "venue_screens", None),
        ("GET", re.compile(r"^/places$"), "places", "query"),
        ("GET", re.compile(r"^/shows/(\d+)/holds$"), "live_holds", None),
        ("GET", re.compile(r"^/venues/(\d+)/shows$"), "venue_shows", "query"),
        ("POST", re.compile(r"^/users$"), "user", "body"),
        ("GET", re.compile(r"^/users$"), "users", "query"),
        ("GET", re.compile(r"^/users/(\d+)$"), "get_user", None),
        ("POST", re.compile(r"^/checkin$"), "checkin", "body"),
        ("GET", re.compile(r"^/replica$"), "replica", None),
        ("POST", re.compile(r"^/replica/promote$"), "replica_promote", "body"),
        ("POST", re.compile(r"^/feed/publish$"), "feed_publish", "body"),
    ]

    def feed_publish(self, body):
        wait = body.get("timeout_ms", 0)
        if isinstance(wait, bool) or not isinstance(wait, int) or not 0 <= wait <= 60000:
            raise HttpError(400, "TIX_EINVAL", "timeout_ms must be 0..60000")
        return 200, {"published": self.db.feed_publish(wait)}

    def replica(self):
        return 200, self.db.replica_status()

    def replica_promote(self, body):
        wait = body.get("wait_ms", 30000)
        if isinstance(wait, bool) or not isinstance(wait, int) or not 0 <= wait <= 600000:
            raise HttpError(400, "TIX_EINVAL", "wait_ms must be 0..600000")
        self.db.replica_promote(wait)
        return 200, self.db.replica_status()

    def handle(self, method, path, query, body):
        """Returns (status, payload): JSON-able, a Raw or None."""
        known = False
        for m, rx, name, takes in self.ROUTES:
            match = rx.match(path)
            if not match:
                continue
            known = True
            if m != method:
                continue
            args = [int(a) if a.isdigit() else a for a in match.groups()]
            if takes:
                args.append(query if takes == "query" else body)
            try:
                return getattr(self, name)(*args)
            except HttpError as e:
                return e.status, {"error": e.error, "message": e.message}
            except tix.Error as e:
                return status_for(e), {"error": e.name.split(":")[0],
                                       "message": e.message}
            except (TypeError, ValueError):
                # The binding's own argument checks; their text names
                # Python types, so the client gets a plain sentence.
                return 400, {"error": "bad_request",
                             "message": "a value in the request has the "
                                        "wrong type or range"}
        if known:
            return 405, {"error": "method_not_allowed", "message": method}
        return 404, {"error": "not_found", "message": path}


def local_time(t, offset):
    """"2030-06-01 19:00": epoch seconds @t at a UTC offset in seconds."""
    d = datetime.datetime.fromtimestamp(epoch(t) + offset,
                                        datetime.timezone.utc)
    return d.strftime("%Y-%m-%d %H:%M")


def seat_label(layout, i):
    """"D7": the row label and number of seat @i of a compact layout."""
    rows = layout["rows"]
    lo, hi = 0, len(rows) - 1
    while lo < hi:  # the last row starting at or before i
        mid = (lo + hi + 1) // 2
        if rows[mid][1] <= i:
            lo = mid
        else:
            hi = mid - 1
    if not rows:
        return "@%d" % i
    label = rows[lo][0]
    sep = "-" if label[-1:].isdigit() else ""  # "L07-12-5", as the CLI says
    return "%s%s%d" % (label, sep, layout["n"][i])


class Handler(BaseHTTPRequestHandler):
    server_version = "tix-http/1"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, the body
    # waited for the client's delayed ACK: a 40 ms floor on every request
    # of a reused connection.
    disable_nagle_algorithm = True
    timeout = SOCKET_TIMEOUT

    def log_message(self, fmt, *args):  # quiet unless asked
        if self.server.verbose:
            super().log_message(fmt, *args)

    def send_error(self, code, message=None, explain=None):
        """http.server's own errors (bad request line, unknown method,
        headers too long, ...) as JSON like every other answer."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # an unparsable request
            self.request_version = "HTTP/1.0"   # line: still a status line
        self._send(code, {"error": "http_%d" % code,
                          "message": message or self.responses.get(
                              code, ("error",))[0]})

    def _fail(self, status, error, message):
        """An error after which the rest of the request cannot be trusted
        (unread or short body): answered, then the connection closed."""
        self.close_connection = True
        self._send(status, {"error": error, "message": message})

    def _body(self):
        """The request's JSON object ({} without a body), or None when an
        error was already sent."""
        if self.headers.get("Transfer-Encoding"):
            self._fail(411, "length_required",
                       "send a Content-Length, not Transfer-Encoding")
            return None
        raw = self.headers.get("Content-Length")
        if raw is None or raw.strip() == "":
            return {}
        raw = raw.strip()
        if not raw.isdigit() or not raw.isascii():
            self._fail(400, "bad_length", "Content-Length must be a "
                       "non-negative integer")
            return None
        n = int(raw)
        if n > MAX_BODY:
            self._fail(413, "too_large",
                       "body over %d bytes" % MAX_BODY)
            return None
        if n == 0:
            return {}
        try:
            data = self.rfile.read(n)
        except (socket.timeout, TimeoutError):
            self._fail(408, "timeout", "body shorter than Content-Length "
                       "(no more bytes in %g s)" % self.timeout)
            return None
        if len(data) < n:
            self._fail(400, "short_body", "body shorter than Content-Length")
            return None
        try:
            body = json.loads(data)
        except RecursionError:
            self._send(400, {"error": "bad_json",
                             "message": "body is nested too deeply"})
            return None
        except ValueError:
            self._send(400, {"error": "bad_json",
                             "message": "body is not JSON"})
            return None
        if not isinstance(body, dict):
            self._send(400, {"error": "bad_json",
                             "message": "body must be an object"})
            return None
        return body

    def _run(self, method):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body = self._body()
        if body is None:
            return
        if method == "GET":
            page = web_parts.static_file(url.path)
            if page is not None:
                return self._send(200, Raw(page[0], page[1], cache="no-cache"))
        try:
            status, payload = self.server.api.handle(method, url.path, query,
                                                     body)
        except Exception:  # never let a request kill the server
            if self.server.verbose:
                traceback.print_exc()
            status, payload = 500, {"error": "internal",
                                    "message": "internal error"}
        self._send(status, payload)

    def _send(self, status, payload):
        headers = getattr(self, "headers", None) or {}
        if isinstance(payload, Raw):
            ctype, data = payload.ctype, payload.data
        elif payload is not None:
            ctype, data = "application/json", json.dumps(payload).encode()
        else:
            ctype, data = None, b""
        etag = getattr(payload, "etag", None)
        if etag and headers.get("If-None-Match") == etag:
            status, ctype, data = 304, None, b""
        gz = (len(data) > 1024 and "gzip" in
              (headers.get("Accept-Encoding") or ""))
        if gz:
            data = gzip.compress(data, 5)
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if gz:
            self.send_header("Content-Encoding", "gzip")
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Cache-Control", getattr(payload, "cache", None)
                         or "no-store")
        for k, v in web_parts.SECURITY_HEADERS:
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._run("GET")

    def do_POST(self):
        self._run("POST")

    def do_DELETE(self):
        self._run("DELETE")

    def do_PUT(self):  # a JSON 405 on a known path, 404 elsewhere
        self._run("PUT")

    def do_PATCH(self):
        self._run("PATCH")


class Server(ThreadingHTTPServer):
    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True


def make_server(db, port=0, verbose=False):
    srv = Server(("127.0.0.1", port), Handler)
    srv.api = Api(db)
    srv.verbose = verbose
    return srv


def main(argv=None):
    import demo_data
    ap = argparse.ArgumentParser(description="libtix JSON HTTP API (127.0.0.1)")
    demo_data.add_store_options(ap)
    ap.add_argument("--port", type=int, default=8080, help="0 = any free port")
    ap.add_argument("--seed", action="store_true",
                    help="load the demo city into an empty store")
    ap.add_argument("--hold-ttl", type=int, default=0,
                    help="seconds a hold lasts (0 = the library default)")
    ap.add_argument("--timeout", type=float, default=SOCKET_TIMEOUT,
                    help="seconds a connection may stall mid-request or "
                         "idle between requests")
    ap.add_argument("--verbose", action="store_true", help="log requests")
    ap.add_argument("--nats", help="replicate through NATS JetStream at these "
                                   "comma-separated URLs (docs/replication.md)")
    ap.add_argument("--stream", help="the store's JetStream stream (TIX)")
    ap.add_argument("--follower", action="store_true",
                    help="open as a follower of the stream (with --nats)")
    args = ap.parse_args(argv)
    Handler.timeout = args.timeout
    config = {}
    if args.hold_ttl:
        config["hold_ttl_default"] = args.hold_ttl
    if args.nats:
        config.update(repl_urls=args.nats, repl_stream=args.stream,
                      repl_role="follower" if args.follower else "primary")
    with demo_data.open_store(ap, args, **config) as db:
        if args.seed:
            demo_data.ensure(db)
        srv = make_server(db, args.port, args.verbose)

        def stop(*_):
            threading.Thread(target=srv.shutdown, daemon=True).start()
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        print("listening on http://127.0.0.1:%d" % srv.server_address[1],
              flush=True)
        try:
            srv.serve_forever(poll_interval=0.2)
        finally:
            srv.server_close()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
