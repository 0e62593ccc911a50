"""Exceptions: one class per libtix error code, all under tix.Error.

Every exception raised for a negative return code carries

  .code     the TIX_E* number (negative int)
  .symbol   the code's name, "TIX_ENOTFOUND"
  .name     tix_strerror(code), e.g. "TIX_ENOTFOUND: not found"
  .message  tix_errmsg(): the detail of this failure ("venue 7 not found")
  .call     the C function that failed ("tix_venue_get")

str(e) is "<symbol>: <message>" ("TIX_ENOTFOUND: venue 7 not found"), or
the name when there is no detail: the generic text is not repeated in
front of a detail that already says it. A few classes also derive from the matching
Python built-in so generic handlers work: InvalidArgument is a ValueError,
NotFound a LookupError, NoMemory a MemoryError.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Type

from ._ffi import ffi, lib


class Error(Exception):
    """Base of every libtix error."""

    code: Optional[int] = None  # set on each subclass

    def __init__(self, message: str = "", code: Optional[int] = None,
                 call: Optional[str] = None, field: str = "") -> None:
        if code is not None:
            self.code = code
        self.message = message
        #: the input field at fault, as the C struct names it ("currency",
        #: "rows[2].seats[5].number"), or "" (tix_errfield)
        self.field = field
        self.call = call
        self.name = _strerror(self.code) if self.code is not None else ""
        self.symbol = self.name.split(":")[0]
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.message:
            return "%s: %s" % (self.symbol or "tix", self.message)
        return self.name

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.message, self.code, self.call, self.field))


class InvalidArgument(Error, ValueError):
    """TIX_EINVAL: an argument is invalid."""
    code = lib.TIX_EINVAL


class NotFound(Error, LookupError):
    """TIX_ENOTFOUND: no record with that id or key."""
    code = lib.TIX_ENOTFOUND


class Exists(Error):
    """TIX_EEXISTS: a unique name or key is already taken."""
    code = lib.TIX_EEXISTS


class Conflict(Error):
    """TIX_ECONFLICT: a seat is held or booked by someone else."""
    code = lib.TIX_ECONFLICT


class Expired(Error):
    """TIX_EEXPIRED: the hold or lease has run out."""
    code = lib.TIX_EEXPIRED


class Full(Error):
    """TIX_EFULL: the store reached its size limit."""
    code = lib.TIX_EFULL


class Corrupt(Error):
    """TIX_ECORRUPT: a record or file failed its checks."""
    code = lib.TIX_ECORRUPT


class IOFailure(Error):
    """TIX_EIO: the operating system reported an I/O error."""
    code = lib.TIX_EIO


class NoMemory(Error, MemoryError):
    """TIX_ENOMEM: out of memory."""
    code = lib.TIX_ENOMEM


class Busy(Error):
    """TIX_EBUSY: resource in use (store already open in this process, a
    seat in another confirm or cancel, ...)."""
    code = lib.TIX_EBUSY


class TooLong(Error):
    """TIX_ETOOLONG: a string or list exceeds its limit."""
    code = lib.TIX_ETOOLONG


class BadUTF8(Error):
    """TIX_EUTF8: a string is not valid UTF-8."""
    code = lib.TIX_EUTF8


class OutOfRange(Error):
    """TIX_ERANGE: a number is out of its allowed range."""
    code = lib.TIX_ERANGE


class Overlap(Error):
    """TIX_EOVERLAP: a show overlaps another on the same screen."""
    code = lib.TIX_EOVERLAP


class Permission(Error):
    """TIX_EPERM: not permitted (read-only store, no access)."""
    code = lib.TIX_EPERM


class Already(Error):
    """TIX_EALREADY: already done. For a ticket check-in, .checked_in_at and
    .gate hold the first check-in's time and gate, and .checkin the whole
    tix.CheckIn."""
    code = lib.TIX_EALREADY
    checkin: Any = None
    checked_in_at: Any = None
    gate: Optional[str] = None


class BadCode(Error):
    """TIX_EBADCODE: a code or handle is malformed or forged."""
    code = lib.TIX_EBADCODE


class Version(Error):
    """TIX_EVERSION: file or record from an unknown version."""
    code = lib.TIX_EVERSION


class Again(Error):
    """TIX_EAGAIN: not ready yet; try again."""
    code = lib.TIX_EAGAIN


class Limit(Error):
    """TIX_ELIMIT: a configured limit was reached."""
    code = lib.TIX_ELIMIT


class State(Error):
    """TIX_ESTATE: wrong state for this operation (also raised by the
    binding for a closed database or hold)."""
    code = lib.TIX_ESTATE


class TimedOut(Error):
    """TIX_ETIMEDOUT: a wait timed out."""
    code = lib.TIX_ETIMEDOUT


class PriceMismatch(Error):
    """TIX_EPRICE: the price at commit differs from the amount expected."""
    code = lib.TIX_EPRICE


class CheckedIn(Error):
    """TIX_ECHECKEDIN: a ticket of the booking was already checked in; the
    cancel was refused (pass after_checkin=True to refund anyway)."""
    code = lib.TIX_ECHECKEDIN


class Fenced(Error):
    """TIX_EFENCED: the store is not the primary of its replication stream
    (another primary wrote after it, or holds the lease); it may only
    follow until promoted."""
    code = lib.TIX_EFENCED


class ReplicationFailed(Error):
    """TIX_EREPL: JetStream did not acknowledge the write (unreachable,
    timed out or refused); nothing was committed locally."""
    code = lib.TIX_EREPL


#: code -> exception class, for every code tix.h defines
BY_CODE: Dict[int, Type[Error]] = {cls.code: cls for cls in (
    InvalidArgument, NotFound, Exists, Conflict, Expired, Full, Corrupt,
    IOFailure, NoMemory, Busy, TooLong, BadUTF8, OutOfRange, Overlap,
    Permission, Already, BadCode, Version, Again, Limit, State, TimedOut,
    PriceMismatch, CheckedIn, Fenced, ReplicationFailed)}


def _strerror(code: int) -> str:
    return ffi.string(lib.tix_strerror(code)).decode("utf-8", "replace")


def error_for(code: int, call: Optional[str] = None) -> Error:
    """The exception for return code @code, with the calling thread's detail
    message (call it right after the failing C call, in the same thread)."""
    msg = ffi.string(lib.tix_errmsg()).decode("utf-8", "replace")
    field = ffi.string(lib.tix_errfield()).decode("utf-8", "replace")
    cls = BY_CODE.get(code, Error)
    return cls(msg, code, call, field)


def check(rc: int, call: Optional[str] = None) -> int:
    """Raises the matching exception when @rc is negative; returns @rc."""
    if rc < 0:
        raise error_for(rc, call)
    return rc
