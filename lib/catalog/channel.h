/* Sales channels: the named records a show's seats can be set aside for. */
#ifndef TIX_LIB_CHANNEL_H
#define TIX_LIB_CHANNEL_H

#include "record.h"

/* The channel descriptor (record.h), for the checker. */
extern const tix__rectype tix__channel_type;

/* TIX_OK when channel @p id exists, else TIX_ENOTFOUND with a message. */
int tix__channel_exists(tix_db *db, MDB_txn *txn, tix_id id);

#endif
