"""examples/python/http_api.py, started as one command on 127.0.0.1 with an
ephemeral port in a temporary store, exercised over HTTP, then stopped.
Every wait is bounded."""
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from conftest import REPO

SCRIPT = os.path.join(REPO, "examples", "python", "http_api.py")
TIMEOUT = 10


def _read_line(proc, timeout):
    out = []
    t = threading.Thread(target=lambda: out.append(proc.stdout.readline()))
    t.daemon = True
    t.start()
    t.join(timeout)
    return out[0] if out else ""


@pytest.fixture
def server(tmp_path):
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    proc = subprocess.Popen(
        [sys.executable, SCRIPT, "--store", str(tmp_path / "store"),
         "--port", "0", "--seed", "--create", "--durability", "none",
         "--timeout", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = _read_line(proc, 30)
        assert line.startswith("listening on http://127.0.0.1:"), (
            line, proc.poll(), proc.stderr.read() if proc.poll() is not None
            else "")
        yield line.strip().split("listening on ")[1]
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(TIMEOUT)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == 0


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if raw else None


def _tomorrow(base):
    """The demo shows are on the city's (UTC+05:30) local tomorrow; look at
    the neighbouring days too in case a day boundary passed since seeding."""
    import datetime
    now = datetime.datetime.now(datetime.timezone.utc)
    for days in (1, 0, 2):
        d = (now + datetime.timedelta(hours=5.5, days=days)).date()
        st, out = call(base, "GET", "/shows?city=Bengaluru&date=%s" % d)
        if st == 200 and out["shows"]:
            return d, out["shows"]
    raise AssertionError("no demo shows found")


def test_full_flow_over_http(server):
    base = server
    date, shows = _tomorrow(base)
    assert len(shows) == 8
    assert {"id", "movie", "venue", "start", "free"} <= set(shows[0])
    show = shows[0]["id"]

    st, av = call(base, "GET", "/shows/%d/availability" % show)
    assert st == 200 and av["free"] == av["total"] and av["tiers"]
    st, av2 = call(base, "GET", "/shows/%d/availability?seats=1" % show)
    assert av2["seats"][0]["state"] == "free"

    st, h = call(base, "POST", "/shows/%d/holds" % show, {"seats": [4, 5]})
    assert st == 201 and h["seats"] == [4, 5] and h["hold"].startswith("H2")
    st, err = call(base, "POST", "/shows/%d/holds" % show, {"seats": [5]})
    assert st == 409 and err["error"] == "TIX_ECONFLICT"

    st, best = call(base, "POST", "/shows/%d/holds" % show, {"best": 2})
    assert st == 201 and len(best["seats"]) == 2

    st, b = call(base, "POST", "/holds/%s/confirm" % h["hold"],
                 {"user": 1, "payment_ref": "http-pay-1", "seats_per_ticket": 2})
    assert st == 201 and b["status"] == "confirmed"
    assert sorted(s["seat"] for s in b["seats"]) == [4, 5]
    assert b["tickets"][0]["qr"].startswith("tix1:")
    # duplicated payment callback: same booking
    st, b2 = call(base, "POST", "/holds/%s/confirm" % h["hold"],
                  {"user": 1, "payment_ref": "http-pay-1"})
    assert st == 200 and b2["id"] == b["id"]  # 200: nothing new booked
    st, got = call(base, "GET", "/bookings/%d" % b["id"])
    assert st == 200 and got["payment_ref"] == "http-pay-1"

    st, _ = call(base, "DELETE", "/holds/%s" % best["hold"])
    assert st == 204
    st, av = call(base, "GET", "/shows/%d/availability" % show)
    assert (av["booked"], av["held"]) == (2, 0)


def test_errors_over_http(server):
    base = server
    date, shows = _tomorrow(base)
    show = shows[0]["id"]
    assert call(base, "GET", "/shows/999/availability")[0] == 404
    assert call(base, "GET", "/shows?city=Atlantis&date=%s" % date)[0] == 404
    assert call(base, "GET", "/shows?city=Bengaluru")[0] == 400
    assert call(base, "GET", "/shows?city=Bengaluru&date=2026-13-45")[0] == 400
    assert call(base, "POST", "/shows/%d/holds" % show, {})[0] == 400
    assert call(base, "POST", "/shows/%d/holds" % show,
                {"seats": "4"})[0] == 400
    assert call(base, "POST", "/shows/%d/holds" % show,
                {"seats": list(range(11))})[0] == 400        # TIX_ELIMIT
    assert call(base, "POST", "/holds/H1garbage/confirm",
                {"user": 1, "payment_ref": "x"})[0] == 400    # TIX_EBADCODE
    st, h = call(base, "POST", "/shows/%d/holds" % show, {"seats": [9]})
    assert call(base, "POST", "/holds/%s/confirm" % h["hold"],
                {"payment_ref": "x"})[0] == 400
    assert call(base, "POST", "/holds/%s/confirm" % h["hold"],
                {"user": 999, "payment_ref": "x"})[0] == 404
    assert call(base, "GET", "/nothing")[0] == 404
    assert call(base, "GET", "/holds/%s/confirm" % h["hold"])[0] == 405
    assert call(base, "PUT", "/shows/%d/holds" % show)[0] == 405


def test_parallel_confirms_over_http(server):
    """Several client threads hold and confirm at once: all succeed, no seat
    is sold twice."""
    base = server
    _, shows = _tomorrow(base)
    show = shows[1]["id"]
    results, errors = [], []

    def client(k):
        try:
            for i in range(5):
                st, h = call(base, "POST", "/shows/%d/holds" % show, {"best": 1})
                assert st == 201, h
                st, b = call(base, "POST", "/holds/%s/confirm" % h["hold"],
                             {"user": 1, "payment_ref": "par-%d-%d" % (k, i)})
                assert st == 201, b
                results.append(b["seats"][0]["seat"])
        except Exception as e:  # pragma: no cover
            errors.append(e)

    ts = [threading.Thread(target=client, args=(k,)) for k in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert not errors, errors
    assert len(results) == 30 and len(set(results)) == 30
    st, av = call(base, "GET", "/shows/%d/availability" % show)
    assert av["booked"] == 30


def test_payment_ref_and_charged_amount_over_http(server):
    """Issue 14: another user's payment_ref books nothing and reveals
    nothing; the amount the gateway charged is checked at commit; an
    edited handle is refused."""
    base = server
    date, shows = _tomorrow(base)
    show = shows[1]["id"]
    st, h1 = call(base, "POST", "/shows/%d/holds" % show, {"seats": [20, 21]})
    st, b1 = call(base, "POST", "/holds/%s/confirm" % h1["hold"],
                  {"user": 1, "payment_ref": "http-shared-ref"})
    assert st == 201
    st, h2 = call(base, "POST", "/shows/%d/holds" % show, {"seats": [22]})
    st, err = call(base, "POST", "/holds/%s/confirm" % h2["hold"],
                   {"user": 2, "payment_ref": "http-shared-ref"})
    assert st == 409 and err["error"] == "TIX_EEXISTS"
    body = json.dumps(err)
    assert "tickets" not in err and b1["tickets"][0]["code"] not in body
    st, av = call(base, "GET", "/shows/%d/availability?seats=1" % show)
    seat22 = [s for s in av["seats"] if s["index"] == 22]
    assert seat22 and seat22[0]["state"] == "held", seat22

    st, b = call(base, "POST", "/holds/%s/confirm" % h2["hold"],
                 {"user": 1, "payment_ref": "http-pay-charged",
                  "charged": {"amount_minor": 1, "currency": "INR"}})
    assert st == 409 and b["error"] == "TIX_EPRICE"
    assert call(base, "POST", "/holds/%s/confirm" % h2["hold"],
                {"user": 1, "payment_ref": "x",
                 "charged": {"amount_minor": "1"}})[0] == 400
    price = av["tiers"][0]  # the seat's tier is checked by the library
    st, q = call(base, "GET", "/bookings/%d" % b1["id"])
    one_seat = q["seats"][0]["price_minor"]
    st, b = call(base, "POST", "/holds/%s/confirm" % h2["hold"],
                 {"user": 1, "payment_ref": "http-pay-charged",
                  "charged": {"amount_minor": one_seat,
                              "currency": q["currency"]}})
    assert st == 201 and b["total_minor"] == one_seat, (b, price)

    handle = h2["hold"]
    edited = handle[:-2] + ("A" if handle[-2] != "A" else "B") + handle[-1]
    st, err = call(base, "POST", "/holds/%s/confirm" % edited,
                   {"user": 1, "payment_ref": "http-edited"})
    assert st == 400 and err["error"] == "TIX_EBADCODE"


def test_cancel_after_checkin_and_money_text_over_http(server):
    base = server
    date, shows = _tomorrow(base)
    show = shows[0]["id"]
    assert shows[0]["start_local"].endswith("+05:30")
    st, av = call(base, "GET", "/shows/%d/availability" % show)
    tier = av["tiers"][0]
    assert tier["price"].startswith(tier["currency"] + " ")
    st, h = call(base, "POST", "/shows/%d/holds" % show, {"seats": [30]})
    st, b = call(base, "POST", "/holds/%s/confirm" % h["hold"],
                 {"user": 1, "payment_ref": "http-ci",
                  "charged": {"amount": "0.01", "currency": "INR"}})
    assert st == 409 and b["error"] == "TIX_EPRICE"
    st, b = call(base, "POST", "/holds/%s/confirm" % h["hold"],
                 {"user": 1, "payment_ref": "http-ci",
                  "charged": {"amount": "1.234", "currency": "INR"}})
    assert st == 400  # more decimals than rupees have
    st, b = call(base, "POST", "/holds/%s/confirm" % h["hold"],
                 {"user": 1, "payment_ref": "http-ci"})
    assert st == 201 and b["total"].startswith("\u20b9")  # the page's form
    code = b["tickets"][0]["code"]
    st, ci = call(base, "POST", "/checkin", {"code": code, "gate": "Gate 2"})
    assert st == 200 and ci["gate"] == "Gate 2"
    st, err = call(base, "POST", "/bookings/%d/cancel" % b["id"], {})
    assert st == 409 and err["error"] == "TIX_ECHECKEDIN"
    assert "Gate 2" in err["message"]
    st, got = call(base, "GET", "/bookings/%d" % b["id"])
    assert got["status"] == "confirmed"
    st, err = call(base, "POST", "/bookings/%d/cancel" % b["id"],
                   {"after_checkin": "yes"})
    assert st == 400
    st, got = call(base, "POST", "/bookings/%d/cancel" % b["id"],
                   {"after_checkin": True})
    assert st == 200 and got["status"] == "cancelled"
    assert got["cancelled_after_checkin"] is True


def test_caps_and_seat_history_over_http(server):
    base = server
    _date, shows = _tomorrow(base)
    show = shows[1]["id"]
    st, caps = call(base, "POST", "/shows/%d/caps" % show, {"max_per_user": 2})
    assert st == 200 and caps["show_cap"] == 2
    st, err = call(base, "POST", "/shows/%d/caps" % show, {"max_per_user": "2"})
    assert st == 400
    st, err = call(base, "POST", "/shows/%d/holds" % show,
                   {"seats": [1, 2, 3], "user": 1})
    assert st == 400 and err["error"] == "TIX_ELIMIT"
    st, h = call(base, "POST", "/shows/%d/holds" % show, {"seats": [1, 2]})
    st, b = call(base, "POST", "/holds/%s/confirm" % h["hold"],
                 {"user": 1, "payment_ref": "http-cap-1"})
    assert st == 201
    st, h2 = call(base, "POST", "/shows/%d/holds" % show, {"seats": [3]})
    st, err = call(base, "POST", "/holds/%s/confirm" % h2["hold"],
                   {"user": 1, "payment_ref": "http-cap-2"})
    assert st == 400 and err["error"] == "TIX_ELIMIT"
    assert "at most 2" in err["message"]
    st, caps = call(base, "GET", "/shows/%d/caps?user=1" % show)
    assert caps["show_booked"] == 2

    st, hist = call(base, "GET", "/shows/%d/seats/@1/history" % show)
    assert st == 200 and hist["seat"] == 1
    assert [e["type"] for e in hist["events"]] == ["booked"]
    assert hist["events"][0]["booking_id"] == b["id"]
    st, by_label = call(base, "GET", "/shows/%d/seats/%s/history"
                        % (show, hist["label"]))
    assert st == 200 and by_label["events"] == hist["events"]
    st, hist3 = call(base, "GET", "/shows/%d/seats/@3/history" % show)
    assert hist3["state"] == "held" and hist3["held_until"].endswith("Z")
    assert hist["events"][0]["at"].endswith("Z")
    st, err = call(base, "GET", "/shows/%d/seats/ZZ99/history" % show)
    assert st == 404


@pytest.fixture
def ga_server(tmp_path):
    """A store with a standing area on a screen with a show, and a second
    screen with a tier and no show; then the server over it."""
    import tix
    from conftest import build_city
    path = str(tmp_path / "store")
    db = tix.open(path, durability="none", create=True)
    ns = build_city(db)
    arena = tix.Screen.create(db, ns.venue, "Arena")
    lawn = arena.add_tier("Lawn", 9900, "INR")
    area = arena.add_area("LAWN", lawn, 20)
    show = tix.Show.create(db, ns.movie, arena, db.now() + 86400)
    spare = tix.Screen.create(db, ns.venue, "Spare")
    spare_tier = spare.add_tier("Floor", 500, "INR")
    ids = dict(show=show.id, area=area.id, spare=spare.id,
               spare_tier=spare_tier.id, user=ns.user.id)
    db.close()
    proc = subprocess.Popen(
        [sys.executable, SCRIPT, "--store", path, "--port", "0",
         "--durability", "none", "--timeout", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = _read_line(proc, 30)
        assert line.startswith("listening on http://127.0.0.1:"), line
        yield line.strip().split("listening on ")[1], ids
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(TIMEOUT)
        proc.stdout.close()
        proc.stderr.close()


def test_general_admission_over_http(ga_server):
    base, ids = ga_server
    st, a = call(base, "POST", "/screens/%d/areas" % ids["spare"],
                 {"name": "FLOOR", "tier": ids["spare_tier"], "capacity": 5})
    assert st == 201 and a["capacity"] == 5 and a["first_seat"] == 0
    st, out = call(base, "GET", "/screens/%d/areas" % ids["spare"])
    assert st == 200 and [x["name"] for x in out["areas"]] == ["FLOOR"]
    st, err = call(base, "POST", "/screens/%d/areas" % ids["spare"],
                   {"name": "FLOOR", "tier": ids["spare_tier"], "capacity": 5})
    assert st == 409 and err["error"] == "TIX_EEXISTS"

    show = ids["show"]
    st, h = call(base, "POST", "/shows/%d/holds" % show,
                 {"areas": [{"area": ids["area"], "count": 3}]})
    assert st == 201 and len(h["seats"]) == 3
    st, out = call(base, "GET", "/shows/%d/areas" % show)
    assert st == 200 and out["areas"][0]["held"] == 3
    st, b = call(base, "POST", "/holds/%s/confirm" % h["hold"],
                 {"user": ids["user"], "payment_ref": "ga-http-1",
                  "charged": {"amount_minor": 3 * 9900, "currency": "INR"}})
    assert st == 201 and b["status"] == "confirmed"
    st, av = call(base, "GET", "/shows/%d/availability" % show)
    assert av["areas"][0]["booked"] == 3 and av["areas"][0]["free"] == 17
    st, err = call(base, "POST", "/shows/%d/holds" % show,
                   {"areas": [{"area": ids["area"], "count": 18}]})
    assert st in (400, 409)
    st, err = call(base, "POST", "/shows/%d/holds" % show,
                   {"areas": [{"area": ids["area"], "count": 0}]})
    assert st == 400
    st, err = call(base, "POST", "/shows/%d/holds" % show, {"areas": "x"})
    assert st == 400

def test_waiting_room_over_http(server):
    import time
    base = server
    _, shows = _tomorrow(base)
    show = shows[-1]["id"]
    st, q = call(base, "POST", "/shows/%d/queue" % show,
                 {"onsale": int(time.time()), "capacity": 50})
    assert st == 200 and q["capacity"] == 50 and q["onsale"].endswith("Z")
    assert call(base, "POST", "/shows/%d/queue" % show,
                {"onsale": "yesterday", "capacity": 5})[0] == 400
    st, j = call(base, "POST", "/shows/%d/queue/join" % show, {})
    assert st == 201 and j["ticket"].startswith("Q1")
    st, where = call(base, "GET", "/queue/%s" % j["ticket"])
    assert st == 200 and where["state"] == "waiting" and where["wait"] is None
    st, err = call(base, "POST", "/shows/%d/holds" % show, {"best": 1})
    assert st == 403 and err["error"] == "TIX_EPERM"
    st, err = call(base, "POST", "/shows/%d/holds" % show,
                   {"best": 1, "queue_ticket": j["ticket"]})
    assert st == 409 and err["error"] == "TIX_EAGAIN"
    st, q = call(base, "POST", "/shows/%d/queue/admit" % show, {"n": 1})
    assert st == 200 and q["admitted"] == 1
    st, h = call(base, "POST", "/shows/%d/holds" % show,
                 {"best": 1, "queue_ticket": j["ticket"]})
    assert st == 201
    assert call(base, "DELETE", "/holds/%s" % h["hold"])[0] == 204
    assert call(base, "GET", "/queue/Q1bogus")[0] == 400
    assert call(base, "DELETE", "/shows/%d/queue" % show)[0] == 204
    assert call(base, "GET", "/shows/%d/queue" % show)[0] == 404



def test_listings_and_live_holds_over_http(server):
    base = server
    _date, shows = _tomorrow(base)
    show = shows[0]["id"]
    st, out = call(base, "GET", "/places")
    assert st == 200 and out["places"][0]["kind"] == "country"
    st, states = call(base, "GET", "/places?parent=%d" % out["places"][0]["id"])
    assert st == 200 and all(p["kind"] == "state" for p in states["places"])
    st, venues = call(base, "GET", "/venues")
    st, screens = call(base, "GET", "/venues/%d/screens" % venues["venues"][0]["id"])
    assert st == 200 and screens["screens"][0]["seat_count"] > 0
    st, out = call(base, "GET", "/shows/%d/holds" % show)
    assert st == 200 and out["holds"] == []
    st, h = call(base, "POST", "/shows/%d/holds" % show, {"seats": [4, 5]})
    st, out = call(base, "GET", "/shows/%d/holds" % show)
    assert [x["seats"] for x in out["holds"]] == [[4, 5]]
    assert out["holds"][0]["labels"] == h["labels"]
    assert out["holds"][0]["expires"] == h["expires"]
    assert call(base, "DELETE", "/holds/%s" % h["hold"])[0] == 204
    assert call(base, "GET", "/shows/%d/holds" % show)[1]["holds"] == []
    assert call(base, "GET", "/shows/999999/holds")[0] == 404


def _channel_counts(base, show):
    st, out = call(base, "GET", "/shows/%d/channels" % show)
    assert st == 200 and out["channels"][0]["channel_id"] == 0
    return {c["channel_id"]: c for c in out["channels"]}


def test_sales_channels_over_http(server):
    base = server
    _, shows = _tomorrow(base)
    show = shows[1]["id"]
    st, box = call(base, "POST", "/channels", {"name": "box office"})
    assert st == 201 and box["name"] == "box office"
    st, app = call(base, "POST", "/channels", {"name": "app"})
    assert st == 201
    st, err = call(base, "POST", "/channels", {"name": "box office"})
    assert st == 409 and err["error"] == "TIX_EEXISTS"
    assert call(base, "POST", "/channels", {"name": 7})[0] == 400
    assert call(base, "POST", "/channels", {"name": ""})[0] == 400
    st, out = call(base, "GET", "/channels")
    assert [c["name"] for c in out["channels"]] == ["box office", "app"]
    assert call(base, "GET", "/channels/%d" % box["id"]) == (200, box)
    assert call(base, "GET", "/channels/99")[0] == 404

    seats = "/shows/%d/channels/%%d/seats" % show
    st, out = call(base, "POST", seats % box["id"], {"seats": [0, 1, 2]})
    assert st == 200
    by = {c["channel_id"]: c for c in out["channels"]}
    assert by[box["id"]]["total"] == 3 and by[box["id"]]["name"] == "box office"
    tier = call(base, "GET", "/shows/%d/tiers" % show)[1]["tiers"][0]["id"]
    st, out = call(base, "POST", seats % app["id"], {"tier": tier, "count": 4})
    assert st == 200 and _channel_counts(base, show)[app["id"]]["free"] == 4
    for bad in ({"seats": "x"}, {"seats": [True]}, {"tier": tier},
                {"tier": tier, "count": 0}, {},
                {"seats": [3], "tier": tier, "count": 1}):
        assert call(base, "POST", seats % box["id"], bad)[0] == 400, bad
    assert call(base, "POST", seats % 0, {"tier": tier, "count": 1})[0] == 400
    assert call(base, "POST", seats % 99, {"seats": [3]})[0] == 404
    assert call(base, "POST", seats % box["id"], {"seats": [10 ** 6]})[0] == 400

    # A channel seat is held only through its channel.
    holds = "/shows/%d/holds" % show
    st, err = call(base, "POST", holds, {"seats": [1]})
    assert st == 403 and err["error"] == "TIX_EPERM"
    assert call(base, "POST", holds, {"seats": [1], "channel": app["id"]})[0] \
        == 403
    for bad in ("x", 0, True):
        assert call(base, "POST", holds, {"seats": [1], "channel": bad})[0] \
            == 400
    st, h = call(base, "POST", holds, {"seats": [1], "channel": box["id"]})
    assert st == 201 and h["seats"] == [1]
    st, best = call(base, "POST", holds, {"best": 2, "channel": app["id"]})
    assert st == 201 and len(best["seats"]) == 2
    assert _channel_counts(base, show)[box["id"]]["held"] == 1
    # a held seat does not move
    st, err = call(base, "POST", seats % 0, {"seats": [1]})
    assert st == 409 and err["error"] == "TIX_ECONFLICT"
    st, _ = call(base, "POST", seats % 0, {"seats": [2]})  # back to the pool
    assert st == 200 and _channel_counts(base, show)[box["id"]]["total"] == 2
    assert call(base, "POST", holds, {"seats": [2]})[0] == 201

    release = "/shows/%d/channels/%d/release" % (show, box["id"])
    assert call(base, "POST", release, {"at": "tomorrow"})[0] == 400
    assert call(base, "POST", release, {"at": "2030-06-01T10:00:00"})[0] == 400
    st, err = call(base, "POST", release, {"at": 1000})
    assert st == 400 and err["error"] == "TIX_ERANGE"
    st, out = call(base, "POST", release, {})
    assert st == 200
    assert [c["released"] for c in out["channels"]
            if c["channel_id"] == box["id"]] == [True]
    st, err = call(base, "POST", release, {})
    assert st == 409 and err["error"] == "TIX_EALREADY"
    assert call(base, "POST", holds, {"seats": [0]})[0] == 201  # pool now
    st, hist = call(base, "GET", "/shows/%d/seats/@2/history" % show)
    assert st == 200 and [(e["type"], e["channel_id"]) for e in
                          hist["events"]] == [("channel", box["id"]),
                                              ("channel", 0)]
    later = "/shows/%d/channels/%d/release" % (show, app["id"])
    st, out = call(base, "POST", later, {"at": shows[1]["start"]})
    assert st == 200
    assert [c["release_at"] for c in out["channels"]
            if c["channel_id"] == app["id"]] == [shows[1]["start"]]


def test_group_holds_over_http(server):
    base = server
    _, shows = _tomorrow(base)
    a, b = shows[2]["id"], shows[3]["id"]
    body = {"parts": [{"show": a, "seats": [10, 11]},
                      {"show": b, "seats": [10]}], "user": 1}
    st, g = call(base, "POST", "/group-holds", body)
    assert st == 201 and [h["show_id"] for h in g["holds"]] == [a, b]
    assert g["holds"][0]["seats"] == [10, 11]
    # all or nothing: seat 10 of b is taken, so seat 12 of a stays free
    st, err = call(base, "POST", "/group-holds",
                   {"parts": [{"show": a, "seats": [12]},
                              {"show": b, "seats": [10]}]})
    assert st == 409 and err["error"] == "TIX_ECONFLICT"
    st, av = call(base, "GET", "/shows/%d/availability" % a)
    assert av["held"] == 2
    for bad in ({}, {"parts": []}, {"parts": "x"}, {"parts": [{"show": a}]},
                {"parts": [{"show": "x", "seats": [1]}]},
                {"parts": [{"show": a, "seats": [1]},
                           {"show": a, "seats": [2]}]},
                {"parts": [{"show": a, "seats": [1]}], "request_key": 5}):
        st, err = call(base, "POST", "/group-holds", bad)
        assert st == 400, (bad, err)
    assert call(base, "POST", "/group-holds",
                {"parts": [{"show": 999999, "seats": [1]}]})[0] == 404

    handles = [h["hold"] for h in g["holds"]]
    confirm = "/group-holds/confirm"
    for bad in ({"holds": handles, "user": 1},
                {"holds": [], "user": 1, "payment_ref": "g"},
                {"holds": "x", "user": 1, "payment_ref": "g"},
                {"holds": ["bogus"], "user": 1, "payment_ref": "g"},
                {"holds": handles, "user": "x", "payment_ref": "g"},
                {"holds": handles, "user": 1, "payment_ref": "g",
                 "charged": {"amount_minor": 1, "currency": "INR"}}):
        st, err = call(base, "POST", confirm, bad)
        assert st == 400, (bad, err)
    st, err = call(base, "POST", confirm,
                   {"holds": handles, "user": 999999, "payment_ref": "g-0"})
    assert st == 404
    st, out = call(base, "POST", confirm,
                   {"holds": handles, "user": 1, "payment_ref": "grp-1"})
    assert st == 201, out
    ids = [x["id"] for x in out["bookings"]]
    assert out["group_id"] == ids[0]
    assert [x["group_id"] for x in out["bookings"]] == [ids[0]] * 2
    assert [x["payment_ref"] for x in out["bookings"]] == ["grp-1", "grp-1#2"]
    assert [x["show_id"] for x in out["bookings"]] == [a, b]
    st, again = call(base, "POST", confirm,
                     {"holds": handles, "user": 1, "payment_ref": "grp-1"})
    assert st == 200 and [x["id"] for x in again["bookings"]] == ids
    st, av = call(base, "GET", "/shows/%d/availability" % b)
    assert (av["booked"], av["held"]) == (1, 0)


def test_show_cancel_over_http(server):
    base = server
    _date, shows = _tomorrow(base)
    show = shows[0]["id"]
    st, h = call(base, "POST", "/shows/%d/holds" % show, {"seats": [4, 5]})
    st, b = call(base, "POST", "/holds/%s/confirm" % h["hold"],
                 {"user": 1, "payment_ref": "http-show-cancel"})
    assert st == 201
    st, h2 = call(base, "POST", "/shows/%d/holds" % show, {"seats": [9]})
    st, err = call(base, "POST", "/shows/%d/cancel" % show, {"reason": "x"})
    assert st == 409 and err["error"] == "TIX_EBUSY"
    st, _ = call(base, "DELETE", "/holds/%s" % h2["hold"])
    st, err = call(base, "POST", "/shows/%d/cancel" % show, {"reason": 3})
    assert st == 400
    st, got = call(base, "POST", "/shows/%d/cancel" % show,
                   {"reason": "projector broke"})
    assert st == 200 and got["cancelled"] is True and got["free"] == 0
    st, bk = call(base, "GET", "/bookings/%d" % b["id"])
    assert bk["status"] == "cancelled"
    st, err = call(base, "POST", "/shows/%d/holds" % show, {"seats": [1]})
    assert st == 409 and "cancelled" in err["message"]
    st, err = call(base, "POST", "/shows/%d/cancel" % show, {})
    assert st == 409 and err["error"] == "TIX_EALREADY"
    st, err = call(base, "POST", "/shows/999999/cancel", {})
    assert st == 404


def test_delete_records_over_http(server):
    base = server
    _date, shows = _tomorrow(base)
    st, err = call(base, "DELETE", "/movies/%d" % shows[0]["movie_id"])
    assert st == 409 and err["error"] == "TIX_EBUSY"
    assert "has shows" in err["message"]
    st, err = call(base, "DELETE", "/venues/%d" % shows[0]["venue_id"])
    assert st == 409 and "has screens" in err["message"]
    st, u = call(base, "POST", "/users", {"name": "Gone Soon",
                                          "email": "gone@example.com"})
    assert st == 200
    st, _ = call(base, "DELETE", "/users/%d" % u["id"])
    assert st == 204
    st, err = call(base, "DELETE", "/users/%d" % u["id"])
    assert st == 404


def test_show_reschedule_over_http(server):
    base = server
    _date, shows = _tomorrow(base)
    show = shows[-1]
    st, h = call(base, "POST", "/shows/%d/holds" % show["id"], {"seats": [2]})
    st, b = call(base, "POST", "/holds/%s/confirm" % h["hold"],
                 {"user": 1, "payment_ref": "http-resched"})
    assert st == 201
    later = show["end"].replace("Z", "+00:00")
    import datetime
    t = datetime.datetime.fromisoformat(later) + datetime.timedelta(hours=6)
    new = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    st, got = call(base, "POST", "/shows/%d/reschedule" % show["id"],
                   {"start": new})
    assert st == 200 and got["start"] == new, got
    st, err = call(base, "POST", "/shows/%d/reschedule" % show["id"],
                   {"start": "2001-01-01T00:00:00Z"})
    assert st == 400 and err["error"] == "TIX_ERANGE"
    st, err = call(base, "POST", "/shows/%d/reschedule" % show["id"],
                   {"start": "soon"})
    assert st == 400
