/* Seats: record decoding for the seat engine. */
#ifndef TIX_LIB_SEAT_H
#define TIX_LIB_SEAT_H

#include "db.h"

/* Decodes one TIX_T_SEATS value (key: screen be64, index be32) into @p out,
 * strings allocated from @p b. */
int tix__seat_decode(const MDB_val *val, void *out, tix_bump *b);

#endif
