/* The redo record's operations (redo.h). */
#include "redo.h"

#include <string.h>

#include "error.h"

void tix__redo_put(uint8_t *p, int op, int table, unsigned flags,
                   const MDB_val *k, const MDB_val *v)
{
    uint32_t f = flags, kl = (uint32_t)k->mv_size;
    uint32_t vl = v ? (uint32_t)v->mv_size : 0;
    p[0] = (uint8_t)op;
    p[1] = (uint8_t)table;
    p[2] = p[3] = 0;
    memcpy(p + 4, &f, 4);
    memcpy(p + 8, &kl, 4);
    memcpy(p + 12, &vl, 4);
    memcpy(p + 16, k->mv_data, kl);
    if (vl) memcpy(p + 16 + kl, v->mv_data, vl);
}

int tix__redo_next(const uint8_t *p, size_t len, size_t *at, tix__redo_op *op,
                   const char *what)
{
    if (*at >= len) return 0;
    if (len - *at < TIX__REDO_OP_HDR)
        return tix__err(TIX_ECORRUPT, "%s: short operation", what);
    const uint8_t *h = p + *at;
    uint32_t flags, klen, vlen;
    memcpy(&flags, h + 4, 4);
    memcpy(&klen, h + 8, 4);
    memcpy(&vlen, h + 12, 4);
    size_t rest = len - *at - TIX__REDO_OP_HDR;
    if ((h[0] != TIX__OP_PUT && h[0] != TIX__OP_DEL) ||
        h[1] >= tix__db_table_count() || (uint64_t)klen + vlen > rest)
        return tix__err(TIX_ECORRUPT, "%s: malformed operation", what);
    op->op = h[0];
    op->table = h[1];
    op->flags = flags;
    op->k = (MDB_val){klen, (void *)(h + TIX__REDO_OP_HDR)};
    op->v = (MDB_val){vlen, (void *)(h + TIX__REDO_OP_HDR + klen)};
    *at += TIX__REDO_OP_HDR + klen + vlen;
    return 1;
}

static int apply_one(tix_db *db, MDB_txn *txn, tix__redo_op *o, int observed)
{
    unsigned flags = o->flags & ~(unsigned)(MDB_NOOVERWRITE | MDB_APPEND);
    if (o->op == TIX__OP_PUT)
        return observed ? tix__db_raw_put(db, txn, o->table, &o->k, &o->v, flags)
                        : mdb_put(txn, db->dbi[o->table], &o->k, &o->v, flags);
    int rc = observed ? tix__db_raw_del(db, txn, o->table, &o->k)
                      : mdb_del(txn, db->dbi[o->table], &o->k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int tix__redo_apply(tix_db *db, MDB_txn *txn, const uint8_t *p, size_t len,
                    int observed, const char *what)
{
    size_t at = 0;
    tix__redo_op o;
    int got;
    while ((got = tix__redo_next(p, len, &at, &o, what)) == 1) {
        int rc = apply_one(db, txn, &o, observed);
        if (rc == MDB_MAP_FULL) return tix__mdb_err(rc, what);
        if (rc) return tix__err(TIX_ECORRUPT, "%s: %s", what, mdb_strerror(rc));
    }
    return got;
}
