/* Places (country -> state -> city): internal lookups for other modules. */
#ifndef TIX_LIB_PLACE_H
#define TIX_LIB_PLACE_H

#include "record.h"

/* The place descriptor (record.h), for the checker. */
extern const tix__rectype tix__place_type;

/* Reads kind and utc offset of place @p id. TIX_ENOTFOUND when missing.
 * Either output may be NULL. */
int tix__place_read(tix_db *db, MDB_txn *txn, tix_id id,
                    tix_place_kind *kind, int32_t *utc_offset_min);

/* TIX_OK when @p id is a city; otherwise TIX_ENOTFOUND or TIX_EINVAL with
 * a message naming input @p field ("city_id"). */
int tix__place_is_city(tix_db *db, MDB_txn *txn, tix_id id, const char *field);

/* Local UTC offset, in minutes, of place @p id at Unix time @p t: its time
 * zone's (system tzdata) when it has one, else its fixed offset. */
int tix__place_offset_at(tix_db *db, MDB_txn *txn, tix_id id, int64_t t,
                         int32_t *utc_offset_min);

#endif
