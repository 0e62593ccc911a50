#!/usr/bin/python3
"""A small JSON HTTP API over libtix, standard library only.

    /usr/bin/python3 examples/python/http_api.py --store STORE [--port 8080] [--seed]

Binds 127.0.0.1 only. --port 0 picks a free port; the first line printed
is always "listening on http://127.0.0.1:<port>". --seed loads the demo
city (examples/python/demo_data.py) into an empty store. SIGINT or SIGTERM
stops it cleanly (store closed).

  GET  /shows?city=<id|name>&date=<YYYY-MM-DD|YYYYMMDD>[&movie=<id>]
  GET  /shows/<id>/availability[?seats=1]      counts (+ seat map)
  POST /shows/<id>/holds      {"seats": [4, 5]} or {"best": 2, "tier": 3,
                               "accessible": false}; optional "ttl",
                               "request_key"            -> 201 {"hold": ...}
  POST /holds/<hold>/confirm  {"user": 1, "payment_ref": "pay_1",
                               "seats_per_ticket": 2, "offer_code": null,
                               "charged": {"amount_minor": 30000,
                                           "currency": "INR"}}
                                                         -> 201 booking
       "charged" is what the payment gateway took: the confirm books only
       if the price at commit is exactly that (else 409 TIX_EPRICE).
  DELETE /holds/<hold>                                   -> 204 (release)
  GET  /bookings/<id>

Errors are JSON {"error": "TIX_ECONFLICT", "message": "..."} with 400, 404,
409 (conflict, state, exists, price), 410 (hold expired) or 500. One tix.Database
serves every request thread (ThreadingHTTPServer); confirms from parallel
requests are group-committed by libtix.
"""
import argparse
import json
import os
import re
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import tix
except ImportError:  # running from a source tree: use its bindings
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "bindings", "python"))
    import tix

MAX_BODY = 64 * 1024

STATUS = [  # first match wins
    (tix.NotFound, 404), (tix.Expired, 410),
    ((tix.Conflict, tix.State, tix.Exists, tix.Already, tix.Busy,
      tix.PriceMismatch), 409),
    ((tix.InvalidArgument, tix.OutOfRange, tix.TooLong, tix.BadUTF8,
      tix.BadCode, tix.Limit, tix.Overlap), 400),
]


class HttpError(Exception):
    def __init__(self, status, error, message):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


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
    def show_json(sh, movie, venue, avail):
        return {"id": sh.id, "movie_id": sh.movie_id, "movie": movie.title,
                "venue_id": sh.venue_id, "venue": venue.name,
                "screen_id": sh.screen_id, "start": sh.start, "end": sh.end,
                "local_date": sh.local_date, "seat_count": sh.seat_count,
                "free": avail["free"]}

    @staticmethod
    def hold_json(h):
        return {"hold": str(h), "show_id": h.show_id, "seats": list(h.seats),
                "expires": h.expires}

    # ---- endpoints ------------------------------------------------------------
    def list_shows(self, q):
        if "date" not in q:
            raise HttpError(400, "bad_request", "date is required")
        movie = q.get("movie")
        shows = self.db.shows(city=self.city(q.get("city")), date=q["date"],
                              movie=int(movie) if movie else None)
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
        if q.get("seats") in ("1", "true", "yes"):
            out["seats"] = [dict(s, state=s["state"].name.lower())
                            for s in sh.seat_map()]
        return 200, out

    def create_hold(self, show_id, body):
        sh = self.db.show(show_id)
        ttl, key = body.get("ttl"), body.get("request_key")
        if "seats" in body:
            seats = body["seats"]
            if not isinstance(seats, list) or not all(
                    isinstance(s, int) for s in seats):
                raise HttpError(400, "bad_request", "seats must be a list of ints")
            h = sh.hold(seats, ttl=ttl, request_key=key)
        elif "best" in body:
            n = body["best"]
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise HttpError(400, "bad_request", "best must be a positive int")
            h = sh.hold_best(n, tier=body.get("tier"),
                             accessible=bool(body.get("accessible")),
                             ttl=ttl, request_key=key)
        else:
            raise HttpError(400, "bad_request", 'give "seats" or "best"')
        with h:  # the handle is freed; the seats stay held
            return 201, self.hold_json(h)

    def confirm(self, handle, body):
        for k in ("user", "payment_ref"):
            if k not in body:
                raise HttpError(400, "bad_request", "%s is required" % k)
        expected = None
        charged = body.get("charged")
        if charged is not None:
            if (not isinstance(charged, dict)
                    or not isinstance(charged.get("amount_minor"), int)
                    or isinstance(charged.get("amount_minor"), bool)
                    or not isinstance(charged.get("currency"), str)):
                raise HttpError(400, "bad_request", 'charged must be '
                                '{"amount_minor": int, "currency": "XXX"}')
            expected = (charged["amount_minor"], charged["currency"])
        # Not "with": a refused confirm must leave the hold held (the buyer
        # may retry), not release it as the context manager would.
        h = tix.Hold.from_string(self.db, handle)
        try:
            b = h.confirm(user=body["user"], payment_ref=body["payment_ref"],
                          seats_per_ticket=body.get("seats_per_ticket") or 0,
                          offer_code=body.get("offer_code"), expected=expected)
        finally:
            h.close()
        return 201, b.as_dict()

    def release(self, handle):
        with tix.Hold.from_string(self.db, handle) as h:
            h.release()
        return 204, None

    def booking(self, booking_id):
        return 200, self.db.booking(booking_id).as_dict()

    ROUTES = [
        ("GET", re.compile(r"^/shows$"), "list_shows"),
        ("GET", re.compile(r"^/shows/(\d+)/availability$"), "availability"),
        ("POST", re.compile(r"^/shows/(\d+)/holds$"), "create_hold"),
        ("POST", re.compile(r"^/holds/([A-Za-z0-9_-]+)/confirm$"), "confirm"),
        ("DELETE", re.compile(r"^/holds/([A-Za-z0-9_-]+)$"), "release"),
        ("GET", re.compile(r"^/bookings/(\d+)$"), "booking"),
    ]

    def handle(self, method, path, query, body):
        """Returns (status, json-able or None)."""
        known = False
        for m, rx, name in self.ROUTES:
            match = rx.match(path)
            if not match:
                continue
            known = True
            if m != method:
                continue
            args = [int(a) if a.isdigit() else a for a in match.groups()]
            if name in ("list_shows", "availability"):
                args.append(query)
            elif method == "POST":
                args.append(body)
            try:
                return getattr(self, name)(*args)
            except HttpError as e:
                return e.status, {"error": e.error, "message": e.message}
            except tix.Error as e:
                return status_for(e), {"error": e.name.split(":")[0],
                                       "message": e.message}
            except (TypeError, ValueError) as e:
                return 400, {"error": "bad_request", "message": str(e)}
        if known:
            return 405, {"error": "method_not_allowed", "message": method}
        return 404, {"error": "not_found", "message": path}


class Handler(BaseHTTPRequestHandler):
    server_version = "tix-http/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet unless asked
        if self.server.verbose:
            super().log_message(fmt, *args)

    def _run(self, method):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body = {}
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            return self._send(413, {"error": "too_large", "message": "body"})
        if n:
            try:
                body = json.loads(self.rfile.read(n))
            except ValueError:
                return self._send(400, {"error": "bad_json",
                                        "message": "body is not JSON"})
            if not isinstance(body, dict):
                return self._send(400, {"error": "bad_json",
                                        "message": "body must be an object"})
        try:
            status, payload = self.server.api.handle(method, url.path, query,
                                                     body)
        except Exception as e:  # never let a request kill the server
            status, payload = 500, {"error": "internal", "message": repr(e)}
        self._send(status, payload)

    def _send(self, status, payload):
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._run("GET")

    def do_POST(self):
        self._run("POST")

    def do_DELETE(self):
        self._run("DELETE")


def make_server(db, port=0, verbose=False):
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    srv.api = Api(db)
    srv.verbose = verbose
    return srv


def main(argv=None):
    ap = argparse.ArgumentParser(description="libtix JSON HTTP API (127.0.0.1)")
    ap.add_argument("--store", required=True, help="libtix store directory")
    ap.add_argument("--port", type=int, default=8080, help="0 = any free port")
    ap.add_argument("--seed", action="store_true",
                    help="load the demo city into an empty store")
    ap.add_argument("--durability", default="full",
                    choices=("full", "nometa", "none"))
    ap.add_argument("--verbose", action="store_true", help="log requests")
    args = ap.parse_args(argv)
    with tix.open(args.store, durability=args.durability) as db:
        if args.seed:
            import demo_data
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
