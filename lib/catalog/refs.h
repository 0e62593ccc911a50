/* What in the catalog refers to a catalog record (see refs.c). */
#ifndef TIX_LIB_REFS_H
#define TIX_LIB_REFS_H

#include "record.h"

/* A tix__rec_refs_fn: TIX_EBUSY naming a catalog record that refers to
 * record @p id of type @p t. */
int tix__refs_catalog(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                      tix_id id);

#endif
