/* Users: internal lookups for other modules. */
#ifndef TIX_LIB_USER_H
#define TIX_LIB_USER_H

#include "db.h"

/* TIX_OK when user @p id exists, TIX_ENOTFOUND otherwise. */
int tix__user_exists(tix_db *db, MDB_txn *txn, tix_id id);

#endif
