/* Comments on reviews, threaded one level deep.
 *
 * Record (TIX_REC_COMMENT, version 1) in TIX_T_COMMENTS:
 *   u64 id | u64 review | u64 parent | u64 user | i64 created | str text
 * Index TIX_T_COMMENTS_BY_REVIEW: review, root, id -> "" where root is the
 * comment's own id for a top-level comment and its parent's for a reply,
 * so a prefix scan reads thread after thread, each root before its
 * replies, and (review, root) is the prefix of one whole thread. */
#ifndef TIX_LIB_COMMENT_H
#define TIX_LIB_COMMENT_H

#include "db.h"

/* Deletes every comment of review @p review (used when it is deleted). */
int tix__comment_drop_all(tix_db *db, MDB_txn *txn, tix_id review);

/* 1 with *id set when user @p user wrote a comment (a walk of every
 * comment), 0 when none, or a negative code. */
int tix__comment_by_user(tix_db *db, MDB_txn *txn, tix_id user, tix_id *id);

#endif
