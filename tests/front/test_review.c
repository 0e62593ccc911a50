/* lib/front/review.c: reviews (one per user per movie), verified flag, delete,
 * upvotes, paging newest first and by helpfulness, outbox events. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "tables.h"
#include "frontend_fixture.h"
#include "outbox.h"

/* Events of @p type in the outbox; *last_review gets the review id of the
 * last one (may be NULL). */
static size_t events(tix_db *db, uint8_t type, tix_id *last_review)
{
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    MDB_cursor *cur;
    assert_int_equal(mdb_cursor_open(txn, db->dbi[TIX_T_OUTBOX], &cur), 0);
    MDB_val k, v;
    size_t n = 0;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        tix__event ev;
        assert_ok(tix__outbox_decode(&v, &ev));
        if (ev.type != type) continue;
        n++;
        if (last_review) *last_review = ev.review_id;
    }
    mdb_cursor_close(cur);
    tix__db_read_end(db, txn);
    return n;
}

static void create_get_find_and_update(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id id = fe_review(db, f->user, f->c.movie, 8, "Loved it.\nGo see it.");
    tix_review *r;
    assert_ok(tix_review_get(db, id, &r));
    assert_true(r->id == id && r->user_id == f->user &&
                r->movie_id == f->c.movie);
    assert_int_equal(r->rating, 8);
    assert_string_equal(r->text, "Loved it.\nGo see it.");
    assert_true(r->created_at == tt_now && r->updated_at == tt_now);
    assert_int_equal(r->helpful, 0);
    assert_int_equal(r->verified, 0);
    tix_review_free(r);

    /* A second review by the same user of the same movie replaces it. */
    tt_now += 60;
    tix_id again = fe_review(db, f->user, f->c.movie, 3, NULL);
    assert_true(again == id);
    assert_ok(tix_review_find(db, f->user, f->c.movie, &r));
    assert_true(r->id == id);
    assert_int_equal(r->rating, 3);
    assert_string_equal(r->text, "");
    assert_true(r->created_at == tt_now - 60 && r->updated_at == tt_now);
    tix_review_free(r);

    tix_rating_summary s;
    assert_ok(tix_rating_summary_get(db, f->c.movie, &s));
    assert_int_equal(s.count, 1);
    assert_int_equal(s.sum, 3);
    assert_int_equal(s.histogram[2], 1);
    assert_int_equal(s.histogram[7], 0);
    assert_true(s.mean == 3.0);

    tix_id last = 0;
    assert_int_equal(events(db, TIX_EVENT_REVIEWED, &last), 2);
    assert_true(last == id);
    assert_code(tix_review_find(db, f->user, 999, &r), TIX_ENOTFOUND);
    assert_null(r);
    assert_code(tix_review_get(db, 999, &r), TIX_ENOTFOUND);
    assert_code(tix_review_get(db, id, NULL), TIX_EINVAL);
}

static void bad_input_changes_nothing(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id id;
    tix_review r = {.user_id = f->user, .movie_id = f->c.movie, .rating = 0};
    assert_rejected(db, tix_review_create(db, &r, &id), TIX_ERANGE, "rating");
    r.rating = 11;
    assert_rejected(db, tix_review_create(db, &r, &id), TIX_ERANGE, "rating");
    r.rating = 5;
    r.text = "caf\xC3";
    assert_rejected(db, tix_review_create(db, &r, &id), TIX_EUTF8, "text");
    r.text = "over\xC0\xAFlong";
    assert_rejected(db, tix_review_create(db, &r, &id), TIX_EUTF8, "text");
    r.text = "bell\a";
    assert_rejected(db, tix_review_create(db, &r, &id), TIX_EINVAL, "text");
    char *big = malloc(2002);
    memset(big, 'x', 2001);
    big[2001] = '\0';
    r.text = big;
    assert_rejected(db, tix_review_create(db, &r, &id), TIX_ETOOLONG, "text");
    big[2000] = '\0'; /* exactly review_text_max: fine */
    r.user_id = 999;
    assert_rejected(db, tix_review_create(db, &r, &id), TIX_ENOTFOUND,
                    "user_id");
    r.user_id = f->user;
    r.movie_id = 999;
    assert_rejected(db, tix_review_create(db, &r, &id), TIX_ENOTFOUND,
                    "movie_id");
    assert_rejected(db, tix_review_create(db, NULL, &id), TIX_EINVAL, NULL);
    assert_rejected(db, tix_review_create(NULL, &r, &id), TIX_EINVAL, NULL);
    assert_rejected(db, tix_review_delete(db, 12345), TIX_ENOTFOUND, "review");
    r.movie_id = f->c.movie;
    assert_ok(tix_review_create(db, &r, &id));
    free(big);
}

static void text_limit_is_configured(void **state)
{
    (void)state;
    tix_config cfg;
    tt_config(&cfg);
    char *dir = tt_tmpdir();
    tix_db *db;
    cfg.review_text_max = 0;
    assert_code(tix_db_open(dir, &cfg, &db), TIX_EINVAL);
    cfg.review_text_max = 65537;
    assert_code(tix_db_open(dir, &cfg, &db), TIX_EINVAL);
    cfg.review_text_max = 5;
    cfg.search_min_chars = 0;
    assert_code(tix_db_open(dir, &cfg, &db), TIX_EINVAL);
    cfg.search_min_chars = 33;
    assert_code(tix_db_open(dir, &cfg, &db), TIX_EINVAL);
    cfg.search_min_chars = 3;
    assert_ok(tix_db_open(dir, &cfg, &db));
    tt_catalog c;
    tt_make_catalog(db, 1, 1, &c);
    tix_id u = fe_user(db, "lim", 0, NULL, NULL);
    tix_review r = {.user_id = u, .movie_id = c.movie, .rating = 7,
                    .text = "12345"};
    tix_id id;
    assert_ok(tix_review_create(db, &r, &id));
    r.text = "123456";
    assert_rejected(db, tix_review_create(db, &r, &id), TIX_ETOOLONG, "5");
    tix_comment cm = {.review_id = id, .user_id = u, .text = "abcdef"};
    assert_rejected(db, tix_comment_create(db, &cm, NULL), TIX_ETOOLONG, "5");
    tix_db_close(db);
    tt_rmrf(dir);
    free(dir);
}

static void verified_follows_confirmed_bookings(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id other = fe_user(db, "ravi", f->c.city, NULL, NULL);
    tix_id booking = fe_book(f, f->show, f->user, 0);
    tix_id mine = fe_review(db, f->user, f->c.movie, 9, "Booked it");
    tix_id theirs = fe_review(db, other, f->c.movie, 2, "Never went");
    tix_review *r;
    assert_ok(tix_review_get(db, mine, &r));
    assert_int_equal(r->verified, 1);
    tix_review_free(r);
    assert_ok(tix_review_get(db, theirs, &r));
    assert_int_equal(r->verified, 0);
    tix_review_free(r);
    /* A cancelled booking no longer verifies. */
    assert_ok(tix_booking_cancel(db, booking));
    assert_ok(tix_review_get(db, mine, &r));
    assert_int_equal(r->verified, 0);
    tix_review_free(r);
    fe_book(f, f->show, f->user, 1);
    tix_review_list *l;
    char next[TIX_REVIEW_CURSOR_MAX];
    assert_ok(tix_review_list_by_movie(db, f->c.movie, TIX_REVIEWS_NEWEST,
                                       NULL, 0, &l, next));
    assert_int_equal(l->count, 2);
    assert_true(l->items[0].id == theirs && l->items[0].verified == 0);
    assert_true(l->items[1].id == mine && l->items[1].verified == 1);
    assert_string_equal(next, "");
    tix_review_list_free(l);
}

static void delete_removes_comments_votes_and_rating(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id other = fe_user(db, "meera", f->c.city, NULL, NULL);
    uint64_t empty = tt_digest(db);
    tix_id id = fe_review(db, f->user, f->c.movie, 6, "ok");
    assert_ok(tix_review_upvote(db, id, other));
    tix_comment c = {.review_id = id, .user_id = other, .text = "agreed"};
    tix_id top;
    assert_ok(tix_comment_create(db, &c, &top));
    c.parent_id = top;
    c.user_id = f->user;
    assert_ok(tix_comment_create(db, &c, NULL));
    assert_ok(tix_review_delete(db, id));
    tix_review *r;
    assert_code(tix_review_get(db, id, &r), TIX_ENOTFOUND);
    assert_code(tix_review_find(db, f->user, f->c.movie, &r), TIX_ENOTFOUND);
    tix_comment_list *cl;
    assert_ok(tix_comment_list_by_review(db, id, &cl));
    assert_int_equal(cl->count, 0);
    tix_comment_list_free(cl);
    tix_rating_summary s;
    assert_ok(tix_rating_summary_get(db, f->c.movie, &s));
    assert_int_equal(s.count, 0);
    assert_true(s.mean == 0);
    tix_id last = 0;
    assert_int_equal(events(db, TIX_EVENT_REVIEWED, &last), 2);
    assert_true(last == id);
    /* Everything but the outbox and the id counters is as before. */
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    for (int t = TIX_T_REVIEWS; t <= TIX_T_RATINGS; t++) {
        MDB_stat st;
        assert_int_equal(mdb_stat(txn, db->dbi[t], &st), 0);
        assert_int_equal(st.ms_entries, 0);
    }
    tix__db_read_end(db, txn);
    assert_true(tt_digest(db) != empty); /* outbox and counters moved on */
    assert_rejected(db, tix_review_delete(db, id), TIX_ENOTFOUND, "review");
}

static void upvotes_are_idempotent(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id a = fe_user(db, "anu", 0, NULL, NULL);
    tix_id b = fe_user(db, "bala", 0, NULL, NULL);
    tix_id id = fe_review(db, f->user, f->c.movie, 7, "fine");
    assert_ok(tix_review_upvote(db, id, a));
    uint64_t once = tt_digest(db);
    assert_ok(tix_review_upvote(db, id, a)); /* again: no change */
    assert_true(tt_digest(db) == once);
    assert_ok(tix_review_upvote(db, id, b));
    tix_review *r;
    assert_ok(tix_review_get(db, id, &r));
    assert_int_equal(r->helpful, 2);
    tix_review_free(r);
    assert_rejected(db, tix_review_upvote(db, id, f->user), TIX_EINVAL,
                    "cannot upvote");
    assert_rejected(db, tix_review_upvote(db, 999, a), TIX_ENOTFOUND,
                    "review_id");
    assert_rejected(db, tix_review_upvote(db, id, 999), TIX_ENOTFOUND,
                    "user_id");
    assert_rejected(db, tix_review_unvote(db, 999, a), TIX_ENOTFOUND,
                    "review_id");
    assert_ok(tix_review_unvote(db, id, b));
    uint64_t after = tt_digest(db);
    assert_ok(tix_review_unvote(db, id, b)); /* nothing to withdraw */
    assert_true(tt_digest(db) == after);
    assert_ok(tix_review_get(db, id, &r));
    assert_int_equal(r->helpful, 1);
    tix_review_free(r);
}

/* Reviews of the fixture movie by @p n new users, ratings 1.., each a
 * second apart; ids in *ids. */
static void many_reviews(fixture *f, size_t n, tix_id *ids, tix_id *users)
{
    for (size_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "reviewer%zu", i);
        users[i] = fe_user(f->s.db, name, 0, NULL, NULL);
        ids[i] = fe_review(f->s.db, users[i], f->c.movie,
                           (uint32_t)(i % 10 + 1), name);
        tt_now++;
    }
}

/* Pages through a movie's reviews; returns how many, ids in @p out. */
static size_t page_all(tix_db *db, tix_id movie, tix_review_order order,
                       size_t limit, tix_id *out, size_t cap)
{
    char cursor[TIX_REVIEW_CURSOR_MAX] = "";
    size_t n = 0;
    do {
        tix_review_list *l;
        assert_ok(tix_review_list_by_movie(db, movie, order, cursor, limit, &l,
                                           cursor));
        assert_true(l->count <= limit);
        for (size_t i = 0; i < l->count && n < cap; i++) out[n++] = l->items[i].id;
        tix_review_list_free(l);
    } while (cursor[0]);
    return n;
}

static void newest_first_paging_survives_new_reviews(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    enum { N = 7 };
    tix_id ids[N], users[N];
    many_reviews(f, N, ids, users);
    tix_id got[N + 8];
    size_t n = page_all(db, f->c.movie, TIX_REVIEWS_NEWEST, 3, got, N + 8);
    assert_int_equal(n, N);
    for (size_t i = 0; i < N; i++) assert_true(got[i] == ids[N - 1 - i]);

    /* Page 1, then new reviews and a deleted one, then the rest: no
     * duplicates, no originals skipped (but the deleted one). */
    tix_review_list *l;
    char cursor[TIX_REVIEW_CURSOR_MAX];
    assert_ok(tix_review_list_by_movie(db, f->c.movie, TIX_REVIEWS_NEWEST,
                                       "", 3, &l, cursor));
    assert_int_equal(l->count, 3);
    assert_true(l->items[2].id == ids[N - 3]);
    tix_review_list_free(l);
    tix_id fresh = fe_review(db, fe_user(db, "late", 0, NULL, NULL),
                             f->c.movie, 10, "late");
    assert_ok(tix_review_delete(db, ids[1]));
    assert_ok(tix_review_list_by_movie(db, f->c.movie, TIX_REVIEWS_NEWEST,
                                       cursor, 10, &l, cursor));
    assert_int_equal(l->count, N - 4);
    assert_true(l->items[0].id == ids[N - 4]);
    for (size_t i = 0; i < l->count; i++) {
        assert_true(l->items[i].id != fresh);
        assert_true(l->items[i].id != ids[1]);
    }
    assert_string_equal(cursor, "");
    tix_review_list_free(l);

    /* A cursor whose last review was deleted meanwhile still resumes
     * right after it: order now fresh, 6, 5, 4, 3, 2, 0. */
    assert_ok(tix_review_list_by_movie(db, f->c.movie, TIX_REVIEWS_NEWEST,
                                       NULL, 3, &l, cursor));
    assert_true(l->items[2].id == ids[5]);
    tix_review_list_free(l);
    assert_ok(tix_review_delete(db, ids[5]));
    assert_ok(tix_review_list_by_movie(db, f->c.movie, TIX_REVIEWS_NEWEST,
                                       cursor, 2, &l, cursor));
    assert_int_equal(l->count, 2);
    assert_true(l->items[0].id == ids[4] && l->items[1].id == ids[3]);
    assert_string_not_equal(cursor, "");
    tix_review_list_free(l);
}

static void helpful_order_and_cursor_errors(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    enum { N = 6 };
    tix_id ids[N], users[N];
    many_reviews(f, N, ids, users);
    /* ids[2] gets 3 votes, ids[4] and ids[0] 1 each. */
    for (size_t v = 3; v < 6; v++) assert_ok(tix_review_upvote(db, ids[2], users[v]));
    assert_ok(tix_review_upvote(db, ids[4], users[0]));
    assert_ok(tix_review_upvote(db, ids[0], users[1]));
    tix_id got[N];
    size_t n = page_all(db, f->c.movie, TIX_REVIEWS_HELPFUL, 2, got, N);
    assert_int_equal(n, N);
    const tix_id want[N] = {ids[2], ids[4], ids[0], ids[5], ids[3], ids[1]};
    for (size_t i = 0; i < N; i++) assert_true(got[i] == want[i]);

    tix_review_list *l;
    char next[TIX_REVIEW_CURSOR_MAX];
    assert_ok(tix_review_list_by_movie(db, f->c.movie, TIX_REVIEWS_HELPFUL,
                                       NULL, 2, &l, next));
    tix_review_list_free(l);
    assert_code(tix_review_list_by_movie(db, f->c.movie, TIX_REVIEWS_NEWEST,
                                         next, 2, &l, next), TIX_EINVAL);
    assert_null(l);
    assert_code(tix_review_list_by_movie(db, f->c.movie + 1,
                                         TIX_REVIEWS_HELPFUL, next, 2, &l,
                                         next), TIX_EINVAL);
    char bad[TIX_REVIEW_CURSOR_MAX];
    memcpy(bad, next, sizeof bad);
    bad[5] = 'g';
    assert_code(tix_review_list_by_movie(db, f->c.movie, TIX_REVIEWS_HELPFUL,
                                         bad, 2, &l, next), TIX_EBADCODE);
    assert_code(tix_review_list_by_movie(db, f->c.movie, TIX_REVIEWS_HELPFUL,
                                         "N12", 2, &l, next), TIX_EBADCODE);
    assert_code(tix_review_list_by_movie(db, f->c.movie, TIX_REVIEWS_HELPFUL,
                                         NULL, TIX_REVIEW_PAGE_MAX + 1, &l,
                                         next), TIX_ERANGE);
    assert_code(tix_review_list_by_movie(db, f->c.movie, (tix_review_order)7,
                                         NULL, 1, &l, next), TIX_EINVAL);
    assert_code(tix_review_list_by_movie(db, f->c.movie, TIX_REVIEWS_NEWEST,
                                         NULL, 1, &l, NULL), TIX_EINVAL);
    /* A movie without reviews (or unknown) gives an empty page. */
    assert_ok(tix_review_list_by_movie(db, 4242, TIX_REVIEWS_NEWEST, NULL, 0,
                                       &l, next));
    assert_int_equal(l->count, 0);
    assert_string_equal(next, "");
    tix_review_list_free(l);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(create_get_find_and_update),
        T(bad_input_changes_nothing),
        cmocka_unit_test(text_limit_is_configured),
        T(verified_follows_confirmed_bookings),
        T(delete_removes_comments_votes_and_rating),
        T(upvotes_are_idempotent),
        T(newest_first_paging_survives_new_reviews),
        T(helpful_order_and_cursor_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
