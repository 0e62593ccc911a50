"""Catalog records: create / get / update / list for every class."""
import datetime

import pytest

import tix


def test_places_tree(db):
    india = tix.Place.create(db, "India")
    ka = tix.Place.create(db, "Karnataka", parent=india)
    blr = tix.Place.create(db, "Bengaluru", parent=ka, utc_offset_min=330)
    assert (india.kind, ka.kind, blr.kind) == (tix.PlaceKind.COUNTRY,
                                             tix.PlaceKind.STATE,
                                             tix.PlaceKind.CITY)
    assert blr.parent_id == ka.id and blr.utc_offset_min == 330
    assert tix.Place.get(db, blr.id) == blr
    assert db.place(ka.id).name == "Karnataka"
    assert [p.name for p in db.countries()] == ["India"]
    assert india.children() == [ka]
    assert blr.parent() == ka and india.parent() is None
    with pytest.raises(tix.InvalidArgument):
        tix.Place.create(db, "Nowhere", parent=blr)


def test_place_kind_given_as_string(db):
    fr = tix.Place.create(db, "France", kind="country")
    assert fr.kind == tix.PlaceKind.COUNTRY
    with pytest.raises(tix.InvalidArgument):
        tix.Place.create(db, "X", kind="galaxy")


def test_same_name_under_two_parents(db):
    br = tix.Place.create(db, "Brasil")
    sp = tix.Place.create(db, "São Paulo", parent=br)
    city = tix.Place.create(db, "São Paulo", parent=sp, utc_offset_min=-180)
    assert city.name == "São Paulo" and city.utc_offset_min == -180


def test_place_update(db):
    p = tix.Place.create(db, "Indai")
    assert p.update(name="India") is p
    assert p.name == "India" and tix.Place.get(db, p.id).name == "India"
    with pytest.raises(TypeError):
        p.update(parent_id=3)


def test_places_listed_by_name(db):
    for n in ("Chile", "Argentina", "Brasil"):
        tix.Place.create(db, n)
    assert [p.name for p in tix.Place.list(db)] == ["Argentina", "Brasil", "Chile"]
    assert tix.Place.list(db, parent=9999) == []


def test_venue(city):
    v = city.venue
    assert v.city_id == city.city.id and v.address == "12 MG Road"
    assert v.lat == pytest.approx(12.9756)
    v.update(address="12 Mahatma Gandhi Road\nBengaluru", lat=12.97)
    again = tix.Venue.get(city.db, v.id)
    assert again.address.endswith("Bengaluru") and again.lat == 12.97
    assert city.city.venues() == [v]
    assert v.city() == city.city
    assert v.screens() == [city.screen]
    with pytest.raises(tix.NotFound):
        tix.Venue.create(city.db, 9999, "Nowhere")


def test_screen_and_tiers(city):
    s = city.screen
    assert s.seat_count == 30
    assert [t.name for t in s.tiers()] == ["Silver", "Gold"]  # cheapest first
    s.update(name="Audi One")
    assert city.db.screen(s.id).name == "Audi One"
    gold = city.gold
    gold.update(price_minor=30000)
    assert tix.Tier.get(city.db, gold.id).price_minor == 30000
    assert gold.currency == "INR"
    with pytest.raises(tix.InvalidArgument):
        s.add_tier("Bad", 100, "inr")
    with pytest.raises(tix.InvalidArgument):
        s.add_tier("Bad", 100, "EURO")


def test_seats_layout(city):
    seats = city.screen.seats()
    assert [s.index for s in seats] == list(range(30))
    a1 = seats[0]
    assert (a1.row, a1.number, a1.label) == ("A", 1, "A1")
    assert a1.flags & tix.SeatFlag.WHEELCHAIR and a1.accessible
    assert seats[1].flags == tix.SeatFlag.COMPANION
    assert seats[10].tier_id == city.gold.id and seats[0].tier_id == city.silver.id
    assert city.show.seats() == seats


def test_add_rows_input_forms(db):
    c = tix.Place.create(db, "X")
    st = tix.Place.create(db, "Y", parent=c)
    ct = tix.Place.create(db, "Z", parent=st)
    v = tix.Venue.create(db, ct, "V")
    s = tix.Screen.create(db, v, "S")
    t = s.add_tier("T", 100, "EUR")
    first = s.add_rows([
        ("A", [tix.SeatSpec(1, x=1, y=3, tier=t),
               tix.SeatSpec(2, x=2, y=3, tier=t)]),
        {"label": "B", "seats": [{"number": 1, "x": 1.0, "y": 1.0, "tier_id": t.id},
                                 (2, 2.0, 1.0, t, tix.SeatFlag.AISLE)]},
    ])
    assert first == 0 and s.seat_count == 4
    assert tix.Seat.add_rows(db, s, [("C", [1, 2, 3])], tier=t) == 4
    seats = tix.Seat.list(db, s)
    assert [x.label for x in seats] == ["A1", "A2", "B1", "B2", "C1", "C2", "C3"]
    assert seats[3].flags == tix.SeatFlag.AISLE
    with pytest.raises(tix.Exists):
        s.add_rows([("A", [tix.SeatSpec(1, x=9, tier=t)])])
    with pytest.raises(tix.Exists, match="position of seat C-1"):
        s.add_rows([("D", [tix.SeatSpec(1, x=1, tier=t)])])
    with pytest.raises(tix.InvalidArgument):
        s.add_rows([])


def test_one_currency_per_screen(db):
    c = tix.Place.create(db, "X")
    st = tix.Place.create(db, "Y", parent=c)
    ct = tix.Place.create(db, "Z", parent=st)
    s = tix.Screen.create(db, tix.Venue.create(db, ct, "V"), "S")
    gold = s.add_tier("Gold", 100, "EUR")
    with pytest.raises(tix.InvalidArgument, match="differs from EUR"):
        s.add_tier("Silver", 50, "USD")
    with pytest.raises(tix.InvalidArgument, match="share one currency"):
        gold.update(currency="GBP")  # the only tier: allowed...
        s.add_tier("Silver", 50, "EUR")
    assert [t.currency for t in tix.Tier.list(db, s)] == ["GBP"]


def test_layout_frozen_after_show(city):
    with pytest.raises(tix.Busy):
        city.screen.add_rows([("Z", [tix.SeatSpec(1, tier=city.gold)])])


def test_movie_fields_and_update(db):
    m = tix.Movie.create(db, "Lalbagh Love Story", 138, certificate="U",
                         synopsis="Two gardeners\ncompete.",
                         languages=["Kannada"], genres=["Romance", "Drama"],
                         cast=["Nithya Gowda"], crew=["Director: Suresh Iyer"],
                         media=["posters/lalbagh.jpg"])
    got = db.movie(m.id)
    assert got.as_dict() == m.as_dict()
    assert got.genres == ["Romance", "Drama"] and "\n" in got.synopsis
    m.update(duration_min=140, genres=[])
    assert db.movie(m.id).duration_min == 140 and db.movie(m.id).genres == []
    with pytest.raises(tix.OutOfRange):
        m.update(duration_min=0)
    with pytest.raises(TypeError):
        tix.Movie.create(db, "X", 90, languages="English")


def test_movie_list_is_paged_iterator(db):
    ids = [tix.Movie.create(db, "Movie %d" % i, 90).id for i in range(7)]
    it = tix.Movie.list(db, page=3)
    assert iter(it) is it
    assert [m.id for m in it] == ids
    assert [m.id for m in db.movies(after=ids[4])] == ids[5:]
    assert list(tix.Movie.list(db, after=ids[-1])) == []


def test_show(city):
    sh = city.show
    assert sh.end == sh.start + datetime.timedelta(minutes=165)
    assert sh.start.tzinfo is not None
    assert (sh.venue_id, sh.city_id, sh.seat_count) == (city.venue.id,
                                                        city.city.id, 30)
    local = datetime.datetime.fromtimestamp(
        sh.start.timestamp() + 330 * 60, datetime.timezone.utc).date()
    assert sh.local_date == local.year * 10000 + local.month * 100 + local.day
    assert sh.movie() == city.movie and sh.screen() == city.screen
    assert sh.venue() == city.venue


def test_show_lists_accept_date_forms(city):
    sh = city.show
    d = sh.local_date
    iso = "%04d-%02d-%02d" % (d // 10000, d // 100 % 100, d % 100)
    date = datetime.date.fromisoformat(iso)
    for form in (d, iso, date, str(d)):
        assert city.db.shows(city=city.city, date=form) == [sh]
    assert city.db.shows(city=city.city, date=d, movie=city.movie) == [sh]
    assert city.db.shows(city=city.city, date=d, movie=9999) == []
    assert city.venue.shows(d) == [sh]
    assert city.city.shows(d) == [sh]
    with pytest.raises(tix.InvalidArgument):
        city.db.shows(city=city.city, date=20261399)
    with pytest.raises(tix.InvalidArgument):
        city.db.shows(city=city.city, date="tomorrow")


def test_show_create_with_aware_datetime(city):
    start = city.show.end + datetime.timedelta(hours=1)
    sh = tix.Show.create(city.db, city.movie, city.screen, start)
    assert sh.start == start
    # epoch seconds are still accepted, and come back as the same instant
    later = tix.Show.create(city.db, city.movie, city.screen,
                            int(sh.end.timestamp()) + 3600)
    assert later.start == sh.end + datetime.timedelta(hours=1)
    with pytest.raises(tix.InvalidArgument):
        tix.Show.create(city.db, city.movie, city.screen, start.replace(tzinfo=None))


def test_user(city):
    u = city.user
    assert (u.name, u.phone, u.home_city_id) == ("Asha Rao", "+919800000001",
                                                  city.city.id)
    assert u.languages == ["Kannada"] and u.genres == ["Drama"]
    assert city.db.user_by_email("ASHA@example.COM") == u
    u.update(email="asha.rao@example.com", home_city=None)
    assert city.db.user(u.id).email == "asha.rao@example.com"
    assert city.db.user(u.id).home_city_id == 0
    # the old address is free again
    other = tix.User.create(city.db, "Other Asha", "asha@example.com")
    assert other.id != u.id
    with pytest.raises(tix.Exists):
        tix.User.create(city.db, "Dup", "Asha.Rao@Example.com")
    with pytest.raises(tix.NotFound):
        city.db.user_by_email("nobody@example.com")


def test_user_list_iterator(db):
    ids = [tix.User.create(db, "U%d" % i, "u%d@example.com" % i).id
           for i in range(5)]
    assert [u.id for u in tix.User.list(db, page=2)] == ids
    assert [u.id for u in db.users(after=ids[1], page=1)] == ids[2:]


def test_records_equality_and_hash(city):
    a = tix.Show.get(city.db, city.show.id)
    assert a == city.show and hash(a) == hash(city.show)
    assert a != city.movie
    assert len({a, city.show}) == 1
    assert "Show" in repr(a)


def test_as_dict_is_plain(city):
    d = city.city.as_dict()
    assert d == {"id": city.city.id, "kind": 3, "parent_id": city.state.id,
                 "name": "Bengaluru", "utc_offset_min": 330, "time_zone": ""}


def test_id_arguments_accept_ints_and_records(city):
    assert tix.Venue.list(city.db, city.city) == tix.Venue.list(city.db, city.city.id)
    with pytest.raises(TypeError):
        tix.Venue.list(city.db, "3")
    with pytest.raises(tix.InvalidArgument):
        tix.Venue.get(city.db, -1)


def test_delete_refuses_referred_records_and_removes_the_rest(city):
    db = city.db
    with pytest.raises(tix.Busy, match="has screens"):
        city.venue.delete()
    with pytest.raises(tix.Busy, match=r"has shows \(show %d\)" % city.show.id):
        city.movie.delete()
    with pytest.raises(tix.Busy, match="has seats"):
        city.gold.delete()
    town = tix.Place.create(db, "Mysuru", parent=city.state)
    u = tix.User.create(db, "R", "r@example.com", home_city=town)
    with pytest.raises(tix.Busy, match="users living there"):
        town.delete()
    u.delete()
    town.delete()
    m = tix.Movie.create(db, "Never Shown", 90)
    m.delete()
    with pytest.raises(tix.NotFound):
        tix.Movie.get(db, m.id)
    with pytest.raises(tix.NotFound):
        m.delete()
    v = tix.Venue.create(db, city.city, "Empty Hall", lat=12.9, lon=77.6)
    s = tix.Screen.create(db, v, "One")
    t = s.add_tier("Any", 100, "INR")
    t.delete()
    s.delete()
    v.delete()
    assert [x.name for x in tix.Venue.list(db, city.city)] == ["Cubbon Cineplex"]
    counts, problems = db.check()
    assert problems == [] and counts["problems"] == 0
