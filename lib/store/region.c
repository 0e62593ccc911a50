#include "region.h"

#include "error.h"
#include "journal.h"

#include <string.h>

/* Where each show's words live in seats.map, recorded in LMDB: region
 * allocation and reclaim. Below the seat engine, so that creating a show
 * (the catalog) needs nothing of the engine.
 *
 * Every show's region is recorded by end time. When a show is created,
 * regions of shows that ended more than reclaim_after ago go to a free list
 * keyed by size, and the new show takes the smallest free region that fits
 * (splitting off the rest) before the file is extended. Free neighbours are
 * not merged: shows on one screen have one size, so exact fits dominate. */

#define RECLAIM_BATCH 64 /* bounded work per show creation */

static int free_put(tix_db *db, MDB_txn *txn, uint64_t base, uint64_t words)
{
    uint8_t key[16];
    tix__be64_put(key, words);
    tix__be64_put(key + 8, base);
    return tix__db_put(db, txn, TIX_T_REGIONS_FREE, key, 16, "", 0, 0,
                    "free region");
}

static int reclaim_finished(tix_db *db, MDB_txn *txn, int64_t cutoff)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, db->dbi[TIX_T_REGIONS_BY_END], &cur);
    if (rc) return tix__mdb_err(rc, "regions");
    MDB_val k, v;
    int n = 0, trc = TIX_OK; /* TIX codes apart from LMDB codes, which are
                                negative too (issue 8, found by tests/fault:
                                `rc < 0 ? rc : ...` returned raw LMDB codes,
                                and a MDB_MAP_FULL here never grew the map) */
    while ((rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST)) == 0 &&
           n++ < RECLAIM_BATCH) {
        if (k.mv_size != 16 || v.mv_size != 16) {
            trc = tix__err(TIX_ECORRUPT, "region record is malformed");
            break;
        }
        if (tix__be64_get_i(k.mv_data) > cutoff) break; /* not retired yet */
        uint64_t base = tix__be64_get(v.mv_data);
        uint64_t words = tix__be64_get((const uint8_t *)v.mv_data + 8);
        if ((rc = tix__db_raw_cursor_del(db, cur, TIX_T_REGIONS_BY_END))) break;
        if ((trc = free_put(db, txn, base, words))) break;
    }
    mdb_cursor_close(cur);
    if (trc) return trc;
    if (rc == MDB_NOTFOUND || rc == 0) return TIX_OK;
    return tix__mdb_err(rc, "regions");
}

/* Takes the smallest free region of at least @p words; 0 when none. */
static int free_take(tix_db *db, MDB_txn *txn, uint64_t words, uint64_t *base,
                     int *found)
{
    *found = 0;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, db->dbi[TIX_T_REGIONS_FREE], &cur);
    if (rc) return tix__mdb_err(rc, "free regions");
    uint8_t want[8];
    tix__be64_put(want, words);
    MDB_val k = {8, want}, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    uint64_t have = 0;
    if (rc == 0 && k.mv_size == 16) {
        have = tix__be64_get(k.mv_data);
        *base = tix__be64_get((const uint8_t *)k.mv_data + 8);
        rc = tix__db_raw_cursor_del(db, cur, TIX_T_REGIONS_FREE);
        *found = rc == 0;
    }
    mdb_cursor_close(cur);
    if (rc && rc != MDB_NOTFOUND) return tix__mdb_err(rc, "free regions");
    if (*found && have > words) return free_put(db, txn, *base + words, have - words);
    return TIX_OK;
}

static int bump_alloc(tix_db *db, MDB_txn *txn, uint64_t words, uint64_t *base)
{
    static const char key[] = "seatmap_next";
    MDB_val k = {sizeof key - 1, (void *)key}, v;
    uint64_t next = 0;
    int rc = mdb_get(txn, db->dbi[TIX_T_META], &k, &v);
    if (rc == 0 && v.mv_size == 8) next = tix__be64_get(v.mv_data);
    else if (rc != MDB_NOTFOUND) return tix__mdb_err(rc, "seatmap counter");
    uint8_t buf[8];
    tix__be64_put(buf, next + words);
    v.mv_size = 8;
    v.mv_data = buf;
    rc = tix__db_raw_put(db, txn, TIX_T_META, &k, &v, 0);
    if (rc) return tix__mdb_err(rc, "seatmap counter");
    *base = next;
    return TIX_OK;
}

int tix__region_alloc(tix_db *db, MDB_txn *txn, tix_id show, int64_t end,
                      uint32_t seat_count, uint64_t *base)
{
    uint64_t words = (uint64_t)seat_count + TIX_REGION_HDR_WORDS +
                     tix__region_chan_words(seat_count);
    int found;
    int rc = reclaim_finished(db, txn,
                              tix_db_now(db) - (int64_t)db->cfg.reclaim_after);
    if (rc == 0) rc = free_take(db, txn, words, base, &found);
    if (rc == 0 && !found) rc = bump_alloc(db, txn, words, base);
    if (rc) return rc;
    uint8_t key[16], val[16];
    tix__be64_put_i(key, end);
    tix__be64_put(key + 8, show);
    tix__be64_put(val, *base);
    tix__be64_put(val + 8, words);
    return tix__db_put(db, txn, TIX_T_REGIONS_BY_END, key, 16, val, 16, 0,
                    "region");
}

int tix__region_words(tix_db *db, MDB_txn *txn, tix_id show, int64_t end,
                      uint64_t *words)
{
    uint8_t key[16];
    tix__be64_put_i(key, end);
    tix__be64_put(key + 8, show);
    MDB_val v;
    int rc = tix__db_get(db, txn, TIX_T_REGIONS_BY_END, key, 16, &v, "region");
    if (rc) return rc;
    if (v.mv_size != 16) return tix__err(TIX_ECORRUPT, "region record is malformed");
    *words = tix__be64_get((const uint8_t *)v.mv_data + 8);
    return TIX_OK;
}

int tix__region_move(tix_db *db, MDB_txn *txn, tix_id show, int64_t end,
                     int64_t new_end)
{
    uint8_t key[16], nkey[16], val[16];
    tix__be64_put_i(key, end);
    tix__be64_put(key + 8, show);
    MDB_val v;
    int rc = tix__db_get(db, txn, TIX_T_REGIONS_BY_END, key, 16, &v, "region");
    /* No record: the show's region was never recorded (a store from before
     * regions) or is reclaimed; nothing to keep alive. */
    if (rc == TIX_ENOTFOUND) return TIX_OK;
    if (rc) return rc;
    if (v.mv_size != 16) return tix__err(TIX_ECORRUPT, "region record is malformed");
    memcpy(val, v.mv_data, 16);
    if ((rc = tix__db_del(db, txn, TIX_T_REGIONS_BY_END, key, 16, "region")))
        return rc;
    tix__be64_put_i(nkey, new_end);
    tix__be64_put(nkey + 8, show);
    return tix__db_put(db, txn, TIX_T_REGIONS_BY_END, nkey, 16, val, 16, 0,
                       "region");
}
