/* Sales channels of a show's seats: moves between channels (under seat
 * leases, recorded in LMDB, mirrored into the show's channel area in
 * seats.map), release times, and availability per channel. The hold path
 * itself only reads the area: tix__engine_chan_allows. */
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "error.h"
#include "hold.h"
#include "lease.h"
#include "seatlog.h"
#include "tables.h"

#define CHANNEL_TAG 0xC4A2C4A2u
#define ASSIGN_MAX 100000

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The show, with room for channels; @p ch must be a possible channel id
 * (1..TIX_CHANNEL_MAX, or 0 when @p pool_ok). */
static int chan_show(tix_db *db, tix_id show, tix_id ch, int pool_ok,
                     const tix__show_entry **e)
{
    TIX__ARG(db);
    if (ch == 0 && !pool_ok)
        return tix__err(TIX_EINVAL, "channel 0 is the public pool, not a channel");
    if (ch > TIX_CHANNEL_MAX)
        return tix__err(TIX_ENOTFOUND, "channel %llu does not exist",
                        (unsigned long long)ch);
    int rc = tix__engine_show(db, show, e);
    if (rc) return rc;
    if (!(*e)->chan)
        return tix__err(TIX_ESTATE, "show %llu was created before sales "
                        "channels existed: its seats are all public",
                        (unsigned long long)show);
    return TIX_OK;
}

static void release_key(uint8_t k[9], tix_id show, unsigned ch)
{
    tix__be64_put(k, show);
    k[8] = (uint8_t)ch;
}

/* The release time LMDB has for channel @p ch of @p show, 0 when none. */
static int release_read(tix_db *db, MDB_txn *txn, tix_id show, unsigned ch,
                        int64_t *at)
{
    uint8_t k[9];
    release_key(k, show, ch);
    MDB_val key = {9, k}, v;
    int rc = mdb_get(txn, db->dbi[TIX_T_CHANNEL_RELEASE], &key, &v);
    *at = 0;
    if (rc == MDB_NOTFOUND) return TIX_OK;
    if (rc) return tix__mdb_err(rc, "channel release");
    if (v.mv_size != 8) return tix__err(TIX_ECORRUPT, "channel release is malformed");
    *at = tix__be64_get_i(v.mv_data);
    return TIX_OK;
}

/* ---- moving seats between channels ------------------------------------ */

struct assign_arg {
    const tix__lease *l;
    unsigned ch;
};

static int assign_write(tix_db *db, MDB_txn *txn, void *arg)
{
    struct assign_arg *a = arg;
    tix_id show = a->l->e->info.id;
    if (a->ch) {
        int rc = tix__channel_exists(db, txn, a->ch);
        int64_t at;
        if (rc == 0) rc = release_read(db, txn, show, a->ch, &at);
        if (rc) return rc;
        if (at && at <= tix_db_now(db))
            return tix__err(TIX_ESTATE, "channel %u was released for show %llu",
                            a->ch, (unsigned long long)show);
    }
    uint8_t val = (uint8_t)a->ch;
    for (uint32_t i = 0; i < a->l->n; i++) {
        uint8_t key[TIX__SHOW_SEAT_KEY_LEN];
        tix__show_seat_key(key, show, a->l->seats[i]);
        int rc;
        if (a->ch) {
            rc = tix__db_put(db, txn, TIX_T_CHANNEL_SEATS, key, sizeof key, &val,
                             1, 0, "channel seat");
        } else {
            rc = tix__db_del(db, txn, TIX_T_CHANNEL_SEATS, key, sizeof key,
                             "channel seat");
            if (rc == TIX_ENOTFOUND) rc = TIX_OK;
        }
        if (rc) return rc;
    }
    tix__seatlog_entry le = {.type = TIX_SEAT_EVENT_CHANNEL,
                             .at = tix_db_now(db), .channel_id = a->ch};
    return tix__seatlog_append(db, txn, show, a->l->seats, a->l->n, &le);
}

/* Mirrors a committed move into seats.map while the seats are leased. */
static void assign_publish(const tix__lease *l, unsigned ch)
{
    tix__chan_area *a = l->e->chan;
    for (uint32_t i = 0; i < l->n; i++) {
        unsigned old = atomic_load_explicit(&a->seat[l->seats[i]],
                                            memory_order_relaxed);
        if (old == ch) continue;
        if (!old) atomic_fetch_add(&a->assigned, 1);
        if (!ch) atomic_fetch_sub(&a->assigned, 1);
        atomic_store_explicit(&a->seat[l->seats[i]], (uint8_t)ch,
                              memory_order_release);
    }
}

static int takeable(uint64_t w, uint32_t now, void *arg)
{
    (void)arg;
    return tix__w_takeable(w, now);
}

/* Moves sorted, distinct, in-range seats. */
static int assign_sorted(tix_db *db, const tix__show_entry *e, unsigned ch,
                         const uint32_t *seats, uint32_t n)
{
    uint64_t *prev = malloc(n * sizeof *prev);
    if (!prev) return tix__err(TIX_ENOMEM, "out of memory");
    tix__lease l = {.e = e, .seats = seats, .n = n, .prev = prev};
    int rc = tix__lease_take(db, &l, CHANNEL_TAG, takeable, NULL);
    if (rc == TIX_ECONFLICT)
        rc = tix__err(TIX_ECONFLICT, "seat %u is held, booked or blocked",
                      l.failed_seat);
    if (rc == 0) {
        struct assign_arg a = {&l, ch};
        rc = tix__db_write(db, assign_write, &a);
        if (rc == 0) {
            assign_publish(&l, ch);
            tix__lease_finish(&l, tix__w_make(TIX_W_FREE, 0, 0));
        } else {
            tix__lease_revert(&l);
        }
    }
    free(prev);
    return rc;
}

int tix_channel_assign(tix_db *db, tix_id show, tix_id ch,
                       const uint32_t *in, size_t n)
{
    const tix__show_entry *e;
    int rc = chan_show(db, show, ch, 1, &e);
    if (rc) return rc;
    TIX__ARG(in);
    if (n == 0) return tix__err(TIX_EINVAL, "no seats given");
    if (n > ASSIGN_MAX)
        return tix__err(TIX_ELIMIT, "at most %d seats at once", ASSIGN_MAX);
    if ((rc = tix__hold_show_selling(e, tix_db_now(db)))) return rc;
    uint32_t *seats = malloc(n * sizeof *seats);
    if (!seats) return tix__err(TIX_ENOMEM, "out of memory");
    memcpy(seats, in, n * sizeof *seats);
    qsort(seats, n, sizeof *seats, cmp_u32);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (seats[i] >= e->info.seat_count)
            rc = tix__err(TIX_EINVAL, "seat %u out of range (show has %u)",
                          seats[i], e->info.seat_count);
        else if (i && seats[i] == seats[i - 1])
            rc = tix__err(TIX_EINVAL, "seat %u listed twice", seats[i]);
    }
    if (rc == 0) rc = assign_sorted(db, e, (unsigned)ch, seats, (uint32_t)n);
    free(seats);
    return rc;
}

/* Picks @p count free public seats of tier slot @p slot, nearest rows
 * first; returns how many it found (at most @p count). */
static uint32_t pick_tier(const tix__show_entry *e, int slot, uint32_t count,
                          uint32_t now, uint32_t *out)
{
    const tix__layout *l = e->layout;
    uint32_t got = 0;
    for (uint32_t i = l->tier_row_start[slot];
         i < l->tier_row_start[slot + 1] && got < count; i++) {
        uint32_t r = l->tier_rows[i];
        for (uint32_t k = l->row_start[r]; k < l->row_start[r + 1] && got < count;
             k++) {
            uint32_t s = l->row_seats[k];
            if (s >= e->info.seat_count || l->tier_slot[s] != slot ||
                (l->flags[s] & TIX_SEAT_BLOCKED) ||
                atomic_load_explicit(&e->chan->seat[s], memory_order_relaxed) ||
                !tix__w_takeable(tix__w_load(&e->seats[s]), now))
                continue;
            out[got++] = s;
        }
    }
    return got;
}

int tix_channel_assign_tier(tix_db *db, tix_id show, tix_id ch, tix_id tier,
                            uint32_t count)
{
    const tix__show_entry *e;
    int rc = chan_show(db, show, ch, 0, &e);
    if (rc) return rc;
    if (count == 0) return tix__err(TIX_EINVAL, "no seats asked for");
    if (count > ASSIGN_MAX)
        return tix__err(TIX_ELIMIT, "at most %d seats at once", ASSIGN_MAX);
    if ((rc = tix__hold_show_selling(e, tix_db_now(db)))) return rc;
    int slot = -1;
    for (size_t t = 0; t < e->layout->n_tiers; t++)
        if (e->layout->tier_id[t] == tier) slot = (int)t;
    if (slot < 0)
        return tix__err(TIX_ENOTFOUND, "tier %llu has no seats in show %llu",
                        (unsigned long long)tier, (unsigned long long)show);
    uint32_t *seats = malloc(count * sizeof *seats);
    if (!seats) return tix__err(TIX_ENOMEM, "out of memory");
    uint32_t got = pick_tier(e, slot, count, tix__engine_now(db), seats);
    if (got < count)
        rc = tix__err(TIX_ECONFLICT, "tier %llu has only %u free public seats, "
                      "not %u", (unsigned long long)tier, got, count);
    if (rc == 0) {
        qsort(seats, got, sizeof *seats, cmp_u32);
        rc = assign_sorted(db, e, (unsigned)ch, seats, got);
    }
    free(seats);
    return rc;
}

/* ---- release ----------------------------------------------------------- */

struct release_arg {
    tix_id show;
    unsigned ch;
    int64_t at, now;
};

static int release_write(tix_db *db, MDB_txn *txn, void *arg)
{
    struct release_arg *a = arg;
    int64_t cur;
    int rc = tix__channel_exists(db, txn, a->ch);
    if (rc == 0) rc = release_read(db, txn, a->show, a->ch, &cur);
    if (rc) return rc;
    if (cur && cur <= a->now)
        return tix__err(TIX_EALREADY, "channel %u of show %llu was released",
                        a->ch, (unsigned long long)a->show);
    uint8_t k[9], v[8];
    release_key(k, a->show, a->ch);
    tix__be64_put_i(v, a->at);
    return tix__db_put(db, txn, TIX_T_CHANNEL_RELEASE, k, 9, v, 8, 0,
                       "channel release");
}

int tix_channel_release(tix_db *db, tix_id show, tix_id ch, int64_t at)
{
    const tix__show_entry *e;
    int rc = chan_show(db, show, ch, 0, &e);
    if (rc) return rc;
    int64_t now = tix_db_now(db);
    if (at == 0) at = now;
    if (at < now)
        return tix__err(TIX_ERANGE, "release time %lld is in the past",
                        (long long)at);
    if (at > e->info.end)
        return tix__err(TIX_ERANGE, "release time %lld is after the show ends",
                        (long long)at);
    struct release_arg a = {show, (unsigned)ch, at, now};
    rc = tix__db_write(db, release_write, &a);
    if (rc) return rc;
    uint32_t mt = tix__seatmap_time(&db->engine->map, at);
    atomic_store_explicit(&e->chan->release[ch], mt ? mt : 1,
                          memory_order_release);
    return TIX_OK;
}

/* ---- reading ----------------------------------------------------------- */

/* The channel seat @p s sells through at map time @p now (0 = pool). */
static unsigned seat_channel(const tix__show_entry *e, uint32_t s, uint32_t now)
{
    unsigned c = atomic_load_explicit(&e->chan->seat[s], memory_order_relaxed);
    return tix__engine_chan_allows(e, s, 0, now) ? 0 : c;
}

int tix_channel_seats(tix_db *db, tix_id show, uint8_t *out, size_t cap)
{
    TIX__ARG(db);
    TIX__ARG(out);
    const tix__show_entry *e;
    int rc = tix__engine_show(db, show, &e);
    if (rc) return rc;
    if (cap < e->info.seat_count)
        return tix__err(TIX_ERANGE, "cap %zu below the show's %u seats", cap,
                        e->info.seat_count);
    uint32_t now = tix__engine_now(db);
    for (uint32_t s = 0; s < e->info.seat_count; s++)
        out[s] = e->chan ? (uint8_t)seat_channel(e, s, now) : 0;
    return TIX_OK;
}

static void count_word(tix_counts *c, uint64_t w, uint32_t now)
{
    unsigned st = tix__w_state(w);
    c->total++;
    if (tix__w_takeable(w, now)) c->free++;
    else if (st == TIX_W_HELD || st == TIX_W_CONFIRMING) c->held++;
    else if (st == TIX_W_BOOKED) c->booked++;
    else c->unavailable++;
}

int tix_channel_availability(tix_db *db, tix_id show, tix_channel_avail **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    const tix__show_entry *e;
    int rc = tix__engine_show(db, show, &e);
    if (rc) return rc;
    tix_channel_counts by[TIX_CHANNEL_MAX + 1];
    memset(by, 0, sizeof by);
    uint32_t now = tix__engine_now(db);
    const tix__chan_area *a = e->chan;
    for (uint32_t s = 0; s < e->info.seat_count; s++) {
        uint64_t w = tix__w_load(&e->seats[s]);
        unsigned c = a ? atomic_load_explicit(&a->seat[s], memory_order_relaxed)
                       : 0;
        /* A released channel's free seats are the pool's now. */
        if (c && tix__w_takeable(w, now) && seat_channel(e, s, now) == 0) c = 0;
        count_word(&by[c].counts, w, now);
    }
    size_t n = 1;
    for (unsigned c = 1; c <= TIX_CHANNEL_MAX; c++) {
        uint32_t rel = a ? atomic_load_explicit(&a->release[c],
                                                memory_order_relaxed)
                         : 0;
        by[c].channel_id = c;
        by[c].release_at = rel ? db->engine->map.epoch + rel : 0;
        by[c].released = rel && rel <= now;
        if (by[c].counts.total || rel) by[n++] = by[c];
    }
    tix_channel_avail *r = calloc(1, sizeof *r + n * sizeof r->items[0]);
    if (!r) return tix__err(TIX_ENOMEM, "out of memory");
    r->show_id = show;
    r->count = n;
    memcpy(r->items, by, n * sizeof by[0]);
    *out = r;
    return TIX_OK;
}

void tix_channel_avail_free(tix_channel_avail *a) { free(a); }
