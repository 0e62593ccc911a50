/* Places (country -> state -> city): internal lookups for other modules. */
#ifndef TIX_LIB_PLACE_H
#define TIX_LIB_PLACE_H

#include "db.h"

/* Reads kind and utc offset of place @p id. TIX_ENOTFOUND when missing.
 * Either output may be NULL. */
int tix__place_read(tix_db *db, MDB_txn *txn, tix_id id,
                    tix_place_kind *kind, int32_t *utc_offset_min);

#endif
