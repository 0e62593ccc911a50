/* Seat engine state attached to a store: seats.map, the show cache and
 * the LMDB truth used to initialise and repair seat words. */
#include "journal.h"
#include "tables.h"
#include "engine.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <xxhash.h>

#include "commit.h"
#include "error.h"
#include "layout.h"
#include "random.h"
#include "region.h"

/* Open-addressing table of show entries, replaced (copy on write) when it
 * grows, so lookups need no lock. */
struct show_table {
    size_t cap, n;
    const tix__show_entry *slots[];
};

struct retired {
    struct retired *next;
    void *ptr;
};

struct layout_node {
    struct layout_node *next;
    tix__layout *layout;
};

static size_t slot_of(tix_id id, size_t cap)
{
    return (size_t)(id * 0x9E3779B97F4A7C15ull >> 16) & (cap - 1);
}

static const tix__show_entry *table_find(const struct show_table *t, tix_id id)
{
    if (!t) return NULL;
    for (size_t i = slot_of(id, t->cap);; i = (i + 1) & (t->cap - 1)) {
        const tix__show_entry *e = t->slots[i];
        if (!e || e->info.id == id) return e;
    }
}

static int retire(struct tix_engine *en, void *ptr)
{
    struct retired *r = malloc(sizeof *r);
    if (!r) return TIX_ENOMEM;
    r->ptr = ptr;
    r->next = en->retired;
    en->retired = r;
    return TIX_OK;
}

/* Publishes @p e in a new table, in place of the entry of the same show
 * if there is one (caller holds en->lock). */
static int table_insert(struct tix_engine *en, const tix__show_entry *e)
{
    struct show_table *old = atomic_load(&en->shows);
    int replaces = table_find(old, e->info.id) != NULL;
    size_t n = old ? old->n + !replaces : 1, cap = 64;
    while (cap < n * 2) cap *= 2;
    struct show_table *t = calloc(1, sizeof *t + cap * sizeof t->slots[0]);
    if (!t) return tix__err(TIX_ENOMEM, "out of memory");
    t->cap = cap;
    t->n = n;
    for (size_t i = 0; old && i < old->cap; i++)
        if (old->slots[i] && old->slots[i]->info.id != e->info.id) {
            size_t j = slot_of(old->slots[i]->info.id, cap);
            while (t->slots[j]) j = (j + 1) & (cap - 1);
            t->slots[j] = old->slots[i];
        }
    size_t j = slot_of(e->info.id, cap);
    while (t->slots[j]) j = (j + 1) & (cap - 1);
    t->slots[j] = e;
    /* Entries are retired with the table that first held them. */
    if (retire(en, (void *)e) != TIX_OK) {
        free(t);
        return tix__err(TIX_ENOMEM, "out of memory");
    }
    atomic_store_explicit(&en->shows, t, memory_order_release);
    if (old && retire(en, old) != TIX_OK) {
        /* Cannot free it safely later: leak rather than risk a reader. */
    }
    return TIX_OK;
}

static const tix__layout *layout_find(struct tix_engine *en, tix_id screen)
{
    for (struct layout_node *n = en->layouts; n; n = n->next)
        if (n->layout->screen_id == screen) return n->layout;
    return NULL;
}

int tix__engine_truth(tix_db *db, MDB_txn *txn, const tix__show_entry *e,
                    uint32_t seat, uint64_t *word)
{
    uint8_t key[TIX__SHOW_SEAT_KEY_LEN];
    tix__show_seat_key(key, e->info.id, seat);
    MDB_val k = {sizeof key, key}, v;
    int rc = mdb_get(txn, db->dbi[TIX_T_SEAT_STATE], &k, &v);
    if (rc == MDB_NOTFOUND) {
        *word = e->layout->flags[seat] & TIX_SEAT_BLOCKED
                    ? tix__w_make(TIX_W_BLOCKED, 0, 0)
                    : tix__w_make(TIX_W_FREE, 0, 0);
        return TIX_OK;
    }
    if (rc) return tix__mdb_err(rc, "seat state");
    if (v.mv_size != 8) return tix__err(TIX_ECORRUPT, "seat state is malformed");
    uint64_t booking = tix__be64_get(v.mv_data);
    *word = booking == TIX_SEAT_STATE_BLOCKED
                ? tix__w_make(TIX_W_BLOCKED, 0, 0)
                : tix__w_make(TIX_W_BOOKED, 0, (uint32_t)booking);
    return TIX_OK;
}

struct fill_arg {
    tix_db *db;
    const tix__show_entry *e;
};

/* Rewrites the show's channel area from LMDB: its seats' channels, then
 * the release times. */
static int chan_fill(tix_db *db, MDB_txn *txn, const tix__show_entry *e)
{
    tix__chan_area *a = e->chan;
    if (!a) return TIX_OK;
    uint32_t n = e->info.seat_count;
    for (uint32_t i = 0; i < n; i++)
        atomic_store_explicit(&a->seat[i], 0, memory_order_relaxed);
    for (int c = 0; c <= TIX_CHANNEL_MAX; c++)
        atomic_store_explicit(&a->release[c], 0, memory_order_relaxed);
    uint8_t prefix[8];
    tix__be64_put(prefix, e->info.id);
    static const int tables[2] = {TIX_T_CHANNEL_SEATS, TIX_T_CHANNEL_RELEASE};
    uint64_t assigned = 0;
    for (int t = 0; t < 2; t++) {
        MDB_cursor *cur;
        int rc = mdb_cursor_open(txn, db->dbi[tables[t]], &cur);
        if (rc) return tix__mdb_err(rc, "channels");
        MDB_val k = {8, prefix}, v;
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        for (; rc == 0 && k.mv_size >= 9 && memcmp(k.mv_data, prefix, 8) == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            const uint8_t *kd = k.mv_data;
            if (t == 0 && k.mv_size == 12 && v.mv_size == 1 &&
                tix__be32_get(kd + 8) < n) {
                atomic_store_explicit(&a->seat[tix__be32_get(kd + 8)],
                                      *(const uint8_t *)v.mv_data,
                                      memory_order_relaxed);
                assigned++;
            } else if (t == 1 && k.mv_size == 9 && v.mv_size == 8) {
                int64_t at = tix__be64_get_i(v.mv_data);
                atomic_store_explicit(&a->release[kd[8]],
                                      tix__seatmap_time(&db->engine->map, at),
                                      memory_order_relaxed);
            } else {
                mdb_cursor_close(cur);
                return tix__err(TIX_ECORRUPT, "channel record is malformed");
            }
        }
        mdb_cursor_close(cur);
        if (rc != MDB_NOTFOUND) return tix__mdb_err(rc, "channels");
    }
    atomic_store_explicit(&a->assigned, assigned, memory_order_release);
    return TIX_OK;
}

/* Region initialiser: layout blocks, then every LMDB seat row of the show. */
static int fill_region(void *arg, tix_word *seats, uint32_t n)
{
    struct fill_arg *a = arg;
    const tix__layout *l = a->e->layout;
    for (uint32_t i = 0; i < n; i++)
        if (l->flags[i] & TIX_SEAT_BLOCKED)
            atomic_store_explicit(&seats[i], tix__w_make(TIX_W_BLOCKED, 0, 0),
                                  memory_order_relaxed);
    MDB_txn *txn;
    int rc = tix__db_read_begin(a->db, &txn);
    if (rc) return rc;
    MDB_cursor *cur;
    rc = mdb_cursor_open(txn, a->db->dbi[TIX_T_SEAT_STATE], &cur);
    if (rc) {
        tix__db_read_end(a->db, txn);
        return tix__mdb_err(rc, "seat state");
    }
    uint8_t prefix[8];
    tix__be64_put(prefix, a->e->info.id);
    MDB_val k = {8, prefix}, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    int trc = TIX_OK;
    while (rc == 0 && k.mv_size == TIX__SHOW_SEAT_KEY_LEN &&
           memcmp(k.mv_data, prefix, 8) == 0) {
        uint32_t seat = tix__be32_get((const uint8_t *)k.mv_data + 8);
        uint64_t w;
        trc = seat < n ? tix__engine_truth(a->db, txn, a->e, seat, &w)
                       : tix__err(TIX_ECORRUPT, "seat row beyond the show");
        if (trc) break;
        atomic_store_explicit(&seats[seat], w, memory_order_relaxed);
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (trc == TIX_OK && (rc == 0 || rc == MDB_NOTFOUND))
        trc = chan_fill(a->db, txn, a->e);
    tix__db_read_end(a->db, txn);
    /* TIX codes and LMDB codes are both negative: keep them apart. (Was
     * `rc > 0 ? tix__mdb_err(rc) : rc`, which returned a raw LMDB code
     * such as MDB_CORRUPTED through the public API; issue 8, found by
     * tests/fault.) */
    if (trc) return trc;
    if (rc == 0 || rc == MDB_NOTFOUND) return TIX_OK;
    return tix__mdb_err(rc, "seat state");
}

/* Loads a show entry (show record + layout) under en->lock. */
static int load_entry(tix_db *db, tix_id show_id, tix__show_entry **out)
{
    struct tix_engine *en = db->engine;
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    tix__show_entry *e = calloc(1, sizeof *e);
    if (!e) rc = tix__err(TIX_ENOMEM, "out of memory");
    if (rc == 0) rc = tix__show_read(db, txn, show_id, &e->info);
    uint64_t words = 0;
    if (rc == 0) {
        /* No region record: the show is over and its region went back to
         * the free list (check_not_reclaimed refuses it). */
        rc = tix__region_words(db, txn, show_id, e->info.end, &words);
        if (rc == TIX_ENOTFOUND) rc = TIX_OK;
    }
    if (rc == 0 && words >= (uint64_t)e->info.seat_count + TIX_REGION_HDR_WORDS +
                                tix__region_chan_words(e->info.seat_count))
        e->chan = (tix__chan_area *)((tix_word *)(en->map.base +
                                                  TIX_MAP_HEADER_SIZE) +
                                     e->info.seat_base + TIX_REGION_HDR_WORDS +
                                     e->info.seat_count);
    if (rc == 0) {
        e->layout = layout_find(en, e->info.screen_id);
        if (!e->layout) {
            tix__layout *l;
            struct layout_node *node = malloc(sizeof *node);
            rc = node ? tix__layout_load(db, txn, e->info.screen_id, &l)
                      : tix__err(TIX_ENOMEM, "out of memory");
            if (rc == 0) {
                node->layout = l;
                node->next = en->layouts;
                en->layouts = node;
                e->layout = l;
            } else {
                free(node);
            }
        }
    }
    tix__db_read_end(db, txn);
    if (rc == 0) { /* room for the hints, all zero (no hint) */
        size_t words = tix__hint_words(e->layout);
        tix__show_entry *grown =
            realloc(e, sizeof *e + words * sizeof e->row_hint[0]);
        if (!grown) rc = tix__err(TIX_ENOMEM, "out of memory");
        else {
            e = grown;
            for (size_t r = 0; r < words; r++) atomic_init(&e->row_hint[r], 0);
            e->tier_hint = &e->row_hint[words - e->layout->n_tiers - 1];
            atomic_init(&e->tier_armed, 0);
            atomic_init(&e->queue, NULL);
            atomic_init(&e->cancelled, 0);
            atomic_init(&e->gen, 0);
        }
    }
    if (rc == 0 && e->layout->n_seats < e->info.seat_count)
        rc = tix__err(TIX_ECORRUPT, "show %llu has more seats than its screen",
                      (unsigned long long)show_id);
    if (rc) {
        free(e);
        return rc;
    }
    *out = e;
    return TIX_OK;
}

/* A show's region may be reused once it ended reclaim_after ago: from
 * then on nobody may touch its seat words. */
static int check_not_reclaimed(tix_db *db, const tix__show_entry *e,
                               int64_t now)
{
    if (now >= e->info.end + (int64_t)db->cfg.reclaim_after)
        return tix__err(TIX_ESTATE, "show %llu is over; its seat map was retired",
                        (unsigned long long)e->info.id);
    return TIX_OK;
}

/* Whether cached entry @p e's times are not LMDB's any more; when they
 * still are, marks it current as of @p gen (caller holds en->lock). Only
 * the rescheduled show is reloaded; the others cost one read each. */
static int times_stale(tix_db *db, const tix__show_entry *e, uint64_t gen,
                       int *stale)
{
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    tix__show_info s;
    rc = tix__show_read(db, txn, e->info.id, &s);
    tix__db_read_end(db, txn);
    if (rc) return rc;
    *stale = s.start != e->info.start || s.end != e->info.end ||
             s.cancelled_at != e->info.cancelled_at;
    if (!*stale)
        atomic_store_explicit(&((tix__show_entry *)e)->gen, gen,
                              memory_order_relaxed);
    return TIX_OK;
}

void tix__engine_times_changed(tix_db *db)
{
    atomic_fetch_add_explicit(tix__seatmap_show_gen(&db->engine->map), 1,
                              memory_order_release);
}

int tix__engine_show(tix_db *db, tix_id show_id, const tix__show_entry **out)
{
    return tix__engine_show_at(db, show_id, tix_db_now(db), out);
}

int tix__engine_show_at(tix_db *db, tix_id show_id, int64_t now,
                        const tix__show_entry **out)
{
    struct tix_engine *en = db->engine;
    if (!en) return tix__err(TIX_EPERM, "seat engine unavailable: store is read-only");
    /* Every seat call comes here first. Inside a batch it would cache (and
     * initialise in seats.map) what a rollback undoes, and a confirm would
     * wait for a committer that waits for the batch. */
    int rc = tix__db_batch_refuse(db, "holds, confirms and the other seat calls");
    if (rc) return rc;
    /* Read before the show: a reschedule commits, then bumps it. */
    uint64_t gen = atomic_load_explicit(tix__seatmap_show_gen(&en->map),
                                        memory_order_acquire);
    const tix__show_entry *e = table_find(
        atomic_load_explicit(&en->shows, memory_order_acquire), show_id);
    if (e && atomic_load_explicit(&e->gen, memory_order_relaxed) == gen) {
        *out = e;
        return check_not_reclaimed(db, e, now);
    }
    pthread_mutex_lock(&en->lock);
    e = table_find(atomic_load(&en->shows), show_id);
    int stale = 0;
    if (e && atomic_load_explicit(&e->gen, memory_order_relaxed) != gen)
        rc = times_stale(db, e, gen, &stale);
    if (rc == 0 && (!e || stale)) {
        tix__show_entry *ne;
        rc = load_entry(db, show_id, &ne);
        if (rc == 0) atomic_init(&ne->gen, gen);
        /* Never initialise a retired show's region: it may be reused. */
        if (rc == 0 && (rc = check_not_reclaimed(db, ne, now)) != 0) free(ne);
        if (rc == 0) {
            struct fill_arg fa = {db, ne};
            uint64_t tail = ne->chan ? tix__region_chan_words(ne->info.seat_count)
                                     : 0;
            rc = tix__seatmap_region(&en->map, show_id, ne->info.seat_base,
                                     ne->info.seat_count, tail, fill_region, &fa,
                                     &ne->seats);
            if (rc == 0) rc = table_insert(en, ne);
            if (rc) free(ne);
            else e = ne;
        }
    }
    pthread_mutex_unlock(&en->lock);
    if (rc == 0) {
        *out = e;
        rc = check_not_reclaimed(db, e, now);
    }
    return rc;
}

int tix__engine_keep(tix_db *db, void *ptr)
{
    struct tix_engine *en = db->engine;
    pthread_mutex_lock(&en->lock);
    int rc = retire(en, ptr);
    pthread_mutex_unlock(&en->lock);
    return rc ? tix__err(rc, "out of memory") : TIX_OK;
}

uint32_t tix__engine_now(tix_db *db)
{
    return tix__seatmap_time(&db->engine->map, tix_db_now(db));
}

uint32_t tix__engine_hold_tag(tix_db *db, const uint8_t token[16])
{
    uint32_t tag = (uint32_t)XXH3_64bits_withSeed(token, 16,
                                                  db->engine->map.tag_seed);
    return tag ? tag : 1; /* 0 is reserved for "no holder" */
}

int tix__engine_repair(tix_db *db, const tix__show_entry *e, uint32_t seat,
                     uint64_t seen, uint64_t *now)
{
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    uint64_t truth;
    rc = tix__engine_truth(db, txn, e, seat, &truth);
    tix__db_read_end(db, txn);
    if (rc) return rc;
    if (tix__w_cas(&e->seats[seat], &seen, truth)) seen = truth;
    tix__engine_hint_clear(e, seat);
    *now = seen;
    return TIX_OK;
}

/* Brings every seat word of a show in line with LMDB while no other process
 * has the map (issue 8, found by tests/seats/test_conc_torture.c). Not only
 * CONFIRMING words left by dead processes can be stale: when seats.map was
 * rebuilt (renamed into place) while other processes were still working on
 * the old file, their later confirms and cancels reached LMDB but never
 * this file, leaving sold seats FREE (their bookings then could not be
 * cancelled: TIX_EBUSY) and cancelled seats BOOKED (never sold again).
 * The truth is computed like a region fill (layout blocks, then the
 * show's seat rows: one cursor walk); a word that differs is replaced,
 * except a hold on a seat LMDB has free, which survives the reopen. */
static int resync_show(tix_db *db, const tix__show_entry *e)
{
    uint32_t n = e->info.seat_count;
    tix_word *truth = calloc(n ? n : 1, sizeof *truth); /* zero = FREE */
    if (!truth) return tix__err(TIX_ENOMEM, "out of memory");
    struct fill_arg fa = {db, e};
    int rc = fill_region(&fa, truth, n);
    for (uint32_t s = 0; rc == 0 && s < n; s++) {
        uint64_t t = atomic_load_explicit(&truth[s], memory_order_relaxed);
        uint64_t w = tix__w_load(&e->seats[s]);
        if (w == t ||
            (tix__w_state(w) == TIX_W_HELD && tix__w_state(t) == TIX_W_FREE))
            continue;
        tix__w_cas(&e->seats[s], &w, t);
    }
    free(truth);
    return rc;
}

/* With no other process attached, every CONFIRMING word is left over from
 * a crash, and any other word that disagrees with LMDB is stale (see
 * resync_show): repair them all now rather than waiting for their leases. */
int tix__engine_resync(tix_db *db)
{
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    tix_id *ids = NULL;
    size_t n = 0;
    rc = tix__db_index_ids(db, txn, TIX_T_SHOWS, "", 0, &ids, &n);
    tix__db_read_end(db, txn);
    /* tix__db_index_ids reads the id from the value when it is 8 bytes long;
     * show records are longer, so it takes the 8-byte key. */
    for (size_t i = 0; i < n && rc == 0; i++) {
        const tix__show_entry *e;
        rc = tix__engine_show(db, ids[i], &e);
        if (rc == TIX_ESTATE) { /* retired show: no region to repair */
            rc = TIX_OK;
            continue;
        }
        if (rc == 0) rc = resync_show(db, e); /* was: CONFIRMING words only */
    }
    free(ids);
    return rc;
}

/* Derives the hold MAC key and the payment-reference digest key from the
 * store secret (lib/seats/hold.c uses them). */
static int derive_keys(const uint8_t secret[32], uint8_t hold_key[16],
                       uint8_t ref_key[16])
{
    int rc = tix__random_init();
    if (rc) return rc;
    static const char ctx[] = "libtix hold keys v2";
    uint8_t k[32];
    crypto_generichash(k, sizeof k, (const uint8_t *)ctx, sizeof ctx - 1,
                       secret, 32);
    memcpy(hold_key, k, 16);
    memcpy(ref_key, k + 16, 16);
    sodium_memzero(k, sizeof k);
    return TIX_OK;
}

int tix__engine_open(tix_db *db)
{
    if (db->readonly) return TIX_OK;
    struct tix_engine *en = calloc(1, sizeof *en);
    if (!en) return tix__err(TIX_ENOMEM, "out of memory");
    pthread_mutex_init(&en->lock, NULL);
    int rc = tix__seatmap_open(&en->map, db->path, db->identity, db->secret,
                               tix_db_now(db), db->cfg.seatmap_reserve);
    if (rc) {
        pthread_mutex_destroy(&en->lock);
        free(en);
        return rc;
    }
    db->engine = en;
    while (rc == 0 && en->hold_origin == 0)
        rc = tix__random_bytes(&en->hold_origin, sizeof en->hold_origin);
    if (rc || (rc = derive_keys(db->secret, en->hold_key, en->ref_key))) {
        tix__engine_close(db);
        return rc;
    }
    /* Alone on the map (still holding its lock exclusively): every
     * CONFIRMING word is a dead process's leftover. Only then let others
     * in; see tix__seatmap_share(). */
    if (en->map.exclusive && !en->map.rebuilt) {
        rc = tix__engine_resync(db);
        if (rc) {
            tix__engine_close(db);
            return rc;
        }
    }
    tix__seatmap_share(&en->map);
    return TIX_OK;
}

void tix__engine_close(tix_db *db)
{
    struct tix_engine *en = db->engine;
    if (!en) return;
    tix__seatmap_close(&en->map);
    for (struct retired *r = en->retired, *next; r; r = next) {
        next = r->next;
        free(r->ptr);
        free(r);
    }
    free(atomic_load(&en->shows));
    for (struct layout_node *n = en->layouts, *next; n; n = next) {
        next = n->next;
        tix__layout_free(n->layout);
        free(n);
    }
    pthread_mutex_destroy(&en->lock);
    free(en);
    db->engine = NULL;
}
