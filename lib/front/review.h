/* Reviews: one per user per movie, upvotes, the by-time and by-helpfulness
 * indexes with their paging cursor, and the outbox event of every change.
 *
 * Record (TIX_REC_REVIEW, version 1) in TIX_T_REVIEWS:
 *   u64 id | u64 movie | u64 user | u8 rating | i64 created | i64 updated |
 *   u32 helpful | str text
 * Indexes (~x is the bitwise complement, so ascending order is newest or
 * most upvoted first):
 *   TIX_T_REVIEWS_BY_USER     user, movie -> id      (one review per pair)
 *   TIX_T_REVIEWS_BY_TIME     movie, ~id -> id       (ids grow with time)
 *   TIX_T_REVIEWS_BY_HELPFUL  movie, ~helpful(be32), ~id -> id
 *   TIX_T_REVIEW_VOTES        review, user -> ""     (one upvote per user) */
#ifndef TIX_LIB_REVIEW_H
#define TIX_LIB_REVIEW_H

#include "record.h"

/* Reads movie, user and rating of review @p id (any may be NULL).
 * TIX_ENOTFOUND when there is none. */
int tix__review_read(tix_db *db, MDB_txn *txn, tix_id id, tix_id *movie,
                     tix_id *user, uint32_t *rating);

/* Calls @p fn with every review of @p user (movie id order); a non-OK
 * return stops the walk and is returned. */
typedef int (*tix__user_review_fn)(tix_id movie, tix_id review, void *arg);
int tix__review_list_of_user(tix_db *db, MDB_txn *txn, tix_id user,
                         tix__user_review_fn fn, void *arg);

/* The index entries of a review (by user and movie, by time, by
 * upvotes), built by the key builders its writes use, for tix check. */
size_t tix__review_entries(tix_id id, tix_id movie, tix_id user,
                           uint32_t helpful, tix__ixentry e[3]);

/* The tix__rec_refs_fn of reviews: a user's reviews, votes and comments,
 * a movie's reviews keep them from being deleted. */
int tix__review_refs(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                     tix_id id);

#endif
