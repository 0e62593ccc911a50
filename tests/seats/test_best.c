/* lib/seats/best.c: best-available rules -- adjacency, tier, nearest the ideal
 * point, fewest stranded single seats, accessible seats only when asked,
 * and every seat of a show sells to best-available parties. */
#include <stdatomic.h>
#include <stdio.h>

#include "db.h"
#include "engine.h"
#include "engine_fixture.h"
#include "invariants.h"

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

/* Blocks every Silver seat (rows A..E) except those @p keep says. */
static void block_silver_but(fixture *f, int (*keep)(uint32_t r, uint32_t s))
{
    uint32_t block[100];
    size_t n = 0;
    for (uint32_t r = 0; r < 5; r++)
        for (uint32_t s = 1; s <= 20; s++)
            if (!keep(r, s)) block[n++] = at(r, s);
    assert_ok(tix_seats_block(f->s.db, f->show, block, n));
}

/* Row E (nearest) keeps 1..3, row D keeps 1..4. */
static int keep_e3_d4(uint32_t r, uint32_t s)
{
    return (r == 4 && s <= 3) || (r == 3 && s <= 4);
}

static void prefers_a_farther_window_to_stranding_a_seat(void **state)
{
    fixture *f = *state;
    tix_best_opts silver = {.tier_id = f->c.tier_cheap};
    block_silver_but(f, keep_e3_d4);
    tix_hold *h;
    /* Two of row E's three would strand the third: row D is taken first,
     * both of its pairs. */
    for (int i = 0; i < 2; i++) {
        assert_ok(tix_hold_best(f->s.db, f->show, 2, &silver, &h));
        assert_int_equal(tix_hold_seat(h, 0) / 20, 3);
        tix_hold_free(h);
    }
    /* Only stranding moves remain: the best-placed one (nearer x 10.5). */
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &silver, &h));
    assert_int_equal(tix_hold_seat(h, 0), at(4, 2));
    assert_int_equal(tix_hold_seat(h, 1), at(4, 3));
    tix_hold_free(h);
    assert_ok(tix_hold_best(f->s.db, f->show, 1, &silver, &h));
    assert_int_equal(tix_hold_seat(h, 0), at(4, 1));
    tix_hold_free(h);
    assert_code(tix_hold_best(f->s.db, f->show, 1, &silver, &h), TIX_ECONFLICT);
}

/* 14 pairs free in Silver, each between blocked seats: 28 free seats. */
static int keep_pairs(uint32_t r, uint32_t s)
{
    return r >= 1 && r <= 4 && (s % 6 == 1 || s % 6 == 2) && !(r == 1 && s > 12);
}

static void singles_sell_when_only_pairs_are_left(void **state)
{
    fixture *f = *state;
    tix_best_opts silver = {.tier_id = f->c.tier_cheap};
    block_silver_but(f, keep_pairs);
    tix_avail *a;
    assert_ok(tix_show_availability(f->s.db, f->show, &a));
    assert_int_equal(a->tiers[0].free, 28);
    tix_avail_free(a);
    /* Every single strands the other seat of its pair; the next single
     * takes that seat (it strands nothing) before breaking another pair. */
    for (int i = 0; i < 14; i++) {
        tix_hold *h1, *h2;
        assert_ok(tix_hold_best(f->s.db, f->show, 1, &silver, &h1));
        assert_ok(tix_hold_best(f->s.db, f->show, 1, &silver, &h2));
        uint32_t s1 = tix_hold_seat(h1, 0), s2 = tix_hold_seat(h2, 0);
        assert_int_equal(s1 / 20, s2 / 20);
        assert_int_equal(abs((int)s1 - (int)s2), 1);
        tix_hold_free(h1);
        tix_hold_free(h2);
    }
    tix_hold *h;
    assert_code(tix_hold_best(f->s.db, f->show, 1, &silver, &h), TIX_ECONFLICT);
}

/* Row E keeps 1..5 and row D 1..6: a party of 4 fits D without stranding. */
static int keep_e5_d6(uint32_t r, uint32_t s)
{
    return (r == 4 && s <= 5) || (r == 3 && s <= 6);
}

static void larger_parties_strand_least_too(void **state)
{
    fixture *f = *state;
    tix_best_opts silver = {.tier_id = f->c.tier_cheap};
    block_silver_but(f, keep_e5_d6);
    tix_hold *h;
    assert_ok(tix_hold_best(f->s.db, f->show, 4, &silver, &h));
    assert_int_equal(tix_hold_seat(h, 0) / 20, 3);
    tix_hold_free(h);
    /* D has 2 left, E 5: 4 of E strand one (seat 1, farther from x 10.5). */
    assert_ok(tix_hold_best(f->s.db, f->show, 4, &silver, &h));
    assert_int_equal(tix_hold_seat(h, 0), at(4, 2));
    tix_hold_free(h);
    assert_code(tix_hold_best(f->s.db, f->show, 3, &silver, &h), TIX_ECONFLICT);
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &silver, &h));
    tix_hold_free(h);
    assert_ok(tix_hold_best(f->s.db, f->show, 1, &silver, &h));
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

static void singles_sell_out_a_show(void **state)
{
    fixture *f = *state;
    tix_hold *h;
    int held = 0;
    while (tix_hold_best(f->s.db, f->show, 1, NULL, &h) == TIX_OK) {
        held++;
        tix_hold_free(h);
    }
    assert_true(tix_errmsg()[0] != 0);
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

/* A show on a new screen of one row of seats 1..@p n at x = number,
 * ideal point (@p ideal_x, 0); seats numbered in @p special[] are
 * wheelchair (odd positions in the list) or companion seats. */
static tix_id one_row_show(fixture *f, uint32_t n, double ideal_x,
                           const uint32_t *special, size_t n_special)
{
    tix_screen scr = {.venue_id = f->c.venue, .name = "Access",
                      .ideal_x = ideal_x, .ideal_y = 0};
    tix_id screen, tier, show;
    assert_ok(tix_screen_create(f->s.db, &scr, &screen));
    tix_tier t = {.screen_id = screen, .name = "Std", .price_minor = 100,
                  .currency = "INR"};
    assert_ok(tix_tier_create(f->s.db, &t, &tier));
    tix_seat_spec row[16];
    assert_true(n <= 16);
    for (uint32_t i = 0; i < n; i++)
        row[i] = (tix_seat_spec){.number = i + 1, .x = i + 1, .y = 0,
                                 .tier_id = tier};
    for (size_t i = 0; i < n_special; i++)
        row[special[i] - 1].flags = i % 2 ? TIX_SEAT_COMPANION : TIX_SEAT_WHEELCHAIR;
    tix_row_spec rs = {.label = "A", .seats = row, .count = n};
    assert_ok(tix_seats_add_rows(f->s.db, screen, &rs, 1, NULL));
    tix_show sh = {.movie_id = f->c.movie, .screen_id = screen,
                   .start = tt_now + 3 * 86400};
    assert_ok(tix_show_create(f->s.db, &sh, &show));
    return show;
}

static void accessible_seats_only_when_asked(void **state)
{
    fixture *f = *state;
    /* Seats 2,3 wheelchair + companion right by the ideal point, 1 and
     * 4..7 ordinary. */
    const uint32_t special[] = {2, 3};
    tix_id show = one_row_show(f, 7, 3, special, 2);
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

static void accessible_seats_strand_least_too(void **state)
{
    fixture *f = *state;
    /* Seats 2..4 accessible; the ideal point nearer 3..4 than 2..3. */
    const uint32_t special[] = {2, 3, 4};
    tix_id show = one_row_show(f, 7, 3.2, special, 3);
    tix_best_opts acc = {.flags = TIX_BEST_ACCESSIBLE};
    tix_hold *h;
    assert_ok(tix_hold_best(f->s.db, show, 2, &acc, &h));
    assert_int_equal(tix_hold_seat(h, 0), 2);
    assert_int_equal(tix_hold_seat(h, 1), 3);
    tix_hold_free(h);
    assert_ok(tix_hold_best(f->s.db, show, 1, &acc, &h));
    assert_int_equal(tix_hold_seat(h, 0), 1);
    tix_hold_free(h);
    assert_code(tix_hold_best(f->s.db, show, 1, &acc, &h), TIX_ECONFLICT);
    /* Ordinary parties never take accessible seats: 1 and 5..7 are theirs. */
    for (int i = 0; i < 4; i++) {
        assert_ok(tix_hold_best(f->s.db, show, 1, NULL, &h));
        uint32_t seat = tix_hold_seat(h, 0);
        assert_true(seat == 0 || seat >= 4);
        tix_hold_free(h);
    }
    assert_code(tix_hold_best(f->s.db, show, 1, NULL, &h), TIX_ECONFLICT);
}

/* Row hints (lib/seats/best.c) must never hide seats this process freed, nor
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


/* ---- companion seats ---------------------------------------------------- */

/* A show on a new screen whose rows are drawn as text: '.' an ordinary
 * seat, 'W' wheelchair, 'C' companion, '_' a number skipped (an aisle).
 * Row r is at y = r, seat number k at x = k; the ideal point is the
 * middle of row 0. */
static tix_id pattern_show(fixture *f, const char *const *rows, size_t n_rows)
{
    static int screens;
    char name[32];
    snprintf(name, sizeof name, "Pattern %d", ++screens);
    tix_screen scr = {.venue_id = f->c.venue, .name = name, .ideal_x = 5,
                      .ideal_y = 0};
    tix_id screen, tier, show;
    assert_ok(tix_screen_create(f->s.db, &scr, &screen));
    tix_tier t = {.screen_id = screen, .name = "Std", .price_minor = 100,
                  .currency = "INR"};
    assert_ok(tix_tier_create(f->s.db, &t, &tier));
    tix_seat_spec seats[4][16];
    tix_row_spec rs[4];
    static const char *const labels[] = {"A", "B", "C", "D"};
    assert_true(n_rows <= 4);
    for (size_t r = 0; r < n_rows; r++) {
        uint32_t n = 0;
        for (uint32_t k = 0; rows[r][k]; k++) {
            char ch = rows[r][k];
            if (ch == '_') continue;
            seats[r][n++] = (tix_seat_spec){
                .number = k + 1, .x = k + 1, .y = (double)r, .tier_id = tier,
                .flags = ch == 'W' ? TIX_SEAT_WHEELCHAIR
                         : ch == 'C' ? TIX_SEAT_COMPANION : 0};
        }
        rs[r] = (tix_row_spec){.label = labels[r], .seats = seats[r], .count = n};
    }
    assert_ok(tix_seats_add_rows(f->s.db, screen, rs, n_rows, NULL));
    tix_show sh = {.movie_id = f->c.movie, .screen_id = screen,
                   .start = tt_now + 4 * 86400};
    assert_ok(tix_show_create(f->s.db, &sh, &show));
    return show;
}

/* The seat numbers (1-based, row 0) a hold took, as a string "2,3,4". */
static const char *hold_numbers(const tix_hold *h, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    for (size_t i = 0; i < tix_hold_count(h); i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%u", i ? "," : "",
                                tix_hold_seat(h, i));
    return buf;
}

static void companions_sit_beside_wheelchair_seats(void **state)
{
    fixture *f = *state;
    /* index:          0123456789 */
    const char *rows[] = {".WCC.WWCC."};
    tix_id show = pattern_show(f, rows, 1);
    tix_best_opts o = {.flags = TIX_BEST_ACCESSIBLE, .companions = 2};
    tix_hold *h1, *h2, *h;
    char buf[64];
    assert_ok(tix_hold_best(f->s.db, show, 2, &o, &h1));
    assert_string_equal(hold_numbers(h1, buf, sizeof buf), "5,6,7,8");
    assert_ok(tix_hold_best(f->s.db, show, 1, &o, &h2));
    assert_string_equal(hold_numbers(h2, buf, sizeof buf), "1,2,3");
    /* Nothing accessible is left: a refusal that says so. */
    o.companions = 1;
    assert_code(tix_hold_best(f->s.db, show, 1, &o, &h), TIX_ECONFLICT);
    tix_hold_free(h1);
    tix_hold_free(h2);
    /* Companion seats are not wheelchair seats: two of them are no pair,
     * and a plain accessible request may still take them. */
    const char *only[] = {"CC...CC"};
    tix_id show2 = pattern_show(f, only, 1);
    assert_code(tix_hold_best(f->s.db, show2, 1, &o, &h), TIX_ECONFLICT);
    tix_best_opts acc = {.flags = TIX_BEST_ACCESSIBLE};
    assert_ok(tix_hold_best(f->s.db, show2, 2, &acc, &h));
    tix_hold_free(h);
}

static void companions_are_all_or_nothing_in_one_row(void **state)
{
    fixture *f = *state;
    /* A wheelchair seat with its companion one row behind, one across an
     * aisle, and a free pair whose companion is held. */
    const char *rows[] = {"W_C...WC", "C......."};
    tix_id show = pattern_show(f, rows, 2);
    uint32_t companion = 6; /* row A: W(0) C(1) . . . W(5) C(6) */
    tix_hold *held;
    assert_ok(tix_hold_create(f->s.db, show, &companion, 1, NULL, &held));
    tix_best_opts o = {.flags = TIX_BEST_ACCESSIBLE, .companions = 1};
    tix_hold *h;
    assert_rejected(f->s.db, tix_hold_best(f->s.db, show, 1, &o, &h),
                    TIX_ECONFLICT, "companion");
    assert_null(h);
    /* The wheelchair seats alone are still there for a plain request. */
    tix_best_opts acc = {.flags = TIX_BEST_ACCESSIBLE};
    assert_ok(tix_hold_best(f->s.db, show, 1, &acc, &h));
    tix_hold_free(h);
    /* The companion comes back: the pair is offered. */
    assert_ok(tix_hold_release(f->s.db, held));
    assert_ok(tix_hold_best(f->s.db, show, 1, &o, &h));
    assert_int_equal(tix_hold_count(h), 2);
    assert_int_equal(tix_hold_seat(h, 1), companion);
    tix_hold_free(h);
    tix_hold_free(held);
}

static void companions_bad_input(void **state)
{
    fixture *f = *state;
    const char *rows[] = {"WCCCCCCCCCC"};
    tix_id show = pattern_show(f, rows, 1);
    tix_hold *h;
    tix_best_opts plain = {.companions = 1};
    assert_rejected(f->s.db, tix_hold_best(f->s.db, show, 1, &plain, &h),
                    TIX_EINVAL, "TIX_BEST_ACCESSIBLE");
    tix_best_opts many = {.flags = TIX_BEST_ACCESSIBLE, .companions = 10};
    assert_rejected(f->s.db, tix_hold_best(f->s.db, show, 1, &many, &h),
                    TIX_ELIMIT, NULL);
    many.companions = UINT32_MAX;
    assert_rejected(f->s.db, tix_hold_best(f->s.db, show, 1, &many, &h),
                    TIX_ELIMIT, NULL);
    tix_best_opts none = {.flags = TIX_BEST_ACCESSIBLE, .companions = 1};
    assert_rejected(f->s.db, tix_hold_best(f->s.db, show, 0, &none, &h),
                    TIX_EINVAL, NULL);
    /* A repeated keyed request gets the same pair back. */
    tix_best_opts keyed = {.flags = TIX_BEST_ACCESSIBLE, .companions = 2,
                           .request_key = "wheel-1"};
    tix_hold *a, *b;
    assert_ok(tix_hold_best(f->s.db, show, 1, &keyed, &a));
    assert_ok(tix_hold_best(f->s.db, show, 1, &keyed, &b));
    assert_int_equal(tix_hold_count(b), 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(tix_hold_seat(a, i), tix_hold_seat(b, i));
    tix_hold_free(a);
    tix_hold_free(b);
}

/* ---- tier hints: a sold-out tier refuses in O(1) ----------------------- */

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void sold_out_tier_refuses_from_its_hint(void **state)
{
    fixture *f = *state;
    tix_best_opts silver = {.tier_id = f->c.tier_cheap};
    tix_hold *hs[50], *h;
    hold_all_silver(f, hs, 0); /* one walk failed: Silver is sold out */
    assert_code(tix_hold_best(f->s.db, f->show, 2, &silver, &h), TIX_ECONFLICT);
    assert_true(starts_with(tix_errmsg(), "sold out"));
    assert_code(tix_hold_best(f->s.db, f->show, 1, &silver, &h), TIX_ECONFLICT);
    assert_true(starts_with(tix_errmsg(), "sold out"));
    /* Gold is not: a request without a tier falls through to it. */
    assert_ok(tix_hold_best(f->s.db, f->show, 2, NULL, &h));
    assert_true(tix_hold_seat(h, 0) / 20 >= 5);
    assert_ok(tix_hold_release(f->s.db, h));
    tix_hold_free(h);
    /* A release in this process ends the sell-out at once. */
    uint32_t a = tix_hold_seat(hs[12], 0);
    assert_ok(tix_hold_release(f->s.db, hs[12]));
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &silver, &h));
    assert_int_equal(tix_hold_seat(h, 0), a);
    tix_hold_free(h);
    for (int i = 0; i < 50; i++) tix_hold_free(hs[i]);
}

static void sold_out_for_pairs_still_sells_singles(void **state)
{
    fixture *f = *state;
    tix_best_opts silver = {.tier_id = f->c.tier_cheap};
    tix_hold *hs[50], *h;
    hold_all_silver(f, hs, 0);
    /* Free seat 1 of pair 20 (row B) and seat 0 of pair 30 (row D) by
     * hand-made single holds: one free single in each of two rows. */
    uint32_t s20 = tix_hold_seat(hs[20], 0), s30 = tix_hold_seat(hs[30], 1);
    assert_ok(tix_hold_release(f->s.db, hs[20]));
    assert_ok(tix_hold_release(f->s.db, hs[30]));
    uint32_t keep[2] = {s20 + 1, s30 - 1};
    tix_hold *k1 = fx_hold(f, &keep[0], 1), *k2 = fx_hold(f, &keep[1], 1);
    assert_code(tix_hold_best(f->s.db, f->show, 2, &silver, &h), TIX_ECONFLICT);
    assert_code(tix_hold_best(f->s.db, f->show, 2, &silver, &h), TIX_ECONFLICT);
    assert_true(starts_with(tix_errmsg(), "sold out"));
    /* The hint says "longest run 1": singles are still sold. */
    assert_ok(tix_hold_best(f->s.db, f->show, 1, &silver, &h));
    tix_hold_free(h);
    assert_ok(tix_hold_best(f->s.db, f->show, 1, &silver, &h));
    tix_hold_free(h);
    assert_code(tix_hold_best(f->s.db, f->show, 1, &silver, &h), TIX_ECONFLICT);
    tix_hold_free(k1);
    tix_hold_free(k2);
    for (int i = 0; i < 50; i++) tix_hold_free(hs[i]);
}

/* A seat freed behind this process's back (another process's release: the
 * word changes, this process's hints are not told) is seen within a
 * second. */
static void sold_out_hint_ends_within_a_second(void **state)
{
    fixture *f = *state;
    tix_best_opts silver = {.tier_id = f->c.tier_cheap};
    tix_hold *hs[50], *h;
    hold_all_silver(f, hs, 0);
    const tix__show_entry *e;
    assert_ok(tix__engine_show(f->s.db, f->show, &e));
    for (uint32_t i = 0; i < 2; i++)
        atomic_store(&((tix__show_entry *)e)->seats[at(2, 9) + i], 0);
    assert_code(tix_hold_best(f->s.db, f->show, 2, &silver, &h), TIX_ECONFLICT);
    assert_true(starts_with(tix_errmsg(), "sold out"));
    tt_now += 1;
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &silver, &h));
    assert_int_equal(tix_hold_seat(h, 0), at(2, 9));
    tix_hold_free(h);
    for (int i = 0; i < 50; i++) tix_hold_free(hs[i]);
}

/* A keyed request whose key holds seats of a sold-out tier gets them back:
 * the hint must not answer it. */
static void sold_out_tier_keeps_a_keys_seats(void **state)
{
    fixture *f = *state;
    tix_best_opts silver = {.tier_id = f->c.tier_cheap, .request_key = "cart-9"};
    tix_hold *first, *again, *h;
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &silver, &first));
    uint32_t rest[98];
    size_t n = 0;
    for (uint32_t s = 0; s < 100; s++)
        if (s != tix_hold_seat(first, 0) && s != tix_hold_seat(first, 1))
            rest[n++] = s;
    tix_hold_opts ho = {.ttl = 600};
    tix_hold *others[10];
    for (size_t i = 0; i < 98; i += 10) {
        size_t c = 98 - i < 10 ? 98 - i : 10;
        assert_ok(tix_hold_create(f->s.db, f->show, rest + i, c, &ho, &others[i / 10]));
    }
    tix_best_opts plain = {.tier_id = f->c.tier_cheap};
    assert_code(tix_hold_best(f->s.db, f->show, 2, &plain, &h), TIX_ECONFLICT);
    assert_code(tix_hold_best(f->s.db, f->show, 2, &plain, &h), TIX_ECONFLICT);
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &silver, &again));
    assert_int_equal(tix_hold_seat(again, 0), tix_hold_seat(first, 0));
    tix_hold_free(first);
    tix_hold_free(again);
    for (size_t i = 0; i < 10; i++) tix_hold_free(others[i]);
}

/* ---- property: best-available parties sell every seat ----------------- */

#define HOLD_MAX 10 /* tix_config's default hold_max_seats */

typedef struct sale {
    fixture *f;
    tix_id show;
    tix_best_opts opts;
    uint64_t rng;
    uint8_t booked[200]; /* seats the sale was told it booked */
    uint32_t confirms;
} sale;

static uint32_t sale_rand(sale *s, uint32_t n)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return (uint32_t)(s->rng % n);
}

/* Free seats of the show and the longest run of them in one row: every
 * fixture row is one tier with consecutive numbers, so a run of free seats
 * is a window best-available may take. */
static uint32_t free_seats(sale *s, uint32_t *longest)
{
    uint8_t st[200];
    assert_ok(tix_show_seat_states(s->f->s.db, s->show, st, sizeof st));
    uint32_t n = 0, run = 0;
    *longest = 0;
    for (uint32_t i = 0; i < 200; i++) {
        run = st[i] == TIX_SEAT_FREE ? (i % 20 ? run + 1 : 1) : 0;
        n += st[i] == TIX_SEAT_FREE;
        if (run > *longest) *longest = run;
    }
    return n;
}

static void sale_confirm(sale *s, tix_hold *h)
{
    char ref[64];
    snprintf(ref, sizeof ref, "prop-%llu-%u", (unsigned long long)s->show,
             s->confirms++);
    tix_confirm_opts co = {.user_id = s->f->user, .payment_ref = ref};
    tix_id booking;
    assert_ok(tix_hold_confirm(s->f->s.db, h, &co, &booking));
    for (size_t i = 0; i < tix_hold_count(h); i++) {
        uint32_t seat = tix_hold_seat(h, i);
        if (s->booked[seat]) fail_msg("seat %u booked twice", seat);
        s->booked[seat] = 1;
    }
    tix_hold_free(h);
}

/* One party of a random size; a refusal must be justified, and then the
 * largest party that fits must still succeed. */
static void sale_step(sale *s, uint32_t free_now, uint32_t longest)
{
    uint32_t n = 1 + sale_rand(s, HOLD_MAX);
    tix_hold *h;
    int rc = tix_hold_best(s->f->s.db, s->show, n, &s->opts, &h);
    if (rc == TIX_ECONFLICT) {
        if (free_now >= n && longest >= n)
            fail_msg("best %u refused: %u free, a run of %u: %s", n, free_now,
                     longest, tix_errmsg());
        n = longest;
        rc = tix_hold_best(s->f->s.db, s->show, n, &s->opts, &h);
    }
    if (rc) fail_msg("best %u -> %d: %s", n, rc, tix_errmsg());
    sale_confirm(s, h);
}

/* Sells show @p day days from now (a new show on the fixture's screen). */
static void sell_out_at_random(fixture *f, uint32_t day, uint64_t seed,
                               uint32_t flags)
{
    sale s = {.f = f, .opts = {.flags = flags}, .rng = seed};
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = tt_now + (int64_t)day * 86400};
    assert_ok(tix_show_create(f->s.db, &sh, &s.show));
    uint32_t longest, left;
    while ((left = free_seats(&s, &longest)) > 0) sale_step(&s, left, longest);
    tix_hold *h;
    assert_code(tix_hold_best(f->s.db, s.show, 1, &s.opts, &h), TIX_ECONFLICT);
    for (uint32_t i = 0; i < 200; i++) assert_int_equal(s.booked[i], 1);
    tix_avail *a;
    assert_ok(tix_show_availability(f->s.db, s.show, &a));
    assert_int_equal(a->all.booked, 200);
    assert_int_equal(a->all.free + a->all.held, 0);
    tix_avail_free(a);
}

static void random_parties_sell_every_seat(void **state)
{
    fixture *f = *state;
    tix_hold *h;
    assert_code(tix_hold_best(f->s.db, f->show, HOLD_MAX + 1, NULL, &h),
                TIX_ELIMIT);
    for (uint32_t i = 1; i <= 8; i++)
        sell_out_at_random(f, 1 + i, i * 0x9E3779B97F4A7C15ull,
                           i % 2 ? 0 : TIX_BEST_ANY_TIER);
    tt_inv_assert(f->s.db, &(tt_inv_opts){.run_check = 1}, NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(picks_adjacent_nearest_ideal_in_cheapest_tier),
        T(chosen_tier_and_any_tier),
        T(prefers_a_farther_window_to_stranding_a_seat),
        T(singles_sell_when_only_pairs_are_left),
        T(larger_parties_strand_least_too),
        T(gaps_in_numbering_break_adjacency),
        T(singles_sell_out_a_show),
        T(request_key_returns_the_same_best_seats),
        T(accessible_seats_only_when_asked),
        T(accessible_seats_strand_least_too),
        T(row_hints_see_releases_cancels_and_unblocks),
        T(row_hints_end_when_holds_run_out),
        T(row_hints_track_run_lengths),
        T(companions_sit_beside_wheelchair_seats),
        T(companions_are_all_or_nothing_in_one_row),
        T(companions_bad_input),
        T(sold_out_tier_refuses_from_its_hint),
        T(sold_out_for_pairs_still_sells_singles),
        T(sold_out_hint_ends_within_a_second),
        T(sold_out_tier_keeps_a_keys_seats),
        T(random_parties_sell_every_seat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
