/* Price tiers: internal lookups for other modules. */
#ifndef TIX_LIB_TIER_H
#define TIX_LIB_TIER_H

#include "record.h"

/* The tier descriptor (record.h), for the checker. */
extern const tix__rectype tix__tier_type;

/* Reads tier @p id (name points into LMDB memory valid until @p txn ends
 * or writes). TIX_ENOTFOUND when missing. */
int tix__tier_read(tix_db *db, MDB_txn *txn, tix_id id, tix_tier *out);

#endif
