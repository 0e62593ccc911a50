/* Seats of a screen: adding rows of seats and listing them.
 *
 * Record (TIX_REC_SEAT, version 1) in TIX_T_SEATS, key screen + index:
 *   u32 index | cstr row | u32 number | f64 x | f64 y | u64 tier_id |
 *   u32 flags
 * The index is kept in the value too because decoders see values only.
 * Index TIX_T_SEATS_BY_LABEL: screen, row bytes, 0, number(be32) -> index
 * (be32). Labels hold no NUL, so the 0 byte ends the label unambiguously
 * and the key makes (row, number) unique within a screen.
 *
 * Seat indexes run 0..seat_count-1 in the order seats were added; the
 * screen record's seat_count is the next index. Holds and seats.map name
 * seats by index, so a screen's layout only grows, and only until its
 * first show.
 *
 * No two seats of a screen share a position, as the seat map keeps it (x
 * and y as 32-bit floats, lib/seats/layout.c): two seats drawn on top of
 * each other are a layout mistake (a row typed twice with another label),
 * and best available would rank them as one. There is no index of
 * positions: adding seats reads the positions of the screen's seats so
 * far, so add a screen's seats in few calls. */
#include "journal.h"
#include "tables.h"
#include "seat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "screen.h"
#include "show.h"
#include "table.h"
#include "tier.h"
#include "validate.h"

#define SEAT_VERSION 1
#define SEAT_FLAGS_KNOWN \
    (TIX_SEAT_AISLE | TIX_SEAT_WHEELCHAIR | TIX_SEAT_COMPANION | TIX_SEAT_BLOCKED)

/* ---- record -------------------------------------------------------- */

int tix__seat_decode(const MDB_val *val, void *out, tix_bump *b)
{
    tix_seat *s = out;
    tix_dec d;
    int rc = tix__dec_init(&d, val->mv_data, val->mv_size, TIX_REC_SEAT,
                           SEAT_VERSION);
    if (rc) return rc;
    s->index = tix__dec_u32(&d);
    tix_str row = tix__dec_cstr(&d);
    s->number = tix__dec_u32(&d);
    s->x = tix__dec_f64(&d);
    s->y = tix__dec_f64(&d);
    s->tier_id = tix__dec_u64(&d);
    s->flags = tix__dec_u32(&d);
    if ((rc = tix__dec_finish(&d))) return rc;
    s->row = tix__bump_str(b, row);
    if (!s->row) return tix__err(TIX_ECORRUPT, "seat block too small");
    return TIX_OK;
}

int tix__seat_of_tier(tix_db *db, MDB_txn *txn, tix_id screen_id,
                      tix_id tier_id, uint32_t *index)
{
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[TIX_T_SEATS], &cur);
    if (mrc) return tix__mdb_err(mrc, "seats");
    uint8_t prefix[TIX__SCREEN_SEAT_KEY_LEN];
    tix__screen_seat_key(prefix, screen_id, 0);
    MDB_val k = {sizeof prefix, prefix}, v;
    int rc = TIX_OK, found = 0;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (mrc == 0 && rc == TIX_OK && !found && k.mv_size >= 8 &&
           memcmp(k.mv_data, prefix, 8) == 0) {
        char row[TIX_ROW_LABEL_MAX + 1];
        tix_bump b = {row, sizeof row, 0};
        tix_seat s;
        rc = tix__seat_decode(&v, &s, &b);
        found = rc == TIX_OK && s.tier_id == tier_id;
        if (found) *index = s.index;
        else if (rc == TIX_OK) mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    if (found) return 1;
    return mrc && mrc != MDB_NOTFOUND ? tix__mdb_err(mrc, "seats") : 0;
}

int tix__seat_read(tix_db *db, MDB_txn *txn, tix_id screen_id,
                   uint32_t index, tix_seat *out,
                   char row[TIX_ROW_LABEL_MAX + 1])
{
    uint8_t key[TIX__SCREEN_SEAT_KEY_LEN];
    tix__screen_seat_key(key, screen_id, index);
    MDB_val v;
    int rc = tix__db_get(db, txn, TIX_T_SEATS, key, sizeof key, &v, "seat");
    if (rc) return rc;
    tix_bump b = {row, TIX_ROW_LABEL_MAX + 1, 0};
    return tix__seat_decode(&v, out, &b);
}

static int seat_put(tix_db *db, MDB_txn *txn, tix_id screen_id,
                    uint32_t index, const char *label,
                    const tix_seat_spec *spec)
{
    tix_enc e;
    tix__enc_init(&e, TIX_REC_SEAT, SEAT_VERSION);
    tix__enc_u32(&e, index);
    tix__enc_cstr(&e, label);
    tix__enc_u32(&e, spec->number);
    tix__enc_f64(&e, spec->x);
    tix__enc_f64(&e, spec->y);
    tix__enc_u64(&e, spec->tier_id);
    tix__enc_u32(&e, spec->flags);
    int rc = tix__enc_finish(&e);
    if (rc == TIX_OK) {
        uint8_t key[TIX__SCREEN_SEAT_KEY_LEN];
        tix__screen_seat_key(key, screen_id, index);
        rc = tix__db_put(db, txn, TIX_T_SEATS, key, sizeof key, e.buf, e.len, 0,
                      "seat");
    }
    tix__enc_free(&e);
    return rc;
}

void tix__seat_label_entry(tix_id screen_id, const char *row,
                           uint32_t number, uint32_t index, tix__ixentry *e)
{
    size_t n = strnlen(row, TIX_ROW_LABEL_MAX);
    *e = (tix__ixentry){.index = TIX_T_SEATS_BY_LABEL, .klen = 13 + n,
                        .vlen = 4};
    tix__be64_put(e->key, screen_id);
    memcpy(e->key + 8, row, n);
    e->key[8 + n] = 0;
    tix__be32_put(e->key + 9 + n, number);
    tix__be32_put(e->val, index);
}

/* Registers (row, number) -> index; TIX_EEXISTS when the screen already
 * has that seat, including one added earlier in the same call. */
static int label_claim(tix_db *db, MDB_txn *txn, tix_id screen_id,
                       const char *label, uint32_t number, uint32_t index)
{
    tix__ixentry e;
    tix__seat_label_entry(screen_id, label, number, index, &e);
    MDB_val k = {e.klen, e.key}, v = {e.vlen, e.val};
    int rc = tix__db_raw_put(db, txn, TIX_T_SEATS_BY_LABEL, &k, &v,
                           MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST)
        return tix__err(TIX_EEXISTS, "seat %s-%u already exists on screen %llu",
                        label, number, (unsigned long long)screen_id);
    return rc ? tix__mdb_err(rc, "seat label index") : TIX_OK;
}

/* ---- seats met so far, by position or by label ------------------------ */

/* An open-addressing set of 96-bit keys (a, b), each with the seat that
 * brought it (an ordinal: which seat of the call, or a stored index). */
typedef struct seen_key {
    uint64_t a;
    uint32_t b;
    uint32_t who1; /* the seat + 1; 0: an empty slot */
} seen_key;

typedef struct seen_set {
    seen_key *slot;
    size_t cap; /* a power of two, at least twice the keys */
} seen_set;

static int seen_init(seen_set *t, size_t keys)
{
    t->cap = 16;
    while (t->cap < keys * 2) t->cap *= 2;
    t->slot = calloc(t->cap, sizeof *t->slot);
    return t->slot ? TIX_OK
                   : tix__err(TIX_ENOMEM, "out of memory (%zu seats)", keys);
}

/* Adds (a, b) for seat @p who (< UINT32_MAX); returns NULL, or the entry
 * that was already there. */
static const seen_key *seen_add(seen_set *t, uint64_t a, uint32_t b,
                                uint32_t who)
{
    uint64_t h = (a ^ ((uint64_t)b << 29) ^ (a >> 31)) * 0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(h >> 20) & (t->cap - 1);
    for (;; i = (i + 1) & (t->cap - 1)) {
        seen_key *k = &t->slot[i];
        if (!k->who1) {
            *k = (seen_key){a, b, who + 1};
            return NULL;
        }
        if (k->a == a && k->b == b) return k;
    }
}

/* A position as the seat map keeps it (-0 is 0). */
static uint64_t pos_key(double x, double y)
{
    float f[2] = {(float)x, (float)y};
    uint32_t u[2];
    for (int i = 0; i < 2; i++) {
        if (f[i] == 0.0f) f[i] = 0.0f;
        memcpy(&u[i], &f[i], 4);
    }
    return (uint64_t)u[0] << 32 | u[1];
}

/* A label as 8 bytes (labels are 1..TIX_ROW_LABEL_MAX bytes, no NUL). */
static uint64_t label_key(const char *label)
{
    uint64_t v = 0;
    memcpy(&v, label, strnlen(label, TIX_ROW_LABEL_MAX));
    return v;
}

/* ---- checks that need no transaction -------------------------------- */

/* Names a seat spec in messages by position: its number may be the
 * problem. */
#define SEAT_AT "rows[%zu] (\"%s\") seats[%zu]"

static int seat_spec_check(const tix_seat_spec *s, size_t r,
                           const char *label, size_t i)
{
    if (s->number == 0)
        return tix__err_at(tix__err(TIX_EINVAL, SEAT_AT ": number is 0 (seats "
                                "count from 1)", r, label, i),
                       "rows[%zu].seats[%zu].number", r, i);
    if (s->flags & ~SEAT_FLAGS_KNOWN)
        return tix__err_at(tix__err(TIX_EINVAL, SEAT_AT ": flags 0x%x has unknown "
                                "bits", r, label, i, s->flags),
                       "rows[%zu].seats[%zu].flags", r, i);
    if (!isfinite(s->x) || !isfinite(s->y))
        return tix__err_at(tix__err(TIX_ERANGE, SEAT_AT ": %s is not a finite "
                                "number", r, label, i,
                                isfinite(s->x) ? "y" : "x"),
                       "rows[%zu].seats[%zu].%s", r, i,
                       isfinite(s->x) ? "y" : "x");
    return TIX_OK;
}

static int row_spec_check(const tix_row_spec *row, size_t r)
{
    char field[48];
    snprintf(field, sizeof field, "rows[%zu].label", r);
    int rc = tix__validate_text(field, row->label, 1, TIX_ROW_LABEL_MAX, 0);
    if (rc) return tix__err_at(rc, "%s", field);
    if (row->count == 0)
        return tix__err_at(tix__err(TIX_ERANGE, "rows[%zu] (\"%s\") has no seats",
                                r, row->label),
                       "rows[%zu].seats", r);
    if (row->count > TIX__SCREEN_SEATS_MAX)
        return tix__err_at(tix__err(TIX_ERANGE, "rows[%zu] (\"%s\") has %zu seats, "
                                "more than a screen may have (%u)", r,
                                row->label, row->count, TIX__SCREEN_SEATS_MAX),
                       "rows[%zu].seats", r);
    if (!row->seats)
        return tix__err_at(tix__err(TIX_EINVAL, "rows[%zu].seats is NULL", r),
                       "rows[%zu].seats", r);
    for (size_t i = 0; i < row->count; i++)
        if ((rc = seat_spec_check(&row->seats[i], r, row->label, i))) return rc;
    return TIX_OK;
}

/* Checks every row and counts the seats (at most TIX__SCREEN_SEATS_MAX). */
static int rows_count(const tix_row_spec *rows, size_t nrows, uint32_t *total)
{
    if (!rows) return tix__err_at(tix__err(TIX_EINVAL, "rows is NULL"), "rows");
    if (nrows == 0)
        return tix__err_at(tix__err(TIX_ERANGE, "nrows is 0: no seats to add"),
                       "rows");
    size_t sum = 0;
    for (size_t r = 0; r < nrows; r++) {
        int rc = row_spec_check(&rows[r], r);
        if (rc) return rc;
        sum += rows[r].count;
        if (sum > TIX__SCREEN_SEATS_MAX)
            return tix__err_at(tix__err(TIX_ERANGE, "rows hold more than %u "
                                    "seats, the most a screen may have",
                                    TIX__SCREEN_SEATS_MAX),
                           "rows[%zu].seats", r);
    }
    *total = (uint32_t)sum;
    return TIX_OK;
}

/* Row and seat of the call's seat number @p ord (counted from 0). */
static void seat_of(const tix_row_spec *rows, uint32_t ord, size_t *r,
                    size_t *i)
{
    size_t k = 0;
    while (ord >= rows[k].count) ord -= (uint32_t)rows[k++].count;
    *r = k;
    *i = ord;
}

/* No two seats of the call with the same label and number (@p pass 0), or
 * at the same position (pass 1); a clash is reported at the later seat. */
static int rows_distinct_pass(const tix_row_spec *rows, size_t nrows,
                              seen_set *t, int pass)
{
    uint32_t ord = 0;
    for (size_t r = 0; r < nrows; r++) {
        const tix_row_spec *row = &rows[r];
        for (size_t i = 0; i < row->count; i++, ord++) {
            const tix_seat_spec *st = &row->seats[i];
            const seen_key *k =
                pass ? seen_add(t, pos_key(st->x, st->y), 0, ord)
                     : seen_add(t, label_key(row->label), st->number, ord);
            if (!k) continue;
            size_t r0, i0;
            seat_of(rows, k->who1 - 1, &r0, &i0);
            if (!pass)
                return tix__err_at(tix__err(TIX_EEXISTS, SEAT_AT ": seat %s-%u is "
                                        "already rows[%zu] seats[%zu]", r,
                                        row->label, i, row->label, st->number,
                                        r0, i0),
                               "rows[%zu].seats[%zu].number", r, i);
            return tix__err_at(tix__err(TIX_EEXISTS, SEAT_AT ": seat %s-%u is at "
                                    "(%g, %g), the position of seat %s-%u "
                                    "(rows[%zu] seats[%zu])", r, row->label,
                                    i, row->label, st->number, st->x, st->y,
                                    rows[r0].label, rows[r0].seats[i0].number,
                                    r0, i0),
                           "rows[%zu].seats[%zu]", r, i);
        }
    }
    return TIX_OK;
}

static int rows_distinct(const tix_row_spec *rows, size_t nrows,
                         uint32_t total)
{
    seen_set t;
    int rc = seen_init(&t, total);
    if (rc == TIX_OK) rc = rows_distinct_pass(rows, nrows, &t, 0);
    if (rc == TIX_OK) {
        memset(t.slot, 0, t.cap * sizeof *t.slot);
        rc = rows_distinct_pass(rows, nrows, &t, 1);
    }
    free(t.slot);
    return rc;
}

int tix_seat_rows_validate(const tix_row_spec *rows, size_t nrows, uint32_t *total)
{
    uint32_t n = 0;
    int rc = rows_count(rows, nrows, &n);
    if (rc == TIX_OK) rc = rows_distinct(rows, nrows, n);
    if (rc == TIX_OK && total) *total = n;
    return rc;
}

/* ---- the write ------------------------------------------------------- */

struct seats_write {
    tix_id screen_id;
    const tix_row_spec *rows;
    size_t nrows;
    uint32_t total;       /* seats in rows */
    uint32_t first_index; /* out */
};

/* The screen exists, has no shows yet and has room for the new seats. */
static int screen_check(tix_db *db, MDB_txn *txn, const struct seats_write *w,
                        uint32_t *seat_count)
{
    tix_screen screen;
    int rc = tix__screen_read(db, txn, w->screen_id, &screen);
    if (rc)
        return tix__err_at(tix__table_ref_err(rc, "screen_id", w->screen_id),
                       "screen_id");
    rc = tix__show_any_on_screen(db, txn, w->screen_id);
    if (rc < 0) return rc;
    if (rc > 0)
        return tix__err_at(tix__err(TIX_EBUSY, "screen %llu already has shows: "
                                "its seat layout is frozen",
                                (unsigned long long)w->screen_id),
                       "screen_id");
    if (screen.seat_count > TIX__SCREEN_SEATS_MAX - w->total)
        return tix__err_at(tix__err(TIX_ERANGE, "screen %llu has %u seats; %u "
                                "more would exceed %u",
                                (unsigned long long)w->screen_id,
                                screen.seat_count, w->total,
                                TIX__SCREEN_SEATS_MAX),
                       "rows");
    *seat_count = screen.seat_count;
    return TIX_OK;
}

typedef int (*seat_visit_fn)(const MDB_val *val, void *arg);
static int seats_visit(tix_db *db, MDB_txn *txn, tix_id screen_id,
                       seat_visit_fn fn, void *arg);

static int seen_stored(const MDB_val *val, void *arg)
{
    char scratch[TIX_ROW_LABEL_MAX + 16];
    tix_bump b = {scratch, sizeof scratch, 0};
    tix_seat st;
    int rc = tix__seat_decode(val, &st, &b);
    /* Places of an area have no position to clash with. */
    if (rc == TIX_OK && !(st.flags & TIX_SEAT_STANDING))
        seen_add(arg, pos_key(st.x, st.y), 0, st.index);
    return rc;
}

/* No new seat at the position of a seat the screen already has (the new
 * ones among themselves: tix_seat_rows_validate). */
static int positions_free(tix_db *db, MDB_txn *txn,
                          const struct seats_write *w, uint32_t stored)
{
    if (stored == 0) return TIX_OK;
    enum { NEW = TIX__SCREEN_SEATS_MAX }; /* no stored index is that high */
    seen_set places;
    int rc = seen_init(&places, (size_t)stored + w->total);
    if (rc == TIX_OK) rc = seats_visit(db, txn, w->screen_id, seen_stored, &places);
    for (size_t r = 0; r < w->nrows && rc == TIX_OK; r++) {
        const tix_row_spec *row = &w->rows[r];
        for (size_t i = 0; i < row->count && rc == TIX_OK; i++) {
            const tix_seat_spec *st = &row->seats[i];
            /* New seats go in as NEW: they clash with none but stored ones
             * (the call's own seats are distinct, tix_seat_rows_validate). */
            const seen_key *k = seen_add(&places, pos_key(st->x, st->y), 0,
                                         NEW);
            if (!k || k->who1 == NEW + 1) continue;
            tix_seat old;
            char label[TIX_ROW_LABEL_MAX + 1];
            rc = tix__seat_read(db, txn, w->screen_id, k->who1 - 1, &old,
                                label);
            if (rc == TIX_OK)
                rc = tix__err_at(tix__err(TIX_EEXISTS, SEAT_AT ": seat %s-%u is at "
                                      "(%g, %g), the position of seat %s-%u "
                                      "(index %u) of screen %llu", r,
                                      row->label, i, row->label, st->number,
                                      st->x, st->y, old.row, old.number,
                                      old.index,
                                      (unsigned long long)w->screen_id),
                             "rows[%zu].seats[%zu]", r, i);
        }
    }
    free(places.slot);
    return rc;
}

/* A seat's tier must be a tier of the same screen. @p verified remembers
 * the last tier that passed, since neighbouring seats share tiers. */
static int tier_check(tix_db *db, MDB_txn *txn, tix_id screen_id,
                      tix_id tier_id, tix_id *verified, const char *label,
                      uint32_t number)
{
    if (tier_id != 0 && tier_id == *verified) return TIX_OK;
    tix_tier tier;
    int rc = tix__tier_read(db, txn, tier_id, &tier);
    if (rc == TIX_ENOTFOUND)
        return tix__err(TIX_ENOTFOUND, "seat %s-%u: tier_id %llu does not "
                        "exist", label, number, (unsigned long long)tier_id);
    if (rc) return rc;
    if (tier.screen_id != screen_id)
        return tix__err(TIX_EINVAL, "seat %s-%u: tier_id %llu belongs to "
                        "screen %llu, not %llu", label, number,
                        (unsigned long long)tier_id,
                        (unsigned long long)tier.screen_id,
                        (unsigned long long)screen_id);
    *verified = tier_id;
    return TIX_OK;
}

static int add_row(tix_db *db, MDB_txn *txn, tix_id screen_id,
                   const tix_row_spec *row, size_t r, uint32_t *index,
                   tix_id *verified)
{
    for (size_t i = 0; i < row->count; i++) {
        const tix_seat_spec *s = &row->seats[i];
        int rc = tier_check(db, txn, screen_id, s->tier_id, verified,
                            row->label, s->number);
        if (rc) return tix__err_at(rc, "rows[%zu].seats[%zu].tier_id", r, i);
        rc = label_claim(db, txn, screen_id, row->label, s->number, *index);
        if (rc == TIX_EEXISTS)
            return tix__err_at(rc, "rows[%zu].seats[%zu].number", r, i);
        if (rc == TIX_OK)
            rc = seat_put(db, txn, screen_id, *index, row->label, s);
        if (rc) return rc;
        (*index)++;
    }
    return TIX_OK;
}

static int add_rows_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct seats_write *w = arg;
    uint32_t index = 0;
    int rc = screen_check(db, txn, w, &index);
    if (rc == TIX_OK) rc = positions_free(db, txn, w, index);
    if (rc) return rc;
    w->first_index = index;
    tix_id verified = 0;
    for (size_t r = 0; r < w->nrows && rc == TIX_OK; r++)
        rc = add_row(db, txn, w->screen_id, &w->rows[r], r, &index, &verified);
    return rc ? rc : tix__screen_set_seat_count(db, txn, w->screen_id, index);
}

int tix_seats_add_rows(tix_db *db, tix_id screen_id, const tix_row_spec *rows,
                       size_t nrows, uint32_t *first_index_out)
{
    TIX__ARG(db);
    struct seats_write w = {screen_id, rows, nrows, 0, 0};
    int rc = tix_seat_rows_validate(rows, nrows, &w.total);
    if (rc) return rc;
    if ((rc = tix__db_write_join(db, add_rows_txn, &w))) return rc;
    if (first_index_out) *first_index_out = w.first_index;
    return TIX_OK;
}

int tix__seat_add_places(tix_db *db, MDB_txn *txn, tix_id screen_id,
                         const char *label, tix_id tier_id, uint32_t first,
                         uint32_t count)
{
    tix_seat_spec spec = {.tier_id = tier_id, .flags = TIX_SEAT_STANDING};
    int rc = TIX_OK;
    for (uint32_t i = 0; i < count && rc == TIX_OK; i++) {
        spec.number = i + 1;
        rc = label_claim(db, txn, screen_id, label, spec.number, first + i);
        if (rc == TIX_OK)
            rc = seat_put(db, txn, screen_id, first + i, label, &spec);
    }
    return rc ? rc : tix__screen_set_seat_count(db, txn, screen_id,
                                                first + count);
}

/* ---- listing --------------------------------------------------------- */

/* Calls @p fn for every seat value of a screen, in index order. */
static int seats_visit(tix_db *db, MDB_txn *txn, tix_id screen_id,
                       seat_visit_fn fn, void *arg)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, db->dbi[TIX_T_SEATS], &cur);
    if (rc) return tix__mdb_err(rc, "seat cursor");
    uint8_t prefix[8];
    tix__be64_put(prefix, screen_id);
    MDB_val k = {sizeof prefix, prefix}, v;
    int mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    rc = TIX_OK;
    while (mrc == 0 && rc == TIX_OK && k.mv_size == TIX__SCREEN_SEAT_KEY_LEN &&
           memcmp(k.mv_data, prefix, sizeof prefix) == 0) {
        rc = fn(&v, arg);
        if (rc == TIX_OK) mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    return mrc == 0 || mrc == MDB_NOTFOUND ? TIX_OK
                                           : tix__mdb_err(mrc, "seat scan");
}

/* Pass 1: how many seats and how big a block they need. */
struct seat_sizing {
    size_t n, bytes;
};

static int size_seat(const MDB_val *val, void *arg)
{
    struct seat_sizing *z = arg;
    z->n++;
    /* The item, plus its row label and NUL, which the value (holding the
     * label, its NUL and more) always outsizes. Exact enough for a
     * million seats, unlike the generic tix__bump_bound. */
    z->bytes += sizeof(tix_seat) + val->mv_size;
    return TIX_OK;
}

/* Pass 2: decode into the block, checking the index order. */
struct seat_filling {
    tix_seat_list *list;
    tix_bump *b;
    size_t n; /* as sized by pass 1 */
};

static int fill_seat(const MDB_val *val, void *arg)
{
    struct seat_filling *f = arg;
    size_t i = f->list->count;
    if (i == f->n) return tix__err(TIX_ECORRUPT, "seat list grew mid-read");
    int rc = tix__seat_decode(val, &f->list->items[i], f->b);
    if (rc) return rc;
    if (f->list->items[i].index != i)
        return tix__err(TIX_ECORRUPT, "seat %zu is stored as index %u", i,
                        f->list->items[i].index);
    f->list->count++;
    return TIX_OK;
}

static int seat_list_build(tix_db *db, MDB_txn *txn, tix_id screen_id,
                           tix_seat_list **out)
{
    struct seat_sizing z = {0, 0};
    int rc = seats_visit(db, txn, screen_id, size_seat, &z);
    if (rc) return rc;
    tix_bump b;
    if ((rc = tix__bump_init(&b, sizeof(tix_seat_list) + 8 + z.bytes)))
        return rc;
    tix_seat_list *list =
        tix__bump_alloc(&b, sizeof(tix_seat_list) + z.n * sizeof(tix_seat));
    struct seat_filling f = {list, &b, z.n};
    rc = seats_visit(db, txn, screen_id, fill_seat, &f);
    if (rc) {
        free(b.base);
        return rc;
    }
    *out = list;
    return TIX_OK;
}

int tix_seat_list_by_screen(tix_db *db, tix_id screen_id,
                            tix_seat_list **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    rc = seat_list_build(db, txn, screen_id, out);
    tix__db_read_end(db, txn);
    return rc;
}

void tix_seat_list_free(tix_seat_list *l) { free(l); }
