/* Derived counters kept in the same transaction as bookings: movie
 * popularity, co-booking ("people who booked X also booked Y") and user
 * affinity, read by title search and recommendations.
 *
 * Tables (values through the codec):
 *   TIX_T_POPULARITY  movie -> u32 head_day | u64 total | u32 n |
 *                     u32 count[n]: count[i] = bookings made on UTC day
 *                     head_day - i (n = TIX_POPULARITY_DAYS)
 *   TIX_T_USER_MOVIES user, movie -> u32 active | i64 first | i64 last:
 *                     the user's confirmed, not cancelled, bookings of the
 *                     movie; the entry stays (active 0) after cancels
 *   TIX_T_USER_RECENT user -> u32 n | u64 movie[n]: the last
 *                     TIX__RECENT_MOVIES distinct movies booked, newest
 *                     first
 *   TIX_T_COBOOKED    x, y -> u32 users: users who booked y while x was
 *                     among their recent movies, or the other way round
 *
 * Co-booking costs a bounded amount per confirm: when a user books a movie
 * for the first time ever, the pair (x, y) and (y, x) is counted for each
 * of the user's last TIX__RECENT_MOVIES distinct movies x, so at most
 * 2 * TIX__RECENT_MOVIES counters change. Pairs are never uncounted: a
 * cancel does not undo them, and booking the movie again does not count
 * them again (the user-movie entry remembers the first booking). */
#ifndef TIX_LIB_STATS_H
#define TIX_LIB_STATS_H

#include "db.h"
#include "show.h"

/* How many distinct recent movies a user's new movie is paired with. */
#define TIX__RECENT_MOVIES 8

/* Called inside the confirm transaction for every new booking. */
int tix__stats_booked(tix_db *db, MDB_txn *txn, tix_id booking, tix_id user,
                      const tix__show_info *show, uint32_t n_seats,
                      int64_t now);

/* Called inside the cancel transaction of a booking made at @p booked_at
 * (the day its popularity count is taken off). */
int tix__stats_cancelled(tix_db *db, MDB_txn *txn, tix_id user, tix_id show,
                         int64_t booked_at);

/* Bookings of @p movie made in the TIX_POPULARITY_DAYS UTC days ending on
 * the day of @p now, minus those cancelled since. 0 for no bookings. */
int tix__stats_popularity(tix_db *db, MDB_txn *txn, tix_id movie,
                          int64_t now, uint32_t *count);

/* Confirmed (not cancelled) bookings @p user holds for @p movie. */
int tix__stats_user_movie(tix_db *db, MDB_txn *txn, tix_id user,
                          tix_id movie, uint32_t *active);

/* Calls @p fn for every movie @p user has booked (in movie id order) with
 * the user's active bookings of it (0 when all were cancelled); a non-OK
 * return from @p fn stops the walk and is returned. */
typedef int (*tix__user_movie_fn)(tix_id movie, uint32_t active, void *arg);
int tix__stats_user_movies(tix_db *db, MDB_txn *txn, tix_id user,
                           tix__user_movie_fn fn, void *arg);

/* The user's last distinct movies booked, newest first (*n may be 0). */
int tix__stats_recent(tix_db *db, MDB_txn *txn, tix_id user,
                      tix_id movies[TIX__RECENT_MOVIES], size_t *n);

/* Users counted as having booked both @p x and @p y (0 when none). */
int tix__stats_cobooked(tix_db *db, MDB_txn *txn, tix_id x, tix_id y,
                        uint32_t *count);

#endif
