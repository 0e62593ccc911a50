/* Helpers shared by the table modules (movies, users, shows, ...) on top of
 * db.h: paging a primary table by id, loading one record inside a
 * transaction the caller already holds, skipping codec fields a reader does
 * not need, and naming the field behind a dangling reference. */
#ifndef TIX_LIB_TABLE_H
#define TIX_LIB_TABLE_H

#include "db.h"

/* Like tix__load_one, but inside @p txn: lets a caller look a record up by
 * an index and read it in the same snapshot. */
int tix__load_txn(tix_db *db, MDB_txn *txn, int table, tix_id id,
                  size_t size, tix_decode_fn decode, void **out,
                  const char *what);

/* Builds a list block of the records of primary table @p table whose id is
 * above @p after_id, in id order, at most @p limit of them (0 = all). */
int tix__list_page(tix_db *db, int table, tix_id after_id, size_t limit,
                   size_t item_size, tix_decode_fn decode, void **out);

/* Consumes a string list without copying it (errors stay in @p d). */
void tix__dec_skip_strlist(tix_dec *d);

/* Turns the TIX_ENOTFOUND of a referenced record into a message naming the
 * input field ("movie_id 9 does not exist"); other codes pass through. */
int tix__ref_err(int rc, const char *field, tix_id id);

#endif
