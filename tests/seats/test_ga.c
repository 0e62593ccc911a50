/* General-admission areas (lib/catalog/area.c, lib/seats/ga.c): creating
 * an area and its places, holds by count mixed with seats, confirm,
 * cancel, check-in, availability, lazy expiry, best-available and bad
 * inputs (each a specific code, the store unchanged). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invariants.h"
#include "testutil.h"

#define SEATS 20 /* rows A, B of 10 */
#define CAP 50

typedef struct fixture {
    tt_store s;
    tt_catalog c;
    tix_id floor_tier, area, show, user, screen2, tier2;
} fixture;

static tix_id make_tier(tix_db *db, tix_id screen, const char *name,
                        int64_t price)
{
    tix_tier t = {.screen_id = screen, .name = name, .price_minor = price,
                  .currency = "INR"};
    tix_id id;
    assert_ok(tix_tier_create(db, &t, &id));
    return id;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tt_now = 1767225600;
    tt_open(&f->s);
    tix_db *db = f->s.db;
    tt_make_catalog(db, 2, 10, &f->c);
    f->floor_tier = make_tier(db, f->c.screen, "Floor", 5000);
    tix_area a = {.screen_id = f->c.screen, .tier_id = f->floor_tier,
                  .name = "FLOOR", .capacity = CAP};
    assert_ok(tix_area_create(db, &a, &f->area));
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = tt_now + 86400};
    assert_ok(tix_show_create(db, &sh, &f->show));
    tix_user u = {.name = "Asha", .email = "asha@example.com",
                  .phone = "+919800000001", .home_city_id = f->c.city};
    assert_ok(tix_user_create(db, &u, &f->user));
    tix_screen s2 = {.venue_id = f->c.venue, .name = "Open air"};
    assert_ok(tix_screen_create(db, &s2, &f->screen2));
    f->tier2 = make_tier(db, f->screen2, "Lawn", 900);
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

static tix_counts counts(fixture *f)
{
    tix_counts c;
    assert_ok(tix_area_availability(f->s.db, f->show, f->area, &c));
    return c;
}

static tix_hold *take(fixture *f, uint32_t n)
{
    tix_area_take t = {f->area, n};
    tix_hold *h;
    assert_ok(tix_hold_areas(f->s.db, f->show, NULL, 0, &t, 1, NULL, &h));
    return h;
}

static void area_is_a_run_of_places(void **state)
{
    fixture *f = *state;
    tix_area *a;
    assert_ok(tix_area_get(f->s.db, f->area, &a));
    assert_int_equal(a->first_seat, SEATS);
    assert_int_equal(a->capacity, CAP);
    assert_string_equal(a->name, "FLOOR");
    assert_true(a->tier_id == f->floor_tier);
    tix_area_free(a);
    tix_area_list *l;
    assert_ok(tix_area_list_by_screen(f->s.db, f->c.screen, &l));
    assert_int_equal(l->count, 1);
    assert_true(l->items[0].id == f->area);
    tix_area_list_free(l);
    tix_seat_list *sl;
    assert_ok(tix_seat_list_by_screen(f->s.db, f->c.screen, &sl));
    assert_int_equal(sl->count, SEATS + CAP);
    assert_string_equal(sl->items[SEATS + 7].row, "FLOOR");
    assert_int_equal(sl->items[SEATS + 7].number, 8);
    assert_int_equal(sl->items[SEATS + 7].flags, TIX_SEAT_STANDING);
    assert_int_equal(sl->items[0].flags & TIX_SEAT_STANDING, 0);
    tix_seat_list_free(sl);
    tix_counts c = counts(f);
    assert_int_equal(c.total, CAP);
    assert_int_equal(c.free, CAP);
    assert_true(c.tier_id == f->floor_tier);
    /* A stored area passes the library's own check. */
    tix_check_counts cc;
    assert_ok(tix_db_check(f->s.db, NULL, NULL, &cc));
}

static void area_bad_inputs(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_area a = {.screen_id = f->screen2, .tier_id = f->tier2,
                  .name = "LAWN", .capacity = 10};
    tix_id id;
    assert_rejected(db, tix_area_create(db, NULL, &id), TIX_EINVAL, NULL);
    a.capacity = 0;
    assert_rejected(db, tix_area_create(db, &a, &id), TIX_ERANGE, "capacity");
    a.capacity = TIX_SCREEN_SEATS_MAX + 1;
    assert_rejected(db, tix_area_create(db, &a, &id), TIX_ERANGE, "capacity");
    a.capacity = 10;
    a.name = "LAWNLAWNX"; /* 9 bytes: a row label holds 8 */
    assert_rejected(db, tix_area_create(db, &a, &id), TIX_ETOOLONG, "name");
    a.name = "";
    assert_rejected(db, tix_area_create(db, &a, &id), TIX_EINVAL, "name");
    a.name = "LA\nWN";
    assert_rejected(db, tix_area_create(db, &a, &id), TIX_EINVAL, "name");
    a.name = "LAWN";
    a.tier_id = f->floor_tier; /* a tier of another screen */
    assert_rejected(db, tix_area_create(db, &a, &id), TIX_EINVAL, "tier_id");
    a.tier_id = 9999;
    assert_rejected(db, tix_area_create(db, &a, &id), TIX_ENOTFOUND, "tier_id");
    a.tier_id = f->tier2;
    a.screen_id = 9999;
    assert_rejected(db, tix_area_create(db, &a, &id), TIX_ENOTFOUND, NULL);
    /* The screen with a show is frozen, areas included. */
    a.screen_id = f->c.screen;
    a.tier_id = f->floor_tier;
    a.name = "PIT";
    assert_rejected(db, tix_area_create(db, &a, &id), TIX_EBUSY, "shows");
    /* Names: unique among areas, and no seat row may have the label. */
    a.screen_id = f->screen2;
    a.tier_id = f->tier2;
    assert_ok(tix_area_create(db, &a, &id));
    assert_rejected(db, tix_area_create(db, &a, &id), TIX_EEXISTS, "PIT");
    tix_seat_spec ss = {.number = 1, .tier_id = f->tier2};
    tix_row_spec row = {"PIT", &ss, 1};
    assert_rejected(db, tix_seats_add_rows(db, f->screen2, &row, 1, NULL),
                    TIX_EEXISTS, "PIT");
    row.label = "A";
    assert_ok(tix_seats_add_rows(db, f->screen2, &row, 1, NULL));
    a.name = "A";
    assert_rejected(db, tix_area_create(db, &a, &id), TIX_EEXISTS, "A-1");
    /* Places count against the seat limit of the screen. */
    a.name = "BIG";
    a.capacity = TIX_SCREEN_SEATS_MAX - 10; /* 11 places + 1 seat so far */
    assert_rejected(db, tix_area_create(db, &a, &id), TIX_ERANGE, "exceed");
    /* The flag is the library's: a layout cannot claim it. */
    ss.number = 2;
    ss.flags = TIX_SEAT_STANDING;
    assert_rejected(db, tix_seats_add_rows(db, f->screen2, &row, 1, NULL),
                    TIX_EINVAL, "flags");
    a.name = NULL;
    assert_code(tix_area_validate(&a), TIX_EINVAL);
    assert_string_equal(tix_errfield(), "name");
}

static void mixed_hold_confirm_checkin_cancel(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t seats[] = {3};
    tix_area_take t = {f->area, 3};
    tix_hold *h;
    assert_ok(tix_hold_areas(db, f->show, seats, 1, &t, 1, NULL, &h));
    assert_int_equal(tix_hold_count(h), 4);
    assert_int_equal(tix_hold_seat(h, 0), 3);
    for (size_t i = 1; i < 4; i++) {
        assert_true(tix_hold_seat(h, i) >= SEATS);
        assert_true(tix_hold_seat(h, i) < SEATS + CAP);
        assert_true(tix_hold_seat(h, i) > tix_hold_seat(h, i - 1));
    }
    tix_counts c = counts(f);
    assert_int_equal(c.held, 3);
    assert_int_equal(c.free, CAP - 3);
    /* The handle is an ordinary hold: it travels as text and confirms. */
    char text[TIX_HOLD_STRING_MAX];
    assert_ok(tix_hold_to_string(h, text, sizeof text));
    tix_hold *back;
    assert_ok(tix_hold_from_string(text, &back));
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "ga_1",
                          .seats_per_ticket = 1,
                          .expected_currency = "INR",
                          .expected_total_minor = 15000 + 3 * 5000};
    tix_id bid;
    assert_ok(tix_hold_confirm(db, back, &o, &bid));
    c = counts(f);
    assert_int_equal(c.booked, 3);
    assert_int_equal(c.held, 0);
    tix_booking *b;
    assert_ok(tix_booking_get(db, bid, &b));
    assert_int_equal(b->n_seats, 4);
    assert_true(b->seats[1].tier_id == f->floor_tier);
    assert_int_equal(b->seats[1].price_minor, 5000);
    assert_int_equal(b->n_tickets, 4);
    tix_checkin ck;
    assert_ok(tix_ticket_checkin(db, b->tickets[2].code, "Gate 2", &ck));
    assert_code(tix_ticket_checkin(db, b->tickets[2].code, "Gate 2", &ck),
                TIX_EALREADY);
    tix_seat_history *sh;
    assert_ok(tix_seat_history_get(db, f->show, b->tickets[2].seats[0], &sh));
    assert_int_equal(sh->state, TIX_SEAT_BOOKED);
    assert_int_equal(sh->count, 2); /* booked, checked in */
    tix_seat_history_free(sh);
    assert_code(tix_booking_cancel(db, bid), TIX_ECHECKEDIN);
    assert_ok(tix_booking_cancel_ex(db, bid, TIX_CANCEL_AFTER_CHECKIN));
    c = counts(f);
    assert_int_equal(c.free, CAP);
    tix_booking_free(b);
    tix_hold_free(back);
    tix_hold_free(h);
    tt_inv_assert(db, NULL, NULL);
}

static void sold_out_expiry_and_release(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_hold *h[5];
    for (int i = 0; i < 5; i++) h[i] = take(f, 10); /* hold_max_seats 10 */
    assert_int_equal(counts(f).free, 0);
    tix_area_take t = {f->area, 1};
    tix_hold *x = (tix_hold *)1;
    assert_rejected(db, tix_hold_areas(db, f->show, NULL, 0, &t, 1, NULL, &x),
                    TIX_ECONFLICT, "0 free places, 1 asked");
    assert_null(x);
    /* Not all that is asked: nothing is held. */
    size_t n;
    assert_ok(tix_hold_release_ex(db, h[0], &n));
    assert_int_equal(n, 10);
    assert_ok(tix_hold_release_ex(db, h[0], &n));
    assert_int_equal(n, 0);
    tix_hold_free(h[0]);
    tix_hold_free(take(f, 6)); /* 4 free now */
    t.count = 5;
    assert_code(tix_hold_areas(db, f->show, NULL, 0, &t, 1, NULL, &x),
                TIX_ECONFLICT);
    assert_int_equal(counts(f).free, 4);
    assert_int_equal(counts(f).held, CAP - 4);
    /* Holds run out without a sweeper. */
    tt_now += 601;
    assert_int_equal(counts(f).free, CAP);
    tix_hold_free(take(f, 10));
    for (int i = 1; i < 5; i++) tix_hold_free(h[i]);
}

/* A hold that ran out keeps its places while free ones remain, so its
 * late payment still books. */
static void free_places_before_run_out_holds(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_hold *late = take(f, 10);
    tt_now += 601;
    tix_hold *h[4];
    for (int i = 0; i < 4; i++) h[i] = take(f, 10);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "late"};
    tix_id bid;
    assert_ok(tix_hold_confirm(db, late, &o, &bid));
    /* 10 booked, 40 held: sold out. */
    tix_area_take t = {f->area, 1};
    tix_hold *x;
    assert_code(tix_hold_areas(db, f->show, NULL, 0, &t, 1, NULL, &x),
                TIX_ECONFLICT);
    tt_now += 601; /* the four run out: their places go to others */
    for (int i = 0; i < 4; i++) tix_hold_free(take(f, 10));
    char ref[16];
    for (int i = 0; i < 4; i++) {
        snprintf(ref, sizeof ref, "late%d", i);
        o.payment_ref = ref;
        assert_code(tix_hold_confirm(db, h[i], &o, &bid), TIX_EEXPIRED);
        tix_hold_free(h[i]);
    }
    tix_hold_free(late);
    tt_inv_assert(db, NULL, NULL);
}

static void hold_bad_inputs(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_hold *x = (tix_hold *)1;
    tix_area_take t[2] = {{f->area, 2}, {f->area, 1}};
    uint32_t seats[] = {2, 2};
    assert_rejected(db, tix_hold_areas(db, f->show, NULL, 0, NULL, 0, NULL, &x),
                    TIX_EINVAL, "nothing");
    assert_null(x);
    assert_rejected(db, tix_hold_areas(db, f->show, NULL, 0, NULL, 1, NULL, &x),
                    TIX_EINVAL, "areas");
    assert_rejected(db, tix_hold_areas(db, f->show, NULL, 1, t, 1, NULL, &x),
                    TIX_EINVAL, "seats");
    assert_rejected(db, tix_hold_areas(db, f->show, NULL, 0, t, 2, NULL, &x),
                    TIX_EINVAL, "twice");
    t[1].count = 0;
    assert_rejected(db, tix_hold_areas(db, f->show, NULL, 0, &t[1], 1, NULL, &x),
                    TIX_EINVAL, "count");
    t[1] = (tix_area_take){f->tier2, 1}; /* no such area of the screen */
    assert_rejected(db, tix_hold_areas(db, f->show, NULL, 0, &t[1], 1, NULL, &x),
                    TIX_ENOTFOUND, "area");
    t[1] = (tix_area_take){f->area, 11};
    assert_rejected(db, tix_hold_areas(db, f->show, NULL, 0, &t[1], 1, NULL, &x),
                    TIX_ELIMIT, "hold_max_seats");
    t[1].count = 9;
    assert_rejected(db, tix_hold_areas(db, f->show, seats, 2, &t[1], 1, NULL, &x),
                    TIX_ELIMIT, "hold_max_seats");
    assert_rejected(db, tix_hold_areas(db, f->show, seats, 2, t, 1, NULL, &x),
                    TIX_EINVAL, "twice");
    tix_hold_opts ko = {.request_key = "k1"};
    assert_rejected(db, tix_hold_areas(db, f->show, NULL, 0, t, 1, &ko, &x),
                    TIX_EINVAL, "request key");
    ko = (tix_hold_opts){.ttl = 999999};
    assert_rejected(db, tix_hold_areas(db, f->show, NULL, 0, t, 1, &ko, &x),
                    TIX_ERANGE, "ttl");
    assert_rejected(db, tix_hold_areas(db, 9999, NULL, 0, t, 1, NULL, &x),
                    TIX_ENOTFOUND, NULL);
    /* A taken seat refuses the whole hold: no place stays held. */
    tix_hold *h = take(f, 1);
    tix_hold *s;
    uint32_t one = 4;
    assert_ok(tix_hold_create(db, f->show, &one, 1, NULL, &s));
    assert_code(tix_hold_areas(db, f->show, &one, 1, t, 1, NULL, &x),
                TIX_ECONFLICT);
    assert_int_equal(counts(f).held, 1);
    assert_code(tix_area_availability(db, f->show, f->tier2, &(tix_counts){0}),
                TIX_ENOTFOUND);
    assert_code(tix_area_availability(db, f->show, f->area, NULL), TIX_EINVAL);
    tt_now += 2 * 86400; /* the show has ended */
    assert_code(tix_hold_areas(db, f->show, NULL, 0, t, 1, NULL, &x),
                TIX_ESTATE);
    tix_hold_free(h);
    tix_hold_free(s);
}

/* Places are sold by count only: best available never offers them. */
static void best_available_skips_places(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_best_opts o = {.tier_id = f->floor_tier};
    tix_hold *h;
    assert_code(tix_hold_best(db, f->show, 2, &o, &h), TIX_ECONFLICT);
    tix_hold *rows[2];
    for (int i = 0; i < 2; i++) {
        o = (tix_best_opts){.flags = TIX_BEST_ANY_TIER};
        assert_ok(tix_hold_best(db, f->show, 10, &o, &rows[i]));
        assert_true(tix_hold_seat(rows[i], 0) < SEATS);
    }
    assert_code(tix_hold_best(db, f->show, 1, &o, &h), TIX_ECONFLICT);
    assert_int_equal(counts(f).free, CAP);
    for (int i = 0; i < 2; i++) tix_hold_free(rows[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(area_is_a_run_of_places, setup, teardown),
        cmocka_unit_test_setup_teardown(area_bad_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(mixed_hold_confirm_checkin_cancel,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(sold_out_expiry_and_release, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(free_places_before_run_out_holds, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(hold_bad_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(best_available_skips_places, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
