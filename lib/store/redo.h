/* The redo record's operations: one encoding of a write transaction's puts
 * and deletes, shared by the journal (lib/store/journal.c, which frames
 * them on disk) and replication (lib/repl/, which frames them in a
 * JetStream message), so that both replay the same way.
 *
 * An operation is {op u8, table u8, 0 u16, flags u32, klen u32, vlen u32}
 * (native order; the journal's on-disk format) then the key and value
 * bytes. Applying one is idempotent: NOOVERWRITE and APPEND are dropped and
 * deleting a missing key is not an error, so applying a record twice, or
 * over a state that already holds part of it, gives the record's state. */
#ifndef TIX_LIB_REDO_H
#define TIX_LIB_REDO_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define TIX__REDO_OP_HDR 16u

typedef struct tix__redo_op {
    int op; /* TIX__OP_PUT or TIX__OP_DEL */
    int table;
    unsigned flags;
    MDB_val k, v;
} tix__redo_op;

/* Bytes one operation takes. */
static inline size_t tix__redo_size(const MDB_val *k, const MDB_val *v)
{
    return TIX__REDO_OP_HDR + k->mv_size + (v ? v->mv_size : 0);
}

/* Writes one operation at @p p (tix__redo_size bytes). */
void tix__redo_put(uint8_t *p, int op, int table, unsigned flags,
                   const MDB_val *k, const MDB_val *v);

/* Reads the operation at *at of @p p[0..len): 1 (and *at moves past it),
 * 0 at the end, TIX_ECORRUPT (detail names @p what) when it is malformed. */
int tix__redo_next(const uint8_t *p, size_t len, size_t *at, tix__redo_op *op,
                   const char *what);

/* Applies every operation of @p p[0..len) inside @p txn. @p observed: through
 * the store's write primitives, so the observers (a follower's journal) log
 * them; else straight into LMDB (journal replay, which must not log itself). */
int tix__redo_apply(tix_db *db, MDB_txn *txn, const uint8_t *p, size_t len,
                    int observed, const char *what);

#endif
