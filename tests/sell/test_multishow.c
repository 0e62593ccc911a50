/* Multi-show holds (lib/seats/hold.c tix_hold_group_create) and their
 * one-transaction confirm (lib/sell/booking.c tix_hold_group_confirm):
 * all or nothing at hold and at confirm, caps across the parts, linked
 * bookings with their tickets and outbox events, retries. */
#include <stdlib.h>
#include <string.h>

#include "invariants.h"
#include "testutil.h"

typedef struct fixture {
    tt_store s;
    tt_catalog c;
    tix_id shows[3], user;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tt_now = 1767225600;
    tt_open(&f->s);
    tt_make_catalog(f->s.db, 4, 10, &f->c);
    for (int i = 0; i < 3; i++) {
        tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                       .start = tt_now + 86400 * (i + 1)};
        assert_ok(tix_show_create(f->s.db, &sh, &f->shows[i]));
    }
    tix_user u = {.name = "Asha", .email = "asha@example.com",
                  .phone = "+919800000001", .home_city_id = f->c.city};
    assert_ok(tix_user_create(f->s.db, &u, &f->user));
    assert_ok(tix_outbox_register(f->s.db, "t", 0));
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

static const uint32_t two[] = {1, 2}, three[] = {5, 6, 7};

static void make_parts(fixture *f, tix_hold_part p[3])
{
    p[0] = (tix_hold_part){f->shows[0], two, 2};
    p[1] = (tix_hold_part){f->shows[1], three, 3};
    p[2] = (tix_hold_part){f->shows[2], two, 2};
}

static void free_all(tix_hold **h, size_t n)
{
    for (size_t i = 0; i < n; i++) tix_hold_free(h[i]);
}

static void group_books_every_show_linked(void **state)
{
    fixture *f = *state;
    tix_hold_part p[3];
    make_parts(f, p);
    tix_hold *h[3];
    assert_ok(tix_hold_group_create(f->s.db, p, 3, NULL, h));
    tix_confirm_opts co = {.user_id = f->user, .payment_ref = "pass-1",
                           .seats_per_ticket = 1};
    tix_id ids[3];
    assert_ok(tix_hold_group_confirm(f->s.db, h, 3, &co, ids));
    for (int i = 0; i < 3; i++) {
        tix_booking *b;
        assert_ok(tix_booking_get(f->s.db, ids[i], &b));
        assert_int_equal(b->show_id, f->shows[i]);
        assert_int_equal(b->group_id, ids[0]);
        assert_int_equal(b->n_tickets, p[i].n_seats);
        tix_booking_free(b);
    }
    tix_booking *b;
    assert_ok(tix_booking_find_payment(f->s.db, "pass-1#2", &b));
    assert_int_equal(b->id, ids[1]);
    tix_booking_free(b);
    /* A retry gives back the same bookings and books nothing more. */
    tix_id again[3];
    uint64_t before = tt_digest(f->s.db);
    assert_ok(tix_hold_group_confirm(f->s.db, h, 3, &co, again));
    assert_memory_equal(ids, again, sizeof ids);
    assert_true(tt_digest(f->s.db) == before);
    /* One BOOKED event per show. */
    tix_event_list *ev;
    assert_ok(tix_outbox_read(f->s.db, "t", 100, &ev));
    size_t booked = 0;
    for (size_t i = 0; i < ev->count; i++)
        booked += ev->items[i].type == TIX_EVENT_BOOKED;
    assert_int_equal(booked, 3);
    tix_event_list_free(ev);
    /* A part is an ordinary booking: it cancels alone. */
    assert_ok(tix_booking_cancel(f->s.db, ids[2]));
    free_all(h, 3);
    tt_inv_assert(f->s.db, &(tt_inv_opts){.run_check = 1}, NULL);
}

static void group_hold_is_all_or_nothing(void **state)
{
    fixture *f = *state;
    tix_hold *x;
    assert_ok(tix_hold_create(f->s.db, f->shows[2], &two[1], 1, NULL, &x));
    tix_hold_part p[3];
    make_parts(f, p);
    tix_hold *h[3];
    assert_rejected(f->s.db, tix_hold_group_create(f->s.db, p, 3, NULL, h),
                    TIX_ECONFLICT, "part 2");
    uint8_t st[40];
    assert_ok(tix_show_seat_states(f->s.db, f->shows[0], st, sizeof st));
    assert_int_equal(st[1], TIX_SEAT_FREE);
    assert_ok(tix_show_seat_states(f->s.db, f->shows[1], st, sizeof st));
    assert_int_equal(st[5], TIX_SEAT_FREE);
    tix_hold_free(x);
    /* Bad groups. */
    assert_rejected(f->s.db, tix_hold_group_create(f->s.db, p, 0, NULL, h),
                    TIX_EINVAL, NULL);
    p[1].show_id = p[0].show_id;
    assert_rejected(f->s.db, tix_hold_group_create(f->s.db, p, 3, NULL, h),
                    TIX_EINVAL, "twice");
}

static void group_confirm_is_all_or_nothing(void **state)
{
    fixture *f = *state;
    tix_hold_part p[3];
    make_parts(f, p);
    tix_hold *h[3];
    assert_ok(tix_hold_group_create(f->s.db, p, 3, NULL, h));
    assert_ok(tix_hold_release(f->s.db, h[2]));
    tix_confirm_opts co = {.user_id = f->user, .payment_ref = "pass-2"};
    tix_id ids[3];
    assert_rejected(f->s.db, tix_hold_group_confirm(f->s.db, h, 3, &co, ids),
                    TIX_ESTATE, "released");
    /* The other parts are still held, and book alone. */
    uint8_t st[40];
    assert_ok(tix_show_seat_states(f->s.db, f->shows[1], st, sizeof st));
    assert_int_equal(st[6], TIX_SEAT_HELD);
    assert_ok(tix_hold_group_confirm(f->s.db, h, 2, &co, ids));
    /* A refusal found inside the transaction (the payment reference of a
     * later part taken) undoes the parts written before it. */
    tix_hold *g[2];
    tix_hold_part q[2] = {{f->shows[0], three, 3}, {f->shows[1], two, 2}};
    assert_ok(tix_hold_group_create(f->s.db, q, 2, NULL, g));
    tix_hold *lone;
    assert_ok(tix_hold_create(f->s.db, f->shows[2], three, 3, NULL, &lone));
    tix_confirm_opts taken = {.user_id = f->user, .payment_ref = "pass-3#2"};
    assert_ok(tix_hold_confirm(f->s.db, lone, &taken, NULL));
    co.payment_ref = "pass-3";
    assert_rejected(f->s.db, tix_hold_group_confirm(f->s.db, g, 2, &co, ids),
                    TIX_EEXISTS, NULL);
    assert_ok(tix_show_seat_states(f->s.db, f->shows[0], st, sizeof st));
    assert_int_equal(st[5], TIX_SEAT_HELD);
    free_all(g, 2);
    tix_hold_free(lone);
    free_all(h, 3);
    tt_inv_assert(f->s.db, &(tt_inv_opts){.run_check = 1}, NULL);
}

static void caps_count_every_part(void **state)
{
    fixture *f = *state;
    assert_ok(tix_movie_set_user_cap(f->s.db, f->c.movie, 4));
    tix_hold_part p[3];
    make_parts(f, p);
    tix_hold *h[3];
    assert_ok(tix_hold_group_create(f->s.db, p, 2, NULL, h)); /* 2 + 3 seats */
    tix_confirm_opts co = {.user_id = f->user, .payment_ref = "pass-4"};
    tix_id ids[2];
    assert_rejected(f->s.db, tix_hold_group_confirm(f->s.db, h, 2, &co, ids),
                    TIX_ELIMIT, NULL);
    assert_ok(tix_movie_set_user_cap(f->s.db, f->c.movie, 5));
    assert_ok(tix_hold_group_confirm(f->s.db, h, 2, &co, ids));
    free_all(h, 2);
}

static void group_confirm_bad_inputs(void **state)
{
    fixture *f = *state;
    tix_hold_part p[3];
    make_parts(f, p);
    tix_hold *h[3];
    assert_ok(tix_hold_group_create(f->s.db, p, 3, NULL, h));
    tix_confirm_opts co = {.user_id = f->user, .payment_ref = "pass-5"};
    tix_id ids[3];
    assert_rejected(f->s.db, tix_hold_group_confirm(f->s.db, h, 0, &co, ids),
                    TIX_EINVAL, NULL);
    tix_hold *dup[2] = {h[0], h[0]};
    assert_rejected(f->s.db, tix_hold_group_confirm(f->s.db, dup, 2, &co, ids),
                    TIX_EINVAL, "twice");
    co.payment_ref = tt_name_max();
    assert_rejected(f->s.db, tix_hold_group_confirm(f->s.db, h, 3, &co, ids),
                    TIX_ETOOLONG, "suffix");
    co.payment_ref = "pass-5";
    co.user_id = 0;
    assert_rejected(f->s.db, tix_hold_group_confirm(f->s.db, h, 3, &co, ids),
                    TIX_EINVAL, NULL);
    free_all(h, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(group_books_every_show_linked, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(group_hold_is_all_or_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(group_confirm_is_all_or_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(caps_count_every_part, setup, teardown),
        cmocka_unit_test_setup_teardown(group_confirm_bad_inputs, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
