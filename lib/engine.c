/* Seat engine state attached to a store (seats.map, commit queue). */
#include "engine.h"

#include "error.h"

int tix__engine_open(tix_db *db)
{
    db->engine = NULL;
    return TIX_OK;
}

void tix__engine_close(tix_db *db) { (void)db; }

int tix__seatmap_alloc(tix_db *db, MDB_txn *txn, uint32_t n, uint64_t *base)
{
    /* Regions are handed out from a counter in the meta table. */
    static const char key[] = "seatmap_next";
    MDB_val k = {sizeof key - 1, (void *)key}, v;
    uint64_t next = 0;
    int rc = mdb_get(txn, db->dbi[TIX_T_META], &k, &v);
    if (rc == 0 && v.mv_size == 8) next = tix__be64_get(v.mv_data);
    else if (rc != MDB_NOTFOUND) return tix__mdb_err(rc, "seatmap counter");
    uint8_t buf[8];
    tix__be64_put(buf, next + n);
    v.mv_size = 8;
    v.mv_data = buf;
    rc = mdb_put(txn, db->dbi[TIX_T_META], &k, &v, 0);
    if (rc) return tix__mdb_err(rc, "seatmap counter");
    *base = next;
    return TIX_OK;
}
