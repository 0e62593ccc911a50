/* Movies: internal lookups for other modules. */
#ifndef TIX_LIB_MOVIE_H
#define TIX_LIB_MOVIE_H

#include "record.h"

/* The movie descriptor (record.h), for the checker. */
extern const tix__rectype tix__movie_type;

/* The longest movie or event, in minutes. It also bounds how far back the
 * show overlap check has to look on a screen. */
#define TIX__MOVIE_DURATION_MAX 1440

/* Reads the duration (minutes) of movie @p id. TIX_ENOTFOUND if missing. */
int tix__movie_duration(tix_db *db, MDB_txn *txn, tix_id id,
                        uint32_t *duration_min);

/* Decodes a TIX_T_MOVIES value into a tix_movie (for tix__table_load). */
int tix__movie_decode(const MDB_val *val, void *item, tix_bump *b);

/* Keeps a derived index of movie titles: called inside every movie
 * create and update transaction with the new title, and inside its
 * delete with NULL (forget the movie's words). */
typedef int (*tix__movie_title_hook)(tix_db *db, MDB_txn *txn, tix_id movie,
                                     const char *title);
/* Registers the title hook (process-wide; lib/api/open.c, before any store
 * opens). */
void tix__movie_on_title(tix__movie_title_hook fn);

#endif
