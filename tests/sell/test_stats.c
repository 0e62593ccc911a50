/* lib/sell/stats.c: popularity by day, user-movie counts and co-booking, kept
 * in the confirm and cancel transactions. */
#include <stdlib.h>

#include "frontend_fixture.h"
#include "stats.h"

static uint32_t popularity(tix_db *db, tix_id movie)
{
    MDB_txn *txn;
    uint32_t n;
    assert_ok(tix__db_read_begin(db, &txn));
    assert_ok(tix__stats_popularity(db, txn, movie, tix_db_now(db), &n));
    tix__db_read_end(db, txn);
    return n;
}

static uint32_t user_movie(tix_db *db, tix_id user, tix_id movie)
{
    MDB_txn *txn;
    uint32_t n;
    assert_ok(tix__db_read_begin(db, &txn));
    assert_ok(tix__stats_user_movie(db, txn, user, movie, &n));
    tix__db_read_end(db, txn);
    return n;
}

static uint32_t cobooked(tix_db *db, tix_id x, tix_id y)
{
    MDB_txn *txn;
    uint32_t n;
    assert_ok(tix__db_read_begin(db, &txn));
    assert_ok(tix__stats_cobooked(db, txn, x, y, &n));
    tix__db_read_end(db, txn);
    return n;
}

static void popularity_counts_the_last_days(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id movie = f->c.movie;
    assert_int_equal(popularity(db, movie), 0);
    fe_book(f, f->show, f->user, 0);
    fe_book(f, f->show, f->user, 1);
    tix_id late = fe_show(f, movie, 120); /* 21 days ahead */
    tt_now += 3 * 86400;
    tix_id three_days = fe_book(f, late, f->user, 0);
    assert_int_equal(popularity(db, movie), 3);
    /* Day 7 after the first bookings: they drop out, day 3 stays. */
    tt_now += 4 * 86400;
    assert_int_equal(popularity(db, movie), 1);
    tt_now -= 4 * 86400;
    /* Cancelling the day-3 booking takes it off its own day. */
    assert_ok(tix_booking_cancel(db, three_days));
    assert_int_equal(popularity(db, movie), 2);
    tt_now += 10 * 86400;
    assert_int_equal(popularity(db, movie), 0);
    fe_book(f, late, f->user, 5); /* the window moves on */
    assert_int_equal(popularity(db, movie), 1);
}

static void user_movie_counts_follow_cancels(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id a = fe_book(f, f->show, f->user, 0);
    tix_id b = fe_book(f, f->show, f->user, 1);
    assert_int_equal(user_movie(db, f->user, f->c.movie), 2);
    assert_ok(tix_booking_cancel(db, a));
    assert_int_equal(user_movie(db, f->user, f->c.movie), 1);
    assert_ok(tix_booking_cancel(db, b));
    assert_int_equal(user_movie(db, f->user, f->c.movie), 0);
    assert_int_equal(user_movie(db, 999, f->c.movie), 0);
    /* A failed confirm (unknown user) changes no counter. */
    uint32_t seat = 9;
    tix_hold *h;
    assert_ok(tix_hold_create(db, f->show, &seat, 1, NULL, &h));
    tix_confirm_opts o = {.user_id = 999, .payment_ref = "nobody"};
    tix_id id;
    uint64_t before = tt_digest(db);
    assert_code(tix_hold_confirm(db, h, &o, &id), TIX_ENOTFOUND);
    assert_true(tt_digest(db) == before);
    tix_hold_free(h);
}

static void cobooking_pairs_recent_movies_once(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    enum { N = TIX__RECENT_MOVIES + 4 };
    tix_id movies[N], shows[N];
    for (unsigned i = 0; i < N; i++) {
        char title[32];
        snprintf(title, sizeof title, "Pair %u", i);
        movies[i] = fe_movie(db, title, NULL, NULL);
        shows[i] = fe_show(f, movies[i], i + 1);
    }
    tix_id u2 = fe_user(db, "second", 0, NULL, NULL);
    fe_book(f, shows[0], f->user, 0);
    tix_id b1 = fe_book(f, shows[1], f->user, 0);
    assert_int_equal(cobooked(db, movies[0], movies[1]), 1);
    assert_int_equal(cobooked(db, movies[1], movies[0]), 1);
    assert_int_equal(cobooked(db, movies[0], movies[0]), 0);
    /* Another user booking the pair the other way round adds one. */
    fe_book(f, shows[1], u2, 1);
    fe_book(f, shows[0], u2, 1);
    assert_int_equal(cobooked(db, movies[0], movies[1]), 2);
    /* Booking again, or cancel and book again, counts nobody twice. */
    fe_book(f, shows[0], f->user, 2);
    assert_ok(tix_booking_cancel(db, b1));
    fe_book(f, shows[1], f->user, 3);
    assert_int_equal(cobooked(db, movies[0], movies[1]), 2);
    /* Bounded: a new movie pairs with the last TIX__RECENT_MOVIES only. */
    for (unsigned i = 2; i < N; i++) fe_book(f, shows[i], f->user, 0);
    tix_id last = movies[N - 1];
    assert_int_equal(cobooked(db, movies[0], last), 0);
    assert_int_equal(cobooked(db, movies[N - 1 - TIX__RECENT_MOVIES], last), 1);
    assert_int_equal(cobooked(db, last, movies[N - 2]), 1);
    MDB_txn *txn;
    tix_id recent[TIX__RECENT_MOVIES];
    size_t n;
    assert_ok(tix__db_read_begin(db, &txn));
    assert_ok(tix__stats_recent(db, txn, f->user, recent, &n));
    tix__db_read_end(db, txn);
    assert_int_equal(n, TIX__RECENT_MOVIES);
    assert_true(recent[0] == last && recent[1] == movies[N - 2]);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(popularity_counts_the_last_days),
        T(user_movie_counts_follow_cancels),
        T(cobooking_pairs_recent_movies_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
