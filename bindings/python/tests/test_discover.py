"""Title search, recommendations, venues nearby, offers and quotes."""
import pytest

import tix
from conftest import needs


@needs("tix_movie_search")
def test_search_by_word_prefix(city, payref):
    dark = tix.Movie.create(city.db, "The Dark Knight", 152)
    tix.Movie.create(city.db, "Darkest Hour", 125)
    hits = city.db.search("dark kn")
    assert [h.movie_id for h in hits] == [dark.id]
    assert hits[0].title == "The Dark Knight" and hits[0].popularity == 0
    assert {h.title for h in tix.Movie.search(city.db, "dark")} == {
        "The Dark Knight", "Darkest Hour"}
    assert city.db.search("orbit", city=city.city,
                          date=city.show.local_date)[0].movie_id == city.movie.id
    with pytest.raises(tix.InvalidArgument):
        city.db.search("x")


@needs("tix_movie_search")
def test_search_folds_accents(city):
    tix.Movie.create(city.db, "Amélie", 122)
    assert [h.title for h in city.db.search("AMELIE")] == ["Amélie"]


@needs("tix_recommend")
def test_recommend(city):
    recs = city.user.recommendations()
    assert [r.movie_id for r in recs] == [city.movie.id]
    r = recs[0]
    assert isinstance(r.reason, tix.Reason)
    assert r.next_show_id == city.show.id and r.score == (
        r.genre_points + r.language_points + r.also_booked_points +
        r.popularity_points)
    nobody = tix.User.create(city.db, "No City", "nocity@example.com")
    with pytest.raises(tix.InvalidArgument):
        city.db.recommend(nobody)


@needs("tix_venue_nearby")
def test_venues_nearby(city):
    far = tix.Venue.create(city.db, city.city, "Whitefield Talkies",
                           lat=12.9855, lon=77.7365)
    near = city.db.venues_nearby(12.9716, 77.5946, radius_km=5)
    assert [n.venue for n in near] == [city.venue]
    assert 0 < near[0].distance_km < 5
    both = tix.Venue.nearby(city.db, 12.9716, 77.5946, 50)
    assert [n.venue for n in both] == [city.venue, far]
    with pytest.raises(tix.OutOfRange):
        city.db.venues_nearby(100, 0, 1)


@needs("tix_offer_create", "tix_price_quote")
def test_offer_quote_and_confirm(city, payref):
    off = tix.Offer.create(city.db, "monsoon20", city.movie, percent=20,
                           max_uses=1)
    assert off.code == "MONSOON20" and off.scope == tix.OfferScope.MOVIE
    assert city.db.offer_by_code("Monsoon20") == off
    assert list(city.db.offers()) == [off]
    q = city.show.quote([14, 15], offer_code="MONSOON20", user=city.user)
    assert q.subtotal_minor == 56000 and q.discount_minor == 11200
    assert q.total_minor == q.subtotal_minor - q.discount_minor + q.fee_minor
    assert all(s.in_scope for s in q.seats)
    with city.show.hold([14, 15]) as h:
        assert h.quote("monsoon20") == q._replace(
            seats=h.quote("monsoon20").seats)
        b = h.confirm(city.user, payref(), offer_code="MONSOON20")
    assert (b.offer_id, b.discount_minor) == (off.id, 11200)
    assert b.total_minor == q.total_minor
    assert city.db.offer(off.id).uses == 1
    with city.show.hold([16]) as h:
        with pytest.raises(tix.Limit):
            h.confirm(city.user, payref(), offer_code="MONSOON20")
    with pytest.raises(tix.Exists):
        tix.Offer.create(city.db, "MONSOON20", city.venue, amount_minor=100)
    with pytest.raises(tix.InvalidArgument):
        tix.Offer.create(city.db, "X1", 5, percent=10)   # no scope for an id
    tier_off = tix.Offer.create(city.db, "GOLD-50", city.gold.id, scope="tier",
                                amount_minor=5000)
    assert tier_off.scope == tix.OfferScope.TIER


@needs("tix_price_quote")
def test_fee_per_seat(tmp_path, clock):
    from conftest import build_city
    with tix.open(str(tmp_path / "s"), durability="none", clock=clock,
                  fee_per_seat_minor=1500) as db:
        c = build_city(db)
        q = c.show.quote([12, 13])
        assert q.fee_minor == 3000 and q.total_minor == 56000 + 3000
        with c.show.hold([12, 13]) as h:
            b = h.confirm(c.user, "fee-1")
        assert b.fee_minor == 3000 and b.total_minor == 59000
