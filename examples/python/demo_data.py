"""A small city for the Python examples: Bengaluru with two cinemas, three
movies, shows tomorrow and one user. Used by booking_flow.py and by
http_api.py --seed; importable by tests.

    import demo_data
    info = demo_data.ensure(db)   # loads once, then finds what is there
"""
import datetime
import os
import sys

try:
    import tix
except ImportError:  # running from a source tree: use its bindings
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "bindings", "python"))
    import tix

UTC_OFFSET_MIN = 330  # Asia/Kolkata

# The durability modes, as the examples' --durability flag offers them.
DURABILITY_HELP = {
    "journal": "flush a small redo-journal append per commit: durable, "
               "shared by any number of journal-mode processes (the "
               "library default)",
    "full": "fsync LMDB's data and meta pages on every commit: durable, "
            "slower; not beside journal-mode processes",
    "nometa": "skip the meta-page fsync: a crash may lose the last commit",
    "none": "no fsync at all: tests and bulk loads only",
}


def add_store_options(ap, durability="journal", create=True):
    """--store, --create (unless not @create) and --durability on an
    argparse parser."""
    ap.add_argument("--store", required=True, help="libtix store directory")
    if create:
        ap.add_argument("--create", action="store_true",
                        help="create the store when it does not exist "
                             "(without this, a missing store is an error)")
    ap.add_argument("--durability", default=durability,
                    choices=list(DURABILITY_HELP),
                    help="; ".join("%s: %s" % kv
                                   for kv in DURABILITY_HELP.items()))


def open_store(ap, args, **config):
    """tix.open() for the options of add_store_options(): a store that does
    not exist is refused (ap.error, exit 2) unless --create was given, so a
    typo never leaves an empty store behind."""
    create = bool(getattr(args, "create", False))
    if not create and not os.path.isdir(args.store):
        ap.error("store %s does not exist%s" % (
            args.store, " (give --create to make a new one)"
            if hasattr(args, "create") else ""))
    return tix.open(args.store, durability=args.durability, create=create,
                    **config)

SCREENS = [  # venue index, name, rows of (label, seats, tier index)
    (0, "Audi 1", [("A", 14, 0), ("B", 14, 0), ("C", 16, 1), ("D", 16, 1),
                   ("E", 16, 1), ("F", 8, 2)]),
    (1, "Screen 1", [("A", 12, 0), ("B", 12, 0), ("C", 14, 1), ("D", 14, 1),
                     ("E", 6, 2)]),
]
TIERS = [("Silver", 20000), ("Gold", 28000), ("Recliner", 60000)]
MOVIES = [
    dict(title="The Monsoon Heist", duration_min=152, certificate="U/A",
         languages=["Kannada", "Hindi"], genres=["Action", "Thriller"],
         synopsis="Four strangers rob a vault during the worst storm in "
                  "fifty years."),
    dict(title="Lalbagh Love Story", duration_min=138, certificate="U",
         languages=["Kannada"], genres=["Romance", "Drama"]),
    dict(title="Orbit 9", duration_min=165, certificate="U/A",
         languages=["English", "Hindi"], genres=["Science Fiction"]),
]
LOCAL_TIMES = [(10, 0), (14, 0), (18, 30), (22, 0)]


def local_date(db, days=1):
    """The city's local date @days from the store clock's today."""
    now = db.now() + UTC_OFFSET_MIN * 60
    return (datetime.datetime.fromtimestamp(now, datetime.timezone.utc).date()
            + datetime.timedelta(days=days))


def _start(date, hh, mm):
    local_midnight = datetime.datetime(date.year, date.month, date.day,
                                       tzinfo=datetime.timezone.utc)
    return int(local_midnight.timestamp()) + (hh * 60 + mm - UTC_OFFSET_MIN) * 60


def _place(db, name, parent=None):
    """The place @name under @parent, created if missing (a store may have
    India already, from an imported layout)."""
    there = db.countries() if parent is None else parent.children()
    for p in there:
        if p.name == name:
            return p
    return tix.Place.create(db, name, parent=parent)


def _bengaluru(db):
    for country in db.countries():
        for state in country.children():
            for c in state.children():
                if c.name == "Bengaluru":
                    return c
    return None


def load(db, days=1):
    """Creates the demo catalog (the store must not have it yet)."""
    india = _place(db, "India")
    ka = _place(db, "Karnataka", parent=india)
    city = tix.Place.create(db, "Bengaluru", parent=ka,
                            utc_offset_min=UTC_OFFSET_MIN,
                            time_zone="Asia/Kolkata")
    venues = [
        tix.Venue.create(db, city, "Cubbon Cineplex",
                         address="12 Mahatma Gandhi Road, Bengaluru 560001",
                         lat=12.9756, lon=77.6066),
        tix.Venue.create(db, city, "Whitefield Talkies",
                         address="ITPL Main Road, Whitefield, Bengaluru 560066",
                         lat=12.9855, lon=77.7365),
    ]
    screens = []
    for v, name, rows in SCREENS:
        depth = len(rows)
        scr = tix.Screen.create(db, venues[v], name, ideal_x=0.0,
                                ideal_y=depth * 2 / 3)
        tiers = [scr.add_tier(t, p, "INR") for t, p in TIERS]
        layout = []
        for y, (label, n, t) in enumerate(rows):
            specs = []
            for k in range(1, n + 1):
                flags = tix.SeatFlag.AISLE if k in (1, n) else 0
                if label == "A" and k in (1, n):
                    flags |= tix.SeatFlag.WHEELCHAIR
                elif label == "A" and k in (2, n - 1):
                    flags |= tix.SeatFlag.COMPANION
                specs.append(tix.SeatSpec(k, x=k - (n + 1) / 2, y=y,
                                          tier=tiers[t], flags=flags))
            layout.append((label, specs))
        scr.add_rows(layout)
        screens.append(scr)
    movies = [tix.Movie.create(db, **m) for m in MOVIES]
    date = local_date(db, days)
    for i, scr in enumerate(screens):
        for j, (hh, mm) in enumerate(LOCAL_TIMES):
            tix.Show.create(db, movies[(i + j) % len(movies)], scr,
                            _start(date, hh, mm))
    tix.User.create(db, "Asha Rao", "asha@example.com", phone="+919800000001",
                    home_city=city, languages=["Kannada", "English"],
                    genres=["Drama", "Science Fiction"])
    return find(db, days)


def find(db, days=1):
    """What ensure() returns: the ids an example needs, as a dict."""
    city = _bengaluru(db)
    date = local_date(db, days)
    return {"city": city, "date": date.isoformat(),
            "user": db.user_by_email("asha@example.com"),
            "movies": list(db.movies()),
            "shows": db.shows(city=city, date=date)}


def ensure(db, days=1):
    """Loads the demo catalog unless the store already has it."""
    if _bengaluru(db) is not None:
        return find(db, days)
    return load(db, days)
