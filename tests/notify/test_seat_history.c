/* Seat history (lib/notify/seatlog.c, tix_seat_history_get): every durable
 * change of a seat with its time, bounded per seat, and the state now. */
#include <stdio.h>

#include "engine_fixture.h"
#include "invariants.h"

static tix_seat_history *history(fixture *f, uint32_t seat)
{
    tix_seat_history *h;
    assert_ok(tix_seat_history_get(f->s.db, f->show, seat, &h));
    assert_int_equal(h->show_id, f->show);
    assert_int_equal(h->seat, seat);
    return h;
}

static void booked_checked_in_cancelled_blocked(void **state)
{
    fixture *f = *state;
    uint32_t seats[2] = {41, 42};
    tix_hold *hold = fx_hold(f, seats, 2);
    tix_seat_history *h = history(f, 41);
    assert_int_equal(h->state, TIX_SEAT_HELD);
    assert_int_equal(h->held_until, tix_hold_expires(hold));
    assert_int_equal(h->count, 0); /* holds are not recorded */
    tix_seat_history_free(h);

    int64_t t0 = tt_now;
    tix_confirm_opts co = {.user_id = f->user, .payment_ref = "hist-1",
                           .seats_per_ticket = 1};
    tix_id booking;
    assert_ok(tix_hold_confirm(f->s.db, hold, &co, &booking));
    tix_hold_free(hold);
    tix_booking *b;
    assert_ok(tix_booking_get(f->s.db, booking, &b));
    tt_now += 60;
    assert_ok(tix_ticket_checkin(f->s.db, b->tickets[0].code, "Gate 3", NULL));
    tix_booking_free(b);
    tt_now += 60;
    assert_ok(tix_booking_cancel_ex(f->s.db, booking, TIX_CANCEL_AFTER_CHECKIN));
    tt_now += 60;
    assert_ok(tix_seats_block(f->s.db, f->show, seats, 1));
    tt_now += 60;
    assert_ok(tix_seats_unblock(f->s.db, f->show, seats, 1));

    h = history(f, 41);
    assert_int_equal(h->state, TIX_SEAT_FREE);
    assert_int_equal(h->held_until, 0);
    assert_int_equal(h->count, 5);
    static const tix_seat_event_type want[] = {
        TIX_SEAT_EVENT_BOOKED, TIX_SEAT_EVENT_CHECKED_IN,
        TIX_SEAT_EVENT_CANCELLED, TIX_SEAT_EVENT_BLOCKED,
        TIX_SEAT_EVENT_UNBLOCKED};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(h->items[i].type, want[i]);
        assert_int_equal(h->items[i].at, t0 + 60 * (int64_t)i);
    }
    assert_int_equal(h->items[0].booking_id, booking);
    assert_int_equal(h->items[0].user_id, f->user);
    assert_string_equal(h->items[1].gate, "Gate 3");
    assert_string_equal(h->items[0].gate, "");
    assert_int_equal(h->items[3].booking_id, 0);
    tix_seat_history_free(h);
    /* Seat 42 is on the other ticket, never checked in, never blocked. */
    h = history(f, 42);
    assert_int_equal(h->count, 2);
    assert_int_equal(h->items[1].type, TIX_SEAT_EVENT_CANCELLED);
    tix_seat_history_free(h);
    /* A seat nothing happened to. */
    h = history(f, 43);
    assert_int_equal(h->count, 0);
    assert_int_equal(h->state, TIX_SEAT_FREE);
    tix_seat_history_free(h);
    tt_inv_assert(f->s.db, &(tt_inv_opts){.run_check = 1}, NULL);
}

static void a_seat_keeps_its_newest_events(void **state)
{
    fixture *f = *state;
    uint32_t seat = 7, other = 8;
    assert_ok(tix_seats_block(f->s.db, f->show, &other, 1));
    for (int i = 0; i < TIX_SEAT_HISTORY_MAX + 5; i++) {
        tt_now += 1;
        assert_ok(i % 2 ? tix_seats_unblock(f->s.db, f->show, &seat, 1)
                        : tix_seats_block(f->s.db, f->show, &seat, 1));
    }
    tix_seat_history *h = history(f, seat);
    assert_int_equal(h->count, TIX_SEAT_HISTORY_MAX);
    assert_int_equal(h->items[TIX_SEAT_HISTORY_MAX - 1].at, tt_now);
    assert_int_equal(h->items[0].at, tt_now - TIX_SEAT_HISTORY_MAX + 1);
    assert_int_equal(h->state, TIX_SEAT_UNAVAILABLE);
    tix_seat_history_free(h);
    /* Its neighbour's history is its own. */
    h = history(f, other);
    assert_int_equal(h->count, 1);
    tix_seat_history_free(h);
}

static void bad_input(void **state)
{
    fixture *f = *state;
    tix_seat_history *h = (tix_seat_history *)1;
    assert_code(tix_seat_history_get(f->s.db, f->show, 200, &h), TIX_EINVAL);
    assert_null(h);
    assert_code(tix_seat_history_get(f->s.db, 999, 0, &h), TIX_ENOTFOUND);
    assert_code(tix_seat_history_get(NULL, f->show, 0, &h), TIX_EINVAL);
    assert_code(tix_seat_history_get(f->s.db, f->show, 0, NULL), TIX_EINVAL);
    tix_seat_history_free(NULL);
    /* A refused block leaves no history. */
    uint32_t seats[2] = {3, 3};
    assert_rejected(f->s.db, tix_seats_block(f->s.db, f->show, seats, 2),
                    TIX_EINVAL, NULL);
    h = history(f, 3);
    assert_int_equal(h->count, 0);
    tix_seat_history_free(h);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(booked_checked_in_cancelled_blocked),
        T(a_seat_keeps_its_newest_events),
        T(bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
