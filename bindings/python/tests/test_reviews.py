"""Reviews, comments, upvotes, rating summaries; review paging iterator."""
import pytest

import tix
from conftest import needs

pytestmark = needs("tix_review_create", "tix_review_list_by_movie",
                   "tix_comment_create", "tix_comment_list_by_review",
                   "tix_rating_summary_get")


def _users(db, n):
    return [tix.User.create(db, "R%d" % i, "r%d@example.com" % i)
            for i in range(n)]


def test_write_get_find_replace(city):
    r = city.movie.review(city.user, 8, "Loved the score")
    assert (r.rating, r.text, r.helpful) == (8, "Loved the score", 0)
    assert r.verified is False
    assert city.db.review(r.id) == r
    assert tix.Review.find(city.db, city.user, city.movie) == r
    again = tix.Review.write(city.db, city.movie, city.user, 6, "Second look")
    assert again.id == r.id and again.created_at == r.created_at
    r.refresh()
    assert (r.rating, r.text) == (6, "Second look")
    r.update(text="Third")
    assert tix.Review.get(city.db, r.id).text == "Third"


def test_verified_with_a_booking(city, payref):
    with city.show.hold([3]) as h:
        h.confirm(city.user, payref())
    assert city.movie.review(city.user, 9).verified is True


def test_rating_limits(city):
    with pytest.raises(tix.OutOfRange):
        city.movie.review(city.user, 11)
    with pytest.raises(tix.OutOfRange):
        city.movie.review(city.user, 0)
    with pytest.raises(tix.NotFound):
        tix.Review.write(city.db, 999, city.user, 5)


def test_summary_is_exact(city):
    users = _users(city.db, 4)
    for u, rating in zip(users, (10, 8, 8, 3)):
        city.movie.review(u, rating)
    s = city.movie.rating_summary()
    assert (s["count"], s["sum"]) == (4, 29)
    assert s["mean"] == pytest.approx(29 / 4)
    assert s["histogram"][7] == 2 and s["histogram"][9] == 1
    tix.Review.find(city.db, users[0], city.movie).delete()
    s = city.movie.rating_summary()
    assert (s["count"], s["sum"]) == (3, 19)


def test_paging_iterator_sees_each_review_once(city):
    users = _users(city.db, 7)
    ids = [city.movie.review(u, 5 + i % 5).id for i, u in enumerate(users)]
    got = [r.id for r in city.movie.reviews(page=3)]
    assert sorted(got) == sorted(ids) and len(got) == len(set(got))
    items, cursor = tix.Review.page(city.db, city.movie, limit=3)
    assert len(items) == 3 and cursor
    last, end = tix.Review.page(city.db, city.movie, cursor=cursor, limit=100)
    assert len(last) == 4 and end == ""


def test_helpful_order_and_votes(city):
    users = _users(city.db, 3)
    a = city.movie.review(users[0], 7, "a")
    b = city.movie.review(users[1], 7, "b")
    b.upvote(users[0])
    b.upvote(users[2])
    b.upvote(users[2])          # idempotent
    assert b.helpful == 2
    with pytest.raises(tix.InvalidArgument):
        a.upvote(users[0])      # own review
    order = [r.id for r in city.movie.reviews(order="helpful")]
    assert order[0] == b.id
    b.unvote(users[2])
    assert b.helpful == 1
    with pytest.raises(tix.InvalidArgument):
        list(city.movie.reviews(order="loudest"))


def test_comments_thread(city):
    users = _users(city.db, 2)
    r = city.movie.review(city.user, 9, "Great")
    c1 = r.comment(users[0], "Agreed")
    reply = c1.reply(city.user, "Thanks!")
    c2 = r.comment(users[1], "Not for me")
    thread = r.comments()
    assert [c.id for c in thread] == [c1.id, reply.id, c2.id]
    assert reply.parent_id == c1.id and thread[1].text == "Thanks!"
    with pytest.raises(tix.InvalidArgument):
        reply.reply(users[0], "too deep")
    c1.delete()
    assert [c.id for c in r.comments()] == [c2.id]
