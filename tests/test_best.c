/* lib/best.c: best-available rules -- adjacency, tier, nearest the ideal
 * point, no stranded single seat, accessible seats only when asked. */
#include "engine_fixture.h"

/* Seat index of row r (0 = A), number n (1-based) in the 10 x 20 fixture. */
static uint32_t at(uint32_t r, uint32_t n) { return r * 20 + (n - 1); }

static void picks_adjacent_nearest_ideal_in_cheapest_tier(void **state)
{
    fixture *f = *state;
    tix_hold *h;
    assert_ok(tix_hold_best(f->s.db, f->show, 4, NULL, &h));
    assert_int_equal(tix_hold_count(h), 4);
    /* Cheapest tier is Silver, rows A..E (y 0..4); ideal y is 6.67, so the
     * nearest Silver row is E (y=4), centred on x=10.5. */
    uint32_t first = tix_hold_seat(h, 0);
    assert_int_equal(first / 20, 4);
    for (uint32_t i = 1; i < 4; i++) assert_int_equal(tix_hold_seat(h, i), first + i);
    assert_in_range(first % 20 + 1, 8, 10);
    tix_hold_free(h);
}

static void chosen_tier_and_any_tier(void **state)
{
    fixture *f = *state;
    tix_hold *h;
    tix_best_opts gold = {.tier_id = f->c.tier_gold};
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &gold, &h));
    assert_true(tix_hold_seat(h, 0) / 20 >= 5);
    tix_hold_free(h);
    tix_best_opts any = {.flags = TIX_BEST_ANY_TIER};
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &any, &h));
    assert_int_equal(tix_hold_seat(h, 0) / 20, 6); /* row G, y=6 */
    tix_hold_free(h);
    tix_best_opts nope = {.tier_id = 9999};
    assert_code(tix_hold_best(f->s.db, f->show, 2, &nope, &h), TIX_ENOTFOUND);
    tix_best_opts badflags = {.flags = 0x80};
    assert_code(tix_hold_best(f->s.db, f->show, 2, &badflags, &h), TIX_EINVAL);
    assert_code(tix_hold_best(f->s.db, f->show, 0, NULL, &h), TIX_EINVAL);
    assert_code(tix_hold_best(f->s.db, f->show, 11, NULL, &h), TIX_ELIMIT);
}

static void never_strands_a_single_seat(void **state)
{
    fixture *f = *state;
    /* Fill every Silver row except row E, where only seats 1..3 stay free:
     * taking 2 of them would strand the third. */
    tix_best_opts silver = {.tier_id = f->c.tier_cheap};
    uint32_t block[200];
    size_t n = 0;
    for (uint32_t r = 0; r < 5; r++)
        for (uint32_t s = 1; s <= 20; s++)
            if (!(r == 4 && s <= 3)) block[n++] = at(r, s);
    assert_ok(tix_seats_block(f->s.db, f->show, block, n));
    tix_hold *h;
    assert_code(tix_hold_best(f->s.db, f->show, 2, &silver, &h), TIX_ECONFLICT);
    assert_ok(tix_hold_best(f->s.db, f->show, 3, &silver, &h));
    assert_int_equal(tix_hold_seat(h, 0), at(4, 1));
    tix_hold_free(h);
}

static void gaps_in_numbering_break_adjacency(void **state)
{
    fixture *f = *state;
    /* Leave only seats 1,2 and 4,5 of row E free in Silver: 4 seats free,
     * but no 3 adjacent. */
    uint32_t block[200];
    size_t n = 0;
    for (uint32_t r = 0; r < 5; r++)
        for (uint32_t s = 1; s <= 20; s++)
            if (!(r == 4 && (s == 1 || s == 2 || s == 4 || s == 5)))
                block[n++] = at(r, s);
    assert_ok(tix_seats_block(f->s.db, f->show, block, n));
    tix_best_opts silver = {.tier_id = f->c.tier_cheap};
    tix_hold *h;
    assert_code(tix_hold_best(f->s.db, f->show, 3, &silver, &h), TIX_ECONFLICT);
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &silver, &h));
    tix_hold_free(h);
}

static void sells_out_exactly(void **state)
{
    fixture *f = *state;
    /* Singles alone cannot sell the last free pairs (one seat would be
     * stranded), so singles run out first; pairs then finish the show. */
    int held = 0, singles;
    tix_hold *h;
    while (tix_hold_best(f->s.db, f->show, 1, NULL, &h) == TIX_OK) {
        held++;
        tix_hold_free(h);
    }
    singles = held;
    assert_true(singles < 200);
    assert_true(tix_errmsg()[0] != 0);
    while (tix_hold_best(f->s.db, f->show, 2, NULL, &h) == TIX_OK) {
        held += 2;
        tix_hold_free(h);
    }
    tix_avail *a;
    assert_ok(tix_show_availability(f->s.db, f->show, &a));
    /* Everything but accessible seats (none in the fixture) is held. */
    assert_int_equal(held, 200);
    assert_int_equal(a->all.free, 0);
    assert_int_equal(a->all.held, 200);
    tix_avail_free(a);
}

static void request_key_returns_the_same_best_seats(void **state)
{
    fixture *f = *state;
    tix_best_opts o = {.request_key = "cart-42"};
    tix_hold *a, *b;
    assert_ok(tix_hold_best(f->s.db, f->show, 3, &o, &a));
    assert_ok(tix_hold_best(f->s.db, f->show, 3, &o, &b));
    for (int i = 0; i < 3; i++)
        assert_int_equal(tix_hold_seat(a, i), tix_hold_seat(b, i));
    tix_hold_free(a);
    tix_hold_free(b);
}

static void accessible_seats_only_when_asked(void **state)
{
    fixture *f = *state;
    tix_screen scr = {.venue_id = f->c.venue, .name = "Access", .ideal_x = 3,
                      .ideal_y = 0};
    tix_id screen, tier, show;
    assert_ok(tix_screen_create(f->s.db, &scr, &screen));
    tix_tier t = {.screen_id = screen, .name = "Std", .price_minor = 100,
                  .currency = "INR"};
    assert_ok(tix_tier_create(f->s.db, &t, &tier));
    /* One row: seats 2,3 wheelchair + companion right by the ideal point,
     * 1 and 4..7 ordinary. */
    tix_seat_spec row[7];
    for (uint32_t i = 0; i < 7; i++)
        row[i] = (tix_seat_spec){.number = i + 1, .x = i + 1, .y = 0,
                                 .tier_id = tier};
    row[1].flags = TIX_SEAT_WHEELCHAIR;
    row[2].flags = TIX_SEAT_COMPANION;
    tix_row_spec rs = {.label = "A", .seats = row, .count = 7};
    assert_ok(tix_seats_add_rows(f->s.db, screen, &rs, 1, NULL));
    tix_show sh = {.movie_id = f->c.movie, .screen_id = screen,
                   .start = tt_now + 3 * 86400};
    assert_ok(tix_show_create(f->s.db, &sh, &show));
    tix_hold *h;
    assert_ok(tix_hold_best(f->s.db, show, 2, NULL, &h));
    for (int i = 0; i < 2; i++) assert_true(tix_hold_seat(h, i) >= 3);
    tix_hold_free(h);
    tix_best_opts acc = {.flags = TIX_BEST_ACCESSIBLE};
    assert_ok(tix_hold_best(f->s.db, show, 2, &acc, &h));
    assert_int_equal(tix_hold_seat(h, 0), 1);
    assert_int_equal(tix_hold_seat(h, 1), 2);
    tix_hold_free(h);
    assert_code(tix_hold_best(f->s.db, show, 1, &acc, &h), TIX_ECONFLICT);
}

/* Row hints (lib/best.c) must never hide seats this process freed, nor
 * seats whose holds ran out. */
/* Holds every Silver seat (rows A..E) as 50 pairs, then lets one search
 * fail so that every Silver row carries a "full" hint. */
static void hold_all_silver(fixture *f, tix_hold **hs, uint32_t ttl)
{
    tix_best_opts silver = {.tier_id = f->c.tier_cheap};
    tix_hold_opts ho = {.ttl = ttl};
    for (uint32_t i = 0; i < 50; i++) {
        uint32_t pair[2] = {2 * i, 2 * i + 1};
        assert_ok(tix_hold_create(f->s.db, f->show, pair, 2, &ho, &hs[i]));
    }
    tix_hold *h;
    assert_code(tix_hold_best(f->s.db, f->show, 2, &silver, &h), TIX_ECONFLICT);
}

static void row_hints_see_releases_cancels_and_unblocks(void **state)
{
    fixture *f = *state;
    tix_best_opts silver = {.tier_id = f->c.tier_cheap};
    tix_hold *hs[50], *h;
    int n = 50;
    hold_all_silver(f, hs, 0);
    /* A release frees a pair deep in the tier: the next search finds it. */
    uint32_t a = tix_hold_seat(hs[37], 0), b = tix_hold_seat(hs[37], 1);
    assert_ok(tix_hold_release(f->s.db, hs[37]));
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &silver, &h));
    assert_int_equal(tix_hold_seat(h, 0), a);
    assert_int_equal(tix_hold_seat(h, 1), b);
    /* Book it, cancel the booking: the seats come back at once. */
    tix_confirm_opts co = {.user_id = f->user, .payment_ref = "pay-hint-1"};
    tix_id booking;
    assert_ok(tix_hold_confirm(f->s.db, h, &co, &booking));
    tix_hold_free(h);
    assert_code(tix_hold_best(f->s.db, f->show, 2, &silver, &h), TIX_ECONFLICT);
    assert_ok(tix_booking_cancel(f->s.db, booking));
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &silver, &h));
    assert_int_equal(tix_hold_seat(h, 0), a);
    assert_ok(tix_hold_release(f->s.db, h));
    tix_hold_free(h);
    /* Block the pair, search (hint: full), unblock, search again. */
    uint32_t pair[2] = {a, b};
    assert_ok(tix_seats_block(f->s.db, f->show, pair, 2));
    assert_code(tix_hold_best(f->s.db, f->show, 2, &silver, &h), TIX_ECONFLICT);
    assert_ok(tix_seats_unblock(f->s.db, f->show, pair, 2));
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &silver, &h));
    assert_int_equal(tix_hold_seat(h, 0), a);
    tix_hold_free(h);
    for (int i = 0; i < n; i++) tix_hold_free(hs[i]);
}

static void row_hints_end_when_holds_run_out(void **state)
{
    fixture *f = *state;
    tix_best_opts silver = {.tier_id = f->c.tier_cheap};
    tix_hold *hs[50], *h;
    int n = 50;
    hold_all_silver(f, hs, 120);
    tt_now += 119; /* still held */
    assert_code(tix_hold_best(f->s.db, f->show, 2, &silver, &h), TIX_ECONFLICT);
    tt_now += 1; /* every hold ran out: the nearest pair is offered again */
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &silver, &h));
    assert_int_equal(tix_hold_seat(h, 0) / 20, 4);
    tix_hold_free(h);
    for (int i = 0; i < n; i++) tix_hold_free(hs[i]);
}

static void row_hints_track_run_lengths(void **state)
{
    fixture *f = *state;
    tix_best_opts silver = {.tier_id = f->c.tier_cheap};
    /* Block all Silver rows but E; in E leave 1-2 and 5-8 free. */
    uint32_t block[200];
    size_t nb = 0;
    for (uint32_t r = 0; r < 5; r++)
        for (uint32_t s = 1; s <= 20; s++)
            if (r != 4 || (s != 1 && s != 2 && (s < 5 || s > 8)))
                block[nb++] = at(r, s);
    assert_ok(tix_seats_block(f->s.db, f->show, block, nb));
    tix_hold *h;
    assert_code(tix_hold_best(f->s.db, f->show, 5, &silver, &h), TIX_ECONFLICT);
    /* The hint says "longest run 4": a run of 4 is still found. */
    assert_ok(tix_hold_best(f->s.db, f->show, 4, &silver, &h));
    assert_int_equal(tix_hold_seat(h, 0), at(4, 5));
    assert_ok(tix_hold_release(f->s.db, h));
    tix_hold_free(h);
    /* Unblocking seats 3-4 joins 1..8 into a run of 8. */
    uint32_t mid[2] = {at(4, 3), at(4, 4)};
    assert_ok(tix_seats_unblock(f->s.db, f->show, mid, 2));
    assert_ok(tix_hold_best(f->s.db, f->show, 8, &silver, &h));
    assert_int_equal(tix_hold_seat(h, 0), at(4, 1));
    tix_hold_free(h);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(picks_adjacent_nearest_ideal_in_cheapest_tier),
        T(chosen_tier_and_any_tier),
        T(never_strands_a_single_seat),
        T(gaps_in_numbering_break_adjacency),
        T(sells_out_exactly),
        T(request_key_returns_the_same_best_seats),
        T(accessible_seats_only_when_asked),
        T(row_hints_see_releases_cancels_and_unblocks),
        T(row_hints_end_when_holds_run_out),
        T(row_hints_track_run_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
