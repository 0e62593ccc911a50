/* Waiting rooms: join, shuffle at on-sale, admission by rate and by call,
 * the hold gate, the window, and the bad inputs (each a specific code and
 * the store unchanged). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

static tix_queue_config qcfg(int64_t onsale, uint32_t rate, uint32_t cap)
{
    tix_queue_config c = {.onsale = onsale, .rate = rate, .capacity = cap};
    return c;
}

static void join(fixture *f, char *t)
{
    assert_ok(tix_queue_join(f->s.db, f->show, t, TIX_QUEUE_TICKET_MAX));
    assert_int_equal(strlen(t), 29);
}

static tix_queue_place place(fixture *f, const char *t)
{
    tix_queue_place p;
    assert_ok(tix_queue_status(f->s.db, t, &p));
    return p;
}

static int hold_with(fixture *f, const char *ticket, uint32_t flags,
                     uint32_t seat)
{
    tix_hold_opts o = {.queue_ticket = ticket, .flags = flags};
    tix_hold *h = NULL;
    int rc = tix_hold_create(f->s.db, f->show, &seat, 1, &o, &h);
    if (rc == 0) {
        assert_ok(tix_hold_release(f->s.db, h));
        tix_hold_free(h);
    }
    return rc;
}

/* A show without a queue sells as before; tickets are ignored there. */
static void test_unqueued_show(void **state)
{
    fixture *f = *state;
    assert_ok(hold_with(f, NULL, 0, 3));
    assert_ok(hold_with(f, "Q1garbage", 0, 3));
    char t[TIX_QUEUE_TICKET_MAX];
    assert_rejected(f->s.db, tix_queue_join(f->s.db, f->show, t, sizeof t),
                    TIX_ESTATE, "no waiting room");
    tix_queue_info qi;
    assert_code(tix_queue_get(f->s.db, f->show, &qi), TIX_ENOTFOUND);
    assert_code(tix_queue_admit(f->s.db, f->show, 1), TIX_ESTATE);
    assert_rejected(f->s.db, tix_queue_remove(f->s.db, f->show), TIX_ENOTFOUND,
                    "no waiting room");
}

/* The pre-queue is a permutation at on-sale; later joins queue behind it
 * in arrival order; the rate admits from on-sale on. */
static void test_shuffle_and_rate(void **state)
{
    fixture *f = *state;
    int64_t onsale = tt_now + 100;
    tix_queue_config c = qcfg(onsale, 10, 1000);
    assert_ok(tix_queue_set(f->s.db, f->show, &c));
    enum { PRE = 300, POST = 20 };
    static char t[PRE + POST][TIX_QUEUE_TICKET_MAX];
    for (int i = 0; i < PRE; i++) join(f, t[i]);
    tix_queue_place p = place(f, t[0]);
    assert_int_equal(p.state, TIX_QUEUE_PREQUEUE);
    assert_int_equal(p.wait, 100);
    assert_code(hold_with(f, t[0], 0, 1), TIX_EAGAIN);
    tt_now = onsale;
    for (int i = PRE; i < PRE + POST; i++) join(f, t[i]);
    tix_queue_info qi;
    assert_ok(tix_queue_get(f->s.db, f->show, &qi));
    assert_int_equal(qi.joined, PRE + POST);
    assert_int_equal(qi.prequeue, PRE);
    assert_int_equal(qi.admitted, 0);
    assert_true(qi.shuffled);
    static uint8_t seen[PRE];
    int in_order = 0;
    uint64_t prev = 0;
    for (int i = 0; i < PRE; i++) {
        p = place(f, t[i]);
        assert_int_equal(p.state, TIX_QUEUE_WAITING);
        assert_true(p.position < PRE);
        assert_false(seen[p.position]);
        seen[p.position] = 1;
        in_order += i && p.position > prev;
        prev = p.position;
        assert_int_equal(p.ahead, p.position);
        assert_int_equal(p.wait, (int64_t)(p.position / 10 + 1));
    }
    /* Shuffled: about half the neighbours ascend, not all of them. */
    assert_true(in_order > PRE / 4 && in_order < PRE * 3 / 4);
    for (int i = PRE; i < PRE + POST; i++)
        assert_int_equal(place(f, t[i]).position, i);
    /* Ten a second: after 5 s the first 50 places are in. */
    tt_now = onsale + 5;
    for (int i = 0; i < PRE; i++) {
        p = place(f, t[i]);
        int in = p.position < 50;
        assert_int_equal(p.state, in ? TIX_QUEUE_ADMITTED : TIX_QUEUE_WAITING);
        assert_int_equal(hold_with(f, t[i], 0, 7), in ? TIX_OK : TIX_EAGAIN);
    }
    /* tix_queue_admit adds to the rate: seats freed up. */
    assert_ok(tix_queue_admit(f->s.db, f->show, 250));
    assert_ok(tix_queue_get(f->s.db, f->show, &qi));
    assert_int_equal(qi.admitted, 300);
    assert_ok(hold_with(f, t[PRE - 1], 0, 7));
    assert_code(hold_with(f, t[PRE + POST - 1], 0, 7), TIX_EAGAIN);
    /* The shuffle is fixed once made: the same places later. */
    uint64_t first = place(f, t[0]).position;
    tt_now += 1000;
    assert_int_equal(place(f, t[0]).position, first);
}

/* The gate: no ticket, another show's ticket, an edited ticket, the box
 * office; none of them changes the store. */
static void test_hold_gate(void **state)
{
    fixture *f = *state;
    tix_queue_config c = qcfg(tt_now, 0, 10);
    assert_ok(tix_queue_set(f->s.db, f->show, &c));
    char t[TIX_QUEUE_TICKET_MAX];
    join(f, t);
    uint32_t seat = 4;
    tix_hold *h = NULL;
    assert_rejected(f->s.db, tix_hold_create(f->s.db, f->show, &seat, 1, NULL, &h),
                    TIX_EPERM, "queue ticket");
    assert_null(h);
    tix_best_opts bo = {0};
    assert_rejected(f->s.db, tix_hold_best(f->s.db, f->show, 2, &bo, &h),
                    TIX_EPERM, "queue ticket");
    bo.queue_ticket = t;
    assert_code(tix_hold_best(f->s.db, f->show, 2, &bo, &h), TIX_EAGAIN);
    assert_ok(tix_queue_admit(f->s.db, f->show, 1));
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &bo, &h));
    assert_ok(tix_hold_release(f->s.db, h));
    tix_hold_free(h);
    bo.queue_ticket = NULL;
    bo.flags = TIX_BEST_BOX_OFFICE;
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &bo, &h));
    tix_hold_free(h);
    assert_ok(hold_with(f, NULL, TIX_HOLD_BOX_OFFICE, 9));
    assert_code(hold_with(f, NULL, 0x80, 9), TIX_EINVAL);
    /* An edited ticket, one truncated, one of another show. */
    char bad[TIX_QUEUE_TICKET_MAX];
    strcpy(bad, t);
    bad[25] = bad[25] == 'A' ? 'B' : 'A'; /* in the MAC */
    assert_code(hold_with(f, bad, 0, 9), TIX_EBADCODE);
    tix_queue_place p;
    assert_rejected(f->s.db, tix_queue_status(f->s.db, bad, &p), TIX_EBADCODE,
                    NULL);
    bad[20] = '\0';
    assert_code(hold_with(f, bad, 0, 9), TIX_EBADCODE);
    assert_code(tix_queue_status(f->s.db, "", &p), TIX_EBADCODE);
    assert_code(tix_queue_status(f->s.db, NULL, &p), TIX_EINVAL);
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = tt_now + 3 * 86400};
    tix_id other;
    assert_ok(tix_show_create(f->s.db, &sh, &other));
    assert_ok(tix_queue_set(f->s.db, other, &c));
    char t2[TIX_QUEUE_TICKET_MAX];
    assert_ok(tix_queue_join(f->s.db, other, t2, sizeof t2));
    assert_code(hold_with(f, t2, 0, 9), TIX_EINVAL);
    /* Removed: holds need nothing, the old tickets are dead. */
    assert_ok(tix_queue_remove(f->s.db, f->show));
    assert_ok(hold_with(f, NULL, 0, 9));
    assert_code(tix_queue_status(f->s.db, t, &p), TIX_EBADCODE);
    /* A new queue does not revive them. */
    assert_ok(tix_queue_set(f->s.db, f->show, &c));
    assert_code(tix_queue_status(f->s.db, t, &p), TIX_EBADCODE);
}

/* The window runs from a ticket's first admitted hold. */
static void test_window(void **state)
{
    fixture *f = *state;
    tix_queue_config c = qcfg(tt_now, 100, 10);
    c.window = 60;
    assert_ok(tix_queue_set(f->s.db, f->show, &c));
    char t[TIX_QUEUE_TICKET_MAX];
    join(f, t);
    tt_now += 1;
    tix_queue_place p = place(f, t);
    assert_int_equal(p.state, TIX_QUEUE_ADMITTED);
    assert_int_equal(p.window_end, 0);
    tt_now += 500; /* admitted long ago: the window has not started */
    assert_ok(hold_with(f, t, 0, 1));
    int64_t end = tt_now + 60;
    assert_int_equal(place(f, t).window_end, end);
    tt_now += 59;
    assert_ok(hold_with(f, t, 0, 1));
    assert_int_equal(place(f, t).window_end, end); /* starts once */
    tt_now += 1;
    assert_int_equal(place(f, t).state, TIX_QUEUE_EXPIRED);
    assert_code(hold_with(f, t, 0, 1), TIX_EEXPIRED);
}

/* Bad configurations and calls: specific codes, nothing changed. */
static void test_bad_inputs(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_queue_config c = qcfg(tt_now + 60, 10, 100);
    assert_rejected(db, tix_queue_set(NULL, f->show, &c), TIX_EINVAL, NULL);
    assert_rejected(db, tix_queue_set(db, f->show, NULL), TIX_EINVAL, NULL);
    assert_rejected(db, tix_queue_set(db, 999, &c), TIX_ENOTFOUND, "999");
    c.capacity = 0;
    assert_rejected(db, tix_queue_set(db, f->show, &c), TIX_ERANGE, "capacity");
    c.capacity = TIX_QUEUE_CAPACITY_MAX + 1;
    assert_rejected(db, tix_queue_set(db, f->show, &c), TIX_ERANGE, "capacity");
    c.capacity = 100;
    c.rate = 1000001;
    assert_rejected(db, tix_queue_set(db, f->show, &c), TIX_ERANGE, "rate");
    c.rate = 10;
    c.window = 86401;
    assert_rejected(db, tix_queue_set(db, f->show, &c), TIX_ERANGE, "window");
    c.window = 0;
    c.onsale = 5;
    assert_rejected(db, tix_queue_set(db, f->show, &c), TIX_ERANGE, "onsale");
    c.onsale = tt_now + 60;
    assert_ok(tix_queue_set(db, f->show, &c));
    c.capacity = 200;
    assert_rejected(db, tix_queue_set(db, f->show, &c), TIX_ESTATE, "capacity");
    c.capacity = 100;
    assert_rejected(db, tix_queue_admit(db, f->show, 1), TIX_ESTATE, "on-sale");
    char small[8];
    assert_code(tix_queue_join(db, f->show, small, sizeof small), TIX_ETOOLONG);
    assert_code(tix_queue_join(db, 999, small, TIX_QUEUE_TICKET_MAX),
                TIX_ENOTFOUND);
    tix_queue_info qi;
    assert_ok(tix_queue_get(db, f->show, &qi));
    assert_int_equal(qi.joined, 0);
    assert_code(tix_queue_get(db, f->show, NULL), TIX_EINVAL);
    /* On-sale may move while ahead, not once passed. */
    c.onsale = tt_now + 30;
    assert_ok(tix_queue_set(db, f->show, &c));
    tt_now += 30;
    c.onsale = tt_now + 30;
    assert_rejected(db, tix_queue_set(db, f->show, &c), TIX_ESTATE, "on-sale");
    assert_rejected(db, tix_queue_admit(db, f->show, 0), TIX_ERANGE, "admit");
    /* Full: the capacity is the most tickets ever issued. */
    c = qcfg(tt_now, 0, 3);
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = tt_now + 3 * 86400};
    tix_id other;
    assert_ok(tix_show_create(db, &sh, &other));
    assert_ok(tix_queue_set(db, other, &c));
    char t[TIX_QUEUE_TICKET_MAX];
    for (int i = 0; i < 3; i++) assert_ok(tix_queue_join(db, other, t, sizeof t));
    assert_rejected(db, tix_queue_join(db, other, t, sizeof t), TIX_EFULL, "full");
    assert_ok(tix_queue_get(db, other, &qi));
    assert_int_equal(qi.joined, 3);
}

static void print_problem(void *ctx, const char *problem)
{
    (void)ctx;
    print_message("check: %s\n", problem);
}

/* A rate change after on-sale keeps what was admitted; the config and the
 * queue survive a reopen, and tix check is clean. */
static void test_rate_change_and_reopen(void **state)
{
    fixture *f = *state;
    tix_queue_config c = qcfg(tt_now, 10, 100);
    assert_ok(tix_queue_set(f->s.db, f->show, &c));
    char t[TIX_QUEUE_TICKET_MAX];
    join(f, t);
    tt_now += 3;
    c.rate = 1;
    assert_ok(tix_queue_set(f->s.db, f->show, &c));
    tix_queue_info qi;
    assert_ok(tix_queue_get(f->s.db, f->show, &qi));
    assert_int_equal(qi.admitted, 30);
    tt_now += 4;
    assert_ok(tix_queue_get(f->s.db, f->show, &qi));
    assert_int_equal(qi.admitted, 34);
    tix_db_close(f->s.db);
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    assert_ok(tix_queue_get(f->s.db, f->show, &qi));
    assert_int_equal(qi.joined, 1);
    assert_int_equal(qi.config.rate, 1);
    assert_int_equal(place(f, t).state, TIX_QUEUE_ADMITTED);
    tix_check_counts n;
    assert_ok(tix_db_check(f->s.db, print_problem, NULL, &n));
    assert_int_equal(n.problems, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unqueued_show, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_shuffle_and_rate, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_hold_gate, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_window, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bad_inputs, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_rate_change_and_reopen, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
