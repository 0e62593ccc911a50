/* Title search: a word-prefix index of folded title words (see fold.h).
 *
 *   TIX_T_TITLE_WORDS  folded word, movie(be64) -> ""
 *   TIX_T_TITLE_TERMS  movie -> TIX_REC_TITLE_TERMS v1: strlist of the
 *                      title's distinct folded words (what to remove when
 *                      the title changes, and what multi-word queries
 *                      check)
 * A query's longest word is looked up by prefix in TIX_T_TITLE_WORDS; its
 * other words are checked against each candidate's terms. Candidates are
 * ranked by popularity (lib/sell/stats.h). */
#ifndef TIX_LIB_SEARCH_H
#define TIX_LIB_SEARCH_H

#include "db.h"

/* (Re)indexes the title of movie @p movie inside its create or update
 * transaction; a title whose words did not change writes nothing. NULL
 * (a delete) drops the movie's words and terms. */
int tix__search_index_title(tix_db *db, MDB_txn *txn, tix_id movie,
                            const char *title);

#endif
