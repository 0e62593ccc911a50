/* Venues: internal lookups for other modules. */
#ifndef TIX_LIB_VENUE_H
#define TIX_LIB_VENUE_H

#include "record.h"

/* The venue descriptor (record.h), for the checker. */
extern const tix__rectype tix__venue_type;

/* Reads the city of venue @p id. TIX_ENOTFOUND when missing. */
int tix__venue_read(tix_db *db, MDB_txn *txn, tix_id id, tix_id *city_id);

/* Decodes a TIX_T_VENUES value into a tix_venue (for tix__table_load). */
int tix__venue_decode(const MDB_val *val, void *item, tix_bump *b);

/* Keeps a derived index of venue positions: called inside the venue's
 * create (@p old NULL) and update (@p old = {lat, lon} before) transaction,
 * and inside its delete with lat and lon NAN (forget @p old). */
typedef int (*tix__venue_geo_hook)(tix_db *db, MDB_txn *txn, tix_id venue,
                                   const double *old, double lat, double lon);

/* Registers the geo hook (process-wide; lib/api/open.c, before any store
 * opens). */
void tix__venue_on_move(tix__venue_geo_hook fn);

#endif
