/* Helpers shared by the table modules (movies, users, shows, ...) on top of
 * db.h: paging a primary table by id, loading one record inside a
 * transaction the caller already holds, skipping codec fields a reader does
 * not need, and naming the field behind a dangling reference. */
#ifndef TIX_LIB_TABLE_H
#define TIX_LIB_TABLE_H

#include "db.h"

/* Like tix__db_load_one, but inside @p txn: lets a caller look a record up by
 * an index and read it in the same snapshot. */
int tix__table_load(tix_db *db, MDB_txn *txn, int table, tix_id id,
                  size_t size, tix_decode_fn decode, void **out,
                  const char *what);

/* Builds a list block of the records of primary table @p table whose id is
 * above @p after_id, in id order, at most @p limit of them (0 = all). */
int tix__table_list_page(tix_db *db, int table, tix_id after_id, size_t limit,
                   size_t item_size, tix_decode_fn decode, void **out);

/* Orders tix_id values, for qsort and bsearch. */
int tix__table_cmp_id(const void *a, const void *b);

/* Writes the 16-byte key (a, b), both big-endian. */
static inline void tix__key_pair(uint8_t k[16], uint64_t a, uint64_t b)
{
    tix__be64_put(k, a);
    tix__be64_put(k + 8, b);
}

/* Makes room for @p need items of @p size bytes in the malloc'ed array
 * *items of capacity *cap (doubling). TIX_ENOMEM on failure (the array is
 * kept). */
int tix__table_vec_reserve(void **items, size_t *cap, size_t need, size_t size);

/* Called for each entry a prefix walk meets; a non-OK return stops it. */
typedef int (*tix__entry_fn)(tix_db *db, MDB_txn *txn, const MDB_val *key,
                             const MDB_val *val, void *arg);

/* Deletes every entry of @p table whose key starts with @p prefix, calling
 * @p each (may be NULL) on each entry just before it goes, so that records
 * the entry points to can be deleted with it. *n (may be NULL) receives
 * the number deleted. */
int tix__table_del_prefix(tix_db *db, MDB_txn *txn, int table, const void *prefix,
                    size_t plen, tix__entry_fn each, void *arg, size_t *n);

/* Turns the TIX_ENOTFOUND of a referenced record into a message naming the
 * input field ("movie_id 9 does not exist"); other codes pass through. */
int tix__table_ref_err(int rc, const char *field, tix_id id);

#endif
