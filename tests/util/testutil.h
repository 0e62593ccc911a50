/* Shared helpers for the cmocka tests: temp stores, a fake clock and a
 * digest of every LMDB table to prove "the store is unchanged". */
#ifndef TIX_TESTUTIL_H
#define TIX_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tix.h"

/* Asserts a call returned TIX_OK, printing the code and detail if not. */
#define assert_ok(expr)                                                      \
    do {                                                                     \
        int rc_ = (expr);                                                    \
        if (rc_ != TIX_OK)                                                   \
            fail_msg("%s -> %d (%s): %s", #expr, rc_, tix_strerror(rc_),     \
                     tix_errmsg());                                          \
    } while (0)

/* Asserts a call returned @p code and left a non-empty detail message. */
#define assert_code(expr, code)                                              \
    do {                                                                     \
        int rc_ = (expr);                                                    \
        if (rc_ != (code))                                                   \
            fail_msg("%s -> %d (%s) want %d: %s", #expr, rc_,                \
                     tix_strerror(rc_), (code), tix_errmsg());               \
        assert_true(tix_errmsg()[0] != '\0');                                \
    } while (0)

/* Asserts @p expr fails with @p code and a detail message that mentions
 * @p field (NULL: any message), and that every table of @p db is exactly
 * as it was before the call. */
#define assert_rejected(db, expr, code, field)                               \
    do {                                                                     \
        uint64_t before_ = tt_digest(db);                                    \
        assert_code(expr, code);                                             \
        const char *field_ = (field);                                        \
        if (field_ && !strstr(tix_errmsg(), field_))                         \
            fail_msg("%s: message '%s' does not name '%s'", #expr,           \
                     tix_errmsg(), field_);                                  \
        if (tt_digest(db) != before_)                                        \
            fail_msg("%s changed the store", #expr);                         \
    } while (0)

/* A fresh empty directory under $TIX_TEST_TMP (or /tmp); free() it. */
char *tt_tmpdir(void);
/* Removes a directory tree. */
void tt_rmrf(const char *path);

/* Fake clock: tests move tt_now forward. */
extern int64_t tt_now;
int64_t tt_clock(void *ctx);

/* Config for tests: no fsync, fake clock starting at 2026-01-01. */
/* Durability for test stores: $TIX_TEST_DURABILITY (full, nometa, none,
 * journal) when set, else @p dflt. Lets the whole suite run in one mode. */
tix_durability tt_durability(tix_durability dflt);
void tt_config(tix_config *cfg);

/* Opens a new store in a fresh temp dir with tt_config. */
typedef struct tt_store {
    char *dir;
    tix_db *db;
} tt_store;
void tt_open(tt_store *s);
void tt_close(tt_store *s); /* closes and deletes */

/* XXH3 of every key and value in every table: equal digests mean equal
 * stores. */
uint64_t tt_digest(tix_db *db);

/* Names of exactly TIX_NAME_MAX bytes and of one byte more (static
 * buffers: never free or modify them). */
const char *tt_name_max(void);
const char *tt_name_too_long(void);

/* A small catalog: India/Karnataka/Bengaluru (UTC+5:30), a venue, screen
 * "Audi 1" with tiers Silver (15000 INR minor units, tier_cheap) and Gold
 * (25000, tier_gold), rows A, B, .. Z, AA, .. of seats numbered
 * 1..seats_per_row at x = number, y = row index (the first half of the
 * rows, rounded up, Silver; the rest Gold), and movie "Test Movie" (150
 * min). Seat indexes run row by row. Ids are filled in; failures fail the
 * test. */
typedef struct tt_catalog {
    tix_id country, state, city, venue, screen, tier_cheap, tier_gold, movie;
} tt_catalog;
void tt_make_catalog(tix_db *db, unsigned rows, unsigned seats_per_row,
                     tt_catalog *c);

#endif
