"""Money and local time without a store: ISO 4217 minor units and time-zone
offsets, as libtix computes them.

    tix.currency_exponent("JPY")          # 0
    tix.format_money(1800, "JPY")         # "JPY 1800"
    tix.format_money(1800, "KWD")         # "KWD 1.800"
    tix.parse_money("18.50", "EUR")       # 1850
    tix.tz_offset("Europe/London", t)     # 60 in July, 0 in January
"""
from __future__ import annotations

import datetime

from ._ffi import ffi, lib
from . import _util
from ._util import TimeLike
from .errors import check


def currency_exponent(code: str) -> int:
    """Decimals of ISO 4217 currency @code (0 JPY, 2 EUR, 3 KWD).
    tix.InvalidArgument for an unknown or malformed code."""
    return check(lib.tix_currency_exponent(_util.enc(code, "currency",
                                                     allow_none=False)),
                 "tix_currency_exponent")


def format_money(amount_minor: int, currency: str) -> str:
    """@amount_minor of @currency as text in its own decimals, "EUR 18.00"."""
    buf = ffi.new("char[]", lib.TIX_MONEY_TEXT_MAX)
    check(lib.tix_money_format(_util.as_i64(amount_minor, "amount"),
                               _util.enc(currency, "currency", allow_none=False),
                               buf, lib.TIX_MONEY_TEXT_MAX), "tix_money_format")
    return ffi.string(buf).decode("ascii")


def parse_money(text: str, currency: str) -> int:
    """Minor units of an amount written in units of @currency ("18.50" EUR
    -> 1850). tix.InvalidArgument for more decimals than it has."""
    out = ffi.new("int64_t *")
    check(lib.tix_money_parse(_util.enc(text, "amount", allow_none=False),
                              _util.enc(currency, "currency", allow_none=False),
                              out), "tix_money_parse")
    return out[0]


def tz_offset(zone: str, t: TimeLike) -> int:
    """Minutes east of UTC of IANA @zone at @t (epoch seconds or an aware
    datetime), read from the system tzdata by libtix (the process TZ is not
    touched)."""
    out = ffi.new("int32_t *")
    check(lib.tix_tz_offset(_util.enc(zone, "zone", allow_none=False),
                            _util.as_time(t), out), "tix_tz_offset")
    return out[0]


def local_datetime(t: TimeLike, offset_min: int) -> datetime.datetime:
    """An aware datetime for @t (epoch seconds or a datetime) at a fixed
    @offset_min."""
    tz = datetime.timezone(datetime.timedelta(minutes=offset_min))
    return datetime.datetime.fromtimestamp(_util.as_time(t), tz)
