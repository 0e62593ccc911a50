/* Names that are unique among siblings (places under a parent, venues in a
 * city, screens in a venue, tiers of a screen).
 *
 * Each family keeps an index table whose key is the owner id (be64)
 * followed by the name bytes and whose value is the record id (be64). The
 * key alone makes LMDB enforce uniqueness (MDB_NOOVERWRITE) and makes a
 * prefix scan list the siblings sorted by name, so no other bookkeeping is
 * needed. Names are validated before they get here (1..TIX_NAME_MAX). */
#ifndef TIX_LIB_NAMING_H
#define TIX_LIB_NAMING_H

#include "db.h"

/* One family of unique names. */
typedef struct tix__names {
    int index;         /* TIX_T_*_BY_*: owner, name -> id */
    int table;         /* the primary table the ids point into */
    const char *what;  /* record noun for messages: "venue" */
    const char *owner; /* owner noun for messages: "city" */
} tix__names;

/* Registers @p name under @p owner for record @p id. TIX_EEXISTS (with a
 * message quoting the name) when a sibling already has it. */
int tix__name_claim(tix_db *db, MDB_txn *txn, const tix__names *f,
                    tix_id owner, const char *name, tix_id id);

/* Moves record @p id from @p old_name to @p new_name under @p owner. A
 * no-op when they are equal; TIX_EEXISTS when a sibling has the new name.
 * @p old_name may point into LMDB memory of @p txn: it is copied before
 * anything is written. */
int tix__name_rename(tix_db *db, MDB_txn *txn, const tix__names *f,
                     tix_id owner, const char *old_name, const char *new_name,
                     tix_id id);

/* Lists the records named under @p owner, sorted by name, as a list block
 * of @p item_size items decoded by @p decode. An owner without children
 * (or unknown) gives an empty list. */
int tix__name_list(tix_db *db, const tix__names *f, tix_id owner,
                   size_t item_size, tix_decode_fn decode, void **out);

#endif
