/* Venues near a point: a grid index over latitude/longitude at four cell
 * sizes, so a search reads only the cells its circle touches.
 *
 * TIX_T_VENUES_BY_CELL: level(u8), lat cell(be32), lon cell(be32),
 * venue(be64) -> TIX_REC_GEO v1 {f64 lat, f64 lon}
 * Cells are whole micro-degrees: level L has cells of 10^(4+L)
 * micro-degrees (0.01, 0.1, 1 and 10 degrees), lat cell =
 * (lat + 90 deg) / size and lon cell = (lon + 180 deg) / size, so one
 * latitude row of cells is one contiguous key range. Every venue has one
 * entry per level; the value holds its position, so distances need no
 * venue record. */
#ifndef TIX_LIB_NEARBY_H
#define TIX_LIB_NEARBY_H

#include "db.h"

/* Indexes new venue @p id at (@p lat, @p lon) (validated). */
int tix__nearby_put(tix_db *db, MDB_txn *txn, tix_id id, double lat,
                    double lon);

/* Re-indexes venue @p id moved from (old_lat, old_lon) to (lat, lon); a
 * no-op when it did not move. */
int tix__nearby_move(tix_db *db, MDB_txn *txn, tix_id id, double old_lat,
                     double old_lon, double lat, double lon);

/* The venue geo hook (tix__venue_geo_hook): put, move, or (lat NAN)
 * forget. */
int tix__nearby_index(tix_db *db, MDB_txn *txn, tix_id venue,
                      const double *old, double lat, double lon);

/* Great-circle distance in km (haversine, mean Earth radius). */
double tix__nearby_km(double lat1, double lon1, double lat2, double lon2);

#endif
