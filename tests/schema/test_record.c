/* lib/schema/record.c: the catalog's record mechanism. Stores written
 * before the descriptors existed must read the same, so each descriptor is
 * held to the bytes the hand-written encoders produced; versions, index
 * upkeep and the checker's use of the same keys are tested here too. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "tables.h"
#include "movie.h"
#include "place.h"
#include "record.h"
#include "screen.h"
#include "testutil.h"
#include "tier.h"
#include "user.h"
#include "venue.h"

static int setup(void **state)
{
    tt_store *s = calloc(1, sizeof *s);
    tt_open(s);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    tt_close(*state);
    free(*state);
    return 0;
}

/* The stored value of record @p id equals the bytes in @p want. */
static void assert_stored(tix_db *db, int table, tix_id id, tix_enc *want)
{
    assert_ok(tix__enc_finish(want));
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    MDB_val v;
    assert_ok(tix__db_get_id(db, txn, table, id, &v, "record"));
    assert_int_equal(v.mv_size, want->len);
    assert_memory_equal(v.mv_data, want->buf, want->len);
    tix__db_read_end(db, txn);
    tix__enc_free(want);
}

static void formats_are_the_hand_written_ones(void **state)
{
    tix_db *db = ((tt_store *)*state)->db;
    tix_place c = {.kind = TIX_PLACE_COUNTRY, .name = "India",
                   .utc_offset_min = 330};
    tix_id india, ka, blr, venue, screen, tier, movie, user;
    assert_ok(tix_place_create(db, &c, &india));
    tix_place s = {.kind = TIX_PLACE_STATE, .parent_id = india,
                   .name = "Karnataka", .utc_offset_min = 330};
    assert_ok(tix_place_create(db, &s, &ka));
    tix_place b = {.kind = TIX_PLACE_CITY, .parent_id = ka,
                   .name = "Bengaluru", .utc_offset_min = -45};
    assert_ok(tix_place_create(db, &b, &blr));
    tix_enc e;
    tix__enc_init(&e, TIX_REC_PLACE, 2);
    tix__enc_u64(&e, blr);
    tix__enc_u8(&e, TIX_PLACE_CITY);
    tix__enc_u64(&e, ka);
    tix__enc_cstr(&e, "Bengaluru");
    tix__enc_i64(&e, -45);
    tix__enc_cstr(&e, ""); /* v2: no time zone */
    assert_stored(db, TIX_T_PLACES, blr, &e);

    tix_venue v = {.city_id = blr, .name = "PVR", .address = "MG Road\n1",
                   .lat = 12.5, .lon = 77.25};
    assert_ok(tix_venue_create(db, &v, &venue));
    tix__enc_init(&e, TIX_REC_VENUE, 1);
    tix__enc_u64(&e, venue);
    tix__enc_u64(&e, blr);
    tix__enc_cstr(&e, "PVR");
    tix__enc_cstr(&e, "MG Road\n1");
    tix__enc_f64(&e, 12.5);
    tix__enc_f64(&e, 77.25);
    assert_stored(db, TIX_T_VENUES, venue, &e);

    tix_screen sc = {.venue_id = venue, .name = "Audi 1", .ideal_x = 3,
                     .ideal_y = -1, .seat_count = 99};
    assert_ok(tix_screen_create(db, &sc, &screen));
    tix__enc_init(&e, TIX_REC_SCREEN, 1);
    tix__enc_u64(&e, screen);
    tix__enc_u64(&e, venue);
    tix__enc_cstr(&e, "Audi 1");
    tix__enc_f64(&e, 3);
    tix__enc_f64(&e, -1);
    tix__enc_u32(&e, 0); /* the seat module owns the count */
    assert_stored(db, TIX_T_SCREENS, screen, &e);

    tix_tier t = {.screen_id = screen, .name = "Gold", .price_minor = 25000,
                  .currency = "INR"};
    assert_ok(tix_tier_create(db, &t, &tier));
    tix__enc_init(&e, TIX_REC_TIER, 1);
    tix__enc_u64(&e, tier);
    tix__enc_u64(&e, screen);
    tix__enc_cstr(&e, "Gold");
    tix__enc_i64(&e, 25000);
    tix__enc_bytes(&e, "INR", 3);
    assert_stored(db, TIX_T_TIERS, tier, &e);

    const char *langs[] = {"Hindi", "Tamil"}, *cast[] = {"A"};
    tix_movie m = {.title = "Sholay", .duration_min = 204,
                   .certificate = "U", .synopsis = "Two\nfriends",
                   .languages = langs, .n_languages = 2, .cast = cast,
                   .n_cast = 1};
    assert_ok(tix_movie_create(db, &m, &movie));
    tix__enc_init(&e, TIX_REC_MOVIE, 1);
    tix__enc_u64(&e, movie);
    tix__enc_u32(&e, 204);
    tix__enc_str(&e, "Sholay");
    tix__enc_str(&e, "U");
    tix__enc_str(&e, "Two\nfriends");
    tix__enc_strlist(&e, langs, 2);
    tix__enc_strlist(&e, NULL, 0);
    tix__enc_strlist(&e, cast, 1);
    tix__enc_strlist(&e, NULL, 0);
    tix__enc_strlist(&e, NULL, 0);
    assert_stored(db, TIX_T_MOVIES, movie, &e);

    const char *genres[] = {"Drama"};
    tix_user u = {.name = "Asha", .email = "Asha@Example.com",
                  .phone = "+919800000000", .home_city_id = blr,
                  .genres = genres, .n_genres = 1};
    assert_ok(tix_user_create(db, &u, &user));
    tix__enc_init(&e, TIX_REC_USER, 1);
    tix__enc_u64(&e, user);
    tix__enc_u64(&e, blr);
    tix__enc_str(&e, "Asha");
    tix__enc_str(&e, "Asha@Example.com");
    tix__enc_str(&e, "+919800000000");
    tix__enc_strlist(&e, NULL, 0);
    tix__enc_strlist(&e, genres, 1);
    assert_stored(db, TIX_T_USERS, user, &e);
}

/* A test record type with a field added in version 2. */
typedef struct gadget {
    tix_id id;
    const char *name;
    int64_t weight; /* since version 2 */
} gadget;

#define GF(m) offsetof(gadget, m)
static const tix__field gadget_fields[] = {
    {"id", TIX__F_ID, 0, .off = GF(id)},
    {"gadget name", TIX__F_STR, TIX__C_NAME, .off = GF(name)},
    {"weight", TIX__F_I64, TIX__C_RANGE, .off = GF(weight), .since = 2,
     .lo = 0, .hi = 1000},
};
static const tix__rectype gadget_v1 = {
    "gadget", TIX_T_MOVIES, 200, 1, sizeof(gadget), gadget_fields, 2, NULL, 0,
    NULL, .check = NULL};
static const tix__rectype gadget_v2 = {
    "gadget", TIX_T_MOVIES, 200, 2, sizeof(gadget), gadget_fields, 3, NULL, 0,
    NULL, .check = NULL};

static void decode_with(const tix__rectype *t, tix_enc *e, gadget *g,
                        int want)
{
    MDB_val v = {e->len, e->buf};
    tix_bump b;
    assert_ok(tix__bump_init(&b, 256));
    assert_code(tix__rec_decode(t, &v, g, &b), want);
    if (want == TIX_OK) {
        static char name[32];
        snprintf(name, sizeof name, "%s", g->name);
        g->name = name;
    }
    free(b.base);
}

static void an_old_version_reads_with_the_new_field_zero(void **state)
{
    (void)state;
    tix_enc e;
    tix__enc_init(&e, 200, 1);
    tix__enc_u64(&e, 7);
    tix__enc_str(&e, "lamp");
    assert_ok(tix__enc_finish(&e));
    gadget g;
    decode_with(&gadget_v2, &e, &g, TIX_OK);
    assert_int_equal(g.id, 7);
    assert_string_equal(g.name, "lamp");
    assert_int_equal(g.weight, 0);
    tix__enc_free(&e);

    tix__enc_init(&e, 200, 2);
    tix__enc_u64(&e, 8);
    tix__enc_str(&e, "desk");
    tix__enc_i64(&e, 40);
    assert_ok(tix__enc_finish(&e));
    decode_with(&gadget_v2, &e, &g, TIX_OK);
    assert_int_equal(g.weight, 40);
    /* An older reader refuses a newer record rather than misread it. */
    decode_with(&gadget_v1, &e, &g, TIX_EVERSION);
    tix__enc_free(&e);

    /* A stored value outside the field's range is damage. */
    tix__enc_init(&e, 200, 2);
    tix__enc_u64(&e, 9);
    tix__enc_str(&e, "anvil");
    tix__enc_i64(&e, 5000);
    assert_ok(tix__enc_finish(&e));
    decode_with(&gadget_v2, &e, &g, TIX_ECORRUPT);
    tix__enc_free(&e);
}

static void input_checks_come_from_the_field_table(void **state)
{
    (void)state;
    gadget g = {.name = "ok", .weight = 1001};
    assert_code(tix__rec_check(&gadget_v2, &g), TIX_ERANGE);
    assert_non_null(strstr(tix_errmsg(), "weight"));
    g.weight = 5;
    assert_ok(tix__rec_check(&gadget_v2, &g));
    g.name = "bad\x01name";
    assert_code(tix__rec_check(&gadget_v2, &g), TIX_EINVAL);
    assert_non_null(strstr(tix_errmsg(), "gadget name"));
}

/* The public validators run the descriptor's checks without a store and
 * name the member at fault, the way an import points at its own input. */
static void validators_name_the_field(void **state)
{
    (void)state;
    tix_venue v = {.name = "PVR", .lat = 95, .lon = 0};
    assert_code(tix_venue_validate(&v), TIX_ERANGE);
    assert_string_equal(tix_errfield(), "lat");
    v.lat = 12;
    v.name = "";
    assert_code(tix_venue_validate(&v), TIX_EINVAL);
    assert_string_equal(tix_errfield(), "name");
    v.name = "PVR";
    assert_ok(tix_venue_validate(&v));
    tix_tier t = {.name = "Gold", .price_minor = -1, .currency = "INR"};
    assert_code(tix_tier_validate(&t), TIX_ERANGE);
    assert_string_equal(tix_errfield(), "price_minor");
    t.price_minor = 5;
    memcpy(t.currency, "XYZ", 4);
    assert_code(tix_tier_validate(&t), TIX_EINVAL);
    assert_string_equal(tix_errfield(), "currency");
    tix_place p = {.kind = 7, .name = "X"};
    assert_code(tix_place_validate(&p), TIX_EINVAL);
    assert_string_equal(tix_errfield(), "kind");
    tix_screen sc = {.name = "A", .ideal_x = 1.0 / 0.0};
    assert_code(tix_screen_validate(&sc), TIX_ERANGE);
    assert_string_equal(tix_errfield(), "ideal_x");
    assert_code(tix_screen_validate(NULL), TIX_EINVAL);
    assert_string_equal(tix_errfield(), "");
}

/* A rename moves the index entry: the old name is free again, the new one
 * is taken, and the checker agrees with the writer. */
static void update_moves_the_index_entry(void **state)
{
    tix_db *db = ((tt_store *)*state)->db;
    tix_user u = {.name = "A", .email = "a@x.org"}, *got;
    tix_id a, b;
    assert_ok(tix_user_create(db, &u, &a));
    u.email = "b@x.org";
    assert_ok(tix_user_create(db, &u, &b));
    u.id = a;
    u.email = "B@X.org";
    assert_code(tix_user_update(db, &u), TIX_EEXISTS);
    assert_non_null(strstr(tix_errmsg(), "user"));
    u.email = "c@x.org";
    assert_ok(tix_user_update(db, &u));
    assert_ok(tix_user_find_email(db, "C@x.ORG", &got));
    assert_int_equal(got->id, a);
    tix_user_free(got);
    assert_code(tix_user_find_email(db, "a@x.org", &got), TIX_ENOTFOUND);
    u.email = "a@x.org";
    u.id = b;
    assert_ok(tix_user_update(db, &u)); /* a's old address is free */
    tix_check_counts n;
    assert_ok(tix_db_check(db, NULL, NULL, &n));
    assert_int_equal(n.problems, 0);
    assert_true(n.index_entries >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(formats_are_the_hand_written_ones,
                                        setup, teardown),
        cmocka_unit_test(an_old_version_reads_with_the_new_field_zero),
        cmocka_unit_test(input_checks_come_from_the_field_table),
        cmocka_unit_test(validators_name_the_field),
        cmocka_unit_test_setup_teardown(update_moves_the_index_entry, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
