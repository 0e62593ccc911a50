/* lib/front/comment.c: comments on reviews, threaded one level deep. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "tables.h"
#include "frontend_fixture.h"

static tix_id comment(tix_db *db, tix_id review, tix_id parent, tix_id user,
                      const char *text)
{
    tix_comment c = {.review_id = review, .parent_id = parent,
                     .user_id = user, .text = text};
    tix_id id;
    assert_ok(tix_comment_create(db, &c, &id));
    return id;
}

static void threads_list_root_then_replies(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id other = fe_user(db, "kiran", 0, NULL, NULL);
    tix_id rev = fe_review(db, f->user, f->c.movie, 8, "good");
    tix_id a = comment(db, rev, 0, other, "first");
    tix_id b = comment(db, rev, 0, f->user, "second");
    tt_now += 5;
    tix_id a1 = comment(db, rev, a, f->user, "reply to first");
    tix_id b1 = comment(db, rev, b, other, "reply to second");
    tix_id a2 = comment(db, rev, a, other, "another\nline");
    tix_comment_list *l;
    assert_ok(tix_comment_list_by_review(db, rev, &l));
    assert_int_equal(l->count, 5);
    const tix_id want[] = {a, a1, a2, b, b1};
    for (size_t i = 0; i < 5; i++) assert_true(l->items[i].id == want[i]);
    assert_true(l->items[0].parent_id == 0 && l->items[1].parent_id == a);
    assert_true(l->items[1].review_id == rev && l->items[1].user_id == f->user);
    assert_string_equal(l->items[2].text, "another\nline");
    assert_true(l->items[2].created_at == tt_now);
    tix_comment_list_free(l);
    assert_ok(tix_comment_list_by_review(db, 999, &l));
    assert_int_equal(l->count, 0);
    tix_comment_list_free(l);
}

static void bad_comments_change_nothing(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id rev = fe_review(db, f->user, f->c.movie, 8, "good");
    tix_id other_movie = fe_movie(db, "Other", NULL, NULL);
    tix_id rev2 = fe_review(db, f->user, other_movie, 4, "meh");
    tix_id top = comment(db, rev, 0, f->user, "top");
    tix_id reply = comment(db, rev, top, f->user, "reply");
    tix_id top2 = comment(db, rev2, 0, f->user, "elsewhere");
    tix_comment c = {.review_id = rev, .parent_id = reply, .user_id = f->user,
                     .text = "deeper"};
    tix_id id;
    assert_rejected(db, tix_comment_create(db, &c, &id), TIX_EINVAL, "reply");
    c.parent_id = top2;
    assert_rejected(db, tix_comment_create(db, &c, &id), TIX_EINVAL,
                    "parent_id");
    c.parent_id = 999;
    assert_rejected(db, tix_comment_create(db, &c, &id), TIX_ENOTFOUND,
                    "parent_id");
    c.parent_id = 0;
    c.review_id = 999;
    assert_rejected(db, tix_comment_create(db, &c, &id), TIX_ENOTFOUND,
                    "review_id");
    c.review_id = rev;
    c.user_id = 999;
    assert_rejected(db, tix_comment_create(db, &c, &id), TIX_ENOTFOUND,
                    "user_id");
    c.user_id = f->user;
    c.text = "";
    assert_rejected(db, tix_comment_create(db, &c, &id), TIX_EINVAL, "text");
    c.text = NULL;
    assert_rejected(db, tix_comment_create(db, &c, &id), TIX_EINVAL, "text");
    c.text = "\xFF\xFE";
    assert_rejected(db, tix_comment_create(db, &c, &id), TIX_EUTF8, "text");
    char *big = malloc(2002);
    memset(big, 'y', 2001);
    big[2001] = '\0';
    c.text = big;
    assert_rejected(db, tix_comment_create(db, &c, &id), TIX_ETOOLONG, "text");
    free(big);
    assert_rejected(db, tix_comment_create(db, NULL, &id), TIX_EINVAL, NULL);
    assert_rejected(db, tix_comment_delete(db, 999), TIX_ENOTFOUND, "comment");
}

static void delete_reply_or_whole_thread(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id rev = fe_review(db, f->user, f->c.movie, 8, "good");
    tix_id a = comment(db, rev, 0, f->user, "a");
    tix_id a1 = comment(db, rev, a, f->user, "a1");
    tix_id a2 = comment(db, rev, a, f->user, "a2");
    tix_id b = comment(db, rev, 0, f->user, "b");
    tix_id b1 = comment(db, rev, b, f->user, "b1");
    assert_ok(tix_comment_delete(db, a1));
    tix_comment_list *l;
    assert_ok(tix_comment_list_by_review(db, rev, &l));
    assert_int_equal(l->count, 4);
    assert_true(l->items[1].id == a2);
    tix_comment_list_free(l);
    assert_ok(tix_comment_delete(db, a)); /* takes a2 with it */
    assert_ok(tix_comment_list_by_review(db, rev, &l));
    assert_int_equal(l->count, 2);
    assert_true(l->items[0].id == b && l->items[1].id == b1);
    tix_comment_list_free(l);
    assert_rejected(db, tix_comment_delete(db, a2), TIX_ENOTFOUND, "comment");
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    MDB_stat st;
    assert_int_equal(mdb_stat(txn, db->dbi[TIX_T_COMMENTS], &st), 0);
    assert_int_equal(st.ms_entries, 2);
    tix__db_read_end(db, txn);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(threads_list_root_then_replies),
        T(bad_comments_change_nothing),
        T(delete_reply_or_whole_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
