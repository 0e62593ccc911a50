/* lib/check/check.c on sales channels: tix_db_check compares each seat's
 * channel byte in seats.map with LMDB's channel_seats rows, and the rows
 * with the show and the channels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "engine.h"
#include "tables.h"
#include "testutil.h"

typedef struct fixture {
    tt_store s;
    tt_catalog c;
    tix_id show, box;
    char found[4096]; /* the problems of the last check, one a line */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tt_now = 1767225600;
    tt_open(&f->s);
    tt_make_catalog(f->s.db, 4, 10, &f->c);
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = tt_now + 86400};
    assert_ok(tix_show_create(f->s.db, &sh, &f->show));
    tix_channel ch = {.name = "box office"};
    assert_ok(tix_channel_create(f->s.db, &ch, &f->box));
    uint32_t seats[] = {0, 1, 2};
    assert_ok(tix_channel_assign(f->s.db, f->show, f->box, seats, 3));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tt_close(&f->s);
    free(f);
    return 0;
}

static void collect(void *ctx, const char *problem)
{
    fixture *f = ctx;
    size_t used = strlen(f->found);
    snprintf(f->found + used, sizeof f->found - used, "%s\n", problem);
}

static uint64_t check(fixture *f)
{
    f->found[0] = '\0';
    tix_check_counts n;
    assert_ok(tix_db_check(f->s.db, collect, f, &n));
    return n.problems;
}

struct row {
    int del;
    uint32_t seat;
    uint8_t ch;
};

static int row_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    const struct row *r = arg;
    uint8_t key[12];
    tix__be64_put(key, 1);
    tix__be32_put(key + 8, r->seat);
    MDB_val k = {sizeof key, key}, v = {1, (void *)&r->ch};
    int mrc = r->del ? mdb_del(txn, db->dbi[TIX_T_CHANNEL_SEATS], &k, NULL)
                     : mdb_put(txn, db->dbi[TIX_T_CHANNEL_SEATS], &k, &v, 0);
    return mrc ? TIX_EIO : TIX_OK;
}

static void raw_row(fixture *f, int del, uint32_t seat, uint8_t ch)
{
    assert_int_equal(f->show, 1); /* row_txn's key */
    struct row r = {del, seat, ch};
    assert_ok(tix__db_write(f->s.db, row_txn, &r));
}

static tix__chan_area *area(fixture *f)
{
    const tix__show_entry *e;
    assert_ok(tix__engine_show(f->s.db, f->show, &e));
    assert_non_null(e->chan);
    return e->chan;
}

/* Moves, a hold through the channel and a release keep both sides equal. */
static void channels_agree(void **state)
{
    fixture *f = *state;
    assert_int_equal(check(f), 0);
    tix_hold *h;
    uint32_t seat = 1, back = 2;
    tix_hold_opts o = {.channel = f->box};
    assert_ok(tix_hold_create(f->s.db, f->show, &seat, 1, &o, &h));
    assert_ok(tix_channel_assign(f->s.db, f->show, 0, &back, 1));
    assert_ok(tix_channel_release(f->s.db, f->show, f->box, 0));
    assert_int_equal(check(f), 0);
    tix_hold_free(h);
}

static void map_byte_differs(void **state)
{
    fixture *f = *state;
    tix__chan_area *a = area(f);
    atomic_store(&a->seat[5], (uint8_t)f->box); /* LMDB: public */
    assert_int_equal(check(f), 1);
    assert_non_null(strstr(f->found, "show 1 seat 5: seats.map says channel 1, "
                                     "LMDB says channel 0"));
    atomic_store(&a->seat[5], 0);
    atomic_store(&a->seat[0], 0); /* LMDB: the box office */
    assert_int_equal(check(f), 1);
    assert_non_null(strstr(f->found, "seat 0: seats.map says channel 0, "
                                     "LMDB says channel 1"));
    atomic_store(&a->seat[0], (uint8_t)f->box);
    assert_int_equal(check(f), 0);
}

static void lmdb_row_differs(void **state)
{
    fixture *f = *state;
    raw_row(f, 1, 1, 0); /* the row of a channel seat lost */
    assert_int_equal(check(f), 2);
    assert_non_null(strstr(f->found, "seat 1: seats.map says channel 1, LMDB "
                                     "says channel 0"));
    assert_non_null(strstr(f->found, "seats.map counts 3 channel seats, LMDB "
                                     "has 2"));
    raw_row(f, 0, 1, (uint8_t)f->box);
    assert_int_equal(check(f), 0);
}

static void row_names_nothing(void **state)
{
    fixture *f = *state;
    tix__chan_area *a = area(f);
    raw_row(f, 0, 7, 9); /* channel 9 was never created */
    atomic_store(&a->seat[7], 9);
    atomic_fetch_add(&a->assigned, 1);
    assert_int_equal(check(f), 1);
    assert_non_null(strstr(f->found, "seat 7: channel_seats names channel 9, "
                                     "which does not exist"));
    raw_row(f, 1, 7, 0);
    atomic_store(&a->seat[7], 0);
    atomic_fetch_sub(&a->assigned, 1);
    raw_row(f, 0, 40, (uint8_t)f->box); /* past the show's 40 seats */
    assert_int_equal(check(f), 1);
    assert_non_null(strstr(f->found, "names no seat of the show"));
    raw_row(f, 1, 40, 0);
    assert_int_equal(check(f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(channels_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(map_byte_differs, setup, teardown),
        cmocka_unit_test_setup_teardown(lmdb_row_differs, setup, teardown),
        cmocka_unit_test_setup_teardown(row_names_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
