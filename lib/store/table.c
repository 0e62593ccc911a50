/* Helpers shared by the table modules: see table.h. */
#include "journal.h"
#include "table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int tix__table_load(tix_db *db, MDB_txn *txn, int table, tix_id id,
                  size_t size, tix_decode_fn decode, void **out,
                  const char *what)
{
    MDB_val v;
    int rc = tix__db_get_id(db, txn, table, id, &v, what);
    if (rc) return rc;
    tix_bump b;
    if ((rc = tix__bump_init(&b, tix__bump_bound(size, v.mv_size)))) return rc;
    void *item = tix__bump_alloc(&b, size);
    if ((rc = decode(&v, item, &b))) {
        free(b.base);
        return rc;
    }
    *out = item;
    return TIX_OK;
}

/* Collects up to @p limit ids of @p table above @p after_id. */
static int page_ids(tix_db *db, MDB_txn *txn, int table, tix_id after_id,
                    size_t limit, tix_id **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    if (after_id == UINT64_MAX) return TIX_OK; /* nothing can follow */
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, db->dbi[table], &cur);
    if (rc) return tix__mdb_err(rc, "table cursor");
    uint8_t first[8];
    tix__be64_put(first, after_id + 1);
    MDB_val k = {sizeof first, first}, v;
    size_t cap = 0;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && (limit == 0 || *n < limit)) {
        if (k.mv_size != 8) { rc = -1; break; }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            tix_id *p = realloc(*ids, cap * sizeof *p);
            if (!p) { rc = ENOMEM; break; }
            *ids = p;
        }
        (*ids)[(*n)++] = tix__be64_get(k.mv_data);
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == 0 || rc == MDB_NOTFOUND) return TIX_OK;
    free(*ids);
    *ids = NULL;
    *n = 0;
    if (rc == -1) return tix__err(TIX_ECORRUPT, "primary key is malformed");
    return tix__mdb_err(rc, "table scan");
}

int tix__table_list_page(tix_db *db, int table, tix_id after_id, size_t limit,
                   size_t item_size, tix_decode_fn decode, void **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    tix_id *ids;
    size_t n;
    rc = page_ids(db, txn, table, after_id, limit, &ids, &n);
    if (rc == TIX_OK) {
        rc = tix__db_list_build(db, txn, table, ids, n, item_size, decode, out);
        free(ids);
    }
    tix__db_read_end(db, txn);
    return rc;
}

int tix__table_ref_err(int rc, const char *field, tix_id id)
{
    if (rc != TIX_ENOTFOUND) return rc;
    return tix__err(TIX_ENOTFOUND, "%s %llu does not exist", field,
                    (unsigned long long)id);
}

int tix__table_del_prefix(tix_db *db, MDB_txn *txn, int table, const void *prefix,
                    size_t plen, tix__entry_fn each, void *arg, size_t *n)
{
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[table], &cur);
    if (mrc) return tix__mdb_err(mrc, "prefix delete");
    size_t count = 0;
    int rc = TIX_OK;
    for (;;) {
        /* Seek afresh after every delete: a cursor's position after
         * mdb_cursor_del is awkward at page ends. */
        MDB_val k = {plen, (void *)prefix}, v;
        mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        if (mrc || k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break;
        if (each && (rc = each(db, txn, &k, &v, arg))) break;
        if ((mrc = tix__db_raw_cursor_del(db, cur, table))) break;
        count++;
    }
    mdb_cursor_close(cur);
    if (n) *n = count;
    if (rc) return rc;
    return mrc && mrc != MDB_NOTFOUND ? tix__mdb_err(mrc, "prefix delete")
                                      : TIX_OK;
}

int tix__table_vec_reserve(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return TIX_OK;
    size_t c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    void *p = realloc(*items, c * size);
    if (!p) return tix__err(TIX_ENOMEM, "out of memory (%zu items)", c);
    *items = p;
    *cap = c;
    return TIX_OK;
}

int tix__table_cmp_id(const void *a, const void *b)
{
    tix_id x = *(const tix_id *)a, y = *(const tix_id *)b;
    return x < y ? -1 : x > y;
}
