/* lib/catalog/seat.c: seat layouts of a screen. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"
#include "tables.h"
#include "screen.h"
#include "seat.h"
#include "testutil.h"

typedef struct world {
    tt_store s;
    tix_id venue, screen, other_screen, silver, gold, foreign_tier;
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

static tix_id add_tier(tix_db *db, tix_id screen, const char *name,
                       int64_t price)
{
    tix_tier t = {.screen_id = screen, .name = name, .price_minor = price,
                  .currency = "INR"};
    tix_id id;
    assert_ok(tix_tier_create(db, &t, &id));
    return id;
}

/* A screen with tiers Silver and Gold, and a second screen with its own
 * tier, in store @p db. */
static void make_world(world *w)
{
    tix_db *db = w->s.db;
    tix_id india = add_place(db, TIX_PLACE_COUNTRY, 0, "India");
    tix_id ka = add_place(db, TIX_PLACE_STATE, india, "Karnataka");
    tix_id city = add_place(db, TIX_PLACE_CITY, ka, "Bengaluru");
    tix_venue v = {.city_id = city, .name = "PVR", .lat = 12.9, .lon = 77.6};
    assert_ok(tix_venue_create(db, &v, &w->venue));
    tix_screen s = {.venue_id = w->venue, .name = "Audi 1", .ideal_x = 5,
                    .ideal_y = 7};
    assert_ok(tix_screen_create(db, &s, &w->screen));
    s.name = "Audi 2";
    assert_ok(tix_screen_create(db, &s, &w->other_screen));
    w->silver = add_tier(db, w->screen, "Silver", 15000);
    w->gold = add_tier(db, w->screen, "Gold", 25000);
    w->foreign_tier = add_tier(db, w->other_screen, "Silver", 15000);
}

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    tt_open(&w->s);
    make_world(w);
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

static uint32_t screen_seat_count(tix_db *db, tix_id screen)
{
    tix_screen *s;
    assert_ok(tix_screen_get(db, screen, &s));
    uint32_t n = s->seat_count;
    tix_screen_free(s);
    return n;
}

static void assert_seat(const tix_seat *s, uint32_t index, const char *row,
                        const tix_seat_spec *spec)
{
    assert_int_equal(s->index, index);
    assert_string_equal(s->row, row);
    assert_int_equal(s->number, spec->number);
    assert_true(s->x == spec->x);
    assert_true(s->y == spec->y);
    assert_true(s->tier_id == spec->tier_id);
    assert_int_equal(s->flags, spec->flags);
}

static void add_and_list_round_trip(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    const tix_seat_spec a[] = {
        {1, 0.5, 1, w->silver, TIX_SEAT_AISLE},
        {2, 1.5, 1, w->silver, 0},
        {3, 2.5, 1, w->silver, TIX_SEAT_BLOCKED},
    };
    const tix_seat_spec b[] = {
        {10, -1e6, 2.25, w->gold, TIX_SEAT_WHEELCHAIR},
        {11, 1e6, 2.25, w->gold, TIX_SEAT_COMPANION | TIX_SEAT_AISLE},
    };
    const tix_row_spec rows[] = {{"A", a, 3}, {"அ", b, 2}};
    uint32_t first = 99;
    assert_ok(tix_seats_add_rows(db, w->screen, rows, 2, &first));
    assert_int_equal(first, 0);
    assert_int_equal(screen_seat_count(db, w->screen), 5);

    /* Rows keep growing the layout: indexes continue; a known row label
     * with new numbers is fine; first_index_out is optional. */
    const tix_seat_spec c[] = {{4, 3.5, 1, w->gold, 0}};
    const tix_row_spec more[] = {{"A", c, 1}};
    assert_ok(tix_seats_add_rows(db, w->screen, more, 1, &first));
    assert_int_equal(first, 5);
    const tix_seat_spec d[] = {{1, 0, 9, w->gold, 0}};
    const tix_row_spec last[] = {{"ZZZZZZZZ", d, 1}};
    assert_ok(tix_seats_add_rows(db, w->screen, last, 1, NULL));
    assert_int_equal(screen_seat_count(db, w->screen), 7);

    tix_seat_list *l = NULL;
    assert_ok(tix_seat_list_by_screen(db, w->screen, &l));
    assert_int_equal(l->count, 7);
    for (int i = 0; i < 3; i++) assert_seat(&l->items[i], i, "A", &a[i]);
    for (int i = 0; i < 2; i++) assert_seat(&l->items[3 + i], 3 + i, "அ", &b[i]);
    assert_seat(&l->items[5], 5, "A", &c[0]);
    assert_seat(&l->items[6], 6, "ZZZZZZZZ", &d[0]);
    tix_seat_list_free(l);

    /* The other screen is untouched; unknown screens list nothing. */
    assert_ok(tix_seat_list_by_screen(db, w->other_screen, &l));
    assert_int_equal(l->count, 0);
    tix_seat_list_free(l);
    assert_ok(tix_seat_list_by_screen(db, 999, &l));
    assert_int_equal(l->count, 0);
    tix_seat_list_free(l);
    tix_seat_list_free(NULL);
}

/* The label index maps (screen, row, 0, number) to the seat index. */
static void label_index_layout(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    const tix_seat_spec a[] = {{7, 0, 0, w->silver, 0}, {8, 1, 0, w->silver, 0}};
    const tix_row_spec rows[] = {{"AB", a, 2}};
    assert_ok(tix_seats_add_rows(db, w->screen, rows, 1, NULL));
    uint8_t key[8 + 2 + 1 + 4];
    tix__be64_put(key, w->screen);
    memcpy(key + 8, "AB", 2);
    key[10] = 0;
    tix__be32_put(key + 11, 8);
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    MDB_val v;
    assert_ok(tix__db_get(db, txn, TIX_T_SEATS_BY_LABEL, key, sizeof key, &v,
                       "label"));
    assert_int_equal(v.mv_size, 4);
    assert_int_equal(tix__be32_get(v.mv_data), 1);
    uint8_t skey[TIX__SCREEN_SEAT_KEY_LEN];
    tix__screen_seat_key(skey, w->screen, 1);
    assert_ok(tix__db_get(db, txn, TIX_T_SEATS, skey, sizeof skey, &v, "seat"));
    tix_bump b;
    assert_ok(tix__bump_init(&b, tix__bump_bound(sizeof(tix_seat), v.mv_size)));
    tix_seat *s = tix__bump_alloc(&b, sizeof *s);
    assert_ok(tix__seat_decode(&v, s, &b));
    assert_seat(s, 1, "AB", &a[1]);
    free(b.base);
    tix__db_read_end(db, txn);
}

/* Symbolic tiers for the table: ids are known at run time only. */
enum tier_ref { T_SILVER, T_FOREIGN, T_UNKNOWN, T_ZERO };
#define NOT_SET 0xdead

static const struct bad_seat {
    const char *what;
    const char *label;
    uint32_t number;
    double x, y;
    enum tier_ref tier;
    uint32_t flags;
    int code;
    const char *field;
} bad_seats[] = {
    {"empty label", "", 5, 5, 5, T_SILVER, 0, TIX_EINVAL, "label"},
    {"NULL label", NULL, 5, 5, 5, T_SILVER, 0, TIX_EINVAL, "label"},
    {"oversized label", "ABCDEFGHI", 5, 5, 5, T_SILVER, 0, TIX_ETOOLONG,
     "label"},
    {"invalid UTF-8 label", "A\xff", 5, 5, 5, T_SILVER, 0, TIX_EUTF8,
     "label"},
    {"control char in label", "A\n", 5, 5, 5, T_SILVER, 0, TIX_EINVAL,
     "label"},
    {"seat number 0", "B", 0, 5, 5, T_SILVER, 0, TIX_EINVAL, "number"},
    {"unknown flags", "B", 5, 5, 5, T_SILVER, 0x10, TIX_EINVAL, "flags"},
    {"NaN x", "B", 5, NAN, 5, T_SILVER, 0, TIX_ERANGE, "x"},
    {"infinite y", "B", 5, 5, INFINITY, T_SILVER, 0, TIX_ERANGE, "y"},
    {"tier of another screen", "B", 5, 5, 5, T_FOREIGN, 0, TIX_EINVAL,
     "tier_id"},
    {"unknown tier", "B", 5, 5, 5, T_UNKNOWN, 0, TIX_ENOTFOUND, "tier_id"},
    {"tier 0", "B", 5, 5, 5, T_ZERO, 0, TIX_ENOTFOUND, "tier_id"},
    {"existing seat", "A", 1, 5, 5, T_SILVER, 0, TIX_EEXISTS, "A-1"},
    /* Two seats in one place (as the seat map keeps it: 32-bit floats). */
    {"position of a stored seat", "B", 5, 1, 0, T_SILVER, 0, TIX_EEXISTS,
     "position of seat A-2"},
    {"position of a seat of the call", "B", 5, 3, 1, T_SILVER, 0,
     TIX_EEXISTS, "position of seat B-4"},
    {"position equal as a float", "B", 5, 3.00000001, 1, T_SILVER, 0,
     TIX_EEXISTS, "position of seat B-4"},
    {"-0 is 0", "B", 5, -0.0, 1, T_SILVER, 0, TIX_EEXISTS,
     "position of seat GOOD-1"},
};

static tix_id tier_id(const world *w, enum tier_ref r)
{
    switch (r) {
    case T_SILVER: return w->silver;
    case T_FOREIGN: return w->foreign_tier;
    case T_UNKNOWN: return 8888;
    case T_ZERO: return 0;
    }
    return 0;
}

/* Each bad seat comes last, after a good row, so a rejection also proves
 * the good row written before it in the same transaction is rolled back. */
static void bad_input_table(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    const tix_seat_spec a[] = {{1, 0, 0, w->silver, 0}, {2, 1, 0, w->gold, 0}};
    const tix_row_spec existing[] = {{"A", a, 2}};
    assert_ok(tix_seats_add_rows(db, w->screen, existing, 1, NULL));
    const tix_seat_spec good[] = {{1, 0, 1, w->silver, 0}};
    for (size_t i = 0; i < sizeof bad_seats / sizeof *bad_seats; i++) {
        const struct bad_seat *c = &bad_seats[i];
        print_message("bad seat: %s\n", c->what);
        const tix_seat_spec bad[] = {
            {4, 3, 1, w->silver, 0},
            {c->number, c->x, c->y, tier_id(w, c->tier), c->flags}};
        const tix_row_spec rows[] = {{"GOOD", good, 1}, {c->label, bad, 2}};
        uint32_t first = NOT_SET;
        assert_rejected(db, tix_seats_add_rows(db, w->screen, rows, 2, &first),
                        c->code, c->field);
        assert_int_equal(first, NOT_SET);
    }
    assert_int_equal(screen_seat_count(db, w->screen), 2);
}

/* The field at fault, for callers that point at their own input
 * (cli/import.c): tix_errfield names the row and seat of the call. */
static void errors_name_the_row_and_seat(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    const tix_seat_spec a[] = {{1, 0, 0, w->silver, 0}, {2, 1, 0, w->silver, 0}};
    const tix_seat_spec b[] = {{1, 0, 1, w->silver, 0}, {2, 1, 1, w->silver, 0},
                               {3, 1, 0, w->silver, 0}};
    const tix_row_spec clash[] = {{"A", a, 2}, {"B", b, 3}};
    assert_rejected(db, tix_seats_add_rows(db, w->screen, clash, 2, NULL),
                    TIX_EEXISTS, "position of seat A-2");
    assert_string_equal(tix_errfield(), "rows[1].seats[2]");
    const tix_seat_spec c[] = {{1, 0, 0, w->silver, 0}, {0, 1, 0, w->silver, 0}};
    const tix_row_spec zero[] = {{"A", a, 2}, {"C", c, 2}};
    assert_rejected(db, tix_seats_add_rows(db, w->screen, zero, 2, NULL),
                    TIX_EINVAL, "number is 0");
    assert_string_equal(tix_errfield(), "rows[1].seats[1].number");
    /* Once stored, a later call's seat there names the seat it meets. */
    assert_ok(tix_seats_add_rows(db, w->screen, clash, 1, NULL));
    const tix_seat_spec d[] = {{1, 5, 5, w->silver, 0}, {2, 1.0f, 0, w->gold, 0}};
    const tix_row_spec later[] = {{"D", d, 2}};
    assert_rejected(db, tix_seats_add_rows(db, w->screen, later, 1, NULL),
                    TIX_EEXISTS, "position of seat A-2 (index 1)");
    assert_string_equal(tix_errfield(), "rows[0].seats[1]");
    const tix_seat_spec e[] = {{2, 7, 7, w->silver, 0}};
    const tix_row_spec again[] = {{"A", e, 1}};
    assert_rejected(db, tix_seats_add_rows(db, w->screen, again, 1, NULL),
                    TIX_EEXISTS, "A-2");
    assert_string_equal(tix_errfield(), "rows[0].seats[0].number");
    const tix_seat_spec f[] = {{9, 7, 7, w->foreign_tier, 0}};
    const tix_row_spec foreign[] = {{"A", f, 1}};
    assert_rejected(db, tix_seats_add_rows(db, w->screen, foreign, 1, NULL),
                    TIX_EINVAL, "tier_id");
    assert_string_equal(tix_errfield(), "rows[0].seats[0].tier_id");
    /* Seats close together but apart (a sofa's halves) are fine. */
    const tix_seat_spec g[] = {{1, 10, 10, w->silver, 0},
                               {2, 10.001, 10, w->silver, 0}};
    const tix_row_spec near[] = {{"E", g, 2}};
    assert_ok(tix_seats_add_rows(db, w->screen, near, 1, NULL));
    assert_int_equal(screen_seat_count(db, w->screen), 4);
}

static void bad_rows(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    const tix_seat_spec a[] = {{1, 0, 0, w->silver, 0}, {2, 1, 0, w->silver, 0}};
    const tix_seat_spec dup[] = {{1, 0, 0, w->silver, 0}, {1, 1, 0, w->silver, 0}};
    const tix_row_spec ok[] = {{"A", a, 2}};
    const tix_row_spec zero[] = {{"A", a, 2}, {"B", a, 0}};
    const tix_row_spec null_seats[] = {{"B", NULL, 3}};
    const tix_row_spec dup_in_row[] = {{"A", dup, 2}};
    const tix_row_spec dup_across_rows[] = {{"A", a, 2}, {"B", a, 1}, {"A", a, 1}};

    assert_rejected(db, tix_seats_add_rows(db, w->screen, NULL, 1, NULL),
                    TIX_EINVAL, "rows");
    assert_rejected(db, tix_seats_add_rows(db, w->screen, ok, 0, NULL),
                    TIX_ERANGE, "nrows");
    assert_rejected(db, tix_seats_add_rows(db, w->screen, zero, 2, NULL),
                    TIX_ERANGE, "no seats");
    assert_rejected(db, tix_seats_add_rows(db, w->screen, null_seats, 1, NULL),
                    TIX_EINVAL, "seats");
    assert_rejected(db, tix_seats_add_rows(db, w->screen, dup_in_row, 1, NULL),
                    TIX_EEXISTS, "A-1");
    assert_rejected(db,
                    tix_seats_add_rows(db, w->screen, dup_across_rows, 3, NULL),
                    TIX_EEXISTS, "A-1");
    assert_rejected(db, tix_seats_add_rows(db, 4242, ok, 1, NULL),
                    TIX_ENOTFOUND, "screen_id");
    assert_rejected(db, tix_seats_add_rows(db, 0, ok, 1, NULL), TIX_ENOTFOUND,
                    "screen_id");
    assert_code(tix_seats_add_rows(NULL, w->screen, ok, 1, NULL), TIX_EINVAL);
    assert_int_equal(screen_seat_count(db, w->screen), 0);

    tix_seat_list *l = (tix_seat_list *)&a;
    assert_code(tix_seat_list_by_screen(NULL, w->screen, &l), TIX_EINVAL);
    assert_null(l);
    assert_code(tix_seat_list_by_screen(db, w->screen, NULL), TIX_EINVAL);
}

static int set_count(tix_db *db, MDB_txn *txn, void *arg)
{
    world *w = arg;
    return tix__screen_set_seat_count(db, txn, w->screen,
                                      TIX__SCREEN_SEATS_MAX - 1);
}

static void at_most_a_million_seats(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    /* One call over the limit is refused before the store is touched. */
    size_t n = TIX__SCREEN_SEATS_MAX + 1;
    tix_seat_spec *many = calloc(n, sizeof *many);
    assert_non_null(many);
    const tix_row_spec huge[] = {{"A", many, n}};
    assert_rejected(db, tix_seats_add_rows(db, w->screen, huge, 1, NULL),
                    TIX_ERANGE, "1000000");
    const tix_row_spec halves[] = {{"A", many, n / 2}, {"B", many, n / 2 + 1}};
    for (size_t i = 0; i < n; i++)
        many[i] = (tix_seat_spec){.number = (uint32_t)i + 1, .tier_id = w->gold};
    assert_rejected(db, tix_seats_add_rows(db, w->screen, halves, 2, NULL),
                    TIX_ERANGE, "1000000");
    free(many);

    /* A screen one seat short of the limit takes one seat, then no more. */
    assert_ok(tix__db_write(db, set_count, w));
    const tix_seat_spec two[] = {{1, 0, 0, w->silver, 0}, {2, 1, 0, w->silver, 0}};
    const tix_row_spec rows2[] = {{"A", two, 2}};
    assert_rejected(db, tix_seats_add_rows(db, w->screen, rows2, 1, NULL),
                    TIX_ERANGE, "1000000");
    const tix_row_spec rows1[] = {{"A", two, 1}};
    uint32_t first;
    assert_ok(tix_seats_add_rows(db, w->screen, rows1, 1, &first));
    assert_int_equal(first, TIX__SCREEN_SEATS_MAX - 1);
    const tix_row_spec rows_b[] = {{"B", two, 1}};
    assert_rejected(db, tix_seats_add_rows(db, w->screen, rows_b, 1, NULL),
                    TIX_ERANGE, "1000000");
}

/* A big layout in a store that starts tiny: the write is retried after
 * the map grows and must come out exactly once. */
static void big_layout_grows_the_map(void **state)
{
    world *w = *state;
    tt_close(&w->s);
    char *base = tt_tmpdir();
    w->s.dir = malloc(strlen(base) + 8);
    strcpy(w->s.dir, base);
    strcat(w->s.dir, "/store");
    free(base);
    tix_config c;
    tt_config(&c);
    c.map_size = (size_t)256 << 10;
    assert_ok(tix_db_open(w->s.dir, &c, &w->s.db));
    make_world(w);
    tix_db *db = w->s.db;

    enum { ROWS = 100, PER_ROW = 200 };
    tix_seat_spec *seats = calloc(ROWS * PER_ROW, sizeof *seats);
    tix_row_spec rows[ROWS];
    char labels[ROWS][4];
    for (int r = 0; r < ROWS; r++) {
        for (int n = 0; n < PER_ROW; n++)
            seats[r * PER_ROW + n] = (tix_seat_spec){
                .number = n + 1, .x = n, .y = r,
                .tier_id = r % 2 ? w->gold : w->silver};
        snprintf(labels[r], sizeof labels[r], "R%d", r);
        rows[r] = (tix_row_spec){labels[r], seats + r * PER_ROW, PER_ROW};
    }
    uint32_t first = 1;
    assert_ok(tix_seats_add_rows(db, w->screen, rows, ROWS, &first));
    assert_int_equal(first, 0);
    assert_int_equal(screen_seat_count(db, w->screen), ROWS * PER_ROW);
    tix_seat_list *l;
    assert_ok(tix_seat_list_by_screen(db, w->screen, &l));
    assert_int_equal(l->count, ROWS * PER_ROW);
    for (int i = 0; i < ROWS * PER_ROW; i++)
        assert_seat(&l->items[i], i, labels[i / PER_ROW], &seats[i]);
    tix_seat_list_free(l);
    free(seats);
}

static void catalog_helper(void **state)
{
    world *w = *state;
    tt_close(&w->s);
    tt_open(&w->s);
    tix_db *db = w->s.db;
    tt_catalog c;
    tt_make_catalog(db, 28, 10, &c);
    tix_place *city;
    assert_ok(tix_place_get(db, c.city, &city));
    assert_string_equal(city->name, "Bengaluru");
    assert_int_equal(city->utc_offset_min, 330);
    tix_place_free(city);
    tix_tier_list *tiers;
    assert_ok(tix_tier_list_by_screen(db, c.screen, &tiers));
    assert_int_equal(tiers->count, 2);
    assert_true(tiers->items[0].id == c.tier_cheap);
    assert_string_equal(tiers->items[0].name, "Silver");
    assert_true(tiers->items[0].price_minor == 15000);
    assert_true(tiers->items[1].id == c.tier_gold);
    assert_true(tiers->items[1].price_minor == 25000);
    tix_tier_list_free(tiers);
    tix_seat_list *l;
    assert_ok(tix_seat_list_by_screen(db, c.screen, &l));
    assert_int_equal(l->count, 280);
    assert_string_equal(l->items[0].row, "A");
    assert_string_equal(l->items[259].row, "Z");
    assert_string_equal(l->items[260].row, "AA");
    assert_string_equal(l->items[279].row, "AB");
    assert_int_equal(l->items[279].number, 10);
    assert_true(l->items[279].x == 10 && l->items[279].y == 27);
    assert_true(l->items[139].tier_id == c.tier_cheap);
    assert_true(l->items[140].tier_id == c.tier_gold);
    tix_seat_list_free(l);
    tix_movie *m;
    assert_ok(tix_movie_get(db, c.movie, &m));
    assert_string_equal(m->title, "Test Movie");
    tix_movie_free(m);
}

static void layout_frozen_once_shows_exist(void **state)
{
    world *w = *state;
    tt_close(&w->s);
    tt_open(&w->s);
    tix_db *db = w->s.db;
    tt_catalog c;
    tt_make_catalog(db, 2, 5, &c);
    const tix_seat_spec a[] = {{1, 0, 5, c.tier_gold, 0}};
    const tix_row_spec rows[] = {{"Z", a, 1}};
    uint32_t first;
    assert_ok(tix_seats_add_rows(db, c.screen, rows, 1, &first));
    assert_int_equal(first, 10);
    tix_show show = {.movie_id = c.movie, .screen_id = c.screen,
                     .start = tt_now + 86400};
    assert_ok(tix_show_create(db, &show, NULL));
    const tix_row_spec more[] = {{"Y", a, 1}};
    assert_rejected(db, tix_seats_add_rows(db, c.screen, more, 1, NULL),
                    TIX_EBUSY, "shows");
    assert_int_equal(screen_seat_count(db, c.screen), 11);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(add_and_list_round_trip),
        T(label_index_layout),
        T(bad_input_table),
        T(errors_name_the_row_and_seat),
        T(bad_rows),
        T(at_most_a_million_seats),
        T(big_layout_grows_the_map),
        T(catalog_helper),
        T(layout_frozen_once_shows_exist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
