/* tests/util/invariants.c checks itself: a healthy store passes, and each
 * kind of damage the reliability tests must catch is caught -- a stale
 * seats.map word, a lease nobody holds, a missing or doubled outbox
 * event, a seat in two live bookings, a lost seat row or ticket, a
 * reported booking or check-in that is not there. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "tables.h"
#include "engine.h"
#include "engine_fixture.h"
#include "hold.h"
#include "invariants.h"

/* A booking of seats 3-4 (two tickets), one checked in, one cancelled
 * booking, an acknowledged event. */
static tix_id booking(fixture *f, const char *ref, uint32_t a, uint32_t b)
{
    uint32_t seats[] = {a, b};
    tix_hold *h = fx_hold(f, seats, 2);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = ref,
                          .seats_per_ticket = 1};
    tix_id id;
    assert_ok(tix_hold_confirm(f->s.db, h, &o, &id));
    tix_hold_free(h);
    return id;
}

static tix_id healthy(fixture *f, char code[TIX_TICKET_CODE_LEN + 1])
{
    tix_id id = booking(f, "inv-1", 3, 4);
    tix_id gone = booking(f, "inv-2", 7, 8);
    assert_ok(tix_booking_cancel(f->s.db, gone));
    tix_booking *b;
    assert_ok(tix_booking_get(f->s.db, id, &b));
    memcpy(code, b->tickets[0].code, TIX_TICKET_CODE_LEN + 1);
    tix_booking_free(b);
    assert_ok(tix_ticket_checkin(f->s.db, code, "G", NULL));
    assert_ok(tix_outbox_register(f->s.db, "mail", 0));
    assert_ok(tix_outbox_ack(f->s.db, "mail", 2));
    tt_inv_opts o = {.run_check = 1};
    tt_inv_stats st;
    tt_inv_assert(f->s.db, &o, &st);
    assert_int_equal(st.bookings, 2);
    assert_int_equal(st.live, 1);
    assert_int_equal(st.checked_in, 1);
    assert_int_equal(st.events, 4); /* booked x2, cancelled, checked in */
    return id;
}

static size_t problems(fixture *f)
{
    tt_inv_opts o = {.quiet = 1};
    return tt_inv_check(f->s.db, &o, NULL);
}

struct raw {
    int table, del;
    const void *key;
    size_t klen;
    const void *val;
    size_t vlen;
};

static int raw_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct raw *r = arg;
    MDB_val k = {r->klen, (void *)r->key}, v = {r->vlen, (void *)r->val};
    int rc = r->del ? mdb_del(txn, db->dbi[r->table], &k, NULL)
                    : mdb_put(txn, db->dbi[r->table], &k, &v, 0);
    return rc ? TIX_EIO : TIX_OK;
}

static void raw(fixture *f, int table, int del, const void *key, size_t klen,
                const void *val, size_t vlen)
{
    struct raw r = {table, del, key, klen, val, vlen};
    assert_ok(tix__db_write(f->s.db, raw_txn, &r));
}

static void *raw_get(fixture *f, int table, const void *key, size_t klen,
                     size_t *len)
{
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(f->s.db, &txn));
    MDB_val k = {klen, (void *)key}, v;
    assert_int_equal(mdb_get(txn, f->s.db->dbi[table], &k, &v), 0);
    void *copy = malloc(v.mv_size);
    memcpy(copy, v.mv_data, v.mv_size);
    *len = v.mv_size;
    tix__db_read_end(f->s.db, txn);
    return copy;
}

static void catches_stale_words(void **state)
{
    fixture *f = *state;
    char code[TIX_TICKET_CODE_LEN + 1];
    healthy(f, code);
    const tix__show_entry *e;
    assert_ok(tix__engine_show(f->s.db, f->show, &e));
    uint64_t w = tix__w_load(&e->seats[3]);
    atomic_store(&e->seats[3], tix__w_make(TIX_W_FREE, 0, 0)); /* sold seat free */
    assert_true(problems(f) > 0);
    atomic_store(&e->seats[3], w);
    assert_int_equal(problems(f), 0);
    atomic_store(&e->seats[9], tix__w_make(TIX_W_BOOKED, 0, 99)); /* free seat sold */
    assert_true(problems(f) > 0);
    atomic_store(&e->seats[9], tix__w_make(TIX_W_CONFIRMING, tix__engine_now(f->s.db) + 30, 5));
    assert_true(problems(f) > 0); /* a lease with nothing in flight */
    tt_inv_opts in_flight = {.quiet = 1, .in_flight_ok = 1};
    assert_int_equal(tt_inv_check(f->s.db, &in_flight, NULL), 0);
    atomic_store(&e->seats[9], 0);
    assert_int_equal(problems(f), 0);
}

static void catches_outbox_damage(void **state)
{
    fixture *f = *state;
    char code[TIX_TICKET_CODE_LEN + 1];
    healthy(f, code);
    uint8_t k1[8], k9[8];
    tix__be64_put(k1, 1);
    tix__be64_put(k9, 9);
    size_t len;
    void *ev = raw_get(f, TIX_T_OUTBOX, k1, 8, &len);
    raw(f, TIX_T_OUTBOX, 0, k9, 8, ev, len); /* the booking announced twice */
    assert_true(problems(f) > 0);
    raw(f, TIX_T_OUTBOX, 1, k9, 8, NULL, 0);
    assert_int_equal(problems(f), 0);
    raw(f, TIX_T_OUTBOX, 1, k1, 8, NULL, 0); /* ... or never */
    assert_true(problems(f) > 0);
    tt_inv_opts trimmed = {.quiet = 1, .outbox_trimmed = 1};
    assert_int_equal(tt_inv_check(f->s.db, &trimmed, NULL), 0);
    free(ev);
}

static void catches_double_booking_and_lost_rows(void **state)
{
    fixture *f = *state;
    char code[TIX_TICKET_CODE_LEN + 1];
    tix_id id = healthy(f, code);
    uint8_t k[8], k99[8];
    tix__be64_put(k, id);
    tix__be64_put(k99, 99);
    size_t len;
    void *rec = raw_get(f, TIX_T_BOOKINGS, k, 8, &len);
    raw(f, TIX_T_BOOKINGS, 0, k99, 8, rec, len); /* same seats, live */
    assert_true(problems(f) > 0);
    raw(f, TIX_T_BOOKINGS, 1, k99, 8, NULL, 0);
    free(rec);
    assert_int_equal(problems(f), 0);
    uint8_t sk[TIX__SHOW_SEAT_KEY_LEN];
    tix__show_seat_key(sk, f->show, 4);
    void *row = raw_get(f, TIX_T_SEAT_STATE, sk, sizeof sk, &len);
    raw(f, TIX_T_SEAT_STATE, 1, sk, sizeof sk, NULL, 0);
    assert_true(problems(f) > 0);
    raw(f, TIX_T_SEAT_STATE, 0, sk, sizeof sk, row, len);
    free(row);
    assert_int_equal(problems(f), 0);
    void *t = raw_get(f, TIX_T_TICKETS, code, TIX_TICKET_CODE_LEN, &len);
    raw(f, TIX_T_TICKETS, 1, code, TIX_TICKET_CODE_LEN, NULL, 0);
    assert_true(problems(f) > 0);
    raw(f, TIX_T_TICKETS, 0, code, TIX_TICKET_CODE_LEN, t, len);
    free(t);
    assert_int_equal(problems(f), 0);
}

static void ledger_catches_lost_steps(void **state)
{
    fixture *f = *state;
    char code[TIX_TICKET_CODE_LEN + 1];
    tix_id id = healthy(f, code);
    tt_ledger l;
    tt_ledger_init(&l);
    char line[TT_LINE_MAX], err[300];
    uint32_t seats[] = {3, 4};
    tix_hold *h = tix__hold_new(f->show, 2);
    memcpy(h->seats, seats, sizeof seats);
    tt_line_confirmed(line, id, h, "inv-1");
    assert_int_equal(tt_ledger_line(&l, line, err, sizeof err), 0);
    tt_line_code(line, 'K', code);
    assert_int_equal(tt_ledger_line(&l, line, err, sizeof err), 0);
    tt_line_ack(line, "mail", 2);
    assert_int_equal(tt_ledger_line(&l, line, err, sizeof err), 0);
    assert_int_equal(tt_ledger_verify(f->s.db, &l, 1), 0);
    /* a confirm line twice is a contradiction */
    tt_line_confirmed(line, id, h, "inv-1");
    assert_int_equal(tt_ledger_line(&l, line, err, sizeof err), -1);
    /* a reported booking that is not there, a cancel never done, an ack
     * the cursor does not show */
    tt_line_confirmed(line, 4242, h, "ghost");
    assert_int_equal(tt_ledger_line(&l, line, err, sizeof err), 0);
    assert_true(tt_ledger_verify(f->s.db, &l, 1) > 0);
    l.nb--;
    tt_line_id(line, 'X', id);
    assert_int_equal(tt_ledger_line(&l, line, err, sizeof err), 0);
    assert_true(tt_ledger_verify(f->s.db, &l, 1) > 0);
    tt_ledger_booking *b = tt_ledger_find(&l, id);
    b->cancel = 1; /* only started: either way is fine */
    assert_int_equal(tt_ledger_verify(f->s.db, &l, 1), 0);
    tt_line_ack(line, "mail", 3);
    assert_int_equal(tt_ledger_line(&l, line, err, sizeof err), 0);
    assert_true(tt_ledger_verify(f->s.db, &l, 1) > 0);
    tix_hold_free(h);
    tt_ledger_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(catches_stale_words, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(catches_outbox_damage, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(catches_double_booking_and_lost_rows, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ledger_catches_lost_steps, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
