/* lib/sell/cancel.c tix_show_cancel, lib/catalog/show.c (the cancelled
 * show record): a cancelled show refunds its bookings, keeps every seat
 * blocked across a seats.map rebuild and refuses holds; refusals leave the
 * store unchanged; tix check stays clean. */
#include "db.h"
#include "tables.h"
#include "engine_fixture.h"
#include "outbox.h"
#include <stdio.h>

static size_t outbox_count(tix_db *db, uint8_t type, tix__event *last)
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
        if (last) *last = ev;
    }
    mdb_cursor_close(cur);
    tix__db_read_end(db, txn);
    return n;
}

static void print_problem(void *ctx, const char *problem)
{
    (void)ctx;
    print_message("check: %s\n", problem);
}

static void assert_check_clean(tix_db *db)
{
    tix_check_counts n;
    assert_ok(tix_db_check(db, print_problem, NULL, &n));
    assert_int_equal(n.problems, 0);
}

static tix_id book(fixture *f, const uint32_t *seats, size_t n,
                   const char *ref)
{
    tix_hold *h = fx_hold(f, seats, n);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = ref};
    tix_id bid;
    assert_ok(tix_hold_confirm(f->s.db, h, &o, &bid));
    tix_hold_free(h);
    return bid;
}

static void cancel_refunds_blocks_and_survives_rebuild(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t a[] = {0, 1}, b[] = {50}, blk[] = {7};
    tix_id b1 = book(f, a, 2, "sc_1"), b2 = book(f, b, 1, "sc_2");
    assert_ok(tix_booking_cancel(db, b2)); /* already refunded: no 2nd event */
    tix_id b3 = book(f, (uint32_t[]){60}, 1, "sc_3");
    assert_ok(tix_seats_block(db, f->show, blk, 1));
    assert_int_equal(outbox_count(db, TIX_EVENT_CANCELLED, NULL), 1);

    assert_ok(tix_show_cancel(db, f->show, "projector broke"));
    tix_booking *bk;
    assert_ok(tix_booking_get(db, b1, &bk));
    assert_int_equal(bk->status, TIX_BOOKING_CANCELLED);
    tix_booking_free(bk);
    assert_ok(tix_booking_get(db, b3, &bk));
    assert_int_equal(bk->status, TIX_BOOKING_CANCELLED);
    tix_booking_free(bk);
    assert_int_equal(outbox_count(db, TIX_EVENT_CANCELLED, NULL), 3);
    tix__event ev;
    assert_int_equal(outbox_count(db, TIX_EVENT_SHOW_CANCELLED, &ev), 1);
    assert_int_equal(ev.show_id, f->show);
    for (uint32_t s = 0; s < 200; s++)
        assert_int_equal(fx_state(f, s), TIX_SEAT_UNAVAILABLE);
    tix_show *sh;
    assert_ok(tix_show_get(db, f->show, &sh));
    assert_int_equal(sh->flags, TIX_SHOW_CANCELLED);
    tix_show_free(sh);
    tix_hold *h;
    assert_rejected(db, tix_hold_create(db, f->show, (uint32_t[]){3}, 1, NULL,
                                        &h), TIX_ESTATE, "cancelled");
    assert_rejected(db, tix_seats_unblock(db, f->show, blk, 1), TIX_ESTATE,
                    "cancelled");
    assert_check_clean(db);

    /* A fresh seats.map is rebuilt from LMDB: still every seat blocked,
     * and a hold now names the cancel. */
    tix_db_close(f->s.db);
    char p[4096];
    snprintf(p, sizeof p, "%s/seats.map", f->s.dir);
    assert_int_equal(remove(p), 0);
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    db = f->s.db;
    for (uint32_t s = 0; s < 200; s++)
        assert_int_equal(fx_state(f, s), TIX_SEAT_UNAVAILABLE);
    assert_rejected(db, tix_hold_create(db, f->show, (uint32_t[]){3}, 1, NULL,
                                        &h), TIX_ESTATE, "cancelled");
    assert_rejected(db, tix_show_cancel(db, f->show, NULL), TIX_EALREADY,
                    "already cancelled");
    assert_check_clean(db);
}

static void cancel_refusals_change_nothing(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    book(f, (uint32_t[]){10}, 1, "rf_1");
    assert_rejected(db, tix_show_cancel(db, 9999, ""), TIX_ENOTFOUND, "9999");
    assert_rejected(db, tix_show_cancel(NULL, f->show, ""), TIX_EINVAL, NULL);
    assert_rejected(db, tix_show_cancel(db, f->show, "two\nlines"),
                    TIX_EINVAL, "reason");
    char longr[TIX_SHOW_REASON_MAX + 2];
    memset(longr, 'x', sizeof longr - 1);
    longr[sizeof longr - 1] = '\0';
    assert_rejected(db, tix_show_cancel(db, f->show, longr), TIX_ETOOLONG,
                    "reason");
    /* A live hold is not taken from its buyer mid-payment. */
    tix_hold *h = fx_hold(f, (uint32_t[]){42}, 1);
    assert_rejected(db, tix_show_cancel(db, f->show, ""), TIX_EBUSY, "held");
    assert_int_equal(fx_state(f, 43), TIX_SEAT_FREE);
    assert_int_equal(fx_state(f, 10), TIX_SEAT_BOOKED);
    assert_ok(tix_hold_release(db, h));
    tix_hold_free(h);
    assert_ok(tix_show_cancel(db, f->show, ""));
    assert_check_clean(db);
    /* An ended show is past cancelling. */
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = tt_now + 3 * 86400};
    tix_id later;
    assert_ok(tix_show_create(db, &sh, &later));
    tt_now += 4 * 86400;
    assert_rejected(db, tix_show_cancel(db, later, ""), TIX_ESTATE, "ended");
}

static void reschedule_moves_times_and_tells_buyers(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id b1 = book(f, (uint32_t[]){5}, 1, "rs_1");
    tix_id b2 = book(f, (uint32_t[]){6}, 1, "rs_2");
    assert_ok(tix_booking_cancel(db, b2));
    tix_show *sh;
    assert_ok(tix_show_get(db, f->show, &sh));
    int64_t start = sh->start, len = sh->end - sh->start;
    tix_show_free(sh);
    /* A second show two days on: the first may not move onto it. */
    tix_show other = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                      .start = start + 2 * 86400};
    tix_id later;
    assert_ok(tix_show_create(db, &other, &later));
    assert_rejected(db, tix_show_reschedule(db, f->show, other.start + 600),
                    TIX_EOVERLAP, "overlaps show");
    assert_rejected(db, tix_show_reschedule(db, f->show, tt_now - 1),
                    TIX_ERANGE, "past");
    assert_rejected(db, tix_show_reschedule(db, 9999, start), TIX_ENOTFOUND,
                    NULL);
    assert_rejected(db, tix_show_reschedule(NULL, f->show, start), TIX_EINVAL,
                    NULL);
    assert_ok(tix_show_reschedule(db, f->show, start)); /* no move, no event */
    assert_int_equal(outbox_count(db, TIX_EVENT_RESCHEDULED, NULL), 0);

    /* A day later: the cached entry must pick up the new end. */
    int64_t moved = start + 86400;
    assert_ok(tix_show_reschedule(db, f->show, moved));
    tix__event ev;
    assert_int_equal(outbox_count(db, TIX_EVENT_RESCHEDULED, &ev), 1);
    assert_int_equal(ev.booking_id, b1);
    assert_true(ev.old_start == start);
    assert_ok(tix_show_get(db, f->show, &sh));
    assert_true(sh->start == moved && sh->end == moved + len);
    tix_show_free(sh);
    tix_show_list *l;
    assert_ok(tix_show_list_by_venue(db, f->c.venue, 20260103, &l));
    assert_int_equal(l->count, 1); /* the local date followed the move */
    assert_int_equal(l->items[0].id, f->show);
    tix_show_list_free(l);
    assert_check_clean(db);
    tt_now = start + len + 60; /* past the old end, before the new one */
    tix_hold *h;
    assert_ok(tix_hold_create(db, f->show, (uint32_t[]){9}, 1, NULL, &h));
    assert_ok(tix_hold_release(db, h));
    tix_hold_free(h);
    /* Back earlier than now's end: the cache sees the show over. */
    assert_ok(tix_show_reschedule(db, f->show, tt_now + 60));
    tt_now += 60 + len;
    assert_rejected(db, tix_hold_create(db, f->show, (uint32_t[]){9}, 1, NULL,
                                        &h), TIX_ESTATE, "ended");
    assert_rejected(db, tix_show_reschedule(db, f->show, tt_now + 86400),
                    TIX_ESTATE, "ended");
    assert_ok(tix_show_cancel(db, later, ""));
    assert_rejected(db, tix_show_reschedule(db, later, tt_now + 86400),
                    TIX_ESTATE, "cancelled");
    assert_check_clean(db);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(cancel_refunds_blocks_and_survives_rebuild),
        T(cancel_refusals_change_nothing),
        T(reschedule_moves_times_and_tells_buyers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
