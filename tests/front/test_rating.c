/* lib/front/rating.c: rating summaries stay exact through any sequence of
 * review creates, updates and deletes. */
#include <stdlib.h>
#include <string.h>

#include "frontend_fixture.h"
#include "tables.h"
#include "rating.h"

enum { USERS = 12, MOVIES = 4 };

/* Recomputes every movie's summary from the reviews table. */
static void recompute(tix_db *db, const tix_id *movies,
                      tix_rating_summary *want)
{
    memset(want, 0, MOVIES * sizeof *want);
    for (int m = 0; m < MOVIES; m++) want[m].movie_id = movies[m];
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    MDB_cursor *cur;
    assert_int_equal(mdb_cursor_open(txn, db->dbi[TIX_T_REVIEWS], &cur), 0);
    MDB_val k, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        tix_review *r;
        assert_ok(tix_review_get(db, tix__be64_get(k.mv_data), &r));
        for (int m = 0; m < MOVIES; m++)
            if (movies[m] == r->movie_id) {
                want[m].count++;
                want[m].sum += r->rating;
                want[m].histogram[r->rating - 1]++;
            }
        tix_review_free(r);
    }
    mdb_cursor_close(cur);
    tix__db_read_end(db, txn);
    for (int m = 0; m < MOVIES; m++)
        want[m].mean = want[m].count ? (double)want[m].sum / want[m].count : 0;
}

static void check_all(tix_db *db, const tix_id *movies)
{
    tix_rating_summary want[MOVIES];
    recompute(db, movies, want);
    for (int m = 0; m < MOVIES; m++) {
        tix_rating_summary got;
        assert_ok(tix_rating_summary_get(db, movies[m], &got));
        if (memcmp(&got, &want[m], sizeof got) != 0)
            fail_msg("movie %llu: summary count %llu sum %llu, recomputed "
                     "count %llu sum %llu", (unsigned long long)movies[m],
                     (unsigned long long)got.count,
                     (unsigned long long)got.sum,
                     (unsigned long long)want[m].count,
                     (unsigned long long)want[m].sum);
    }
}

static void summary_is_exact_after_random_changes(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id users[USERS], movies[MOVIES];
    for (int u = 0; u < USERS; u++) {
        char name[16];
        snprintf(name, sizeof name, "rater%d", u);
        users[u] = fe_user(db, name, 0, NULL, NULL);
    }
    movies[0] = f->c.movie;
    for (int m = 1; m < MOVIES; m++) {
        char title[16];
        snprintf(title, sizeof title, "Movie %d", m);
        movies[m] = fe_movie(db, title, NULL, NULL);
    }
    srand(42);
    for (int step = 0; step < 3000; step++) {
        tix_id u = users[rand() % USERS], m = movies[rand() % MOVIES];
        tix_review *r = NULL;
        int have = tix_review_find(db, u, m, &r) == TIX_OK;
        int op = rand() % 10;
        if (have && op < 3) {
            assert_ok(tix_review_delete(db, r->id));
        } else if (op < 9) {
            fe_review(db, u, m, (uint32_t)(rand() % 10 + 1), "r");
        } else {
            /* Rejected writes must leave the summary alone too. */
            tix_review bad = {.user_id = u, .movie_id = m,
                              .rating = (uint32_t)(rand() % 2 ? 0 : 11)};
            assert_rejected(db, tix_review_create(db, &bad, NULL), TIX_ERANGE,
                            "rating");
        }
        tix_review_free(r);
        if (step % 100 == 99) check_all(db, movies);
    }
    check_all(db, movies);
    /* Delete every review: every summary record goes away. */
    for (int u = 0; u < USERS; u++)
        for (int m = 0; m < MOVIES; m++) {
            tix_review *r;
            if (tix_review_find(db, users[u], movies[m], &r) == TIX_OK) {
                assert_ok(tix_review_delete(db, r->id));
                tix_review_free(r);
            }
        }
    check_all(db, movies);
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    MDB_stat st;
    assert_int_equal(mdb_stat(txn, db->dbi[TIX_T_RATINGS], &st), 0);
    assert_int_equal(st.ms_entries, 0);
    tix__db_read_end(db, txn);
}

static void summary_errors(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_rating_summary s;
    assert_ok(tix_rating_summary_get(db, f->c.movie, &s));
    assert_true(s.movie_id == f->c.movie && s.count == 0 && s.mean == 0);
    assert_code(tix_rating_summary_get(db, 999, &s), TIX_ENOTFOUND);
    assert_code(tix_rating_summary_get(db, f->c.movie, NULL), TIX_EINVAL);
    assert_code(tix_rating_summary_get(NULL, f->c.movie, &s), TIX_EINVAL);
    /* Taking away a rating the summary does not hold is corruption. */
    fe_review(db, f->user, f->c.movie, 4, NULL);
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(db->env, NULL, 0, &txn), 0);
    assert_code(tix__rating_apply(db, txn, f->c.movie, 5, 0), TIX_ECORRUPT);
    assert_code(tix__rating_apply(db, txn, f->c.movie, 0, 11), TIX_ERANGE);
    assert_ok(tix__rating_apply(db, txn, f->c.movie, 4, 10));
    assert_ok(tix__rating_read(db, txn, f->c.movie, &s));
    assert_true(s.count == 1 && s.sum == 10 && s.histogram[9] == 1 &&
                s.mean == 10.0);
    mdb_txn_abort(txn);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(summary_is_exact_after_random_changes),
        T(summary_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
