"""tix: Python bindings for libtix, the embedded seat-inventory database.

    import tix
    with tix.open("store", durability="nometa") as db:
        show = db.show(1)
        with show.hold_best(2) as hold:          # released if the block raises
            booking = hold.confirm(user=7, payment_ref="pay_123")
        print([t.qr for t in booking.tickets])

Modules: tix.db (open, Database, thread safety), tix.catalog (Place, Venue,
Screen, Tier, Area, Seat, Movie, Show, User), tix.seats (Hold, PendingConfirm,
Booking, Ticket, CheckIn, availability), tix.reviews (Review, Comment,
ratings), tix.discover (search, recommendations, venues nearby),
tix.outbox (Consumer, Event), tix.offers (Offer, Quote), tix.errors (Error and one subclass
per TIX_E* code). The C declarations live in tix._ffi (CDEF).
See bindings/python/README.md.
"""
from ._ffi import ffi, lib, LIB_PATH
from .errors import (Error, InvalidArgument, NotFound, Exists, Conflict,
                     Expired, Full, Corrupt, IOFailure, NoMemory, Busy,
                     TooLong, BadUTF8, OutOfRange, Overlap, Permission,
                     Already, BadCode, Version, Again, Limit, State, TimedOut,
                     PriceMismatch, CheckedIn, Fenced, ReplicationFailed)
from .db import (open, restore, Database, Durability, Batch, KafkaRelay,
                 Placement)
from .catalog import (Place, PlaceKind, Venue, Screen, Tier, Area, Seat, SeatSpec,
                      SeatFlag, Movie, Show, User)
from .seats import (Hold, PendingConfirm, Booking, BookingStatus, BookedSeat,
                    Ticket, CheckIn, SeatState)
from .reviews import Review, ReviewOrder, Comment
from .discover import SearchHit, Recommendation, Reason, NearbyVenue
from .outbox import Consumer, Event, EventType, EventSeat, EventTicket
from .offers import Offer, OfferScope, Quote, QuoteSeat
from .channels import Channel
from .queue import QueueState
from .money import (currency_exponent, format_money, parse_money, tz_offset,
                    local_datetime)


def version() -> str:
    """The loaded library's version string, e.g. "0.1.0"."""
    return ffi.string(lib.tix_version()).decode()


__version__ = version()

__all__ = [
    "open", "restore", "Database", "Durability", "Batch", "version", "LIB_PATH",
    "KafkaRelay", "Placement",
    "Place", "PlaceKind", "Venue", "Screen", "Tier", "Area", "Seat", "SeatSpec",
    "SeatFlag", "Movie", "Show", "User", "Channel",
    "Hold", "PendingConfirm", "Booking", "BookingStatus", "BookedSeat",
    "Ticket", "CheckIn", "SeatState",
    "Review", "ReviewOrder", "Comment",
    "SearchHit", "Recommendation", "Reason", "NearbyVenue",
    "Consumer", "Event", "EventType", "EventSeat", "EventTicket",
    "Offer", "OfferScope", "Quote", "QuoteSeat", "QueueState",
    "currency_exponent", "format_money", "parse_money", "tz_offset",
    "local_datetime",
    "Error", "InvalidArgument", "NotFound", "Exists", "Conflict", "Expired",
    "Full", "Corrupt", "IOFailure", "NoMemory", "Busy", "TooLong", "BadUTF8",
    "OutOfRange", "Overlap", "Permission", "Already", "BadCode", "Version",
    "Again", "Limit", "State", "TimedOut", "PriceMismatch", "CheckedIn",
    "Fenced", "ReplicationFailed",
]
