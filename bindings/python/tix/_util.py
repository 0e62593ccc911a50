"""Small conversions shared by the modules: ids, strings, dates."""
import datetime

from ._ffi import ffi
from .errors import InvalidArgument


def as_id(x, what="id", allow_none=False):
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


def enc(s, what="string", allow_none=True):
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


def arg(s, what="string"):
    """A C `const char *` argument: UTF-8 bytes, or NULL for None."""
    b = enc(s, what)
    return ffi.NULL if b is None else b


def dec(p):
    """A Python str from a C `const char *` (NULL -> "")."""
    if p == ffi.NULL:
        return ""
    return ffi.string(p).decode("utf-8", "replace")


def dec_array(arr):
    """A Python str from a C char array field."""
    return ffi.string(arr).decode("utf-8", "replace")


class Keep:
    """Keeps the cdata behind a C struct's pointer fields alive while the
    struct is passed to the library."""

    def __init__(self):
        self.refs = []

    def str(self, s, what="string", allow_none=True):
        b = enc(s, what, allow_none)
        if b is None:
            return ffi.NULL
        p = ffi.new("char[]", b)
        self.refs.append(p)
        return p

    def strlist(self, items, what="list"):
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

    def hold(self, cdata):
        self.refs.append(cdata)
        return cdata


def strlist(arr, n):
    return [dec(arr[i]) for i in range(n)]


def as_date(d):
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


def as_time(t):
    """Seconds since the epoch from an int/float or an aware datetime."""
    if isinstance(t, datetime.datetime):
        if t.tzinfo is None:
            raise InvalidArgument("naive datetime: give it a tzinfo (the "
                                  "store keeps UTC instants)")
        return int(t.timestamp())
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        raise TypeError("time must be seconds since the epoch or an aware "
                        "datetime")
    return int(t)


def as_u32(v, what):
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError("%s must be an int" % what)
    if not 0 <= v < 1 << 32:
        raise InvalidArgument("%s %d out of range" % (what, v))
    return v


def as_i64(v, what):
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError("%s must be an int" % what)
    if not -(1 << 63) <= v < 1 << 63:
        raise InvalidArgument("%s %d out of range" % (what, v))
    return v
