/* lib/catalog/place.c: countries, states and cities. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "tables.h"
#include "place.h"
#include "testutil.h"

/* India > Karnataka > Bengaluru, created by every test. */
typedef struct world {
    tt_store s;
    tix_id india, karnataka, bengaluru;
} world;

static tix_id add_place(tix_db *db, tix_place_kind kind, tix_id parent,
                        const char *name, int32_t offset)
{
    tix_place p = {.kind = kind, .parent_id = parent, .name = name,
                   .utc_offset_min = offset};
    tix_id id = 0;
    assert_ok(tix_place_create(db, &p, &id));
    assert_true(id != 0);
    return id;
}

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    tt_open(&w->s);
    w->india = add_place(w->s.db, TIX_PLACE_COUNTRY, 0, "India", 330);
    w->karnataka = add_place(w->s.db, TIX_PLACE_STATE, w->india, "Karnataka", 330);
    w->bengaluru = add_place(w->s.db, TIX_PLACE_CITY, w->karnataka, "Bengaluru",
                             330);
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

static void assert_place(tix_db *db, tix_id id, tix_place_kind kind,
                         tix_id parent, const char *name, int32_t offset)
{
    tix_place *p = NULL;
    assert_ok(tix_place_get(db, id, &p));
    assert_true(p->id == id);
    assert_int_equal(p->kind, kind);
    assert_true(p->parent_id == parent);
    assert_string_equal(p->name, name);
    assert_int_equal(p->utc_offset_min, offset);
    tix_place_free(p);
}

static void create_and_get_round_trip(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    assert_place(db, w->india, TIX_PLACE_COUNTRY, 0, "India", 330);
    assert_place(db, w->karnataka, TIX_PLACE_STATE, w->india, "Karnataka", 330);
    assert_place(db, w->bengaluru, TIX_PLACE_CITY, w->karnataka, "Bengaluru",
                 330);

    /* UTF-8 names, negative offsets, the same name under other parents. */
    tix_id brazil = add_place(db, TIX_PLACE_COUNTRY, 0, "Brasil", -180);
    tix_id sp_state = add_place(db, TIX_PLACE_STATE, brazil, "São Paulo", -180);
    tix_id sp_city = add_place(db, TIX_PLACE_CITY, sp_state, "São Paulo", -180);
    tix_id tn = add_place(db, TIX_PLACE_STATE, w->india, "தமிழ்நாடு", 330);
    tix_id chennai = add_place(db, TIX_PLACE_CITY, tn, "தமிழ்", 330);
    tix_id kiribati = add_place(db, TIX_PLACE_COUNTRY, 0, tt_name_max(), 840);
    tix_id baker = add_place(db, TIX_PLACE_COUNTRY, 0, "Baker Island", -720);
    assert_place(db, sp_state, TIX_PLACE_STATE, brazil, "São Paulo", -180);
    assert_place(db, sp_city, TIX_PLACE_CITY, sp_state, "São Paulo", -180);
    assert_place(db, chennai, TIX_PLACE_CITY, tn, "தமிழ்", 330);
    assert_place(db, kiribati, TIX_PLACE_COUNTRY, 0, tt_name_max(), 840);
    assert_place(db, baker, TIX_PLACE_COUNTRY, 0, "Baker Island", -720);

    /* id_out is optional. */
    tix_place p = {.kind = TIX_PLACE_CITY, .parent_id = w->karnataka,
                   .name = "Mysuru", .utc_offset_min = 330};
    assert_ok(tix_place_create(db, &p, NULL));
}

static void internal_read(void **state)
{
    world *w = *state;
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(w->s.db, &txn));
    tix_place_kind kind = 0;
    int32_t offset = 0;
    assert_ok(tix__place_read(w->s.db, txn, w->bengaluru, &kind, &offset));
    assert_int_equal(kind, TIX_PLACE_CITY);
    assert_int_equal(offset, 330);
    assert_ok(tix__place_read(w->s.db, txn, w->india, NULL, NULL));
    assert_code(tix__place_read(w->s.db, txn, 999, &kind, NULL), TIX_ENOTFOUND);
    tix__db_read_end(w->s.db, txn);
}

static void assert_names(tix_place_list *l, const char *const *names,
                         size_t n)
{
    assert_non_null(l);
    assert_int_equal(l->count, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(l->items[i].name, names[i]);
}

static void list_by_parent_sorted_by_name(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    add_place(db, TIX_PLACE_STATE, w->india, "Tamil Nadu", 330);
    add_place(db, TIX_PLACE_STATE, w->india, "Delhi", 330);
    add_place(db, TIX_PLACE_COUNTRY, 0, "Brasil", -180);
    add_place(db, TIX_PLACE_COUNTRY, 0, "Ísland", 0);

    tix_place_list *l = NULL;
    assert_ok(tix_place_list_by_parent(db, w->india, &l));
    assert_names(l, (const char *[]){"Delhi", "Karnataka", "Tamil Nadu"}, 3);
    for (size_t i = 0; i < l->count; i++) {
        assert_int_equal(l->items[i].kind, TIX_PLACE_STATE);
        assert_true(l->items[i].parent_id == w->india);
    }
    tix_place_list_free(l);

    /* Parent 0 lists the countries; byte order puts UTF-8 after ASCII. */
    assert_ok(tix_place_list_by_parent(db, 0, &l));
    assert_names(l, (const char *[]){"Brasil", "India", "Ísland"}, 3);
    tix_place_list_free(l);

    assert_ok(tix_place_list_by_parent(db, w->bengaluru, &l));
    assert_names(l, NULL, 0);
    tix_place_list_free(l);
    assert_ok(tix_place_list_by_parent(db, 12345, &l)); /* unknown: empty */
    assert_names(l, NULL, 0);
    tix_place_list_free(l);
    tix_place_list_free(NULL);
    tix_place_free(NULL);
}

static void update_renames_and_changes_offset(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_place p = {.id = w->bengaluru, .kind = TIX_PLACE_CITY,
                   .parent_id = w->karnataka, .name = "Bangalore",
                   .utc_offset_min = 300};
    assert_ok(tix_place_update(db, &p));
    assert_place(db, w->bengaluru, TIX_PLACE_CITY, w->karnataka, "Bangalore",
                 300);
    /* Same name again: a no-op rename. */
    assert_ok(tix_place_update(db, &p));

    /* The old name is free again and the new one is taken. */
    tix_id again = add_place(db, TIX_PLACE_CITY, w->karnataka, "Bengaluru", 330);
    tix_place dup = {.kind = TIX_PLACE_CITY, .parent_id = w->karnataka,
                     .name = "Bangalore"};
    assert_rejected(db, tix_place_create(db, &dup, NULL), TIX_EEXISTS,
                    "Bangalore");

    tix_place_list *l;
    assert_ok(tix_place_list_by_parent(db, w->karnataka, &l));
    assert_names(l, (const char *[]){"Bangalore", "Bengaluru"}, 2);
    assert_true(l->items[0].id == w->bengaluru);
    assert_true(l->items[1].id == again);
    tix_place_list_free(l);
}

static void update_bad_input(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_id mysuru = add_place(db, TIX_PLACE_CITY, w->karnataka, "Mysuru", 330);
    tix_place p = {.id = mysuru, .kind = TIX_PLACE_CITY,
                   .parent_id = w->karnataka, .name = "Bengaluru",
                   .utc_offset_min = 330};
    assert_rejected(db, tix_place_update(db, &p), TIX_EEXISTS, "Bengaluru");
    p.name = "";
    assert_rejected(db, tix_place_update(db, &p), TIX_EINVAL, "name");
    p.name = "Mysore\xff";
    assert_rejected(db, tix_place_update(db, &p), TIX_EUTF8, "name");
    p.name = "Mysore";
    p.utc_offset_min = 900;
    assert_rejected(db, tix_place_update(db, &p), TIX_ERANGE,
                    "utc_offset_min");
    p.utc_offset_min = 330;
    p.parent_id = w->india; /* places do not move */
    assert_rejected(db, tix_place_update(db, &p), TIX_EINVAL, "parent_id");
    p.parent_id = w->karnataka;
    p.kind = TIX_PLACE_STATE;
    assert_rejected(db, tix_place_update(db, &p), TIX_EINVAL, "kind");
    p.kind = TIX_PLACE_CITY;
    p.id = 999;
    assert_rejected(db, tix_place_update(db, &p), TIX_ENOTFOUND, "999");
    assert_rejected(db, tix_place_update(db, NULL), TIX_EINVAL, "place");
    assert_code(tix_place_update(NULL, &p), TIX_EINVAL);
    assert_place(db, mysuru, TIX_PLACE_CITY, w->karnataka, "Mysuru", 330);
}

/* Symbolic parents for the table below: ids are only known at run time. */
enum parent_ref { P_NONE, P_INDIA, P_KARNATAKA, P_BENGALURU, P_UNKNOWN };
#define TOO_LONG "<too long>"

static const struct bad_place {
    const char *what;
    int kind;
    enum parent_ref parent;
    const char *name;
    int32_t offset;
    int code;
    const char *field; /* the detail message must mention it */
} bad_places[] = {
    {"empty name", TIX_PLACE_CITY, P_KARNATAKA, "", 330, TIX_EINVAL, "name"},
    {"NULL name", TIX_PLACE_CITY, P_KARNATAKA, NULL, 330, TIX_EINVAL, "name"},
    {"oversized name", TIX_PLACE_CITY, P_KARNATAKA, TOO_LONG, 330,
     TIX_ETOOLONG, "name"},
    {"invalid UTF-8", TIX_PLACE_CITY, P_KARNATAKA, "Bad\xff", 330, TIX_EUTF8,
     "name"},
    {"overlong UTF-8", TIX_PLACE_CITY, P_KARNATAKA, "\xc0\xaf", 330,
     TIX_EUTF8, "name"},
    {"truncated UTF-8", TIX_PLACE_CITY, P_KARNATAKA, "S\xc3", 330, TIX_EUTF8,
     "name"},
    {"control character", TIX_PLACE_CITY, P_KARNATAKA, "Mum\tbai", 330,
     TIX_EINVAL, "name"},
    {"unknown parent", TIX_PLACE_CITY, P_UNKNOWN, "Ooty", 330, TIX_ENOTFOUND,
     "parent_id"},
    {"city under a country", TIX_PLACE_CITY, P_INDIA, "Ooty", 330, TIX_EINVAL,
     "parent_id"},
    {"city under a city", TIX_PLACE_CITY, P_BENGALURU, "Ooty", 330,
     TIX_EINVAL, "parent_id"},
    {"city without parent", TIX_PLACE_CITY, P_NONE, "Ooty", 330, TIX_EINVAL,
     "parent"},
    {"state under a state", TIX_PLACE_STATE, P_KARNATAKA, "Goa", 330,
     TIX_EINVAL, "parent_id"},
    {"state under a city", TIX_PLACE_STATE, P_BENGALURU, "Goa", 330,
     TIX_EINVAL, "parent_id"},
    {"state without parent", TIX_PLACE_STATE, P_NONE, "Goa", 330, TIX_EINVAL,
     "parent"},
    {"state of unknown country", TIX_PLACE_STATE, P_UNKNOWN, "Goa", 330,
     TIX_ENOTFOUND, "parent_id"},
    {"country with parent", TIX_PLACE_COUNTRY, P_INDIA, "Nepal", 345,
     TIX_EINVAL, "parent"},
    {"kind 0", 0, P_NONE, "Nowhere", 0, TIX_EINVAL, "kind"},
    {"kind 4", 4, P_BENGALURU, "Nowhere", 0, TIX_EINVAL, "kind"},
    {"duplicate city", TIX_PLACE_CITY, P_KARNATAKA, "Bengaluru", 330,
     TIX_EEXISTS, "Bengaluru"},
    {"duplicate state", TIX_PLACE_STATE, P_INDIA, "Karnataka", 330,
     TIX_EEXISTS, "Karnataka"},
    {"duplicate country", TIX_PLACE_COUNTRY, P_NONE, "India", 330,
     TIX_EEXISTS, "India"},
    {"offset below -720", TIX_PLACE_CITY, P_KARNATAKA, "Ooty", -721,
     TIX_ERANGE, "utc_offset_min"},
    {"offset above 840", TIX_PLACE_CITY, P_KARNATAKA, "Ooty", 841, TIX_ERANGE,
     "utc_offset_min"},
};

static tix_id parent_id(const world *w, enum parent_ref r)
{
    switch (r) {
    case P_NONE: return 0;
    case P_INDIA: return w->india;
    case P_KARNATAKA: return w->karnataka;
    case P_BENGALURU: return w->bengaluru;
    case P_UNKNOWN: return 4242;
    }
    return 0;
}

static void bad_input_table(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    for (size_t i = 0; i < sizeof bad_places / sizeof *bad_places; i++) {
        const struct bad_place *c = &bad_places[i];
        print_message("bad place: %s\n", c->what);
        const char *name = c->name && !strcmp(c->name, TOO_LONG)
                               ? tt_name_too_long() : c->name;
        tix_place p = {.kind = (tix_place_kind)c->kind,
                       .parent_id = parent_id(w, c->parent), .name = name,
                       .utc_offset_min = c->offset};
        tix_id id = 77;
        assert_rejected(db, tix_place_create(db, &p, &id), c->code, c->field);
        assert_true(id == 77); /* untouched on failure */
    }
}

static void null_arguments(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_place p = {.kind = TIX_PLACE_COUNTRY, .name = "Nepal"};
    assert_rejected(db, tix_place_create(db, NULL, NULL), TIX_EINVAL, "place");
    assert_code(tix_place_create(NULL, &p, NULL), TIX_EINVAL);
    tix_place *out = (tix_place *)&p;
    assert_code(tix_place_get(NULL, w->india, &out), TIX_EINVAL);
    assert_null(out);
    assert_code(tix_place_get(db, w->india, NULL), TIX_EINVAL);
    out = (tix_place *)&p;
    assert_code(tix_place_get(db, 0, &out), TIX_ENOTFOUND);
    assert_null(out);
    assert_code(tix_place_get(db, 31337, &out), TIX_ENOTFOUND);
    assert_non_null(strstr(tix_errmsg(), "31337"));
    tix_place_list *l = (tix_place_list *)&p;
    assert_code(tix_place_list_by_parent(NULL, 0, &l), TIX_EINVAL);
    assert_null(l);
    assert_code(tix_place_list_by_parent(db, 0, NULL), TIX_EINVAL);
}

static void survives_reopen_and_read_only_rejects(void **state)
{
    world *w = *state;
    tix_db_close(w->s.db);
    tix_config c;
    tt_config(&c);
    c.flags = TIX_OPEN_READONLY;
    assert_ok(tix_db_open(w->s.dir, &c, &w->s.db));
    tix_db *db = w->s.db;
    assert_place(db, w->bengaluru, TIX_PLACE_CITY, w->karnataka, "Bengaluru",
                 330);
    tix_place p = {.kind = TIX_PLACE_COUNTRY, .name = "Nepal",
                   .utc_offset_min = 345};
    assert_rejected(db, tix_place_create(db, &p, NULL), TIX_EPERM, NULL);
    p.id = w->india;
    p.name = "Bharat";
    assert_rejected(db, tix_place_update(db, &p), TIX_EPERM, NULL);
}

/* Replaces the stored value of place @p id, to fake a damaged record. */
struct raw_put {
    tix_id id;
    const void *val;
    size_t len;
};

static int put_raw(tix_db *db, MDB_txn *txn, void *arg)
{
    struct raw_put *r = arg;
    uint8_t key[8];
    tix__be64_put(key, r->id);
    return tix__db_put(db, txn, TIX_T_PLACES, key, 8, r->val, r->len, 0, "raw");
}

static void damaged_record_is_corrupt(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    static const uint8_t wrong_type[] = {TIX_REC_VENUE, 1, 0, 0};
    static const uint8_t truncated[] = {TIX_REC_PLACE, 1, 1, 0, 0};
    static const uint8_t newer[] = {TIX_REC_PLACE, 9, 1, 2, 3};
    struct raw_put r = {w->bengaluru, wrong_type, sizeof wrong_type};
    tix_place *p = NULL;
    assert_ok(tix__db_write(db, put_raw, &r));
    assert_code(tix_place_get(db, w->bengaluru, &p), TIX_ECORRUPT);
    r.val = truncated;
    r.len = sizeof truncated;
    assert_ok(tix__db_write(db, put_raw, &r));
    assert_code(tix_place_get(db, w->bengaluru, &p), TIX_ECORRUPT);
    r.val = newer;
    r.len = sizeof newer;
    assert_ok(tix__db_write(db, put_raw, &r));
    assert_code(tix_place_get(db, w->bengaluru, &p), TIX_EVERSION);
    assert_null(p);
    /* Listing and children's parent checks report it too, never crash. */
    tix_place_list *l = NULL;
    assert_code(tix_place_list_by_parent(db, w->karnataka, &l), TIX_EVERSION);
    assert_null(l);
}

/* A place written before time zones (record version 1) still reads, with
 * no zone and its fixed offset, and takes a zone on update. */
static void version_1_place_reads_and_takes_a_zone(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_enc e;
    tix__enc_init(&e, TIX_REC_PLACE, 1);
    tix__enc_u64(&e, w->bengaluru);
    tix__enc_u8(&e, TIX_PLACE_CITY);
    tix__enc_u64(&e, w->karnataka);
    tix__enc_cstr(&e, "Bengaluru");
    tix__enc_i64(&e, 330);
    assert_ok(tix__enc_finish(&e));
    struct raw_put r = {w->bengaluru, e.buf, e.len};
    assert_ok(tix__db_write(db, put_raw, &r));
    tix__enc_free(&e);
    tix_place *p;
    assert_ok(tix_place_get(db, w->bengaluru, &p));
    assert_true(p->time_zone == NULL || p->time_zone[0] == '\0');
    assert_int_equal(p->utc_offset_min, 330);
    int32_t off;
    assert_ok(tix_place_utc_offset(db, w->bengaluru, 1814400000, &off));
    assert_int_equal(off, 330);
    p->time_zone = "Asia/Kolkata";
    assert_ok(tix_place_update(db, p));
    tix_place_free(p);
    assert_ok(tix_place_get(db, w->bengaluru, &p));
    assert_string_equal(p->time_zone, "Asia/Kolkata");
    tix_place_free(p);
    assert_code(tix_place_utc_offset(db, 9999, 0, &off), TIX_ENOTFOUND);
    assert_code(tix_place_utc_offset(db, w->bengaluru, 0, NULL), TIX_EINVAL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(create_and_get_round_trip),
        T(version_1_place_reads_and_takes_a_zone),
        T(internal_read),
        T(list_by_parent_sorted_by_name),
        T(update_renames_and_changes_offset),
        T(update_bad_input),
        T(bad_input_table),
        T(null_arguments),
        T(survives_reopen_and_read_only_rejects),
        T(damaged_record_is_corrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
