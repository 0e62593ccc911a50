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

/* Seat @p seat as error details name it: "E5 (index 104)" ("A-5" when the
 * row label ends in a digit); "104" beyond the layout. From memory, so a
 * refusal on a hot path (a flash sale's conflicts) reads no LMDB. */
#define TIX__SEAT_LABEL_MAX 48
const char *tix__layout_seat_label(const tix__layout *l, uint32_t seat,
                                   char buf[TIX__SEAT_LABEL_MAX]);

#endif
