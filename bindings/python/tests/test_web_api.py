"""What the seat-map page uses of examples/python/http_api.py: listings, the
compact layout, seat states with ETags, the no-stranded-seat rule, extend,
customers, check-in, ticket QR codes and the security headers; and the
helpers of web_parts.py on their own."""
import os
import struct
import sys
import urllib.request
import zlib

from conftest import REPO
from test_http_api import TIMEOUT, call, server  # noqa: F401 (fixture)

sys.path.insert(0, os.path.join(REPO, "examples", "python"))
import web_parts  # noqa: E402


def raw(base, path, headers=None):
    req = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_format_money():
    assert web_parts.format_money(15000000, "INR") == "\u20b91,50,000.00"
    assert web_parts.format_money(26000, "INR") == "\u20b9260.00"
    assert web_parts.format_money(1250, "USD") == "$12.50"
    assert web_parts.format_money(123456789, "USD") == "$1,234,567.89"
    assert web_parts.format_money(500, "JPY") == "\u00a5500"
    assert web_parts.format_money(-5, "EUR") == "-\u20ac0.05"
    assert web_parts.format_money(1250, "XYZ") == "12.50 XYZ"
    # ISO 4217 decimals from libtix: three for dinars, none for won.
    assert web_parts.format_money(3500, "KWD") == "3.500 KWD"
    assert web_parts.format_money(1800, "KRW") == "1,800 KRW"


def _row(numbers, xs=None):
    n = len(numbers)
    return {"rows": [["A", 0, n]], "n": numbers, "t": [0] * n,
            "x": xs or [float(k) for k in range(n)], "y": [0.0] * n,
            "seat_count": n}


def test_stranded_seats():
    six = _row([1, 2, 3, 4, 5, 6])
    free = bytes(6)
    assert web_parts.stranded(six, free, [1, 2]) == [0]      # A1 left alone
    assert web_parts.stranded(six, free, [0, 1]) == []       # from the end
    assert web_parts.stranded(six, free, [2, 3]) == []       # two either side
    assert web_parts.stranded(six, free, [0, 2]) == [1]      # a gap of one
    taken = bytes([0, 0, 0, 3, 0, 0])
    assert web_parts.stranded(six, taken, [1]) == [0, 2]     # up to a booked
    assert web_parts.stranded(six, taken, [2]) == []
    # a stretch one longer than the party: any choice strands one, allowed
    assert web_parts.stranded(six, bytes([0, 0, 3, 0, 0, 0]), [0]) == []
    # a stretch one longer than the party: every choice strands one, allowed
    assert web_parts.stranded(_row([1, 2, 3]), bytes(3), [1, 2]) == []
    # an aisle (a gap of two seat widths) ends a run: seat 4 is at its end
    aisle = _row([1, 2, 3, 4, 5, 6], [0.0, 1.0, 2.0, 3.0, 5.0, 6.0])
    assert web_parts.stranded(aisle, free, [1, 2]) == [0, 3]
    assert web_parts.stranded(six, free, [1, 2]) == [0]
    assert web_parts.stranded(aisle, free, [4, 5]) == []


def test_qr_png():
    rows = web_parts.qr_modules("tix1:ABCD:1:4,5")
    w = len(rows)
    assert w >= 21 and (w - 17) % 4 == 0
    assert rows[0][:7] == [1] * 7 and rows[6][:7] == [1] * 7   # finder
    png = web_parts.png_gray(rows, scale=3)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == height == (w + 8) * 3
    idat = png.index(b"IDAT")
    size = struct.unpack(">I", png[idat - 4:idat])[0]
    pixels = zlib.decompress(png[idat + 4:idat + 4 + size])
    assert len(pixels) == height * (1 + (width + 7) // 8)


def test_static_files_and_headers(server):  # noqa: F811
    st, h, body = raw(server, "/")
    assert st == 200 and h["Content-Type"].startswith("text/html")
    assert b'<script type="module" src="/web/app.js">' in body
    assert b"<script>" not in body  # no inline script
    for path in ("/", "/gate", "/web/app.js", "/venues", "/nope"):
        st, h, _ = raw(server, path)
        assert "default-src 'self'" in h["Content-Security-Policy"], path
        assert h["X-Content-Type-Options"] == "nosniff"
    for path in ("/web/../python/http_api.py", "/web/.hidden.js",
                 "/web/%2e%2e/python/web_parts.py", "/web/x.py"):
        assert raw(server, path)[0] == 404, path


def _demo_show(base):
    st, out = call(base, "GET", "/venues")
    assert st == 200
    names = {v["name"] for v in out["venues"]}
    assert {"Cubbon Cineplex", "Whitefield Talkies"} <= names
    venue = [v for v in out["venues"] if v["name"] == "Cubbon Cineplex"][0]
    st, out = call(base, "GET", "/venues/%d/shows" % venue["id"])
    assert st == 200 and out["shows"], out
    assert out["shows"][0]["start_local"][10:11] == " "
    return out["shows"][0]


def test_layout_and_states(server):  # noqa: F811
    sh = _demo_show(server)
    st, show = call(server, "GET", "/shows/%d" % sh["id"])
    assert st == 200 and show["hold_max_seats"] == 10
    st, lay = call(server, "GET", "/shows/%d/layout" % sh["id"])
    n = lay["seat_count"]
    assert n == sh["seat_count"] == sum(r[2] for r in lay["rows"])
    assert all(len(lay[k]) == n for k in "xyntf")
    assert [t["price"] for t in lay["tiers"]] == [
        "\u20b9200.00", "\u20b9280.00", "\u20b9600.00"]
    st, h, states = raw(server, "/shows/%d/states" % sh["id"])
    assert st == 200 and states == bytes(n)
    tag = h["ETag"]
    st, h, body = raw(server, "/shows/%d/states" % sh["id"],
                      {"If-None-Match": tag})
    assert st == 304 and body == b""
    st, hold = call(server, "POST", "/shows/%d/holds" % sh["id"],
                    {"seats": [4, 5]})
    assert st == 201 and hold["labels"] == ["A5", "A6"]
    assert hold["total"] == "\u20b9400.00"
    st, h, states = raw(server, "/shows/%d/states" % sh["id"],
                        {"If-None-Match": tag})
    assert st == 200 and h["ETag"] != tag
    assert states[4] == states[5] == 1 and states.count(0) == n - 2


def test_stranding_refused_and_extend(server):  # noqa: F811
    sh = _demo_show(server)
    path = "/shows/%d/holds" % sh["id"]
    st, out = call(server, "POST", path, {"seats": [1, 2], "no_orphans": True})
    assert st == 409 and out["error"] == "TIX_ESTRAND"
    assert out["message"].startswith("A1 would be left as a single seat")
    st, hold = call(server, "POST", path, {"seats": [0, 1], "no_orphans": True,
                                           "ttl": 30})
    assert st == 201, hold
    st, ext = call(server, "POST", "/holds/%s/extend" % hold["hold"],
                   {"ttl": 300})
    assert st == 200 and ext["expires"] > hold["expires"]
    assert ext["seats"] == [0, 1]
    altered = hold["hold"][:-3] + ("AAA" if hold["hold"][-3:] != "AAA" else "BBB")
    st, out = call(server, "POST", "/holds/%s/extend" % altered, {})
    assert st == 400 and out["error"] == "TIX_EBADCODE", out


def test_checkin_and_qr(server):  # noqa: F811
    sh = _demo_show(server)
    st, u = call(server, "POST", "/users", {"name": "Gate Test",
                                            "email": "gate@example.com"})
    assert st == 200
    st, u2 = call(server, "POST", "/users", {"name": "Other name",
                                             "email": "gate@example.com"})
    assert u2["id"] == u["id"]
    st, hold = call(server, "POST", "/shows/%d/holds" % sh["id"], {"best": 2})
    body = {"user": u["id"], "payment_ref": "web-gate-1",
            "charged": {"amount_minor": hold["total_minor"],
                        "currency": hold["currency"]}}
    st, b = call(server, "POST", "/holds/%s/confirm" % hold["hold"], body)
    assert st == 201 and b["total"] == hold["total"]
    st, again = call(server, "POST", "/holds/%s/confirm" % hold["hold"], body)
    assert st == 200 and again["id"] == b["id"]  # same reference, same booking
    st, out = call(server, "GET", "/shows/%d/bookings" % sh["id"])
    assert [x["id"] for x in out["bookings"]] == [b["id"]]
    t = b["tickets"][0]
    st, h, png = raw(server, t["qr_url"])
    assert st == 200 and h["Content-Type"] == "image/png"
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert raw(server, "/bookings/%d/tickets/9/qr.png" % b["id"])[0] == 404
    st, c = call(server, "POST", "/checkin", {"code": t["qr"], "gate": "G1"})
    assert st == 200 and c["gate"] == "G1" and c["n_seats"] == 2
    st, c2 = call(server, "POST", "/checkin", {"code": t["code"], "gate": "G2"})
    assert st == 409 and c2["error"] == "TIX_EALREADY"
    assert c2["first"]["gate"] == "G1"
    assert c2["first"]["checked_in_at"] == c["checked_in_at"]
    st, bad = call(server, "POST", "/checkin", {"code": "NOPE", "gate": "G1"})
    assert st in (400, 404)
