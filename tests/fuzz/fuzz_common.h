/* Shared by the fuzz targets (tests/fuzz/fuzz_*.c): a populated store the
 * targets read through, raw record writes, and the rule every call must
 * keep: return TIX_OK or a TIX_E* code, never an LMDB or errno value.
 *
 * Each target defines LLVMFuzzerTestOneInput (and may define
 * LLVMFuzzerInitialize); built with clang -fsanitize=fuzzer it is a
 * libFuzzer binary, otherwise tests/fuzz/standalone.c adds a main() that
 * feeds it every file of the corpus directories given (and, with
 * --make-seeds DIR, asks the target to write its seed corpus). Include
 * this header in exactly one file per program. */
#ifndef TIX_FUZZ_COMMON_H
#define TIX_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "tix.h"

/* Ids the targets write fuzzed records under (the real ones are small). */
#define FZ_ID 777777u

/* A failed rule is a crash, so that the fuzzer keeps the input. */
#define FZ_REQUIRE(cond)                                                      \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: %s failed [%s]\n", __FILE__, __LINE__,   \
                    #cond, tix_errmsg());                                     \
            abort();                                                          \
        }                                                                     \
    } while (0)

/* Every libtix call returns TIX_OK or one of the documented codes. */
#define FZ_CODE(expr)                                                         \
    do {                                                                      \
        int fz_rc_ = (expr);                                                  \
        if (fz_rc_ > 0 || fz_rc_ < TIX_EREPL) {                          \
            fprintf(stderr, "%s:%d: %s -> %d: not a TIX code [%s]\n",         \
                    __FILE__, __LINE__, #expr, fz_rc_, tix_errmsg());         \
            abort();                                                          \
        }                                                                     \
    } while (0)

static int64_t fz_now = 1767225600; /* fake clock: 2026-01-01 */
static int64_t fz_clock(void *ctx)
{
    (void)ctx;
    return fz_now;
}

typedef struct fz_store {
    char base[512], dir[600];
    tix_db *db;
    tix_id city, venue, screen, tier, movie, show, user, user2, booking,
        review, offer;
    uint32_t seats;
    char code[TIX_TICKET_CODE_LEN + 1];
} fz_store;

static fz_store fz;

static void fz_rmrf(const char *dir)
{
    const char *files[] = {"data.mdb", "lock.mdb", "seats.map"};
    char p[700];
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void fz_cleanup(void)
{
    if (fz.db) tix_db_close(fz.db);
    fz.db = NULL;
    fz_rmrf(fz.dir);
    rmdir(fz.base);
}

#define FZ_OK(expr) FZ_REQUIRE((expr) == TIX_OK)

/* A store with one of everything: places, venue, screen with a tier and
 * 2 x 5 seats, movie, show, two users, a booking (seats 0-1, one ticket
 * checked in), a live hold (seats 2-3, in the target's hands), a review
 * with a comment, an offer, an outbox consumer. */
static void fz_store_open(void)
{
    if (fz.db) return;
    const char *tmp = getenv("TIX_TEST_TMP");
    if (!tmp || !*tmp) tmp = "/tmp";
    mkdir(tmp, 0700);
    snprintf(fz.base, sizeof fz.base, "%s/tixfuzz.XXXXXX", tmp);
    FZ_REQUIRE(mkdtemp(fz.base));
    snprintf(fz.dir, sizeof fz.dir, "%s/store", fz.base);
    tix_config cfg;
    tix_config_init(&cfg);
    cfg.durability = TIX_SYNC_NONE;
    cfg.clock = fz_clock;
    cfg.map_size = (size_t)8 << 20;
    cfg.seatmap_reserve = (size_t)4 << 20;
    FZ_OK(tix_db_open(fz.dir, &cfg, &fz.db));
    atexit(fz_cleanup);
    tix_db *db = fz.db;
    tix_id country, state;
    tix_place p = {.kind = TIX_PLACE_COUNTRY, .name = "India", .utc_offset_min = 330};
    FZ_OK(tix_place_create(db, &p, &country));
    p = (tix_place){.kind = TIX_PLACE_STATE, .parent_id = country,
                    .name = "Tamil Nadu", .utc_offset_min = 330};
    FZ_OK(tix_place_create(db, &p, &state));
    p = (tix_place){.kind = TIX_PLACE_CITY, .parent_id = state,
                    .name = "Chennai", .utc_offset_min = 330};
    FZ_OK(tix_place_create(db, &p, &fz.city));
    tix_venue v = {.city_id = fz.city, .name = "Sathyam", .address = "Royapettah",
                   .lat = 13.05, .lon = 80.26};
    FZ_OK(tix_venue_create(db, &v, &fz.venue));
    tix_screen s = {.venue_id = fz.venue, .name = "Santham", .ideal_x = 3,
                    .ideal_y = 1};
    FZ_OK(tix_screen_create(db, &s, &fz.screen));
    tix_tier t = {.screen_id = fz.screen, .name = "Elite", .price_minor = 19000,
                  .currency = "INR"};
    FZ_OK(tix_tier_create(db, &t, &fz.tier));
    tix_seat_spec a[5], b[5];
    for (uint32_t i = 0; i < 5; i++) {
        a[i] = (tix_seat_spec){.number = i + 1, .x = i + 1, .y = 0, .tier_id = fz.tier};
        b[i] = (tix_seat_spec){.number = i + 1, .x = i + 1, .y = 1, .tier_id = fz.tier,
                               .flags = i == 4 ? TIX_SEAT_WHEELCHAIR : 0};
    }
    tix_row_spec rows[2] = {{"A", a, 5}, {"B", b, 5}};
    FZ_OK(tix_seats_add_rows(db, fz.screen, rows, 2, NULL));
    fz.seats = 10;
    const char *genres[] = {"Thriller"}, *langs[] = {"Tamil"};
    tix_movie m = {.title = "Vikram Vedha", .duration_min = 147,
                   .certificate = "UA", .synopsis = "A cop and a gangster.",
                   .genres = genres, .n_genres = 1, .languages = langs,
                   .n_languages = 1};
    FZ_OK(tix_movie_create(db, &m, &fz.movie));
    tix_show sh = {.movie_id = fz.movie, .screen_id = fz.screen,
                   .start = fz_now + 86400};
    FZ_OK(tix_show_create(db, &sh, &fz.show));
    tix_user u = {.name = "Kumar", .email = "kumar@example.com",
                  .phone = "+919876543210", .home_city_id = fz.city,
                  .genres = genres, .n_genres = 1};
    FZ_OK(tix_user_create(db, &u, &fz.user));
    u = (tix_user){.name = "Lata", .email = "lata@example.com"};
    FZ_OK(tix_user_create(db, &u, &fz.user2));
    FZ_OK(tix_outbox_register(db, "mail", 0));
    tix_offer o = {.code = "FIRST10", .scope = TIX_OFFER_MOVIE,
                   .scope_id = fz.movie, .percent = 10};
    FZ_OK(tix_offer_create(db, &o, &fz.offer));
    uint32_t seats[] = {0, 1};
    tix_hold *h;
    FZ_OK(tix_hold_create(db, fz.show, seats, 2, NULL, &h));
    tix_confirm_opts co = {.user_id = fz.user, .payment_ref = "fuzz-1",
                           .offer_code = "FIRST10"};
    FZ_OK(tix_hold_confirm(db, h, &co, &fz.booking));
    tix_hold_free(h);
    tix_booking *bk;
    FZ_OK(tix_booking_get(db, fz.booking, &bk));
    memcpy(fz.code, bk->tickets[0].code, sizeof fz.code);
    tix_booking_free(bk);
    FZ_OK(tix_ticket_checkin(db, fz.code, "Gate 1", NULL));
    tix_review r = {.movie_id = fz.movie, .user_id = fz.user, .rating = 8,
                    .text = "Gripping."};
    FZ_OK(tix_review_create(db, &r, &fz.review));
    tix_comment c = {.review_id = fz.review, .user_id = fz.user2, .text = "Yes!"};
    FZ_OK(tix_comment_create(db, &c, NULL));
    FZ_OK(tix_review_upvote(db, fz.review, fz.user2));
}

typedef struct fz_put_arg {
    int table;
    const void *key;
    size_t klen;
    const void *val;
    size_t vlen;
} fz_put_arg;

static int fz_put_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    fz_put_arg *a = arg;
    MDB_val k = {a->klen, (void *)a->key}, v = {a->vlen, (void *)a->val};
    return mdb_put(txn, db->dbi[a->table], &k, &v, 0) ? TIX_EIO : TIX_OK;
}

/* Writes raw bytes as the value of key @p key in @p table. */
static inline void fz_put(int table, const void *key, size_t klen, const void *val,
                   size_t vlen)
{
    fz_put_arg a = {table, key, klen, val, vlen};
    FZ_OK(tix__db_write(fz.db, fz_put_txn, &a));
}

static inline void fz_put_id(int table, tix_id id, const void *val, size_t vlen)
{
    uint8_t key[8];
    tix__be64_put(key, id);
    fz_put(table, key, 8, val, vlen);
}

/* Writes one seed file <dir>/<name> holding @p n bytes. */
static inline void fz_seed(const char *dir, const char *name, const void *p, size_t n)
{
    mkdir(dir, 0755);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    FZ_REQUIRE(f);
    FZ_REQUIRE(fwrite(p, 1, n, f) == n || n == 0);
    fclose(f);
}

/* The stored value of key @p key in @p table (copied, malloc'ed). */
static inline uint8_t *fz_get(int table, const void *key, size_t klen, size_t *len)
{
    MDB_txn *txn;
    FZ_OK(tix__db_read_begin(fz.db, &txn));
    MDB_val k = {klen, (void *)key}, v;
    FZ_REQUIRE(mdb_get(txn, fz.db->dbi[table], &k, &v) == 0);
    uint8_t *copy = malloc(v.mv_size + 1);
    memcpy(copy, v.mv_data, v.mv_size);
    *len = v.mv_size;
    tix__db_read_end(fz.db, txn);
    return copy;
}

static inline uint8_t *fz_get_id(int table, tix_id id, size_t *len)
{
    uint8_t key[8];
    tix__be64_put(key, id);
    return fz_get(table, key, 8, len);
}

#endif
