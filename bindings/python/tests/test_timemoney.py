"""Dates, time zones, money and the check-in refund rule through the
binding (issue 15 items 5-7)."""
import datetime
import random
import zoneinfo

import pytest

import tix
from conftest import T0, at, build_city

UTC = datetime.timezone.utc


def test_money_in_each_currencys_decimals():
    assert tix.currency_exponent("JPY") == 0
    assert tix.currency_exponent("KWD") == 3
    assert tix.format_money(1800, "JPY") == "JPY 1800"
    assert tix.format_money(1800, "EUR") == "EUR 18.00"
    assert tix.format_money(1800, "BHD") == "BHD 1.800"
    assert tix.parse_money("18.50", "EUR") == 1850
    assert tix.parse_money("18", "JPY") == 18
    with pytest.raises(tix.InvalidArgument):
        tix.parse_money("18.5", "JPY")
    with pytest.raises(tix.InvalidArgument):
        tix.currency_exponent("XYZ")
    with pytest.raises(tix.InvalidArgument):
        tix.format_money(1, "XYZ")


def test_tier_price_text_and_unknown_currency(city):
    # A screen's tiers share one currency: yen get a screen of their own.
    yen = tix.Screen.create(city.db, city.venue, "Yen Hall").add_tier(
        "Yen", 1800, "JPY")
    assert yen.price == "JPY 1800"
    assert city.gold.price == "INR 280.00"
    with pytest.raises(tix.InvalidArgument, match="XYZ"):
        city.screen.add_tier("Bogus", 100, "XYZ")


def test_tz_offsets_agree_with_zoneinfo_everywhere():
    """The library's TZif reader against Python's, on every zone of the
    system tzdata at instants from 2000 to 2099 (past the files' tables,
    where the footer rules decide)."""
    rnd = random.Random(15)
    zones = sorted(zoneinfo.available_timezones())
    assert len(zones) > 300
    lo = int(datetime.datetime(2000, 1, 1, tzinfo=UTC).timestamp())
    hi = int(datetime.datetime(2099, 12, 1, tzinfo=UTC).timestamp())
    checked = 0
    for z in zones:
        if z.startswith(("posix/", "right/")) or z in ("Factory", "localtime"):
            continue
        try:
            zi = zoneinfo.ZoneInfo(z)
        except Exception:  # pragma: no cover - a zone Python cannot read
            continue
        for _ in range(12):
            t = rnd.randrange(lo, hi)
            want = datetime.datetime.fromtimestamp(t, zi).utcoffset()
            assert tix.tz_offset(z, t) == int(want.total_seconds()) // 60, (z, t)
            checked += 1
    assert checked > 3000


def test_tz_offset_refuses_bad_names():
    for bad in ("Mars/Olympus", "../etc/passwd", "", "Europe", "zone.tab"):
        with pytest.raises(tix.InvalidArgument):
            tix.tz_offset(bad, T0)


def _london(db):
    uk = tix.Place.create(db, "United Kingdom")
    eng = tix.Place.create(db, "England", parent=uk)
    return tix.Place.create(db, "London", parent=eng, time_zone="Europe/London")


def test_london_in_july_is_bst(db):
    london = _london(db)
    assert london.time_zone == "Europe/London"
    july = datetime.datetime(2027, 7, 1, 18, 30, tzinfo=UTC)
    assert london.utc_offset(july) == 60
    assert london.utc_offset(datetime.datetime(2027, 1, 1, tzinfo=UTC)) == 0
    venue = tix.Venue.create(db, london, "BFI", lat=51.5, lon=-0.1)
    screen = tix.Screen.create(db, venue, "NFT1")
    tier = screen.add_tier("Stalls", 1250, "GBP")
    screen.add_rows([("A", [tix.SeatSpec(n, x=n, y=0, tier=tier)
                            for n in range(1, 5)])])
    movie = tix.Movie.create(db, "Night", 100)
    # 23:30 UTC on 30 June is 00:30 on 1 July in London.
    late = tix.Show.create(db, movie, screen,
                           datetime.datetime(2027, 6, 30, 23, 30, tzinfo=UTC))
    assert late.local_date == 20270701
    local = late.local_start()
    assert local.utcoffset() == datetime.timedelta(hours=1)
    assert (local.hour, local.minute) == (0, 30)
    assert [s.id for s in db.shows(city=london, date="2027-07-01")] == [late.id]
    with pytest.raises(tix.InvalidArgument):
        tix.Place.create(db, "Atlantis", parent=london.parent_id,
                         time_zone="Atlantic/Atlantis")
    london.update(time_zone="")
    assert london.utc_offset(july) == 0  # back to the fixed offset


def test_impossible_dates_are_refused(city):
    for bad in ("2027-02-30", "20270230", 20270230, "2027-13-01"):
        with pytest.raises(tix.InvalidArgument):
            city.db.shows(city=city.city, date=bad)


def test_show_in_the_past_needs_allow_past(city, clock):
    with pytest.raises(tix.OutOfRange, match="past"):
        tix.Show.create(city.db, city.movie, city.screen, clock.now - 3600)
    old = tix.Show.create(city.db, city.movie, city.screen, clock.now - 86400,
                          allow_past=True)
    assert old.start == at(clock.now - 86400)


def test_checked_in_booking_refunds_only_with_the_override(city):
    db = city.db
    with city.show.hold([12, 13]) as h:
        b = h.confirm(user=city.user, payment_ref="pay-ci")
    assert b.total == "INR 560.00"
    db.checkin(b.tickets[0].code, gate="Gate 2")
    with pytest.raises(tix.CheckedIn, match="Gate 2"):
        b.cancel()
    assert not b.refresh().cancelled
    b.cancel(after_checkin=True)
    assert b.cancelled and b.cancelled_after_checkin
    assert b.as_dict()["cancelled_after_checkin"] is True


def test_events_carry_local_time_and_override(city):
    db = city.db
    c = tix.Consumer.register(db, "mail")
    with city.show.hold([20]) as h:
        b = h.confirm(user=city.user, payment_ref="pay-ev")
    db.checkin(b.tickets[0].code, gate="North")
    b.cancel(after_checkin=True)
    evs = c.read()
    assert [e.type for e in evs] == [tix.EventType.BOOKED,
                                    tix.EventType.CHECKED_IN,
                                    tix.EventType.CANCELLED]
    want = tix.local_datetime(city.show.start, 330).isoformat()
    assert evs[0].show_local == want
    assert evs[0].after_checkin is False and evs[2].after_checkin is True
