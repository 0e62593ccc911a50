"""What the seat-map page (examples/web/) needs from http_api.py beyond plain
JSON: money as people read it, a screen's layout in a compact form, the
seat states as one byte per seat, the box office's no-stranded-seat rule,
ticket QR codes as PNG (libqrencode, the library the C examples use) and
the static files with their security headers.
"""
import ctypes
import ctypes.util
import math
import os
import struct
import zlib

WEB_ROOT = os.path.normpath(os.path.join(os.path.dirname(
    os.path.abspath(__file__)), "..", "web"))

# Every response carries these: the page runs only its own files (no inline
# script or style, nothing from elsewhere), cannot be framed, and a JSON
# answer is never sniffed into HTML.
SECURITY_HEADERS = [
    ("Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; "
     "img-src 'self'; connect-src 'self'; object-src 'none'; "
     "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
]

STATIC_TYPES = {".html": "text/html; charset=utf-8",
                ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8",
                ".png": "image/png", ".svg": "image/svg+xml"}
PAGES = {"/": "index.html", "/gate": "gate.html", "/favicon.ico": "favicon.svg"}


def static_file(path):
    """(content type, bytes) of a file of examples/web, or None. Only plain
    names of known types: no dot files, no folders, no way out."""
    name = PAGES.get(path)
    if name is None:
        if not path.startswith("/web/"):
            return None
        name = path[len("/web/"):]
    if "/" in name or name.startswith(".") or "\\" in name:
        return None
    ext = os.path.splitext(name)[1]
    if ext not in STATIC_TYPES:
        return None
    full = os.path.join(WEB_ROOT, name)
    try:
        with open(full, "rb") as f:
            return STATIC_TYPES[ext], f.read()
    except OSError:
        return None


# ---- money ------------------------------------------------------------------
SYMBOLS = {"INR": "\u20b9", "USD": "$", "EUR": "\u20ac", "GBP": "\u00a3",
           "JPY": "\u00a5"}


def _exponent(currency):
    """ISO 4217 decimals from libtix (0 JPY, 3 KWD); 2 for a code it does
    not know, as tiers of older stores may carry."""
    import tix
    try:
        return tix.currency_exponent(currency)
    except tix.InvalidArgument:
        return 2


def _group(digits, indian):
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    size = 2 if indian else 3
    parts = []
    while head:
        parts.insert(0, head[-size:])
        head = head[:-size]
    return ",".join(parts + [tail])


def format_money(minor, currency):
    """"₹1,50,000.00" for 15000000 INR (lakh grouping), "$12.50" for 1250
    USD; an unknown currency keeps its code: "12.50 XYZ"."""
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    exp = _exponent(currency)
    unit = 10 ** exp
    whole = str(minor // unit)
    frac = ".%0*d" % (exp, minor % unit) if exp else ""
    text = _group(whole, currency == "INR") + frac
    sym = SYMBOLS.get(currency)
    return sign + (sym + text if sym else "%s %s" % (text, currency))


# ---- layout -----------------------------------------------------------------
def compact_layout(screen, tiers, seats):
    """A screen's seats as parallel arrays in seat-index order (about 20
    bytes a seat as JSON, so the 150,000-seat stadium is one request):
    x, y (seat widths, 2 decimals), n (seat number), t (tier slot), f
    (flags); rows [label, first index, count] (a row's seats are
    contiguous); tiers cheapest first with the price formatted."""
    slot = {t.id: i for i, t in enumerate(tiers)}
    xs, ys, ns, ts, fs, rows = [], [], [], [], [], []
    for s in seats:
        if not rows or rows[-1][0] != s.row:
            rows.append([s.row, s.index, 0])
        rows[-1][2] += 1
        xs.append(round(s.x, 2))
        ys.append(round(s.y, 2))
        ns.append(s.number)
        ts.append(slot.get(s.tier_id, 0))
        fs.append(int(s.flags))
    return {"screen_id": screen.id, "screen": screen.name,
            "ideal": [screen.ideal_x, screen.ideal_y],
            "seat_count": len(xs),
            "tiers": [{"id": t.id, "name": t.name,
                       "price_minor": t.price_minor, "currency": t.currency,
                       "price": format_money(t.price_minor, t.currency)}
                      for t in tiers],
            "rows": rows, "x": xs, "y": ys, "n": ns, "t": ts, "f": fs}


# ---- the no-stranded-seat rule ------------------------------------------
def _runs(layout):
    """Runs of seats side by side: a row split where seat numbers jump, the
    tier changes or the gap is wider than one and a half seats (an aisle).
    Yields lists of seat indexes by number."""
    n, t, x, y = layout["n"], layout["t"], layout["x"], layout["y"]
    for _label, first, count in layout["rows"]:
        idx = sorted(range(first, first + count), key=lambda i: n[i])
        gaps = [math.hypot(x[b] - x[a], y[b] - y[a])
                for a, b in zip(idx, idx[1:])]
        pitch = min([g for g in gaps if g > 1e-9], default=1.0)
        run = idx[:1]
        for k, i in enumerate(idx[1:]):
            p = idx[k]
            if n[i] != n[p] + 1 or t[i] != t[p] or gaps[k] > 1.5 * pitch:
                yield run
                run = []
            run.append(i)
        if run:
            yield run


def _stretches(run, free):
    """Maximal stretches of free seats of a run (lists of indexes)."""
    cur = []
    for i in run:
        if free(i):
            cur.append(i)
        elif cur:
            yield cur
            cur = []
    if cur:
        yield cur


def _pieces(stretch, chosen):
    """What is left of a stretch of free seats once @chosen are taken."""
    piece = []
    for i in stretch:
        if i in chosen:
            if piece:
                yield piece
            piece = []
        else:
            piece.append(i)
    if piece:
        yield piece


def stranded(layout, states, chosen):
    """Free seats that @chosen would leave alone between taken seats, an
    aisle or a row end. Where every choice of that many side-by-side seats
    would strand one (a stretch one seat longer than the party), it is
    allowed: refusing would make those seats unsellable to the party."""
    chosen = set(chosen)
    out = []
    for run in _runs(layout):
        for st in _stretches(run, lambda i: states[i] == 0):
            mine = [k for k, i in enumerate(st) if i in chosen]
            if not mine:
                continue
            side_by_side = mine[-1] - mine[0] + 1 == len(mine)
            if side_by_side and len(st) == len(mine) + 1:
                continue
            out += [p[0] for p in _pieces(st, chosen) if len(p) == 1]
    return sorted(out)


# ---- QR codes ---------------------------------------------------------------
class _QRcode(ctypes.Structure):
    _fields_ = [("version", ctypes.c_int), ("width", ctypes.c_int),
                ("data", ctypes.POINTER(ctypes.c_ubyte))]


_qr_lib = None


def _qrencode():
    global _qr_lib
    if _qr_lib is None:
        name = ctypes.util.find_library("qrencode") or "libqrencode.so.4"
        lib = ctypes.CDLL(name)
        lib.QRcode_encodeString.restype = ctypes.POINTER(_QRcode)
        lib.QRcode_encodeString.argtypes = [ctypes.c_char_p, ctypes.c_int,
                                            ctypes.c_int, ctypes.c_int,
                                            ctypes.c_int]
        lib.QRcode_free.argtypes = [ctypes.POINTER(_QRcode)]
        _qr_lib = lib
    return _qr_lib


def qr_modules(text):
    """The QR symbol of @text (level M, byte mode) as rows of 0/1."""
    lib = _qrencode()
    code = lib.QRcode_encodeString(text.encode(), 0, 1, 2, 1)
    if not code:
        raise MemoryError("QRcode_encodeString failed")
    try:
        w = code.contents.width
        d = code.contents.data
        return [[d[y * w + x] & 1 for x in range(w)] for y in range(w)]
    finally:
        lib.QRcode_free(code)


def png_gray(rows, scale=4, quiet=4):
    """A 1-bit greyscale PNG of @rows (1 = black) with a quiet zone."""
    w = len(rows) + 2 * quiet
    bits = [[0] * w for _ in range(quiet)]
    bits += [[0] * quiet + r + [0] * quiet for r in rows]
    bits += [[0] * w for _ in range(quiet)]
    raw = bytearray()
    for r in bits:
        line = [1 - b for b in r for _ in range(scale)]  # 1 = white
        packed = bytearray((len(line) + 7) // 8)
        for i, v in enumerate(line):
            if v:
                packed[i >> 3] |= 0x80 >> (i & 7)
        for _ in range(scale):
            raw += b"\0" + packed
    size = w * scale

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(
            ">I", zlib.crc32(c) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b""))
