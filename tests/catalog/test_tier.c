/* lib/catalog/tier.c: price tiers of a screen. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"
#include "testutil.h"
#include "tier.h"

typedef struct world {
    tt_store s;
    tix_id venue, screen, other_screen;
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
    tix_id india = add_place(db, TIX_PLACE_COUNTRY, 0, "India");
    tix_id ka = add_place(db, TIX_PLACE_STATE, india, "Karnataka");
    tix_id city = add_place(db, TIX_PLACE_CITY, ka, "Bengaluru");
    tix_venue v = {.city_id = city, .name = "PVR", .lat = 12.9, .lon = 77.6};
    assert_ok(tix_venue_create(db, &v, &w->venue));
    tix_screen s = {.venue_id = w->venue, .name = "Audi 1"};
    assert_ok(tix_screen_create(db, &s, &w->screen));
    s.name = "Audi 2";
    assert_ok(tix_screen_create(db, &s, &w->other_screen));
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

static tix_id add_tier(tix_db *db, tix_id screen, const char *name,
                       int64_t price, const char *currency)
{
    tix_tier t = {.screen_id = screen, .name = name, .price_minor = price};
    memcpy(t.currency, currency, 4);
    tix_id id = 0;
    assert_ok(tix_tier_create(db, &t, &id));
    assert_true(id != 0);
    return id;
}

static void assert_tier(const tix_tier *t, tix_id id, tix_id screen,
                        const char *name, int64_t price, const char *currency)
{
    assert_true(t->id == id);
    assert_true(t->screen_id == screen);
    assert_string_equal(t->name, name);
    assert_true(t->price_minor == price);
    assert_string_equal(t->currency, currency);
}

static void get_tier(tix_db *db, tix_id id, tix_id screen, const char *name,
                     int64_t price, const char *currency)
{
    tix_tier *t = NULL;
    assert_ok(tix_tier_get(db, id, &t));
    assert_tier(t, id, screen, name, price, currency);
    tix_tier_free(t);
}

static void create_and_get_round_trip(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_id silver = add_tier(db, w->screen, "Silver", 15000, "INR");
    tix_id free_tier = add_tier(db, w->screen, "Comp", 0, "INR");
    tix_id tamil = add_tier(db, w->screen, "தங்கம் São", INT64_MAX, "INR");
    tix_id max = add_tier(db, w->screen, tt_name_max(), 1, "INR");
    get_tier(db, silver, w->screen, "Silver", 15000, "INR");
    get_tier(db, free_tier, w->screen, "Comp", 0, "INR");
    get_tier(db, tamil, w->screen, "தங்கம் São", INT64_MAX, "INR");
    get_tier(db, max, w->screen, tt_name_max(), 1, "INR");
    /* Names are unique per screen only; so is the currency. */
    tix_id other = add_tier(db, w->other_screen, "Silver", 12000, "BRL");
    get_tier(db, other, w->other_screen, "Silver", 12000, "BRL");
}

/* A screen's tiers share one currency: a booking adds up its seats'
 * prices, and one across two currencies could never be confirmed. */
static void one_currency_per_screen(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_id silver = add_tier(db, w->screen, "Silver", 15000, "INR");
    tix_tier t = {.screen_id = w->screen, .name = "Gold",
                  .price_minor = 25000, .currency = "USD"};
    tix_id id = 77;
    assert_rejected(db, tix_tier_create(db, &t, &id), TIX_EINVAL,
                    "USD differs from INR");
    assert_string_equal(tix_errfield(), "currency");
    assert_true(id == 77);
    memcpy(t.currency, "INR", 4);
    tix_id gold = 0;
    assert_ok(tix_tier_create(db, &t, &gold));

    /* An update may not split the screen either... */
    tix_tier u = {.id = gold, .screen_id = w->screen, .name = "Gold",
                  .price_minor = 26000, .currency = "EUR"};
    assert_rejected(db, tix_tier_update(db, &u), TIX_EINVAL,
                    "EUR differs from INR");
    assert_string_equal(tix_errfield(), "currency");
    get_tier(db, gold, w->screen, "Gold", 25000, "INR");
    /* ...but the only tier of a screen may change its currency, and a
     * price change keeps it. */
    u.id = add_tier(db, w->other_screen, "Solo", 100, "USD");
    u.screen_id = w->other_screen;
    u.name = "Solo";
    assert_ok(tix_tier_update(db, &u));
    get_tier(db, u.id, w->other_screen, "Solo", 26000, "EUR");
    tix_tier p = {.id = silver, .screen_id = w->screen, .name = "Silver",
                  .price_minor = 16000, .currency = "INR"};
    assert_ok(tix_tier_update(db, &p));
    get_tier(db, silver, w->screen, "Silver", 16000, "INR");

    /* Other screens of the venue have their own currency. */
    tix_screen s = {.venue_id = w->venue, .name = "Audi 3"};
    tix_id third;
    assert_ok(tix_screen_create(db, &s, &third));
    add_tier(db, third, "Gold", 5, "GBP");
}

static void internal_read(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_id gold = add_tier(db, w->screen, "Gold", 25000, "INR");
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    tix_tier t;
    assert_ok(tix__tier_read(db, txn, gold, &t));
    assert_tier(&t, gold, w->screen, "Gold", 25000, "INR");
    assert_code(tix__tier_read(db, txn, gold + 1, &t), TIX_ENOTFOUND);
    tix__db_read_end(db, txn);
}

static void list_cheapest_first(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_id recliner = add_tier(db, w->screen, "Recliner", 45000, "INR");
    tix_id silver = add_tier(db, w->screen, "Silver", 15000, "INR");
    tix_id gold = add_tier(db, w->screen, "Gold", 25000, "INR");
    tix_id balcony = add_tier(db, w->screen, "Balcony", 25000, "INR");
    add_tier(db, w->other_screen, "Cheap", 100, "INR");

    tix_tier_list *l = NULL;
    assert_ok(tix_tier_list_by_screen(db, w->screen, &l));
    assert_int_equal(l->count, 4);
    /* By price; equal prices by name. */
    assert_tier(&l->items[0], silver, w->screen, "Silver", 15000, "INR");
    assert_tier(&l->items[1], balcony, w->screen, "Balcony", 25000, "INR");
    assert_tier(&l->items[2], gold, w->screen, "Gold", 25000, "INR");
    assert_tier(&l->items[3], recliner, w->screen, "Recliner", 45000, "INR");
    tix_tier_list_free(l);

    assert_ok(tix_tier_list_by_screen(db, 31337, &l));
    assert_int_equal(l->count, 0);
    tix_tier_list_free(l);
    tix_tier_list_free(NULL);
    tix_tier_free(NULL);
}

static void update_price_name_currency(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_id silver = add_tier(db, w->screen, "Silver", 15000, "INR");
    tix_id gold = add_tier(db, w->screen, "Gold", 25000, "INR");
    tix_tier t = {.id = silver, .screen_id = w->screen, .name = "Platinum",
                  .price_minor = 50000, .currency = "INR"};
    assert_ok(tix_tier_update(db, &t));
    get_tier(db, silver, w->screen, "Platinum", 50000, "INR");
    add_tier(db, w->screen, "Silver", 9000, "INR"); /* old name is free */

    tix_tier_list *l;
    assert_ok(tix_tier_list_by_screen(db, w->screen, &l));
    assert_int_equal(l->count, 3);
    assert_true(l->items[1].id == gold);
    assert_true(l->items[2].id == silver);
    tix_tier_list_free(l);

    tix_tier bad = t;
    bad.name = "Gold";
    assert_rejected(db, tix_tier_update(db, &bad), TIX_EEXISTS, "Gold");
    bad = t;
    bad.price_minor = -1;
    assert_rejected(db, tix_tier_update(db, &bad), TIX_ERANGE, "price");
    bad = t;
    memcpy(bad.currency, "usd", 4);
    assert_rejected(db, tix_tier_update(db, &bad), TIX_EINVAL, "currency");
    bad = t;
    bad.screen_id = w->other_screen;
    assert_rejected(db, tix_tier_update(db, &bad), TIX_EINVAL, "screen_id");
    bad = t;
    bad.id = 999;
    assert_rejected(db, tix_tier_update(db, &bad), TIX_ENOTFOUND, "999");
    assert_rejected(db, tix_tier_update(db, NULL), TIX_EINVAL, "tier");
    assert_code(tix_tier_update(NULL, &t), TIX_EINVAL);
    get_tier(db, silver, w->screen, "Platinum", 50000, "INR");
}

enum screen_ref { S_SCREEN, S_UNKNOWN, S_ZERO };
#define TOO_LONG "<too long>"

static const struct bad_tier {
    const char *what;
    enum screen_ref screen;
    const char *name;
    int64_t price;
    char currency[4];
    int code;
    const char *field;
} bad_tiers[] = {
    {"empty name", S_SCREEN, "", 100, "INR", TIX_EINVAL, "name"},
    {"NULL name", S_SCREEN, NULL, 100, "INR", TIX_EINVAL, "name"},
    {"oversized name", S_SCREEN, TOO_LONG, 100, "INR", TIX_ETOOLONG, "name"},
    {"invalid UTF-8", S_SCREEN, "Gold\xc3\x28", 100, "INR", TIX_EUTF8,
     "name"},
    {"control character", S_SCREEN, "Go\x1bld", 100, "INR", TIX_EINVAL,
     "name"},
    {"duplicate name", S_SCREEN, "Silver", 100, "INR", TIX_EEXISTS,
     "Silver"},
    {"negative price", S_SCREEN, "Gold", -1, "INR", TIX_ERANGE, "price"},
    {"very negative price", S_SCREEN, "Gold", INT64_MIN, "INR", TIX_ERANGE,
     "price"},
    {"lower-case currency", S_SCREEN, "Gold", 100, "inr", TIX_EINVAL,
     "currency"},
    {"short currency", S_SCREEN, "Gold", 100, "IN", TIX_EINVAL, "currency"},
    {"empty currency", S_SCREEN, "Gold", 100, "", TIX_EINVAL, "currency"},
    {"digit in currency", S_SCREEN, "Gold", 100, "IN1", TIX_EINVAL,
     "currency"},
    {"unterminated currency", S_SCREEN, "Gold", 100, {'I', 'N', 'R', 'X'},
     TIX_EINVAL, "currency"},
    {"unknown screen", S_UNKNOWN, "Gold", 100, "INR", TIX_ENOTFOUND,
     "screen_id"},
    {"screen 0", S_ZERO, "Gold", 100, "INR", TIX_ENOTFOUND, "screen_id"},
};

static void bad_input_table(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    add_tier(db, w->screen, "Silver", 15000, "INR");
    for (size_t i = 0; i < sizeof bad_tiers / sizeof *bad_tiers; i++) {
        const struct bad_tier *c = &bad_tiers[i];
        print_message("bad tier: %s\n", c->what);
        tix_tier t = {.screen_id = c->screen == S_SCREEN ? w->screen
                                   : c->screen == S_UNKNOWN ? 5150 : 0,
                      .name = c->name, .price_minor = c->price};
        memcpy(t.currency, c->currency, 4);
        if (t.name && !strcmp(t.name, TOO_LONG)) t.name = tt_name_too_long();
        tix_id id = 77;
        assert_rejected(db, tix_tier_create(db, &t, &id), c->code, c->field);
        assert_true(id == 77);
    }
}

static void null_arguments(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    tix_tier t = {.screen_id = w->screen, .name = "Gold", .currency = "INR"};
    assert_rejected(db, tix_tier_create(db, NULL, NULL), TIX_EINVAL, "tier");
    assert_code(tix_tier_create(NULL, &t, NULL), TIX_EINVAL);
    tix_tier *out = &t;
    assert_code(tix_tier_get(db, 8, &out), TIX_ENOTFOUND);
    assert_null(out);
    assert_code(tix_tier_get(NULL, 8, &out), TIX_EINVAL);
    assert_code(tix_tier_get(db, 8, NULL), TIX_EINVAL);
    tix_tier_list *l = (tix_tier_list *)&t;
    assert_code(tix_tier_list_by_screen(NULL, w->screen, &l), TIX_EINVAL);
    assert_null(l);
    assert_code(tix_tier_list_by_screen(db, w->screen, NULL), TIX_EINVAL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(create_and_get_round_trip),
        T(internal_read),
        T(list_cheapest_first),
        T(update_price_name_currency),
        T(one_currency_per_screen),
        T(bad_input_table),
        T(null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
