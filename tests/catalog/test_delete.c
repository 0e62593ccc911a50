/* lib/schema/record.c tix__rec_delete, lib/catalog/refs.c and the
 * referrer checks of bookings and reviews: tix_<noun>_delete refuses with
 * TIX_EBUSY naming a referrer and changes nothing, else removes the record
 * with its index entries and derived state; tix check stays clean. */
#include "engine_fixture.h"
#include "frontend_fixture.h"

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

static size_t title_hits(tix_db *db, const char *q)
{
    tix_search_result *r;
    assert_ok(tix_movie_search(db, q, NULL, &r));
    size_t n = r->count;
    tix_search_result_free(r);
    return n;
}

static void referred_records_stay(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tt_catalog *c = &f->c;
    assert_rejected(db, tix_place_delete(db, c->state), TIX_EBUSY, "places");
    assert_rejected(db, tix_place_delete(db, c->city), TIX_EBUSY, "venues");
    assert_rejected(db, tix_venue_delete(db, c->venue), TIX_EBUSY, "screens");
    assert_rejected(db, tix_screen_delete(db, c->screen), TIX_EBUSY, "shows");
    assert_rejected(db, tix_tier_delete(db, c->tier_gold), TIX_EBUSY, "seats");
    assert_rejected(db, tix_movie_delete(db, c->movie), TIX_EBUSY, "shows");
    fe_book(f, f->show, f->user, 1);
    assert_rejected(db, tix_user_delete(db, f->user), TIX_EBUSY, "bookings");
    assert_rejected(db, tix_user_delete(db, 0), TIX_ENOTFOUND, NULL);
    assert_rejected(db, tix_movie_delete(db, 999), TIX_ENOTFOUND, "999");
    assert_rejected(db, tix_place_delete(NULL, 1), TIX_EINVAL, NULL);
    assert_check_clean(db);
}

static void unreferred_records_go(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tt_catalog *c = &f->c;
    tix_place p = {.kind = TIX_PLACE_CITY, .parent_id = c->state,
                   .name = "Mysuru", .utc_offset_min = 330};
    tix_id city;
    assert_ok(tix_place_create(db, &p, &city));
    tix_venue v = {.city_id = city, .name = "Palace Talkies", .lat = 12.3,
                   .lon = 76.6};
    tix_id venue;
    assert_ok(tix_venue_create(db, &v, &venue));
    tix_screen s = {.venue_id = venue, .name = "Hall"};
    tix_id screen;
    assert_ok(tix_screen_create(db, &s, &screen));
    tix_tier t = {.screen_id = screen, .name = "Any", .price_minor = 100,
                  .currency = "INR"};
    tix_id tier;
    assert_ok(tix_tier_create(db, &t, &tier));
    tix_user u = {.name = "Ravi", .email = "ravi@example.com",
                  .home_city_id = city};
    tix_id user;
    assert_ok(tix_user_create(db, &u, &user));

    assert_rejected(db, tix_place_delete(db, city), TIX_EBUSY, "venue");
    assert_rejected(db, tix_screen_delete(db, screen), TIX_EBUSY, "tiers");
    assert_ok(tix_tier_delete(db, tier));
    assert_ok(tix_screen_delete(db, screen));
    assert_ok(tix_venue_delete(db, venue));
    assert_rejected(db, tix_place_delete(db, city), TIX_EBUSY, "users");
    /* A user with a review stays, and so does its movie. */
    tix_movie m = {.title = "Quiet Harbour", .duration_min = 90};
    tix_id movie;
    assert_ok(tix_movie_create(db, &m, &movie));
    tix_id review = fe_review(db, user, movie, 8, "calm");
    assert_rejected(db, tix_user_delete(db, user), TIX_EBUSY, "reviews");
    assert_rejected(db, tix_movie_delete(db, movie), TIX_EBUSY, "reviews");
    assert_ok(tix_review_delete(db, review));
    assert_ok(tix_user_delete(db, user));
    assert_ok(tix_place_delete(db, city));
    assert_int_equal(title_hits(db, "harbour"), 1);
    assert_ok(tix_movie_delete(db, movie));
    assert_int_equal(title_hits(db, "harbour"), 0);

    tix_venue *gv;
    assert_code(tix_venue_get(db, venue, &gv), TIX_ENOTFOUND);
    assert_code(tix_place_delete(db, city), TIX_ENOTFOUND);
    /* The unique keys are free again. */
    assert_ok(tix_place_create(db, &p, &city));
    u.home_city_id = city;
    assert_ok(tix_user_create(db, &u, &user));
    assert_check_clean(db);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(referred_records_stay),
        T(unreferred_records_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
