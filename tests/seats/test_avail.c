/* lib/seats/avail.c: counts per tier and per-seat states, lazy expiry. */
#include <stdio.h>

#include "engine_fixture.h"

static void counts_follow_every_state(void **state)
{
    fixture *f = *state;
    uint32_t held[] = {0, 1, 2};        /* Silver */
    uint32_t booked[] = {150, 151};     /* Gold */
    uint32_t blocked[] = {199};         /* Gold */
    tix_hold *h = fx_hold(f, held, 3);
    tix_hold *hb = fx_hold(f, booked, 2);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "a1"};
    tix_id bid;
    assert_ok(tix_hold_confirm(f->s.db, hb, &o, &bid));
    assert_ok(tix_seats_block(f->s.db, f->show, blocked, 1));

    tix_avail *a;
    assert_ok(tix_show_availability(f->s.db, f->show, &a));
    assert_int_equal(a->show_id, f->show);
    assert_int_equal(a->all.total, 200);
    assert_int_equal(a->all.held, 3);
    assert_int_equal(a->all.booked, 2);
    assert_int_equal(a->all.unavailable, 1);
    assert_int_equal(a->all.free, 194);
    assert_int_equal(a->n_tiers, 2);
    assert_int_equal(a->tiers[0].tier_id, f->c.tier_cheap); /* cheapest first */
    assert_int_equal(a->tiers[0].held, 3);
    assert_int_equal(a->tiers[0].free, 97);
    assert_int_equal(a->tiers[1].booked, 2);
    assert_int_equal(a->tiers[1].unavailable, 1);
    tix_avail_free(a);

    uint8_t st[200];
    assert_ok(tix_show_seat_states(f->s.db, f->show, st, 200));
    assert_int_equal(st[1], TIX_SEAT_HELD);
    assert_int_equal(st[150], TIX_SEAT_BOOKED);
    assert_int_equal(st[199], TIX_SEAT_UNAVAILABLE);
    assert_int_equal(st[3], TIX_SEAT_FREE);
    assert_code(tix_show_seat_states(f->s.db, f->show, st, 199), TIX_ERANGE);

    tt_now += 601; /* the hold runs out: counted free, nothing swept */
    assert_ok(tix_show_availability(f->s.db, f->show, &a));
    assert_int_equal(a->all.held, 0);
    assert_int_equal(a->all.free, 197);
    tix_avail_free(a);
    tix_hold_free(h);
    tix_hold_free(hb);
}

static void unknown_show_and_bad_args(void **state)
{
    fixture *f = *state;
    tix_avail *a = (tix_avail *)1;
    assert_code(tix_show_availability(f->s.db, 777, &a), TIX_ENOTFOUND);
    assert_null(a);
    assert_code(tix_show_availability(f->s.db, f->show, NULL), TIX_EINVAL);
    assert_code(tix_show_seat_states(f->s.db, f->show, NULL, 10), TIX_EINVAL);
    tix_avail_free(NULL);
}

static void layout_blocked_seats_are_unavailable(void **state)
{
    fixture *f = *state;
    tix_screen scr = {.venue_id = f->c.venue, .name = "Pillars"};
    tix_id screen, tier, show;
    assert_ok(tix_screen_create(f->s.db, &scr, &screen));
    tix_tier t = {.screen_id = screen, .name = "Std", .price_minor = 1,
                  .currency = "EUR"};
    assert_ok(tix_tier_create(f->s.db, &t, &tier));
    tix_seat_spec row[3] = {{.number = 1, .x = 1, .tier_id = tier},
                            {.number = 2, .x = 2, .tier_id = tier,
                             .flags = TIX_SEAT_BLOCKED},
                            {.number = 3, .x = 3, .tier_id = tier}};
    tix_row_spec rs = {.label = "A", .seats = row, .count = 3};
    assert_ok(tix_seats_add_rows(f->s.db, screen, &rs, 1, NULL));
    tix_show sh = {.movie_id = f->c.movie, .screen_id = screen,
                   .start = tt_now + 5 * 86400};
    assert_ok(tix_show_create(f->s.db, &sh, &show));
    uint32_t s1 = 1;
    tix_hold *h;
    assert_code(tix_hold_create(f->s.db, show, &s1, 1, NULL, &h), TIX_ECONFLICT);
    assert_code(tix_seats_unblock(f->s.db, show, &s1, 1), TIX_ESTATE);
    tix_avail *a;
    assert_ok(tix_show_availability(f->s.db, show, &a));
    assert_int_equal(a->all.unavailable, 1);
    assert_int_equal(a->all.free, 2);
    tix_avail_free(a);
}

static void admin_block_and_unblock(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {60, 61};
    assert_ok(tix_seats_block(f->s.db, f->show, seats, 2));
    assert_int_equal(fx_state(f, 60), TIX_SEAT_UNAVAILABLE);
    tix_hold *h;
    assert_code(tix_hold_create(f->s.db, f->show, seats, 1, NULL, &h),
                TIX_ECONFLICT);
    assert_code(tix_seats_block(f->s.db, f->show, seats, 2), TIX_ECONFLICT);
    assert_ok(tix_seats_unblock(f->s.db, f->show, seats, 2));
    assert_int_equal(fx_state(f, 61), TIX_SEAT_FREE);
    assert_code(tix_seats_unblock(f->s.db, f->show, seats, 2), TIX_ESTATE);
    assert_non_null(strstr(tix_errmsg(), "(index 60)"));
    /* A held seat cannot be blocked; the block is all or nothing. */
    uint32_t one[] = {62};
    h = fx_hold(f, one, 1);
    uint32_t both[] = {63, 62};
    uint64_t before = tt_digest(f->s.db);
    assert_code(tix_seats_block(f->s.db, f->show, both, 2), TIX_ECONFLICT);
    assert_true(tt_digest(f->s.db) == before);
    assert_int_equal(fx_state(f, 63), TIX_SEAT_FREE);
    uint32_t dup[] = {64, 64};
    assert_code(tix_seats_block(f->s.db, f->show, dup, 2), TIX_EINVAL);
    uint32_t far[] = {500};
    assert_code(tix_seats_block(f->s.db, f->show, far, 1), TIX_EINVAL);
    /* Blocks survive a rebuild of seats.map (they live in LMDB). */
    assert_ok(tix_seats_block(f->s.db, f->show, seats, 2));
    tix_hold_free(h);
    tix_db_close(f->s.db);
    char p[4096];
    snprintf(p, sizeof p, "%s/seats.map", f->s.dir);
    assert_int_equal(remove(p), 0);
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    assert_int_equal(fx_state(f, 60), TIX_SEAT_UNAVAILABLE);
    assert_int_equal(fx_state(f, 62), TIX_SEAT_FREE); /* holds do not survive */
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(counts_follow_every_state),
        T(unknown_show_and_bad_args),
        T(layout_blocked_seats_are_unavailable),
        T(admin_block_and_unblock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
