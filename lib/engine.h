/* Seat engine lifecycle, called by tix_db_open/close. */
#ifndef TIX_LIB_ENGINE_H
#define TIX_LIB_ENGINE_H

#include "db.h"

int tix__engine_open(tix_db *db);
void tix__engine_close(tix_db *db);

#endif
