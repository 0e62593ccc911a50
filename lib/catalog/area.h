/* General-admission areas: internal lookups for other modules. */
#ifndef TIX_LIB_AREA_H
#define TIX_LIB_AREA_H

#include "record.h"

/* The area descriptor (record.h), for the checker. */
extern const tix__rectype tix__area_type;

/* The areas of a screen inside @p txn, in name order: *out (free() it)
 * gets *n of them, names pointing into LMDB memory valid while @p txn is. */
int tix__area_of_screen(tix_db *db, MDB_txn *txn, tix_id screen_id,
                        tix_area **out, size_t *n);

#endif
