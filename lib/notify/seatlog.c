/* Seat history (see seatlog.h). */
#include "seatlog.h"
#include "tables.h"

#include <string.h>

#include "error.h"

#define PREFIX_LEN 12 /* show, seat */
#define KEY_LEN 20    /* show, seat, seq */
#define FIXED_LEN (1 + 8 + 8 + 8 + 1)

static void log_key(uint8_t *k, tix_id show, uint32_t seat, uint64_t seq)
{
    tix__be64_put(k, show);
    tix__be32_put(k + 8, seat);
    tix__be64_put(k + PREFIX_LEN, seq);
}

/* Drops the entry of the seat just past its TIX_SEAT_HISTORY_MAX newest;
 * the cursor stands on the entry just written. One append adds one entry,
 * so there is never more than one to drop. Walks back at most that far: a
 * seat with a short history costs a step or two. */
static int trim(tix_db *db, MDB_cursor *cur, const uint8_t *prefix)
{
    MDB_val k, v;
    for (int kept = 1; kept <= TIX_SEAT_HISTORY_MAX; kept++) {
        int mrc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
        if (mrc == MDB_NOTFOUND) return TIX_OK;
        if (mrc) return tix__mdb_err(mrc, "seat log");
        if (k.mv_size != KEY_LEN || memcmp(k.mv_data, prefix, PREFIX_LEN))
            return TIX_OK;
    }
    int mrc = tix__db_raw_cursor_del(db, cur, TIX_T_SEAT_LOG);
    return mrc ? tix__mdb_err(mrc, "seat log") : TIX_OK;
}

static size_t encode(uint8_t *v, const tix__seatlog_entry *ev)
{
    size_t g = ev->gate ? strlen(ev->gate) : 0;
    if (g > TIX_NAME_MAX) g = TIX_NAME_MAX;
    v[0] = ev->type;
    tix__be64_put(v + 1, (uint64_t)ev->at);
    tix__be64_put(v + 9, ev->type == TIX_SEAT_EVENT_CHANNEL ? ev->channel_id
                                                            : ev->booking_id);
    tix__be64_put(v + 17, ev->user_id);
    v[25] = (uint8_t)g;
    if (g) memcpy(v + FIXED_LEN, ev->gate, g);
    return FIXED_LEN + g;
}

static int append_one(tix_db *db, MDB_cursor *cur, tix_id show, uint32_t seat,
                      uint64_t seq, const uint8_t *val, size_t vlen)
{
    uint8_t key[KEY_LEN];
    log_key(key, show, seat, seq);
    MDB_val k = {sizeof key, key}, v = {vlen, (void *)val};
    int mrc = tix__db_raw_put(db, mdb_cursor_txn(cur), TIX_T_SEAT_LOG, &k, &v, 0);
    if (mrc) return tix__mdb_err(mrc, "seat log");
    if ((mrc = mdb_cursor_get(cur, &k, &v, MDB_SET)))
        return tix__mdb_err(mrc, "seat log");
    return trim(db, cur, key);
}

int tix__seatlog_append(tix_db *db, MDB_txn *txn, tix_id show,
                        const uint32_t *seats, uint32_t n,
                        const tix__seatlog_entry *ev)
{
    uint64_t seq;
    int rc = tix__db_next_id(db, txn, TIX_T_SEAT_LOG, &seq);
    if (rc) return rc;
    uint8_t val[FIXED_LEN + TIX_NAME_MAX];
    size_t vlen = encode(val, ev);
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[TIX_T_SEAT_LOG], &cur);
    if (mrc) return tix__mdb_err(mrc, "seat log");
    for (uint32_t i = 0; rc == 0 && i < n; i++)
        rc = append_one(db, cur, show, seats[i], seq, val, vlen);
    mdb_cursor_close(cur);
    return rc;
}

static int decode(const MDB_val *v, tix_seat_event *e)
{
    const uint8_t *p = v->mv_data;
    if (v->mv_size < FIXED_LEN || v->mv_size != FIXED_LEN + (size_t)p[25])
        return tix__err(TIX_ECORRUPT, "seat log entry malformed");
    *e = (tix_seat_event){.type = (tix_seat_event_type)p[0],
                          .at = (int64_t)tix__be64_get(p + 1),
                          .booking_id = tix__be64_get(p + 9),
                          .user_id = tix__be64_get(p + 17)};
    if (e->type == TIX_SEAT_EVENT_CHANNEL) {
        e->channel_id = e->booking_id;
        e->booking_id = 0;
    }
    memcpy(e->gate, p + FIXED_LEN, p[25]);
    e->gate[p[25]] = '\0';
    return TIX_OK;
}

int tix__seatlog_read(tix_db *db, MDB_txn *txn, tix_id show, uint32_t seat,
                      tix_seat_event *out, size_t *n)
{
    uint8_t prefix[KEY_LEN];
    log_key(prefix, show, seat, 0);
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[TIX_T_SEAT_LOG], &cur);
    if (mrc) return tix__mdb_err(mrc, "seat log");
    MDB_val k = {sizeof prefix, prefix}, v;
    int rc = TIX_OK;
    *n = 0;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && mrc == 0 && k.mv_size == KEY_LEN &&
           memcmp(k.mv_data, prefix, PREFIX_LEN) == 0) {
        if (*n == TIX_SEAT_HISTORY_MAX) { /* a trim not yet made: keep newest */
            memmove(out, out + 1, (TIX_SEAT_HISTORY_MAX - 1) * sizeof *out);
            (*n)--;
        }
        rc = decode(&v, &out[(*n)++]);
        if (rc == 0) mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    return mrc == 0 || mrc == MDB_NOTFOUND ? TIX_OK : tix__mdb_err(mrc, "seat log");
}
