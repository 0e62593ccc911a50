#include "testutil.h"
#include "tables.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "db.h"

int64_t tt_now = 1767225600; /* 2026-01-01T00:00:00Z */

int64_t tt_clock(void *ctx)
{
    (void)ctx;
    return __atomic_load_n(&tt_now, __ATOMIC_RELAXED);
}

char *tt_tmpdir(void)
{
    const char *base = getenv("TIX_TEST_TMP");
    if (!base || !*base) base = "/tmp";
    mkdir(base, 0700);
    char *p = malloc(strlen(base) + 32);
    sprintf(p, "%s/tixtest.XXXXXX", base);
    if (!mkdtemp(p)) fail_msg("mkdtemp failed");
    return p;
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

void tt_rmrf(const char *path)
{
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

tix_durability tt_durability(tix_durability dflt)
{
    const char *d = getenv("TIX_TEST_DURABILITY");
    if (!d || !*d) return dflt;
    if (strcmp(d, "full") == 0) return TIX_SYNC_FULL;
    if (strcmp(d, "nometa") == 0) return TIX_SYNC_NOMETA;
    if (strcmp(d, "none") == 0) return TIX_SYNC_NONE;
    if (strcmp(d, "journal") == 0) return TIX_SYNC_JOURNAL;
    fprintf(stderr, "TIX_TEST_DURABILITY=%s: want full|nometa|none|journal\n", d);
    return dflt;
}

void tt_config(tix_config *cfg)
{
    tix_config_init(cfg);
    cfg->durability = tt_durability(TIX_SYNC_NONE);
    cfg->clock = tt_clock;
    cfg->map_size = (size_t)8 << 20;
    cfg->seatmap_reserve = (size_t)64 << 20;
}

void tt_open(tt_store *s)
{
    tix_config cfg;
    tt_config(&cfg);
    char *base = tt_tmpdir();
    s->dir = malloc(strlen(base) + 8);
    sprintf(s->dir, "%s/store", base);
    free(base);
    assert_ok(tix_db_open(s->dir, &cfg, &s->db));
}

void tt_close(tt_store *s)
{
    tix_db_close(s->db);
    s->db = NULL;
    char *parent = strdup(s->dir);
    *strrchr(parent, '/') = '\0';
    tt_rmrf(parent);
    free(parent);
    free(s->dir);
    s->dir = NULL;
}

uint64_t tt_digest(tix_db *db)
{
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    for (int t = 0; t < TIX_T__COUNT; t++) {
        MDB_cursor *cur;
        assert_int_equal(mdb_cursor_open(txn, db->dbi[t], &cur), 0);
        MDB_val k, v;
        int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
        while (rc == 0) {
            XXH3_64bits_update(st, &t, sizeof t);
            XXH3_64bits_update(st, k.mv_data, k.mv_size);
            XXH3_64bits_update(st, v.mv_data, v.mv_size);
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
        mdb_cursor_close(cur);
    }
    tix__db_read_end(db, txn);
    uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

static const char *name_of_len(char *buf, size_t n)
{
    if (!buf[0]) memset(buf, 'x', n);
    return buf;
}

const char *tt_name_max(void)
{
    static char buf[TIX_NAME_MAX + 1];
    return name_of_len(buf, TIX_NAME_MAX);
}

const char *tt_name_too_long(void)
{
    static char buf[TIX_NAME_MAX + 2];
    return name_of_len(buf, TIX_NAME_MAX + 1);
}

/* Row labels A..Z, AA..AZ, BA.. (bijective base 26, like spreadsheet
 * columns), so any row count gets distinct labels. */
static void row_label(unsigned row, char out[TIX_ROW_LABEL_MAX + 1])
{
    char rev[TIX_ROW_LABEL_MAX];
    size_t n = 0;
    unsigned v = row + 1;
    while (v && n < sizeof rev) {
        v--;
        rev[n++] = (char)('A' + v % 26);
        v /= 26;
    }
    for (size_t i = 0; i < n; i++) out[i] = rev[n - 1 - i];
    out[n] = '\0';
}

static tix_id make_place(tix_db *db, tix_place_kind kind, tix_id parent,
                         const char *name, int32_t utc_offset_min)
{
    tix_place p = {.kind = kind, .parent_id = parent, .name = name,
                   .utc_offset_min = utc_offset_min};
    tix_id id;
    assert_ok(tix_place_create(db, &p, &id));
    return id;
}

static tix_id make_tier(tix_db *db, tix_id screen, const char *name,
                        int64_t price)
{
    tix_tier t = {.screen_id = screen, .name = name, .price_minor = price,
                  .currency = "INR"};
    tix_id id;
    assert_ok(tix_tier_create(db, &t, &id));
    return id;
}

/* Rows of seats numbered 1..seats_per_row at x = number, y = row index;
 * the first half of the rows (rounded up) cheap, the rest gold. */
static void make_seats(tix_db *db, unsigned rows, unsigned seats_per_row,
                       const tt_catalog *c)
{
    tix_row_spec *spec = calloc(rows, sizeof *spec);
    tix_seat_spec *seats = calloc((size_t)rows * seats_per_row, sizeof *seats);
    char(*labels)[TIX_ROW_LABEL_MAX + 1] = calloc(rows, sizeof *labels);
    assert_true(spec && seats && labels);
    for (unsigned r = 0; r < rows; r++) {
        tix_seat_spec *row = seats + (size_t)r * seats_per_row;
        for (unsigned n = 0; n < seats_per_row; n++)
            row[n] = (tix_seat_spec){
                .number = n + 1, .x = n + 1, .y = r,
                .tier_id = r < (rows + 1) / 2 ? c->tier_cheap : c->tier_gold};
        row_label(r, labels[r]);
        spec[r] = (tix_row_spec){labels[r], row, seats_per_row};
    }
    assert_ok(tix_seats_add_rows(db, c->screen, spec, rows, NULL));
    free(labels);
    free(seats);
    free(spec);
}

void tt_make_catalog(tix_db *db, unsigned rows, unsigned seats_per_row,
                     tt_catalog *c)
{
    memset(c, 0, sizeof *c);
    c->country = make_place(db, TIX_PLACE_COUNTRY, 0, "India", 330);
    c->state = make_place(db, TIX_PLACE_STATE, c->country, "Karnataka", 330);
    c->city = make_place(db, TIX_PLACE_CITY, c->state, "Bengaluru", 330);

    tix_venue v = {.city_id = c->city, .name = "PVR Orion Mall",
                   .address = "Dr Rajkumar Rd, Rajajinagar", .lat = 13.0108,
                   .lon = 77.5555};
    assert_ok(tix_venue_create(db, &v, &c->venue));

    /* Ideal point: middle of a row, two thirds of the way back. */
    tix_screen s = {.venue_id = c->venue, .name = "Audi 1",
                    .ideal_x = (seats_per_row + 1) / 2.0,
                    .ideal_y = rows * 2.0 / 3.0};
    assert_ok(tix_screen_create(db, &s, &c->screen));
    c->tier_cheap = make_tier(db, c->screen, "Silver", 15000);
    c->tier_gold = make_tier(db, c->screen, "Gold", 25000);
    if (rows && seats_per_row) make_seats(db, rows, seats_per_row, c);

    tix_movie m = {.title = "Test Movie", .duration_min = 150};
    assert_ok(tix_movie_create(db, &m, &c->movie));
}
