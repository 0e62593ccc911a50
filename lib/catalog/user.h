/* Users: internal lookups for other modules. */
#ifndef TIX_LIB_USER_H
#define TIX_LIB_USER_H

#include "record.h"

/* The user descriptor (record.h), for the checker. */
extern const tix__rectype tix__user_type;

/* TIX_OK when user @p id exists, TIX_ENOTFOUND otherwise. */
int tix__user_exists(tix_db *db, MDB_txn *txn, tix_id id);

/* Decodes a TIX_T_USERS value into a tix_user (for tix__table_load). */
int tix__user_decode(const MDB_val *val, void *item, tix_bump *b);

#endif
