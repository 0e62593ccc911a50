/* seats.map regions as LMDB records them: which words of the file each
 * show owns, and reuse of the regions of shows long over. */
#ifndef TIX_LIB_REGION_H
#define TIX_LIB_REGION_H

#include "db.h"

/* Words ahead of a region's seat words: the marker and the show id. */
#define TIX_REGION_HDR_WORDS 2

/* Reserves a region for new show @p show (ending at @p end, @p seat_count
 * seats) inside the show-creating write transaction; sets *base. Regions
 * of shows that ended more than reclaim_after ago are reused. */
int tix__region_alloc(tix_db *db, MDB_txn *txn, tix_id show, int64_t end,
                      uint32_t seat_count, uint64_t *base);

#endif
