/* lib/front/nearby.c: venues within a radius, nearest first, through the grid
 * index; checked against a scan of every venue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nearby.h"
#include "testutil.h"

typedef struct world {
    tt_store s;
    tt_catalog c;
} world;

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    tt_open(&w->s);
    tt_make_catalog(w->s.db, 0, 0, &w->c);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    tt_close(&w->s);
    free(w);
    return 0;
}

static tix_id venue(world *w, const char *name, double lat, double lon)
{
    tix_venue v = {.city_id = w->c.city, .name = name, .lat = lat, .lon = lon};
    tix_id id;
    assert_ok(tix_venue_create(w->s.db, &v, &id));
    return id;
}

static void near(double got, double want, double tol)
{
    double d = got - want;
    if (d < -tol || d > tol) fail_msg("%.9f is not %.9f +- %g", got, want, tol);
}

static void haversine_matches_known_distances(void **state)
{
    (void)state;
    const double pi = 3.14159265358979323846, r = 6371.0088;
    near(tix__nearby_km(0, 0, 0, 1), r * pi / 180, 1e-9);
    near(tix__nearby_km(0, 0, 0, 180), r * pi, 1e-8);
    near(tix__nearby_km(90, 0, -90, 0), r * pi, 1e-8);
    near(tix__nearby_km(0, 179.5, 0, -179.5), r * pi / 180, 1e-9);
    near(tix__nearby_km(90, 0, 90, 100), 0, 1e-9);
    near(tix__nearby_km(12.9716, 77.5946, 12.9716, 77.5946), 0, 0);
    near(tix__nearby_km(51.5074, -0.1278, 48.8566, 2.3522), 343.56, 0.1);
    near(tix__nearby_km(12.9716, 77.5946, 19.0760, 72.8777), 845.6, 1.5);
    near(tix__nearby_km(-33.8688, 151.2093, 40.7128, -74.0060), 15990, 10);
    near(tix__nearby_km(60, 0, 60, 1), r * pi / 180 * 0.5, 1e-3);
}

static void nearest_first_within_radius(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db; /* the catalog's venue is at 13.0108, 77.5555 */
    tix_id orion = w->c.venue;
    tix_id mg = venue(w, "MG Road", 12.9756, 77.6067);
    tix_id whitefield = venue(w, "Whitefield", 12.9698, 77.7500);
    tix_id mysuru = venue(w, "Mysuru Mall", 12.2958, 76.6394);
    venue(w, "Mumbai", 19.0760, 72.8777);
    tix_venue_near_list *l;
    assert_ok(tix_venue_nearby(db, 12.9716, 77.5946, 25, 0, &l));
    assert_int_equal(l->count, 3);
    assert_true(l->items[0].venue.id == mg);
    assert_true(l->items[1].venue.id == orion);
    assert_true(l->items[2].venue.id == whitefield);
    assert_string_equal(l->items[0].venue.name, "MG Road");
    assert_true(l->items[0].distance_km < l->items[1].distance_km);
    near(l->items[0].distance_km,
         tix__nearby_km(12.9716, 77.5946, 12.9756, 77.6067), 0);
    tix_venue_near_list_free(l);
    assert_ok(tix_venue_nearby(db, 12.9716, 77.5946, 200, 2, &l));
    assert_int_equal(l->count, 2);
    tix_venue_near_list_free(l);
    assert_ok(tix_venue_nearby(db, 12.9716, 77.5946, 200, 0, &l));
    assert_int_equal(l->count, 4);
    assert_true(l->items[3].venue.id == mysuru);
    tix_venue_near_list_free(l);
    assert_ok(tix_venue_nearby(db, -45, -120, 100, 0, &l));
    assert_int_equal(l->count, 0);
    tix_venue_near_list_free(l);
    /* Equal distances: by id. */
    tix_id e1 = venue(w, "East", 0, 1), w1 = venue(w, "West", 0, -1);
    assert_ok(tix_venue_nearby(db, 0, 0, 120, 0, &l));
    assert_int_equal(l->count, 2);
    assert_true(l->items[0].venue.id == e1 && l->items[1].venue.id == w1);
    tix_venue_near_list_free(l);
}

static void moving_a_venue_moves_its_index(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_venue *v;
    assert_ok(tix_venue_get(db, w->c.venue, &v));
    tix_venue moved = *v;
    moved.lat = -33.8688;
    moved.lon = 151.2093;
    assert_ok(tix_venue_update(db, &moved));
    tix_venue_near_list *l;
    assert_ok(tix_venue_nearby(db, 13.0108, 77.5555, 50, 0, &l));
    assert_int_equal(l->count, 0);
    tix_venue_near_list_free(l);
    assert_ok(tix_venue_nearby(db, -33.87, 151.21, 5, 0, &l));
    assert_int_equal(l->count, 1);
    assert_true(l->items[0].venue.lat == -33.8688);
    tix_venue_near_list_free(l);
    /* Renaming without moving leaves the index alone. */
    uint64_t before = tt_digest(db);
    moved.name = "Renamed";
    assert_ok(tix_venue_update(db, &moved));
    assert_true(tt_digest(db) != before);
    assert_ok(tix_venue_nearby(db, -33.87, 151.21, 5, 0, &l));
    assert_string_equal(l->items[0].venue.name, "Renamed");
    tix_venue_near_list_free(l);
    tix_venue_free(v);
}

static void bad_points_and_radii(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_venue_near_list *l = NULL;
    double nan = __builtin_nan(""), inf = __builtin_inf();
    assert_rejected(db, tix_venue_nearby(db, 91, 0, 1, 0, &l), TIX_ERANGE,
                    "lat");
    assert_rejected(db, tix_venue_nearby(db, -90.5, 0, 1, 0, &l), TIX_ERANGE,
                    "lat");
    assert_rejected(db, tix_venue_nearby(db, nan, 0, 1, 0, &l), TIX_ERANGE,
                    "lat");
    assert_rejected(db, tix_venue_nearby(db, 0, 180.01, 1, 0, &l), TIX_ERANGE,
                    "lon");
    assert_rejected(db, tix_venue_nearby(db, 0, -inf, 1, 0, &l), TIX_ERANGE,
                    "lon");
    assert_rejected(db, tix_venue_nearby(db, 0, 0, 0, 0, &l), TIX_ERANGE,
                    "radius");
    assert_rejected(db, tix_venue_nearby(db, 0, 0, -5, 0, &l), TIX_ERANGE,
                    "radius");
    assert_rejected(db, tix_venue_nearby(db, 0, 0, TIX_NEARBY_RADIUS_MAX + 1,
                                         0, &l), TIX_ERANGE, "radius");
    assert_rejected(db, tix_venue_nearby(db, 0, 0, inf, 0, &l), TIX_ERANGE,
                    "radius");
    assert_rejected(db, tix_venue_nearby(db, 0, 0, 1, 0, NULL), TIX_EINVAL,
                    NULL);
    assert_null(l);
    /* Bad positions never reach the index. */
    tix_venue v = {.city_id = w->c.city, .name = "Nowhere", .lat = 95};
    assert_rejected(db, tix_venue_create(db, &v, NULL), TIX_ERANGE, "lat");
    /* The extremes are fine. */
    assert_ok(tix_venue_nearby(db, 90, 180, TIX_NEARBY_RADIUS_MAX, 0, &l));
    assert_int_equal(l->count, 1);
    tix_venue_near_list_free(l);
}

static double rnd(double lo, double hi)
{
    return lo + (hi - lo) * ((double)rand() / RAND_MAX);
}

typedef struct spot {
    tix_id id;
    double lat, lon, km;
} spot;

static int by_km(const void *a, const void *b)
{
    const spot *x = a, *y = b;
    if (x->km != y->km) return x->km < y->km ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void agrees_with_a_full_scan(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    enum { N = 600, Q = 400 };
    spot *all = calloc(N + 1, sizeof *all);
    all[0] = (spot){w->c.venue, 13.0108, 77.5555, 0};
    srand(5);
    /* Spread over the globe, plus clusters near a city, a pole and the
     * antimeridian, where the grid is easiest to get wrong. */
    for (int i = 1; i <= N; i++) {
        double lat, lon;
        switch (i % 4) {
        case 0: lat = rnd(-90, 90), lon = rnd(-180, 180); break;
        case 1: lat = rnd(12.5, 13.5), lon = rnd(77, 78); break;
        case 2: lat = rnd(88, 90), lon = rnd(-180, 180); break;
        default: lat = rnd(-10, 10), lon = i % 8 < 4 ? rnd(179, 180)
                                                     : rnd(-180, -179);
        }
        if (i == 7) lat = 90, lon = 0;
        if (i == 11) lat = 0, lon = 180;
        if (i == 15) lat = -90, lon = -180;
        char name[32];
        snprintf(name, sizeof name, "V%d", i);
        all[i] = (spot){venue(w, name, lat, lon), lat, lon, 0};
    }
    spot *want = calloc(N + 1, sizeof *want);
    size_t total = 0, empty = 0;
    for (int q = 0; q < Q; q++) {
        double lat, lon;
        switch (q % 4) {
        case 0: lat = rnd(-90, 90), lon = rnd(-180, 180); break;
        case 1: lat = rnd(12.5, 13.5), lon = rnd(77, 78); break;
        case 2: lat = rnd(85, 90), lon = rnd(-180, 180); break;
        default: lat = rnd(-10, 10), lon = q % 8 < 4 ? 180 : rnd(-180, -179.5);
        }
        static const double radii[] = {0.3, 2, 15, 80, 400, 1500, 6000,
                                       12000, 20100};
        double radius = radii[q % 9] * rnd(0.5, 1);
        size_t n = 0;
        for (int i = 0; i <= N; i++) {
            double km = tix__nearby_km(lat, lon, all[i].lat, all[i].lon);
            if (km <= radius) {
                want[n] = all[i];
                want[n++].km = km;
            }
        }
        qsort(want, n, sizeof *want, by_km);
        total += n;
        empty += n == 0;
        tix_venue_near_list *l;
        assert_ok(tix_venue_nearby(db, lat, lon, radius, 0, &l));
        if (l->count != n)
            fail_msg("(%f, %f) r %f: %zu venues, a scan finds %zu", lat, lon,
                     radius, l->count, n);
        for (size_t i = 0; i < n; i++) {
            assert_true(l->items[i].venue.id == want[i].id);
            assert_true(l->items[i].distance_km == want[i].km);
        }
        tix_venue_near_list_free(l);
    }
    /* The queries found plenty, and some found nothing. */
    assert_true(total > 20000 && empty > 10 && empty < Q / 2);
    free(want);
    free(all);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(haversine_matches_known_distances),
        T(nearest_first_within_radius),
        T(moving_a_venue_moves_its_index),
        T(bad_points_and_radii),
        T(agrees_with_a_full_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
