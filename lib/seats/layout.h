/* Seat layouts of screens, loaded once for the seat engine's hot paths. */
#ifndef TIX_LIB_LAYOUT_H
#define TIX_LIB_LAYOUT_H

#include "engine.h"

int tix__layout_load(tix_db *db, MDB_txn *txn, tix_id screen_id,
                     tix__layout **out);
void tix__layout_free(tix__layout *l);

/* Finds area @p area_id among the layout's (a screen has few): *i is its
 * slot. TIX_ENOTFOUND when it is not an area of this screen. */
int tix__layout_area(const tix__layout *l, tix_id area_id, size_t *i);

#endif
