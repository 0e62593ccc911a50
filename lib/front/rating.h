/* Rating summaries: per movie, the count, sum and histogram of its review
 * ratings, changed in the transaction of every review change.
 *
 * Record (TIX_REC_RATING, version 1) in TIX_T_RATINGS, keyed by movie:
 *   u64 count | u64 sum | u64 histogram[TIX_RATING_MAX]
 * A movie whose last review goes away loses its record, so a store returns
 * byte for byte to where it was. */
#ifndef TIX_LIB_RATING_H
#define TIX_LIB_RATING_H

#include "db.h"

/* Replaces a rating of @p movie: @p old_rating (0 = none: a new review) by
 * @p new_rating (0 = none: a deleted review). Ratings are 1..10. */
int tix__rating_apply(tix_db *db, MDB_txn *txn, tix_id movie,
                      uint32_t old_rating, uint32_t new_rating);

/* Reads the summary of @p movie inside @p txn (zeros when it has none;
 * the movie itself is not checked). */
int tix__rating_read(tix_db *db, MDB_txn *txn, tix_id movie,
                     tix_rating_summary *out);

#endif
