/* Shows: internal record with the seats.map region. */
#ifndef TIX_LIB_SHOW_H
#define TIX_LIB_SHOW_H

#include "record.h"

/* What the seat engine needs of a show. */
typedef struct tix__show_info {
    tix_id id, movie_id, screen_id, venue_id, city_id;
    int64_t start, end;
    uint32_t seat_count;
    uint64_t seat_base; /* first seat word of the show in seats.map */
    int64_t cancelled_at; /* 0 while the show is on */
} tix__show_info;

/* The three index entries of show @p s (by screen, city, venue): what its
 * create writes and tix check verifies. */
size_t tix__show_entries(const tix_show *s, tix__ixentry e[3]);

/* Reads show @p id. TIX_ENOTFOUND when missing. */
int tix__show_read(tix_db *db, MDB_txn *txn, tix_id id, tix__show_info *out);

/* Records show @p id as cancelled at @p at (store clock). TIX_EALREADY
 * when it already is, TIX_ENOTFOUND. The seats are the caller's. */
int tix__show_mark_cancelled(tix_db *db, MDB_txn *txn, tix_id id,
                             int64_t at);

/* 1 with *show set when a show of movie @p movie exists (a walk of every
 * show: no index is keyed by movie first), 0 when none, or a negative
 * code. */
int tix__show_of_movie(tix_db *db, MDB_txn *txn, tix_id movie, tix_id *show);

/* TIX_ERANGE unless @p start is in the years shows may start in. */
int tix__show_start_check(int64_t start);

/* Moves show @p id to start at @p start, its length kept, in @p txn: the
 * same overlap rule as a create (the show itself aside), its three
 * indexes, local date and seats.map region re-filed. *old receives the
 * show as it was. TIX_ESTATE when it is cancelled or has ended,
 * TIX_EOVERLAP, TIX_ENOTFOUND; TIX_OK and nothing written when @p start
 * is its start already. The engine's cached times are the caller's
 * (tix__engine_times_changed). */
int tix__show_move(tix_db *db, MDB_txn *txn, tix_id id, int64_t start,
                   tix__show_info *old);

/* 1 if screen @p screen_id has any show, 0 if none, or a negative code. */
int tix__show_any_on_screen(tix_db *db, MDB_txn *txn, tix_id screen_id);

/* Calls @p fn for every show in city @p city on local dates @p from..to
 * (YYYYMMDD), in index order: date, movie, start, id. A non-OK return from
 * @p fn stops the walk and is returned. TIX_EINVAL when a date is not a
 * calendar date. Reads only the TIX_T_SHOWS_BY_CITY index. */
typedef int (*tix__city_show_fn)(tix_id movie, int64_t start, tix_id show,
                                 void *arg);
int tix__show_city_scan(tix_db *db, MDB_txn *txn, tix_id city, uint32_t from,
                        uint32_t to, tix__city_show_fn fn, void *arg);

/* The civil date YYYYMMDD of Unix time @p t in a zone @p utc_offset_min
 * minutes east of UTC (proleptic Gregorian, no time-zone database). */
uint32_t tix__show_local_date(int64_t t, int32_t utc_offset_min);

#endif
