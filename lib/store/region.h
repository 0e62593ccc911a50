/* seats.map regions as LMDB records them: which words of the file each
 * show owns, and reuse of the regions of shows long over. */
#ifndef TIX_LIB_REGION_H
#define TIX_LIB_REGION_H

#include "db.h"

/* Words ahead of a region's seat words: the marker and the show id. */
#define TIX_REGION_HDR_WORDS 2

/* Words after a region's seat words that hold its sales channels
 * (lib/seats/channel.c): a count word, 256 release times (u32), a byte per
 * seat. Regions allocated before channels existed lack them. */
static inline uint64_t tix__region_chan_words(uint32_t seat_count)
{
    return 1 + 128 + ((uint64_t)seat_count + 7) / 8;
}

/* Reserves a region for new show @p show (ending at @p end, @p seat_count
 * seats) inside the show-creating write transaction; sets *base. Regions
 * of shows that ended more than reclaim_after ago are reused. */
int tix__region_alloc(tix_db *db, MDB_txn *txn, tix_id show, int64_t end,
                      uint32_t seat_count, uint64_t *base);

/* The words of show @p show's region (ending at @p end): seat_count +
 * TIX_REGION_HDR_WORDS, plus the channel words for a show created since. */
int tix__region_words(tix_db *db, MDB_txn *txn, tix_id show, int64_t end,
                      uint64_t *words);

/* Re-files show @p show's region from end @p end to @p new_end (a
 * rescheduled show), so it is reclaimed reclaim_after its new end. */
int tix__region_move(tix_db *db, MDB_txn *txn, tix_id show, int64_t end,
                     int64_t new_end);

#endif
