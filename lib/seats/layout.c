/* Builds the in-memory seat layout of a screen from its LMDB seat rows:
 * per-seat arrays (tier slot, flags, position), rows with their seats in
 * seat-number order (for best-available), and tiers cheapest first. */
#include "layout.h"
#include "tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "area.h"
#include "error.h"
#include "screen.h"
#include "seat.h"
#include "tier.h"

/* Small open-addressing map from an id or packed row label to an ordinal. */
typedef struct ordmap {
    uint64_t *keys;
    uint32_t *vals;
    size_t cap, n;
} ordmap;

static int ordmap_init(ordmap *m, size_t cap)
{
    m->cap = 16;
    while (m->cap < cap * 2) m->cap *= 2;
    m->n = 0;
    m->keys = calloc(m->cap, sizeof *m->keys);
    m->vals = calloc(m->cap, sizeof *m->vals);
    return m->keys && m->vals ? TIX_OK : TIX_ENOMEM;
}

static void ordmap_free(ordmap *m)
{
    free(m->keys);
    free(m->vals);
}

static uint32_t ordmap_get(ordmap *m, uint64_t key);

/* Doubles the table; on allocation failure the old one keeps working (it
 * only gets slower as it fills, and never completely fills: see below). */
static void ordmap_grow(ordmap *m)
{
    ordmap big;
    if (ordmap_init(&big, m->cap) != TIX_OK) {
        ordmap_free(&big);
        return;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t j = (size_t)((m->keys[i] - 1) * 0x9E3779B97F4A7C15ull) &
                       (big.cap - 1);
            while (big.keys[j]) j = (j + 1) & (big.cap - 1);
            big.keys[j] = m->keys[i];
            big.vals[j] = m->vals[i];
        }
    big.n = m->n;
    ordmap_free(m);
    *m = big;
}

/* Returns the ordinal of @p key, adding it with the next one if new. Keys
 * are stored +1 so that 0 marks an empty slot. */
static uint32_t ordmap_get(ordmap *m, uint64_t key)
{
    if ((m->n + 1) * 2 > m->cap) ordmap_grow(m);
    if (m->n + 1 >= m->cap) return UINT32_MAX; /* could not grow */
    size_t i = (size_t)(key * 0x9E3779B97F4A7C15ull) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != key + 1) i = (i + 1) & (m->cap - 1);
    if (!m->keys[i]) {
        m->keys[i] = key + 1;
        m->vals[i] = (uint32_t)m->n++;
    }
    return m->vals[i];
}

static uint64_t pack_label(const char *s)
{
    uint64_t v = 0;
    memcpy(&v, s, strnlen(s, 8)); /* labels are <= 8 bytes */
    return v;
}

const char *tix__layout_seat_label(const tix__layout *l, uint32_t seat,
                                   char buf[TIX__SEAT_LABEL_MAX])
{
    if (!l || seat >= l->n_seats || !l->row_label) {
        snprintf(buf, TIX__SEAT_LABEL_MAX, "%u", seat);
        return buf;
    }
    char row[9] = {0};
    memcpy(row, &l->row_label[l->row_of[seat]], 8);
    size_t n = strlen(row);
    int digit = n && row[n - 1] >= '0' && row[n - 1] <= '9';
    snprintf(buf, TIX__SEAT_LABEL_MAX, "%s%s%u (index %u)", row,
             digit ? "-" : "", l->number[seat], seat);
    return buf;
}

void tix__layout_free(tix__layout *l)
{
    if (!l) return;
    free(l->tier_slot);
    free(l->flags);
    free(l->number);
    free(l->x);
    free(l->y);
    free(l->row_start);
    free(l->row_seats);
    free(l->tier_id);
    free(l->tier_price);
    free(l->tier_row_start);
    free(l->tier_rows);
    free(l->row_dist2);
    free(l->row_of);
    free(l->area_id);
    free(l->area_first);
    free(l->area_count);
    free(l->row_label);
    free(l);
}

static int alloc_arrays(tix__layout *l, uint32_t n)
{
    size_t m = n ? n : 1;
    l->tier_slot = calloc(m, sizeof *l->tier_slot);
    l->flags = calloc(m, sizeof *l->flags);
    l->number = calloc(m, sizeof *l->number);
    l->x = calloc(m, sizeof *l->x);
    l->y = calloc(m, sizeof *l->y);
    l->row_seats = calloc(m, sizeof *l->row_seats);
    if (!l->tier_slot || !l->flags || !l->number || !l->x || !l->y ||
        !l->row_seats)
        return tix__err(TIX_ENOMEM, "out of memory loading a layout");
    return TIX_OK;
}

/* Reads every seat row of the screen; fills per-seat arrays, assigns row
 * ordinals (row_of) and tier ordinals in first-seen order. */
static int read_seats(tix_db *db, MDB_txn *txn, tix__layout *l,
                      uint32_t *row_of, ordmap *rows, ordmap *tiers)
{
    uint8_t prefix[8];
    tix__be64_put(prefix, l->screen_id);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, db->dbi[TIX_T_SEATS], &cur);
    if (rc) return tix__mdb_err(rc, "seats");
    char scratch[512];
    MDB_val k = {8, prefix}, v;
    uint32_t count = 0;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size == 12 && memcmp(k.mv_data, prefix, 8) == 0) {
        uint32_t idx = tix__be32_get((const uint8_t *)k.mv_data + 8);
        if (idx != count || idx >= l->n_seats) { rc = -1; break; }
        tix_bump b = {scratch, sizeof scratch, 0};
        tix_seat seat;
        int drc = tix__seat_decode(&v, &seat, &b);
        if (drc) { mdb_cursor_close(cur); return drc; }
        row_of[idx] = ordmap_get(rows, pack_label(seat.row));
        uint32_t tier = ordmap_get(tiers, seat.tier_id);
        if (row_of[idx] == UINT32_MAX || tier == UINT32_MAX) {
            mdb_cursor_close(cur);
            return tix__err(TIX_ENOMEM, "out of memory loading a layout");
        }
        l->tier_slot[idx] = (uint16_t)tier;
        l->flags[idx] = seat.flags;
        l->number[idx] = seat.number;
        l->x[idx] = (float)seat.x;
        l->y[idx] = (float)seat.y;
        count++;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == -1 || count != l->n_seats || tiers->n > 65535)
        return tix__err(TIX_ECORRUPT, "seat rows of screen %llu are inconsistent",
                        (unsigned long long)l->screen_id);
    if (rc && rc != MDB_NOTFOUND) return tix__mdb_err(rc, "seats");
    return TIX_OK;
}

struct sort_ctx {
    const uint32_t *row_of, *number;
};
static int by_row_then_number(const void *a, const void *b, void *arg)
{
    const struct sort_ctx *c = arg;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (c->row_of[x] != c->row_of[y]) return c->row_of[x] < c->row_of[y] ? -1 : 1;
    uint32_t nx = c->number[x], ny = c->number[y];
    return nx < ny ? -1 : nx > ny;
}

/* Groups seat indexes by row, each row in seat-number order. */
static int build_rows(tix__layout *l, const uint32_t *row_of,
                      const ordmap *rows)
{
    size_t n_rows = rows->n;
    l->n_rows = n_rows;
    l->row_start = calloc(n_rows + 1, sizeof *l->row_start);
    l->row_label = calloc(n_rows + 1, sizeof *l->row_label);
    if (!l->row_start || !l->row_label)
        return tix__err(TIX_ENOMEM, "out of memory");
    for (size_t i = 0; i < rows->cap; i++)
        if (rows->keys[i]) l->row_label[rows->vals[i]] = rows->keys[i] - 1;
    for (uint32_t i = 0; i < l->n_seats; i++) l->row_seats[i] = i;
    struct sort_ctx ctx = {row_of, l->number};
    qsort_r(l->row_seats, l->n_seats, sizeof *l->row_seats, by_row_then_number,
            &ctx);
    for (uint32_t i = 0; i < l->n_seats; i++)
        l->row_start[row_of[l->row_seats[i]] + 1]++;
    for (size_t r = 0; r < n_rows; r++) l->row_start[r + 1] += l->row_start[r];
    return TIX_OK;
}

/* Loads tier prices and renumbers tier slots cheapest first. */
static int build_tiers(tix_db *db, MDB_txn *txn, tix__layout *l, ordmap *tiers)
{
    size_t n = tiers->n;
    l->n_tiers = n;
    l->tier_id = calloc(n ? n : 1, sizeof *l->tier_id);
    l->tier_price = calloc(n ? n : 1, sizeof *l->tier_price);
    uint16_t *remap = calloc(n ? n : 1, sizeof *remap);
    if (!l->tier_id || !l->tier_price || !remap) {
        free(remap);
        return tix__err(TIX_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < tiers->cap; i++)
        if (tiers->keys[i]) l->tier_id[tiers->vals[i]] = tiers->keys[i] - 1;
    int rc = TIX_OK;
    for (size_t i = 0; i < n && rc == 0; i++) {
        tix_tier t;
        rc = tix__tier_read(db, txn, l->tier_id[i], &t);
        l->tier_price[i] = t.price_minor;
    }
    /* Selection sort by (price, id): tiers per screen are few. */
    uint16_t order[n ? n : 1];
    for (size_t i = 0; i < n; i++) order[i] = (uint16_t)i;
    for (size_t i = 0; i < n && rc == 0; i++)
        for (size_t j = i + 1; j < n; j++) {
            int64_t pi = l->tier_price[order[i]], pj = l->tier_price[order[j]];
            if (pj < pi || (pj == pi && l->tier_id[order[j]] < l->tier_id[order[i]])) {
                uint16_t t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
    if (rc == 0) {
        tix_id ids[n ? n : 1];
        int64_t prices[n ? n : 1];
        for (size_t i = 0; i < n; i++) {
            ids[i] = l->tier_id[order[i]];
            prices[i] = l->tier_price[order[i]];
            remap[order[i]] = (uint16_t)i;
        }
        memcpy(l->tier_id, ids, n * sizeof *ids);
        memcpy(l->tier_price, prices, n * sizeof *prices);
        for (uint32_t s = 0; s < l->n_seats; s++)
            l->tier_slot[s] = remap[l->tier_slot[s]];
    }
    free(remap);
    return rc;
}

static float dist2(const tix__layout *l, uint32_t seat)
{
    float dx = l->x[seat] - (float)l->ideal_x, dy = l->y[seat] - (float)l->ideal_y;
    return dx * dx + dy * dy;
}

static int by_row_distance(const void *a, const void *b, void *arg)
{
    const float *d = arg;
    float x = d[*(const uint32_t *)a], y = d[*(const uint32_t *)b];
    return x < y ? -1 : x > y;
}

/* Per tier, the rows that hold its seats, nearest first. */
static int build_tier_rows(tix__layout *l)
{
    size_t nt = l->n_tiers, nr = l->n_rows;
    l->row_dist2 = calloc(nr + 1, sizeof *l->row_dist2);
    l->tier_row_start = calloc(nt + 2, sizeof *l->tier_row_start);
    uint8_t *seen = calloc(nt + 1, 1);
    /* At most one entry per (row, tier) pair plus one per row for "all". */
    size_t cap = nr;
    for (size_t r = 0; r < nr; r++) cap += l->row_start[r + 1] - l->row_start[r];
    l->tier_rows = calloc(cap + 1, sizeof *l->tier_rows);
    uint32_t *fill = calloc(nt + 2, sizeof *fill);
    if (!l->row_dist2 || !l->tier_row_start || !seen || !l->tier_rows || !fill) {
        free(seen);
        free(fill);
        return tix__err(TIX_ENOMEM, "out of memory");
    }
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t r = 0; r < nr; r++) {
            /* A row of places has no window to offer: places are sold by
             * count (lib/seats/ga.c). Rows are all places or none: an
             * area's name is a label no seat row may have. */
            l->row_dist2[r] = 3.4e38f;
            if (l->flags[l->row_seats[l->row_start[r]]] & TIX_SEAT_STANDING)
                continue;
            memset(seen, 0, nt + 1);
            float best = 3.4e38f;
            for (uint32_t k = l->row_start[r]; k < l->row_start[r + 1]; k++) {
                uint32_t s = l->row_seats[k];
                if (dist2(l, s) < best) best = dist2(l, s);
                uint16_t t = l->tier_slot[s];
                if (seen[t]) continue;
                seen[t] = 1;
                if (pass == 0) l->tier_row_start[t + 1]++;
                else l->tier_rows[l->tier_row_start[t] + fill[t]++] = (uint32_t)r;
            }
            l->row_dist2[r] = best;
            if (pass == 0) l->tier_row_start[nt + 1]++;
            else l->tier_rows[l->tier_row_start[nt] + fill[nt]++] = (uint32_t)r;
        }
        if (pass == 0)
            for (size_t t = 0; t <= nt; t++)
                l->tier_row_start[t + 1] += l->tier_row_start[t];
    }
    for (size_t t = 0; t <= nt; t++)
        qsort_r(l->tier_rows + l->tier_row_start[t],
                l->tier_row_start[t + 1] - l->tier_row_start[t],
                sizeof *l->tier_rows, by_row_distance, l->row_dist2);
    free(seen);
    free(fill);
    return TIX_OK;
}

/* The screen's areas, checked against the seats they own. */
static int load_areas(tix_db *db, MDB_txn *txn, tix__layout *l)
{
    tix_area *a;
    int rc = tix__area_of_screen(db, txn, l->screen_id, &a, &l->n_areas);
    if (rc) return rc;
    size_t m = l->n_areas ? l->n_areas : 1;
    l->area_id = calloc(m, sizeof *l->area_id);
    l->area_first = calloc(m, sizeof *l->area_first);
    l->area_count = calloc(m, sizeof *l->area_count);
    if (!l->area_id || !l->area_first || !l->area_count)
        rc = tix__err(TIX_ENOMEM, "out of memory loading a layout");
    for (size_t i = 0; i < l->n_areas && rc == TIX_OK; i++) {
        uint32_t f = a[i].first_seat, c = a[i].capacity;
        if (c == 0 || f > l->n_seats || c > l->n_seats - f ||
            !(l->flags[f] & TIX_SEAT_STANDING) ||
            !(l->flags[f + c - 1] & TIX_SEAT_STANDING))
            rc = tix__err(TIX_ECORRUPT, "area %llu of screen %llu names seats "
                          "that are not its places",
                          (unsigned long long)a[i].id,
                          (unsigned long long)l->screen_id);
        l->area_id[i] = a[i].id;
        l->area_first[i] = f;
        l->area_count[i] = c;
    }
    free(a);
    return rc;
}

int tix__layout_load(tix_db *db, MDB_txn *txn, tix_id screen_id,
                     tix__layout **out)
{
    tix_screen scr;
    int rc = tix__screen_read(db, txn, screen_id, &scr);
    if (rc) return rc;
    tix__layout *l = calloc(1, sizeof *l);
    if (!l) return tix__err(TIX_ENOMEM, "out of memory");
    l->screen_id = screen_id;
    l->ideal_x = scr.ideal_x;
    l->ideal_y = scr.ideal_y;
    l->n_seats = scr.seat_count;
    uint32_t *row_of = calloc(l->n_seats ? l->n_seats : 1, sizeof *row_of);
    ordmap rows = {0}, tiers = {0};
    rc = row_of ? alloc_arrays(l, l->n_seats) : TIX_ENOMEM;
    if (rc == 0 && (ordmap_init(&rows, l->n_seats / 4 + 16) ||
                    ordmap_init(&tiers, 64)))
        rc = tix__err(TIX_ENOMEM, "out of memory");
    if (rc == 0) rc = read_seats(db, txn, l, row_of, &rows, &tiers);
    if (rc == 0) rc = build_rows(l, row_of, &rows);
    if (rc == 0) rc = build_tiers(db, txn, l, &tiers);
    if (rc == 0) rc = build_tier_rows(l);
    if (rc == 0) rc = load_areas(db, txn, l);
    ordmap_free(&rows);
    ordmap_free(&tiers);
    l->row_of = row_of;
    if (rc) {
        tix__layout_free(l);
        return rc == TIX_ENOMEM ? tix__err(rc, "out of memory") : rc;
    }
    *out = l;
    return TIX_OK;
}

int tix__layout_area(const tix__layout *l, tix_id area_id, size_t *i)
{
    for (*i = 0; *i < l->n_areas; (*i)++)
        if (l->area_id[*i] == area_id) return TIX_OK;
    return tix__err(TIX_ENOTFOUND, "area %llu is not an area of screen %llu",
                    (unsigned long long)area_id,
                    (unsigned long long)l->screen_id);
}
