/* lib/catalog/screen.c: screens of a venue. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "screen.h"
#include "testutil.h"

typedef struct world {
    tt_store s;
    tix_id city, venue, other_venue;
} world;

static tix_id add_place(tix_db *db, tix_place_kind kind, tix_id parent,
                        const char *name)
{
    tix_place p = {.kind = kind, .parent_id = parent, .name = name,
                   .utc_offset_min = 330};
    tix_id id;
    assert_ok(tix_place_create(db, &p, &id));
    return id;
}

static tix_id add_venue(tix_db *db, tix_id city, const char *name)
{
    tix_venue v = {.city_id = city, .name = name, .lat = 12.97, .lon = 77.59};
    tix_id id;
    assert_ok(tix_venue_create(db, &v, &id));
    return id;
}

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    tt_open(&w->s);
    tix_db *db = w->s.db;
    tix_id india = add_place(db, TIX_PLACE_COUNTRY, 0, "India");
    tix_id ka = add_place(db, TIX_PLACE_STATE, india, "Karnataka");
    w->city = add_place(db, TIX_PLACE_CITY, ka, "Bengaluru");
    w->venue = add_venue(db, w->city, "PVR Orion Mall");
    w->other_venue = add_venue(db, w->city, "INOX Garuda");
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

static tix_id add_screen(tix_db *db, tix_id venue, const char *name, double x,
                         double y)
{
    tix_screen s = {.venue_id = venue, .name = name, .ideal_x = x,
                    .ideal_y = y};
    tix_id id = 0;
    assert_ok(tix_screen_create(db, &s, &id));
    assert_true(id != 0);
    return id;
}

static void assert_screen(tix_db *db, tix_id id, tix_id venue,
                          const char *name, double x, double y,
                          uint32_t seat_count)
{
    tix_screen *s = NULL;
    assert_ok(tix_screen_get(db, id, &s));
    assert_true(s->id == id);
    assert_true(s->venue_id == venue);
    assert_string_equal(s->name, name);
    assert_true(s->ideal_x == x);
    assert_true(s->ideal_y == y);
    assert_int_equal(s->seat_count, seat_count);
    tix_screen_free(s);
}

static void create_and_get_round_trip(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    /* seat_count is set by the library: whatever the caller passes. */
    tix_screen s = {.venue_id = w->venue, .name = "Audi 1 (IMAX)",
                    .ideal_x = 12.5, .ideal_y = -3.25, .seat_count = 99};
    tix_id id;
    assert_ok(tix_screen_create(db, &s, &id));
    assert_screen(db, id, w->venue, "Audi 1 (IMAX)", 12.5, -3.25, 0);

    tix_id t = add_screen(db, w->venue, "திரை 2 — São Paulo", 0, 0);
    assert_screen(db, t, w->venue, "திரை 2 — São Paulo", 0, 0, 0);
    tix_id m = add_screen(db, w->venue, tt_name_max(), -1e300, 1e300);
    assert_screen(db, m, w->venue, tt_name_max(), -1e300, 1e300, 0);
    /* Names are unique per venue only. */
    add_screen(db, w->other_venue, "Audi 1 (IMAX)", 1, 1);
    assert_ok(tix_screen_create(db, &(tix_screen){.venue_id = w->other_venue,
                                                  .name = "Audi 2"}, NULL));
}

static int set_count(tix_db *db, MDB_txn *txn, void *arg)
{
    const tix_id *id = arg;
    return tix__screen_set_seat_count(db, txn, *id, 480);
}

static void internal_read_and_seat_count(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_id id = add_screen(db, w->venue, "Audi 3", 10, 8);
    assert_ok(tix__db_write(db, set_count, &id));
    assert_screen(db, id, w->venue, "Audi 3", 10, 8, 480);

    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    tix_screen s;
    assert_ok(tix__screen_read(db, txn, id, &s));
    assert_true(s.id == id && s.venue_id == w->venue);
    assert_string_equal(s.name, "Audi 3"); /* a C string in LMDB memory */
    assert_true(s.ideal_x == 10 && s.ideal_y == 8);
    assert_int_equal(s.seat_count, 480);
    assert_code(tix__screen_read(db, txn, id + 100, &s), TIX_ENOTFOUND);
    tix__db_read_end(db, txn);

    tix_id missing = id + 100;
    assert_code(tix__db_write(db, set_count, &missing), TIX_ENOTFOUND);

    /* Updates keep the seat count, whatever the caller passes. */
    tix_screen u = {.id = id, .venue_id = w->venue, .name = "Audi 3",
                    .ideal_x = 11, .ideal_y = 9, .seat_count = 1};
    assert_ok(tix_screen_update(db, &u));
    assert_screen(db, id, w->venue, "Audi 3", 11, 9, 480);
}

static void list_by_venue_sorted_by_name(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    add_screen(db, w->venue, "Screen 3", 0, 0);
    add_screen(db, w->venue, "Gold Class", 0, 0);
    add_screen(db, w->venue, "IMAX", 0, 0);
    add_screen(db, w->other_venue, "Audi 1", 0, 0);
    tix_screen_list *l = NULL;
    assert_ok(tix_screen_list_by_venue(db, w->venue, &l));
    assert_int_equal(l->count, 3);
    assert_string_equal(l->items[0].name, "Gold Class");
    assert_string_equal(l->items[1].name, "IMAX");
    assert_string_equal(l->items[2].name, "Screen 3");
    for (size_t i = 0; i < l->count; i++)
        assert_true(l->items[i].venue_id == w->venue);
    tix_screen_list_free(l);
    assert_ok(tix_screen_list_by_venue(db, 999, &l));
    assert_int_equal(l->count, 0);
    tix_screen_list_free(l);
    tix_screen_list_free(NULL);
    tix_screen_free(NULL);
}

static void update_renames(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_id id = add_screen(db, w->venue, "Audi 1", 1, 2);
    add_screen(db, w->venue, "Audi 2", 1, 2);
    tix_screen s = {.id = id, .venue_id = w->venue, .name = "Audi 1 4DX",
                    .ideal_x = 3, .ideal_y = 4};
    assert_ok(tix_screen_update(db, &s));
    assert_screen(db, id, w->venue, "Audi 1 4DX", 3, 4, 0);
    add_screen(db, w->venue, "Audi 1", 0, 0); /* old name is free */

    tix_screen bad = s;
    bad.name = "Audi 2";
    assert_rejected(db, tix_screen_update(db, &bad), TIX_EEXISTS, "Audi 2");
    bad = s;
    bad.venue_id = w->other_venue;
    assert_rejected(db, tix_screen_update(db, &bad), TIX_EINVAL, "venue_id");
    bad = s;
    bad.ideal_y = NAN;
    assert_rejected(db, tix_screen_update(db, &bad), TIX_ERANGE, "ideal_y");
    bad = s;
    bad.name = "\xf8\x88\x80\x80\x80";
    assert_rejected(db, tix_screen_update(db, &bad), TIX_EUTF8, "name");
    bad = s;
    bad.id = 12345;
    assert_rejected(db, tix_screen_update(db, &bad), TIX_ENOTFOUND, "12345");
    assert_rejected(db, tix_screen_update(db, NULL), TIX_EINVAL, "screen");
    assert_code(tix_screen_update(NULL, &s), TIX_EINVAL);
    assert_screen(db, id, w->venue, "Audi 1 4DX", 3, 4, 0);
}

enum venue_ref { V_VENUE, V_UNKNOWN, V_ZERO };
#define TOO_LONG "<too long>"

static const struct bad_screen {
    const char *what;
    enum venue_ref venue;
    const char *name;
    double x, y;
    int code;
    const char *field;
} bad_screens[] = {
    {"empty name", V_VENUE, "", 0, 0, TIX_EINVAL, "name"},
    {"NULL name", V_VENUE, NULL, 0, 0, TIX_EINVAL, "name"},
    {"oversized name", V_VENUE, TOO_LONG, 0, 0, TIX_ETOOLONG, "name"},
    {"invalid UTF-8", V_VENUE, "Audi\x80", 0, 0, TIX_EUTF8, "name"},
    {"DEL character", V_VENUE, "Audi\x7f", 0, 0, TIX_EINVAL, "name"},
    {"duplicate name", V_VENUE, "Audi 1", 0, 0, TIX_EEXISTS, "Audi 1"},
    {"unknown venue", V_UNKNOWN, "Audi 9", 0, 0, TIX_ENOTFOUND, "venue_id"},
    {"venue 0", V_ZERO, "Audi 9", 0, 0, TIX_ENOTFOUND, "venue_id"},
    {"NaN ideal_x", V_VENUE, "Audi 9", NAN, 0, TIX_ERANGE, "ideal_x"},
    {"infinite ideal_y", V_VENUE, "Audi 9", 0, -INFINITY, TIX_ERANGE,
     "ideal_y"},
};

static void bad_input_table(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    add_screen(db, w->venue, "Audi 1", 0, 0);
    for (size_t i = 0; i < sizeof bad_screens / sizeof *bad_screens; i++) {
        const struct bad_screen *c = &bad_screens[i];
        print_message("bad screen: %s\n", c->what);
        tix_id venue = c->venue == V_VENUE ? w->venue
                       : c->venue == V_UNKNOWN ? 4040 : 0;
        tix_screen s = {.venue_id = venue, .name = c->name, .ideal_x = c->x,
                        .ideal_y = c->y};
        if (s.name && !strcmp(s.name, TOO_LONG)) s.name = tt_name_too_long();
        tix_id id = 77;
        assert_rejected(db, tix_screen_create(db, &s, &id), c->code, c->field);
        assert_true(id == 77);
    }
}

static void null_arguments(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_screen s = {.venue_id = w->venue, .name = "Audi"};
    assert_rejected(db, tix_screen_create(db, NULL, NULL), TIX_EINVAL,
                    "screen");
    assert_code(tix_screen_create(NULL, &s, NULL), TIX_EINVAL);
    tix_screen *out = &s;
    assert_code(tix_screen_get(db, 42, &out), TIX_ENOTFOUND);
    assert_null(out);
    assert_code(tix_screen_get(NULL, 42, &out), TIX_EINVAL);
    assert_code(tix_screen_get(db, 42, NULL), TIX_EINVAL);
    tix_screen_list *l = (tix_screen_list *)&s;
    assert_code(tix_screen_list_by_venue(NULL, w->venue, &l), TIX_EINVAL);
    assert_null(l);
    assert_code(tix_screen_list_by_venue(db, w->venue, NULL), TIX_EINVAL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(create_and_get_round_trip),
        T(internal_read_and_seat_count),
        T(list_by_venue_sorted_by_name),
        T(update_renames),
        T(bad_input_table),
        T(null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
