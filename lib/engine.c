/* Seat engine state attached to a store (seats.map, commit queue). */
#include "engine.h"

int tix__engine_open(tix_db *db)
{
    db->engine = NULL;
    return TIX_OK;
}

void tix__engine_close(tix_db *db) { (void)db; }
