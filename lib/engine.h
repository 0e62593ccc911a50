/* Seat engine lifecycle, called by tix_db_open/close. */
#ifndef TIX_LIB_ENGINE_H
#define TIX_LIB_ENGINE_H

#include "db.h"

int tix__engine_open(tix_db *db);
void tix__engine_close(tix_db *db);

/* Reserves @p n consecutive seat words in seats.map for a new show, inside
 * the show-creating write transaction. */
int tix__seatmap_alloc(tix_db *db, MDB_txn *txn, uint32_t n, uint64_t *base);

#endif
