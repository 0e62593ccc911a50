/* lib/catalog/venue.c: venues in a city. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "testutil.h"
#include "venue.h"

typedef struct world {
    tt_store s;
    tix_id india, karnataka, bengaluru, mysuru;
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

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    tt_open(&w->s);
    tix_db *db = w->s.db;
    w->india = add_place(db, TIX_PLACE_COUNTRY, 0, "India");
    w->karnataka = add_place(db, TIX_PLACE_STATE, w->india, "Karnataka");
    w->bengaluru = add_place(db, TIX_PLACE_CITY, w->karnataka, "Bengaluru");
    w->mysuru = add_place(db, TIX_PLACE_CITY, w->karnataka, "Mysuru");
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

static tix_id add_venue(tix_db *db, tix_id city, const char *name,
                        const char *address, double lat, double lon)
{
    tix_venue v = {.city_id = city, .name = name, .address = address,
                   .lat = lat, .lon = lon};
    tix_id id = 0;
    assert_ok(tix_venue_create(db, &v, &id));
    assert_true(id != 0);
    return id;
}

static void assert_venue(tix_db *db, const tix_venue *want)
{
    tix_venue *v = NULL;
    assert_ok(tix_venue_get(db, want->id, &v));
    assert_true(v->id == want->id);
    assert_true(v->city_id == want->city_id);
    assert_string_equal(v->name, want->name);
    assert_string_equal(v->address, want->address ? want->address : "");
    assert_true(v->lat == want->lat);
    assert_true(v->lon == want->lon);
    tix_venue_free(v);
}

static void create_and_get_round_trip(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_venue v = {.city_id = w->bengaluru, .name = "PVR Orion Mall",
                   .address = "Dr Rajkumar Rd,\nRajajinagar, Bengaluru 560055",
                   .lat = 13.0108, .lon = 77.5555};
    assert_ok(tix_venue_create(db, &v, &v.id));
    assert_venue(db, &v);

    /* UTF-8, NULL address, the extreme coordinates, a maximal name. */
    tix_venue u = {.city_id = w->bengaluru, .name = "சத்யம் São Paulo",
                   .address = NULL, .lat = -90, .lon = 180};
    u.id = add_venue(db, u.city_id, u.name, u.address, u.lat, u.lon);
    assert_venue(db, &u);
    tix_venue m = {.city_id = w->mysuru, .name = tt_name_max(), .address = "",
                   .lat = 90, .lon = -180};
    m.id = add_venue(db, m.city_id, m.name, m.address, m.lat, m.lon);
    assert_venue(db, &m);
    /* Names are unique per city only. */
    add_venue(db, w->mysuru, "PVR Orion Mall", "", 12.3, 76.6);

    char address[TIX_ADDRESS_MAX + 1];
    memset(address, 'a', TIX_ADDRESS_MAX);
    address[TIX_ADDRESS_MAX] = 0;
    tix_id id = add_venue(db, w->mysuru, "Long Address", address, 0, 0);
    tix_venue *got;
    assert_ok(tix_venue_get(db, id, &got));
    assert_int_equal(strlen(got->address), TIX_ADDRESS_MAX);
    tix_venue_free(got);
}

static void internal_read(void **state)
{
    world *w = *state;
    tix_id id = add_venue(w->s.db, w->mysuru, "DRC", "", 12.3, 76.6);
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(w->s.db, &txn));
    tix_id city = 0;
    assert_ok(tix__venue_read(w->s.db, txn, id, &city));
    assert_true(city == w->mysuru);
    assert_code(tix__venue_read(w->s.db, txn, id + 1, &city), TIX_ENOTFOUND);
    tix__db_read_end(w->s.db, txn);
}

static void list_by_city_sorted_by_name(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    add_venue(db, w->bengaluru, "Urvashi", "", 12.9, 77.6);
    add_venue(db, w->bengaluru, "Cinepolis", "", 12.9, 77.6);
    add_venue(db, w->bengaluru, "INOX Garuda", "", 12.9, 77.6);
    add_venue(db, w->mysuru, "DRC", "", 12.3, 76.6);

    tix_venue_list *l = NULL;
    assert_ok(tix_venue_list_by_city(db, w->bengaluru, &l));
    assert_int_equal(l->count, 3);
    assert_string_equal(l->items[0].name, "Cinepolis");
    assert_string_equal(l->items[1].name, "INOX Garuda");
    assert_string_equal(l->items[2].name, "Urvashi");
    for (size_t i = 0; i < l->count; i++)
        assert_true(l->items[i].city_id == w->bengaluru);
    tix_venue_list_free(l);

    assert_ok(tix_venue_list_by_city(db, w->karnataka, &l));
    assert_int_equal(l->count, 0);
    tix_venue_list_free(l);
    tix_venue_list_free(NULL);
    tix_venue_free(NULL);
}

static void update_fields_and_rename(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_venue v = {.city_id = w->bengaluru, .name = "Urvashi", .address = "",
                   .lat = 12.9, .lon = 77.6};
    v.id = add_venue(db, v.city_id, v.name, v.address, v.lat, v.lon);
    v.name = "Urvashi Cinema";
    v.address = "Lalbagh Rd";
    v.lat = 12.95;
    v.lon = 77.59;
    assert_ok(tix_venue_update(db, &v));
    assert_venue(db, &v);
    assert_ok(tix_venue_update(db, &v)); /* same name: fine */
    /* The old name is free, the new one taken. */
    add_venue(db, w->bengaluru, "Urvashi", "", 0, 0);
    tix_venue dup = {.city_id = w->bengaluru, .name = "Urvashi Cinema"};
    assert_rejected(db, tix_venue_create(db, &dup, NULL), TIX_EEXISTS,
                    "Urvashi Cinema");
}

static void update_bad_input(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    add_venue(db, w->bengaluru, "Cinepolis", "", 12.9, 77.6);
    tix_venue v = {.city_id = w->bengaluru, .name = "Urvashi", .lat = 1};
    v.id = add_venue(db, v.city_id, v.name, v.address, v.lat, v.lon);
    tix_venue bad = v;
    bad.name = "Cinepolis";
    assert_rejected(db, tix_venue_update(db, &bad), TIX_EEXISTS, "Cinepolis");
    bad = v;
    bad.city_id = w->mysuru; /* venues do not move */
    assert_rejected(db, tix_venue_update(db, &bad), TIX_EINVAL, "city_id");
    bad = v;
    bad.lat = NAN;
    assert_rejected(db, tix_venue_update(db, &bad), TIX_ERANGE, "lat");
    bad = v;
    bad.name = "";
    assert_rejected(db, tix_venue_update(db, &bad), TIX_EINVAL, "name");
    bad = v;
    bad.id = 999;
    assert_rejected(db, tix_venue_update(db, &bad), TIX_ENOTFOUND, "999");
    assert_rejected(db, tix_venue_update(db, NULL), TIX_EINVAL, "venue");
    assert_code(tix_venue_update(NULL, &v), TIX_EINVAL);
    assert_venue(db, &v);
}

enum city_ref { C_BENGALURU, C_STATE, C_COUNTRY, C_UNKNOWN, C_ZERO };
#define TOO_LONG "<too long>"
#define ADDRESS_TOO_LONG "<address too long>"

static const struct bad_venue {
    const char *what;
    enum city_ref city;
    const char *name, *address;
    double lat, lon;
    int code;
    const char *field;
} bad_venues[] = {
    {"empty name", C_BENGALURU, "", "", 12, 77, TIX_EINVAL, "name"},
    {"NULL name", C_BENGALURU, NULL, "", 12, 77, TIX_EINVAL, "name"},
    {"oversized name", C_BENGALURU, TOO_LONG, "", 12, 77, TIX_ETOOLONG,
     "name"},
    {"invalid UTF-8 name", C_BENGALURU, "PVR\xff", "", 12, 77, TIX_EUTF8,
     "name"},
    {"surrogate in name", C_BENGALURU, "\xed\xa0\x80", "", 12, 77, TIX_EUTF8,
     "name"},
    {"newline in name", C_BENGALURU, "PVR\nINOX", "", 12, 77, TIX_EINVAL,
     "name"},
    {"oversized address", C_BENGALURU, "PVR", ADDRESS_TOO_LONG, 12, 77,
     TIX_ETOOLONG, "address"},
    {"invalid UTF-8 address", C_BENGALURU, "PVR", "MG Rd \xc3(", 12, 77,
     TIX_EUTF8, "address"},
    {"control char in address", C_BENGALURU, "PVR", "MG\x01Rd", 12, 77,
     TIX_EINVAL, "address"},
    {"unknown city", C_UNKNOWN, "PVR", "", 12, 77, TIX_ENOTFOUND, "city_id"},
    {"city 0", C_ZERO, "PVR", "", 12, 77, TIX_ENOTFOUND, "city_id"},
    {"city is a state", C_STATE, "PVR", "", 12, 77, TIX_EINVAL, "city_id"},
    {"city is a country", C_COUNTRY, "PVR", "", 12, 77, TIX_EINVAL,
     "city_id"},
    {"duplicate name", C_BENGALURU, "Taken", "", 12, 77, TIX_EEXISTS,
     "Taken"},
    {"NaN lat", C_BENGALURU, "PVR", "", NAN, 77, TIX_ERANGE, "lat"},
    {"NaN lon", C_BENGALURU, "PVR", "", 12, NAN, TIX_ERANGE, "lon"},
    {"infinite lat", C_BENGALURU, "PVR", "", INFINITY, 77, TIX_ERANGE, "lat"},
    {"lat above 90", C_BENGALURU, "PVR", "", 90.0001, 77, TIX_ERANGE, "lat"},
    {"lat below -90", C_BENGALURU, "PVR", "", -91, 77, TIX_ERANGE, "lat"},
    {"lon above 180", C_BENGALURU, "PVR", "", 12, 180.5, TIX_ERANGE, "lon"},
    {"lon below -180", C_BENGALURU, "PVR", "", 12, -INFINITY, TIX_ERANGE,
     "lon"},
};

static tix_id city_id(const world *w, enum city_ref r)
{
    switch (r) {
    case C_BENGALURU: return w->bengaluru;
    case C_STATE: return w->karnataka;
    case C_COUNTRY: return w->india;
    case C_UNKNOWN: return 777;
    case C_ZERO: return 0;
    }
    return 0;
}

static void bad_input_table(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    add_venue(db, w->bengaluru, "Taken", "", 0, 0);
    char address[TIX_ADDRESS_MAX + 2];
    memset(address, 'a', TIX_ADDRESS_MAX + 1);
    address[TIX_ADDRESS_MAX + 1] = 0;
    for (size_t i = 0; i < sizeof bad_venues / sizeof *bad_venues; i++) {
        const struct bad_venue *c = &bad_venues[i];
        print_message("bad venue: %s\n", c->what);
        tix_venue v = {.city_id = city_id(w, c->city), .name = c->name,
                       .address = c->address, .lat = c->lat, .lon = c->lon};
        if (v.name && !strcmp(v.name, TOO_LONG)) v.name = tt_name_too_long();
        if (v.address && !strcmp(v.address, ADDRESS_TOO_LONG))
            v.address = address;
        tix_id id = 77;
        assert_rejected(db, tix_venue_create(db, &v, &id), c->code, c->field);
        assert_true(id == 77);
    }
}

static void null_arguments(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_venue v = {.city_id = w->bengaluru, .name = "PVR"};
    assert_rejected(db, tix_venue_create(db, NULL, NULL), TIX_EINVAL, "venue");
    assert_code(tix_venue_create(NULL, &v, NULL), TIX_EINVAL);
    tix_venue *out = &v;
    assert_code(tix_venue_get(db, 5, &out), TIX_ENOTFOUND);
    assert_null(out);
    assert_code(tix_venue_get(NULL, 5, &out), TIX_EINVAL);
    assert_code(tix_venue_get(db, 5, NULL), TIX_EINVAL);
    tix_venue_list *l = (tix_venue_list *)&v;
    assert_code(tix_venue_list_by_city(NULL, w->bengaluru, &l), TIX_EINVAL);
    assert_null(l);
    assert_code(tix_venue_list_by_city(db, w->bengaluru, NULL), TIX_EINVAL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(create_and_get_round_trip),
        T(internal_read),
        T(list_by_city_sorted_by_name),
        T(update_fields_and_rename),
        T(update_bad_input),
        T(bad_input_table),
        T(null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
