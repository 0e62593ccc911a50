/* Venues: internal lookups for other modules. */
#ifndef TIX_LIB_VENUE_H
#define TIX_LIB_VENUE_H

#include "db.h"

/* Reads the city of venue @p id. TIX_ENOTFOUND when missing. */
int tix__venue_read(tix_db *db, MDB_txn *txn, tix_id id, tix_id *city_id);

/* Decodes a TIX_T_VENUES value into a tix_venue (for tix__load_txn). */
int tix__venue_decode(const MDB_val *val, void *item, tix_bump *b);

#endif
