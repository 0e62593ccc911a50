"""tix.open() and tix.Database: the store handle.

Thread safety
-------------
One Database may be shared by any number of threads: libtix's handle is
thread-safe, and every call into it goes through a small use-count guard so
that close() waits for calls in flight instead of freeing the handle under
them (calls started after close() raise tix.State). cffi releases the GIL
for the duration of every C call, so blocking calls -- confirm (which waits
for the group commit and its fsync), PendingConfirm.wait(), outbox waits --
let other Python threads run, and confirms from many threads land in the
same LMDB commit.

Batches (``with db.batch():``) belong to the thread that opened them: the
catalog writes of that thread inside the block are one transaction, other
threads neither see nor join it (their writes wait for it), and close()
from another thread waits for it to end.

Records (Place, Show, Booking, ...) are plain Python copies and may be
passed between threads freely. A Hold serialises its own operations with a
lock (two threads confirming the same Hold object run one after the other).

Durability
----------
open(path, durability=...) picks what a commit (a confirm, a catalog
change) waits for before it returns:

  "full"     (default) fsync LMDB's data pages and meta page: durable on
             return; any number of processes may share the store.
  "journal"  flush one small append to a redo journal instead: durable on
             return and 2-4x faster at confirms, but the store is used by
             one process only (a second one gets tix.Busy).
  "nometa"   skip the meta-page fsync: a crash may lose the last commit
             (never a half-written one).
  "none"     no fsync: tests and bulk loads; call sync() when done.
"""
from __future__ import annotations

import datetime
import enum
import os
import threading
import time
import weakref
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterator, List,
                    Optional, Tuple, Union)

from ._ffi import ffi, lib, new_config
from . import _util
from ._util import DateLike, IdLike
from .errors import Already, InvalidArgument, State, error_for

if TYPE_CHECKING:
    from .catalog import Area, Movie, Place, Screen, Show, Tier, User, Venue
    from .discover import NearbyVenue, Recommendation, SearchHit
    from .offers import Offer
    from .outbox import Consumer, Event
    from .reviews import Review
    from .seats import Booking, CheckIn, Hold


def _struct_dict(c: Any) -> Dict[str, Any]:
    """A flat C struct of numbers as a dict."""
    return {k: getattr(c, k) for k in dir(c)}


class Durability(enum.IntEnum):
    """What a commit waits for (see the module doc, "Durability")."""
    FULL = lib.TIX_SYNC_FULL      #: fsync data and meta on every commit
    NOMETA = lib.TIX_SYNC_NOMETA  #: skip the meta fsync (a crash may lose the last commit)
    NONE = lib.TIX_SYNC_NONE      #: no fsync (tests, bulk loads)
    JOURNAL = lib.TIX_SYNC_JOURNAL  #: durable: flush a redo journal per commit; one process


_DURABILITY_NAMES = {"full": Durability.FULL, "nometa": Durability.NOMETA,
                     "none": Durability.NONE, "journal": Durability.JOURNAL}

# tix_config fields settable as keyword arguments of tix.open()
_INT_FIELDS = ("map_size", "map_size_max", "max_readers", "hold_ttl_default",
               "hold_ttl_max", "hold_max_seats", "confirm_lease",
               "show_buffer", "seatmap_reserve", "reclaim_after", "flags",
               "review_text_max", "search_min_chars", "repl_replicas",
               "repl_lease_ms", "repl_timeout_ms")
_SIGNED_FIELDS = ("fee_per_seat_minor",)
_REPL_ROLES = {"primary": lib.TIX_REPL_PRIMARY, "follower": lib.TIX_REPL_FOLLOWER}
CONFIG_KEYS = _INT_FIELDS + _SIGNED_FIELDS + ("durability", "clock",
                                             "readonly", "create", "repl_urls",
                                             "repl_stream", "repl_role")


class KafkaRelay:
    """The change feed's Kafka relay (docs/replication.md): at least once,
    through an outbox consumer cursor."""

    def __init__(self, db: "Database", brokers: str,
                 topic_prefix: Optional[str], consumer: Optional[str]) -> None:
        out = ffi.new("tix_kafka_relay **")
        keep = [ffi.new("char[]", _util.enc(v, n, allow_none=False)) if v else ffi.NULL
                for v, n in ((topic_prefix, "topic_prefix"), (consumer, "consumer"))]
        db._call("tix_kafka_relay_open", _util.enc(brokers, "brokers", allow_none=False),
                 keep[0], keep[1], out)
        self._db, self._ptr = db, out[0]

    def run(self, timeout_ms: int = 0) -> int:
        """Relays what is pending, then waits up to timeout_ms for more;
        returns how many events were delivered."""
        n = ffi.new("uint64_t *")
        rc = lib.tix_kafka_relay_run(self._ptr, int(timeout_ms), n)
        if rc < 0:
            raise error_for(rc, "tix_kafka_relay_run")
        return int(n[0])

    def close(self) -> None:
        """Flushes (up to 2 s) and frees the relay; idempotent."""
        if self._ptr is not None:
            lib.tix_kafka_relay_close(self._ptr)
            self._ptr = None

    def __enter__(self) -> "KafkaRelay":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Placement:
    """The shard map in a JetStream KV bucket (tix_placement_*,
    docs/scaling.md): a venue code's shard is its override, else
    jump_consistent_hash(XXH3(code), shards)."""

    def __init__(self, urls: str, bucket: Optional[str] = None) -> None:
        out = ffi.new("tix_placement **")
        b = ffi.new("char[]", _util.enc(bucket, "bucket", allow_none=False)) if bucket else ffi.NULL
        rc = lib.tix_placement_open(_util.enc(urls, "urls", allow_none=False), b, out)
        if rc < 0:
            raise error_for(rc, "tix_placement_open")
        self._ptr = out[0]

    def _check(self, rc: int, name: str) -> None:
        if rc < 0:
            raise error_for(rc, name)

    def set_shards(self, n: int) -> None:
        """Sets the number of shards (1..65536)."""
        self._check(lib.tix_placement_set_shards(self._ptr, int(n)), "tix_placement_set_shards")

    def pin(self, venue_code: str, shard: Optional[int]) -> None:
        """Overrides the venue's shard; None removes the override."""
        self._check(lib.tix_placement_override(
            self._ptr, _util.enc(venue_code, "venue_code", allow_none=False),
            -1 if shard is None else int(shard)), "tix_placement_override")

    def shard_of(self, venue_code: str) -> Tuple[int, bool]:
        """(shard, whether an override decided)."""
        s, o = ffi.new("uint32_t *"), ffi.new("int *")
        self._check(lib.tix_placement_shard_of(
            self._ptr, _util.enc(venue_code, "venue_code", allow_none=False), s, o),
            "tix_placement_shard_of")
        return int(s[0]), bool(o[0])

    def close(self) -> None:
        """Disconnects; idempotent."""
        if self._ptr is not None:
            lib.tix_placement_close(self._ptr)
            self._ptr = None

    def __enter__(self) -> "Placement":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _close_handle(ptr: Any, _keepalive: Any) -> None:
    # Finalizer: must not reference the Database object.
    lib.tix_db_close(ptr)


class Database:
    """An open store. Create it with tix.open(); close it with close() or a
    `with` block (a finalizer closes it too when it is garbage collected or
    at interpreter exit, as a safety net)."""

    def __init__(self, path: Union[str, bytes, os.PathLike], **config: Any) -> None:
        unknown = set(config) - set(CONFIG_KEYS)
        if unknown:
            raise TypeError("tix.open: unknown option(s) %s; known: %s"
                            % (", ".join(sorted(unknown)),
                               ", ".join(CONFIG_KEYS)))
        cfg, _raw = new_config()  # _raw owns the memory
        lib.tix_config_init(cfg)
        for k in _INT_FIELDS:
            if k in config:
                v = config[k]
                if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                    raise InvalidArgument("%s must be a non-negative int" % k)
                try:
                    setattr(cfg, k, v)
                except OverflowError:
                    raise InvalidArgument("%s %d out of range" % (k, v)) from None
        for k in _SIGNED_FIELDS:
            if k in config:
                v = config[k]
                if isinstance(v, bool) or not isinstance(v, int):
                    raise InvalidArgument("%s must be an int" % k)
                setattr(cfg, k, v)
        if "durability" in config:
            d = config["durability"]
            if isinstance(d, str):
                if d.lower() not in _DURABILITY_NAMES:
                    raise InvalidArgument("durability must be one of %s, not %r"
                                          % ("/".join(_DURABILITY_NAMES), d))
                d = _DURABILITY_NAMES[d.lower()]
            cfg.durability = int(Durability(d))
        if config.get("readonly"):
            cfg.flags |= lib.TIX_OPEN_READONLY
        if config.get("create") is False:
            cfg.flags |= lib.TIX_OPEN_NOCREATE
        keep = self._repl_config(cfg, config)  # noqa: F841 (alive until open)
        self._clock_cb = None
        clock = config.get("clock")
        if clock is not None:
            if not callable(clock):
                raise TypeError("clock must be a callable returning seconds")
            self._clock_cb = ffi.callback("tix_clock_fn", _clock_adapter(clock))
            cfg.clock = self._clock_cb

        bpath = _util.enc(str(path) if not isinstance(path, (str, bytes)) else path,
                          "path", allow_none=False)
        out = ffi.new("tix_db **")
        rc = lib.tix_db_open(bpath, cfg, out)
        if rc < 0:
            raise error_for(rc, "tix_db_open")
        self._ptr = out[0]
        self._finalizer = weakref.finalize(self, _close_handle, self._ptr,
                                           self._clock_cb)
        self.path = _util.dec(lib.tix_db_path(self._ptr))
        self.durability = Durability(cfg.durability)
        self.readonly = bool(cfg.flags & lib.TIX_OPEN_READONLY)
        self.hold_ttl_default = cfg.hold_ttl_default
        self.hold_ttl_max = cfg.hold_ttl_max
        self.hold_max_seats = cfg.hold_max_seats
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._active = 0
        self._closing = False
        self._batches = {}  # thread ident -> batch levels it has open

    @staticmethod
    def _repl_config(cfg: Any, config: Dict[str, Any]) -> List[Any]:
        """Replication options (docs/replication.md); the strings must live
        until tix_db_open returns."""
        keep = []
        for k in ("repl_urls", "repl_stream"):
            if config.get(k) is not None:
                keep.append(ffi.new("char[]", _util.enc(config[k], k,
                                                        allow_none=False)))
                setattr(cfg, k, keep[-1])
        role = config.get("repl_role")
        if role is not None:
            if role not in _REPL_ROLES:
                raise InvalidArgument("repl_role must be 'primary' or "
                                      "'follower', not %r" % (role,))
            cfg.repl_role = _REPL_ROLES[role]
        return keep

    # ---- replication (docs/replication.md) ------------------------------
    def replica_follow(self, timeout_ms: int = 0) -> int:
        """Follower: applies the stream's new records until timeout_ms passed
        (0: those the stream holds now); returns how many it applied. A torn,
        foreign or replayed record raises tix.Corrupt and stops the
        follower."""
        n = ffi.new("uint64_t *")
        self._call("tix_replica_follow", int(timeout_ms), n)
        return int(n[0])

    def replica_promote(self, wait_ms: int = 30000) -> None:
        """Makes this store the primary of its stream once the old primary's
        lease lapsed (waiting up to wait_ms: else tix.Busy naming the
        holder)."""
        self._call("tix_replica_promote", int(wait_ms))

    def replica_status(self) -> Dict[str, Any]:
        """{role, fenced, applied_seq, stream_seq, lag, stream, lease_holder}."""
        info = ffi.new("tix_replica_info *")
        self._call("tix_replica_status", info)
        return {"role": "primary" if info.role == lib.TIX_REPL_PRIMARY
                        else "follower",
                "fenced": bool(info.fenced), "applied_seq": info.applied_seq,
                "stream_seq": info.stream_seq, "lag": info.lag,
                "stream": ffi.string(info.stream).decode(),
                "lease_holder": ffi.string(info.lease_holder).decode()}

    def feed_publish(self, timeout_ms: int = 0) -> int:
        """The change feed: publishes the outbox events its JetStream stream
        (<repl_stream>_FEED) lacks, as JSON on tix.<stream>.feed.<kind>,
        then waits up to timeout_ms for more; returns how many it sent."""
        n = ffi.new("uint64_t *")
        self._call("tix_feed_publish", int(timeout_ms), n)
        return int(n[0])

    def kafka_relay(self, brokers: str, topic_prefix: Optional[str] = None,
                    consumer: Optional[str] = None) -> "KafkaRelay":
        """A relay of the outbox events to Kafka topics <prefix>.<kind>
        (tix_kafka_relay_open); close it with close() or a with block."""
        return KafkaRelay(self, brokers, topic_prefix, consumer)

    # ---- the guard every call goes through -------------------------------
    def _acquire(self) -> Any:
        with self._lock:
            if self._closing:
                raise State("database %s is closed" % self.path)
            self._active += 1
            return self._ptr

    def _release(self) -> None:
        with self._lock:
            self._active -= 1
            if self._closing and self._active == 0:
                self._idle.set()

    def _call(self, name: str, *args: Any) -> int:
        """Calls C function @name(db, *args); raises the matching tix.Error
        for a negative result, with this thread's detail message."""
        fn = getattr(lib, name)
        ptr = self._acquire()
        try:
            rc = fn(ptr, *args)
            if rc < 0:
                raise error_for(rc, name)
            return rc
        finally:
            self._release()

    def _call_void(self, name: str, *args: Any) -> Any:
        fn = getattr(lib, name)
        ptr = self._acquire()
        try:
            return fn(ptr, *args)
        finally:
            self._release()

    # ---- lifetime ----------------------------------------------------------
    def close(self) -> None:
        """Closes the store: waits for calls in flight in other threads
        (confirms included), then frees the handle. Idempotent."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            # This thread's own batch cannot end while it waits here:
            # tix_db_close rolls it back instead. Other threads' batches
            # are waited for, like calls in flight.
            self._active -= self._batches.pop(threading.get_ident(), 0)
            busy = self._active > 0
        if busy:
            self._idle.wait()
        self._finalizer()  # tix_db_close, exactly once
        self._ptr = None

    @property
    def closed(self) -> bool:
        """True once close() was called."""
        return self._closing

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: Any) -> bool:
        self.close()
        return False

    def __repr__(self) -> str:
        return "<tix.Database %r%s>" % (self.path, " closed" if self.closed else "")

    # ---- store -------------------------------------------------------------
    def now(self) -> int:
        """The store clock, seconds since the epoch (now_datetime() for an
        aware datetime)."""
        return self._call_void("tix_db_now")

    def now_datetime(self) -> datetime.datetime:
        """The store clock as an aware UTC datetime."""
        return datetime.datetime.fromtimestamp(self.now(),
                                               datetime.timezone.utc)

    def sync(self) -> None:
        """Forces an fsync (after durability="none" writes)."""
        self._call("tix_db_sync")

    def backup(self, dest_dir: Union[str, bytes, os.PathLike]) -> None:
        """Writes a consistent, compacted copy of the store's data.mdb into
        @dest_dir (created if missing) while other threads keep working;
        the GIL is released during the copy. tix.Exists if @dest_dir already
        holds a data.mdb."""
        from .discover import require
        require("tix_db_backup")
        self._call("tix_db_backup", _util.enc(
            dest_dir if isinstance(dest_dir, (str, bytes)) else str(dest_dir),
            "dest_dir", allow_none=False))

    def check(self) -> Tuple[Dict[str, Any], List[str]]:
        """Checks the store's consistency (tix_db_check) while others keep
        writing. Returns (counts, problems): a dict of what was looked at
        and the list of problem lines; an empty list means consistent."""
        problems = []

        @ffi.callback("tix_check_fn")
        def on_problem(ctx, msg):
            problems.append(ffi.string(msg).decode("utf-8", "replace"))

        out = ffi.new("tix_check_counts *")
        self._call("tix_db_check", on_problem, ffi.NULL, out)
        return _struct_dict(out[0]), problems

    def stat(self) -> Dict[str, Any]:
        """Sizes and usage of the store (tix_db_stat): file and map sizes,
        the last transaction id, seats.map regions, and per-table entries,
        pages and depth under "tables"."""
        out = ffi.new("tix_db_stats *")
        self._call("tix_db_stat", out)
        d = {k: getattr(out, k) for k in dir(out[0]) if k not in ("tables",)}
        d["tables"] = {
            ffi.string(t.name).decode(): {"entries": t.entries,
                                          "pages": t.pages, "depth": t.depth}
            for t in out.tables[0:out.n_tables]}
        d.pop("n_tables", None)
        return d

    def commit_stats(self) -> Dict[str, Any]:
        """The group committer's counters since this process opened the
        store: batches, confirms in them, largest batch."""
        out = ffi.new("tix_commit_stats *")
        self._call("tix_db_commit_stats", out)
        return _struct_dict(out[0])

    def batch(self) -> Batch:
        """A batch: the catalog writes of this thread inside the `with`
        block are one transaction (tix_db_begin), committed when the block
        ends and rolled back if it raises, so the store has all of them or
        none::

            with db.batch():
                venue = tix.Venue.create(db, city, "Lotus", lat=19.1, lon=72.8)
                screen = venue.add_screen("Screen 4")
                ...

        Inside, this thread's reads see the batch's writes; a call that
        fails changes nothing and the batch goes on (catch the exception to
        keep going). Seat calls (holds, confirms, availability, ...),
        sync() and backup() raise tix.State while a batch is open. Other
        threads' writes wait for the batch to end. Batches nest: an inner
        one is a savepoint that its own rollback undoes. Batch.rollback()
        (or commit()) ends the batch before the block does, e.g. for a dry
        run. See tix.h, "Batches"."""
        from .discover import require
        require("tix_db_begin")
        return Batch(self)

    def _batch_begin(self) -> None:
        ptr = self._acquire()  # held until the batch ends: close() waits
        rc = lib.tix_db_begin(ptr)
        if rc < 0:
            self._release()
            raise error_for(rc, "tix_db_begin")
        tid = threading.get_ident()
        with self._lock:
            self._batches[tid] = self._batches.get(tid, 0) + 1

    def _batch_end(self, commit: bool) -> bool:
        """Ends this thread's innermost batch level. False when close()
        ended it already (rolled back)."""
        tid = threading.get_ident()
        with self._lock:
            if not self._batches.get(tid):
                return False
            ptr = self._ptr
        name = "tix_db_commit" if commit else "tix_db_rollback"
        rc = getattr(lib, name)(ptr)
        with self._lock:
            self._batches[tid] -= 1
            if not self._batches[tid]:
                del self._batches[tid]
        self._release()
        if rc < 0:
            raise error_for(rc, name)
        return True

    # ---- shortcuts to the record classes -------------------------------------
    def place(self, id: IdLike) -> Place:
        """Place @id (tix.NotFound)."""
        from .catalog import Place
        return Place.get(self, id)

    def countries(self) -> List[Place]:
        """Every country, by name."""
        from .catalog import Place
        return Place.list(self, None)

    def venue(self, id: IdLike) -> Venue:
        """Venue @id (tix.NotFound)."""
        from .catalog import Venue
        return Venue.get(self, id)

    def screen(self, id: IdLike) -> Screen:
        """Screen @id (tix.NotFound)."""
        from .catalog import Screen
        return Screen.get(self, id)

    def area(self, id: IdLike) -> Area:
        """General-admission area @id (tix.NotFound)."""
        from .catalog import Area
        return Area.get(self, id)

    def tier(self, id: IdLike) -> Tier:
        """Tier @id (tix.NotFound)."""
        from .catalog import Tier
        return Tier.get(self, id)

    def movie(self, id: IdLike) -> Movie:
        """Movie @id (tix.NotFound)."""
        from .catalog import Movie
        return Movie.get(self, id)

    def movies(self, after: IdLike = 0, page: int = 100) -> Iterator[Movie]:
        """Iterator over every movie, by id."""
        from .catalog import Movie
        return Movie.list(self, after=after, page=page)

    def show(self, id: IdLike) -> Show:
        """Show @id (tix.NotFound)."""
        from .catalog import Show
        return Show.get(self, id)

    def shows(self, city: Union[IdLike, str, None] = None,
              date: Optional[DateLike] = None, movie: Optional[IdLike] = None,
              venue: Optional[IdLike] = None) -> List[Show]:
        """Shows on a local @date in a @city (an id, a Place or a name such
        as "Mumbai"), optionally of one @movie, or at a @venue; see
        tix.Show.list."""
        from .catalog import Show
        return Show.list(self, city=city, date=date, movie=movie, venue=venue)

    def user(self, id: IdLike) -> User:
        """User @id (tix.NotFound)."""
        from .catalog import User
        return User.get(self, id)

    def user_by_email(self, email: str) -> User:
        """The user with this e-mail, ASCII case ignored (tix.NotFound)."""
        from .catalog import User
        return User.find_email(self, email)

    def users(self, after: IdLike = 0, page: int = 100) -> Iterator[User]:
        """Iterator over every user, by id."""
        from .catalog import User
        return User.list(self, after=after, page=page)

    def booking(self, id: IdLike) -> Booking:
        """Booking @id (tix.NotFound)."""
        from .seats import Booking
        return Booking.get(self, id)

    def booking_by_payment(self, payment_ref: str) -> Booking:
        """The booking made with @payment_ref (tix.NotFound)."""
        from .seats import Booking
        return Booking.find_payment(self, payment_ref)

    def queue_status(self, ticket: str) -> Dict[str, Any]:
        """Where a waiting-room ticket stands: {"show_id", "state",
        "position", "ahead", "wait", "window_end"} (tix.BadCode for a
        ticket this store did not issue)."""
        from .queue import status
        return status(self, ticket)

    def hold_from_string(self, text: str) -> Hold:
        """The Hold of a handle made by str(hold) (tix.BadCode)."""
        from .seats import Hold
        return Hold.from_string(self, text)

    # ---- discovery, reviews --------------------------------------------------
    # ---- sales channels and multi-show holds ---------------------------------
    def create_channel(self, name: str) -> Any:
        """Creates a sales channel (tix.Channel)."""
        from . import channels
        return channels.create(self, name)

    def channel(self, id: IdLike) -> Any:
        """The sales channel @id (tix.NotFound when none)."""
        from . import channels
        return channels.get(self, id)

    def channel_by_name(self, name: str) -> Any:
        """The sales channel named @name (tix.NotFound when none)."""
        from . import channels
        return channels.find(self, name)

    def channels(self) -> List[Any]:
        """Every sales channel, by id."""
        from . import channels
        return channels.list_all(self)

    def hold_group(self, parts: Any, ttl: Optional[int] = None,
                   request_key: Optional[str] = None,
                   user: Optional[IdLike] = None,
                   channel: Optional[IdLike] = None) -> List[Hold]:
        """Holds seats of several shows all or nothing: @parts is a list of
        (show, seat indexes); one Hold per part."""
        from .seats import hold_group
        return hold_group(self, parts, ttl, request_key, user, channel)

    def confirm_group(self, holds: Any, user: IdLike, payment_ref: str,
                      seats_per_ticket: int = 0,
                      offer_code: Optional[str] = None) -> List[Booking]:
        """Books the holds of several shows in one transaction, all or
        nothing; one Booking per hold, linked by group_id."""
        from .seats import confirm_group
        return confirm_group(self, holds, user, payment_ref,
                             seats_per_ticket, offer_code)

    def search(self, query: str, city: Optional[IdLike] = None,
               date: Optional[DateLike] = None,
               limit: int = 0) -> List[SearchHit]:
        """Title search by word prefix, most popular first."""
        from .discover import search
        return search(self, query, city=city, date=date, limit=limit)

    def recommend(self, user: IdLike, city: Optional[IdLike] = None,
                  days: int = 0, limit: int = 0) -> List[Recommendation]:
        """Shows @user may like, best first."""
        from .discover import recommend
        return recommend(self, user, city=city, days=days, limit=limit)

    def venues_nearby(self, lat: float, lon: float, radius_km: float,
                      limit: int = 0) -> List[NearbyVenue]:
        """Venues within @radius_km of (lat, lon), nearest first."""
        from .discover import venues_nearby
        return venues_nearby(self, lat, lon, radius_km, limit)

    def review(self, id: IdLike) -> Review:
        """Review @id (tix.NotFound)."""
        from .reviews import Review
        return Review.get(self, id)

    # ---- outbox, offers -------------------------------------------------------
    def consumer(self, name: str, register: bool = True,
                 from_end: bool = False) -> Consumer:
        """Outbox consumer @name; registered first when @register and it
        is not yet (from_end: start after the newest event)."""
        from .outbox import Consumer
        if register:
            return Consumer.register(self, name, from_end=from_end,
                                     exist_ok=True)
        return Consumer.get(self, name)

    def consumers(self) -> List[Consumer]:
        """Every registered outbox consumer."""
        from .outbox import Consumer
        return Consumer.list(self)

    def outbox_event(self, seq: int) -> Event:
        """Outbox event @seq (tix.NotFound once trimmed)."""
        from .outbox import get_event
        return get_event(self, seq)

    def outbox_trim(self) -> int:
        """Deletes events every consumer acknowledged; returns the count."""
        from .outbox import trim
        return trim(self)

    def offer(self, id: IdLike) -> Offer:
        """Offer @id (tix.NotFound)."""
        from .offers import Offer
        return Offer.get(self, id)

    def offer_by_code(self, code: str) -> Offer:
        """The offer with @code (tix.NotFound)."""
        from .offers import Offer
        return Offer.find_code(self, code)

    def offers(self, after: IdLike = 0, page: int = 100) -> Iterator[Offer]:
        """Iterator over every offer, by id."""
        from .offers import Offer
        return Offer.list(self, after=after, page=page)

    # ---- gate ----------------------------------------------------------------
    def checkin(self, code: str, gate: str) -> CheckIn:
        """Checks ticket @code in at @gate and returns a tix.CheckIn. A
        second check-in raises tix.Already whose .checked_in_at / .gate /
        .checkin describe the first one."""
        from .seats import CheckIn
        out = ffi.new("tix_checkin *")
        bcode = _util.enc(code, "code", allow_none=False)
        bgate = _util.enc(gate, "gate", allow_none=False)
        ptr = self._acquire()
        try:
            rc = lib.tix_ticket_checkin(ptr, bcode, bgate, out)
            if rc < 0:
                err = error_for(rc, "tix_ticket_checkin")
                if isinstance(err, Already):
                    err.checkin = CheckIn._from_c(out)
                    err.checked_in_at = err.checkin.checked_in_at
                    err.gate = err.checkin.gate
                raise err
        finally:
            self._release()
        return CheckIn._from_c(out)


class Batch:
    """A batch of catalog writes (Database.batch()): a context manager.

    Entering begins it (tix_db_begin); leaving the block commits it, or
    rolls it back when the block raised. commit() and rollback() end it
    early; leaving the block then does nothing more. A failed commit
    raises, and the batch is rolled back."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._open = False

    def __enter__(self) -> Batch:
        if self._open:
            raise State("this batch is already open")
        self._db._batch_begin()
        self._open = True
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if self._open:
            self._end(exc_type is None)
        return False

    @property
    def open(self) -> bool:
        """True between entering the block and the batch's end."""
        return self._open

    def commit(self) -> None:
        """Commits the batch now (durable on return, for the outermost)."""
        self._end(True)

    def rollback(self) -> None:
        """Undoes every write of the batch now."""
        self._end(False)

    def _end(self, commit: bool) -> None:
        if not self._open:
            raise State("this batch is not open")
        self._open = False
        if not self._db._batch_end(commit) and commit:
            raise State("the store was closed inside the batch: it was "
                        "rolled back, nothing was committed")


def _clock_adapter(fn: Callable[[], float]) -> Callable[[Any], int]:
    def cb(_ctx: Any) -> int:
        try:
            return int(fn())
        except Exception:  # never let a broken clock return garbage
            return int(time.time())
    return cb


def restore(backup_dir: Union[str, bytes, os.PathLike],
            store_dir: Union[str, bytes, os.PathLike],
            replace: bool = False) -> None:
    """Makes the store in @store_dir exactly the backup in @backup_dir (a
    directory written by Database.backup), swapping the whole directory at
    once (tix_backup_restore): nothing of the old store survives, not its
    journal nor snapshots, and a crash leaves the old store or the new one.
    No process may have the store open (tix.Busy); replacing an existing
    store needs replace=True (tix.Exists otherwise). The GIL is released
    during the copy."""
    from .discover import require
    require("tix_backup_restore")

    def path(p: Any, what: str) -> Optional[bytes]:
        return _util.enc(p if isinstance(p, (str, bytes)) else str(p), what,
                         allow_none=False)
    rc = lib.tix_backup_restore(path(backup_dir, "backup_dir"),
                                path(store_dir, "store_dir"),
                                lib.TIX_RESTORE_REPLACE if replace else 0)
    if rc < 0:
        raise error_for(rc, "tix_backup_restore")


def open(path: Union[str, bytes, os.PathLike], **config: Any) -> Database:
    """Opens (creating if missing, unless create=False) the store in
    directory @path.

    Keyword options map to tix_config fields: map_size, map_size_max,
    max_readers, durability ("full" | "journal" | "nometa" | "none" or
    tix.Durability; see the module doc),
    hold_ttl_default, hold_ttl_max, hold_max_seats, confirm_lease,
    show_buffer, seatmap_reserve, reclaim_after, review_text_max,
    search_min_chars, fee_per_seat_minor, flags; plus
    readonly=True (TIX_OPEN_READONLY), create=False (TIX_OPEN_NOCREATE) and
    clock=callable returning seconds since the epoch (a test clock; it is
    called from libtix's threads too, holding the GIL while it runs).

    Returns a Database, usable as a context manager.
    """
    return Database(path, **config)
