/* Venues: internal lookups for other modules. */
#ifndef TIX_LIB_VENUE_H
#define TIX_LIB_VENUE_H

#include "db.h"

/* Reads the city of venue @p id. TIX_ENOTFOUND when missing. */
int tix__venue_read(tix_db *db, MDB_txn *txn, tix_id id, tix_id *city_id);

#endif
