/* Screens: internal lookups for other modules. */
#ifndef TIX_LIB_SCREEN_H
#define TIX_LIB_SCREEN_H

#include "record.h"

/* The screen descriptor (record.h), for the checker. */
extern const tix__rectype tix__screen_type;

/* Reads screen @p id into @p out (the name points into LMDB memory valid
 * until @p txn ends or writes). TIX_ENOTFOUND when missing. */
int tix__screen_read(tix_db *db, MDB_txn *txn, tix_id id, tix_screen *out);

/* Sets the stored seat count of a screen (used by the seat module). */
int tix__screen_set_seat_count(tix_db *db, MDB_txn *txn, tix_id id,
                               uint32_t seat_count);

#endif
