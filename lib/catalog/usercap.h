/* Per-customer caps: at most N seats per user for a show or for a movie
 * (every show of it), and the seats each user holds booked against them.
 *
 *   TIX_T_USER_CAPS        scope, id -> cap (be32)
 *   TIX_T_USER_CAP_COUNTS  scope, id, user -> seats booked (be32)
 *
 * Seats are counted only under a scope that has a cap (setting one
 * recounts, lib/sell/cap.c). The count is checked and moved inside the
 * transaction that books or cancels, so that the store's single writer
 * orders every confirm of a user: two concurrent confirms cannot both pass
 * the last free place under a cap. */
#ifndef TIX_LIB_USERCAP_H
#define TIX_LIB_USERCAP_H

#include "db.h"
#include "show.h"

enum { TIX__CAP_SHOW = 'S', TIX__CAP_MOVIE = 'M' };

#define TIX__CAP_MAX 100000u

/* The cap of a scope, 0 when it has none. */
int tix__usercap_get(tix_db *db, MDB_txn *txn, int scope, tix_id id, uint32_t *cap);

/* Seats @p user has booked under the scope (0 without a row). */
int tix__usercap_count(tix_db *db, MDB_txn *txn, int scope, tix_id id,
                   tix_id user, uint32_t *seats);

/* TIX_ELIMIT with a detail message when booking @p n more seats of show
 * @p s would take @p user past the show's or the movie's cap. */
int tix__usercap_check(tix_db *db, MDB_txn *txn, const tix__show_info *s,
                   tix_id user, uint32_t n);

/* Adds @p delta (negative on cancel) to the user's counts under the
 * show's and the movie's caps, where they have one. */
int tix__usercap_charge(tix_db *db, MDB_txn *txn, const tix__show_info *s,
                    tix_id user, int64_t delta);

/* Adds @p delta to one count (no cap check); a count of 0 is deleted. */
int tix__usercap_add(tix_db *db, MDB_txn *txn, int scope, tix_id id, tix_id user,
                 int64_t delta);

/* Sets (cap > 0) or removes (0) a scope's cap, dropping its counts. */
int tix__usercap_put(tix_db *db, MDB_txn *txn, int scope, tix_id id, uint32_t cap);

#endif
