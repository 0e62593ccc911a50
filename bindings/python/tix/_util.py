"""Small conversions shared by the modules: ids, strings, dates, times."""
from __future__ import annotations

import datetime
from typing import Any, Iterable, List, Optional, Protocol, Tuple, Union

from ._ffi import ffi
from .errors import InvalidArgument


class HasId(Protocol):
    """Any record: something with an integer .id."""
    id: int


#: An id argument: the int, or a record carrying it.
IdLike = Union[int, HasId]
#: A point in time: an aware datetime, or seconds since the epoch.
TimeLike = Union[datetime.datetime, int, float]
#: A local date: datetime.date, "YYYY-MM-DD" or the int YYYYMMDD.
DateLike = Union[datetime.date, str, int]
#: A C string argument.
StrLike = Union[str, bytes]


def as_id(x: Optional[IdLike], what: str = "id",
          allow_none: bool = False) -> int:
    """An int id from an int or any object with an .id attribute."""
    if x is None:
        if allow_none:
            return 0
        raise InvalidArgument("%s is required" % what)
    if hasattr(x, "id"):
        x = x.id
    if isinstance(x, bool) or not isinstance(x, int):
        raise TypeError("%s must be an int or a record with .id, not %s"
                        % (what, type(x).__name__))
    if x < 0 or x >= 1 << 64:
        raise InvalidArgument("%s %d out of range" % (what, x))
    return x


def enc(s: Optional[Union[str, bytes, bytearray]], what: str = "string",
        allow_none: bool = True) -> Optional[bytes]:
    """UTF-8 bytes for a C string argument. None stays None (C NULL) when
    allowed. Embedded NULs are refused: C would silently cut the string."""
    if s is None:
        if allow_none:
            return None
        raise InvalidArgument("%s is required" % what)
    if isinstance(s, str):
        b = s.encode("utf-8", "surrogatepass")
    elif isinstance(s, (bytes, bytearray)):
        b = bytes(s)
    else:
        raise TypeError("%s must be str, not %s" % (what, type(s).__name__))
    if b"\0" in b:
        raise InvalidArgument("%s contains a NUL character" % what)
    return b


def arg(s: Optional[StrLike], what: str = "string") -> Any:
    """A C `const char *` argument: UTF-8 bytes, or NULL for None."""
    b = enc(s, what)
    return ffi.NULL if b is None else b


def dec(p: Any) -> str:
    """A Python str from a C `const char *` (NULL -> "")."""
    if p == ffi.NULL:
        return ""
    return ffi.string(p).decode("utf-8", "replace")


def dec_array(arr: Any) -> str:
    """A Python str from a C char array field."""
    return ffi.string(arr).decode("utf-8", "replace")


class Keep:
    """Keeps the cdata behind a C struct's pointer fields alive while the
    struct is passed to the library."""

    def __init__(self) -> None:
        self.refs: List[Any] = []

    def str(self, s: Optional[StrLike], what: str = "string",
            allow_none: bool = True) -> Any:
        b = enc(s, what, allow_none)
        if b is None:
            return ffi.NULL
        p = ffi.new("char[]", b)
        self.refs.append(p)
        return p

    def strlist(self, items: Optional[Iterable[StrLike]],
                what: str = "list") -> Tuple[Any, int]:
        """(char **, count) for a list of strings."""
        if items is None:
            return ffi.NULL, 0
        if isinstance(items, (str, bytes)):
            raise TypeError("%s must be a list of strings, not a string" % what)
        ptrs = [self.str(x, what + " item", allow_none=False) for x in items]
        if not ptrs:
            return ffi.NULL, 0
        arr = ffi.new("char *[]", ptrs)
        self.refs.append(arr)
        return arr, len(ptrs)

    def hold(self, cdata: Any) -> Any:
        self.refs.append(cdata)
        return cdata


def strlist(arr: Any, n: int) -> List[str]:
    return [dec(arr[i]) for i in range(n)]


def as_date(d: DateLike) -> int:
    """YYYYMMDD int from an int, a datetime.date or "YYYY-MM-DD"."""
    if isinstance(d, datetime.datetime):
        d = d.date()
    if isinstance(d, datetime.date):
        return d.year * 10000 + d.month * 100 + d.day
    if isinstance(d, str):
        try:
            d = datetime.date.fromisoformat(d.strip())
        except ValueError:
            try:
                return as_date(int(d))
            except ValueError:
                raise InvalidArgument("date %r is not YYYY-MM-DD or YYYYMMDD"
                                      % d) from None
        return as_date(d)
    if isinstance(d, bool) or not isinstance(d, int):
        raise TypeError("date must be int YYYYMMDD, datetime.date or str")
    if not 0 <= d < 1 << 32:
        raise InvalidArgument("date %d out of range" % d)
    return d


def as_time(t: Optional[TimeLike]) -> int:
    """Seconds since the epoch from an int/float or an aware datetime
    (None: 0, the C API's "not set")."""
    if t is None:
        return 0
    if isinstance(t, datetime.datetime):
        if t.tzinfo is None:
            raise InvalidArgument("naive datetime: give it a tzinfo (the "
                                  "store keeps UTC instants)")
        return int(t.timestamp())
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        raise TypeError("time must be seconds since the epoch or an aware "
                        "datetime")
    return int(t)


def utc(t: int) -> Optional[datetime.datetime]:
    """The aware UTC datetime of epoch seconds @t from the library; 0 (the
    C API's "never" / "not set") is None."""
    if not t:
        return None
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)


def jsonable(v: Any) -> Any:
    """@v for json.dumps: datetimes as ISO 8601 strings, enums as ints,
    tuples as lists."""
    if isinstance(v, datetime.datetime):
        return v.isoformat()
    if isinstance(v, tuple) and not hasattr(v, "_fields"):
        return [jsonable(x) for x in v]
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    return v


def as_u32(v: int, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError("%s must be an int" % what)
    if not 0 <= v < 1 << 32:
        raise InvalidArgument("%s %d out of range" % (what, v))
    return v


def as_i64(v: int, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError("%s must be an int" % what)
    if not -(1 << 63) <= v < 1 << 63:
        raise InvalidArgument("%s %d out of range" % (what, v))
    return v
