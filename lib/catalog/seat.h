/* Seats: record decoding for the seat engine. */
#ifndef TIX_LIB_SEAT_H
#define TIX_LIB_SEAT_H

#include "record.h"

/* Decodes one TIX_T_SEATS value (key: screen be64, index be32) into @p out,
 * strings allocated from @p b. */
int tix__seat_decode(const MDB_val *val, void *out, tix_bump *b);

/* Reads seat @p index of a screen inside @p txn; out->row points into
 * @p row. TIX_ENOTFOUND when the screen has no such seat. */
int tix__seat_read(tix_db *db, MDB_txn *txn, tix_id screen_id,
                   uint32_t index, tix_seat *out,
                   char row[TIX_ROW_LABEL_MAX + 1]);

/* 1 with *index set when a seat of screen @p screen_id has tier
 * @p tier_id, 0 when none, or a negative code. */
int tix__seat_of_tier(tix_db *db, MDB_txn *txn, tix_id screen_id,
                      tix_id tier_id, uint32_t *index);

/* The TIX_T_SEATS_BY_LABEL entry of seat (@p row, @p number) = @p index
 * of a screen: what adding rows writes and tix check verifies. */
void tix__seat_label_entry(tix_id screen_id, const char *row,
                           uint32_t number, uint32_t index, tix__ixentry *e);

/* Adds the @p count places of a general-admission area as seats
 * first..first+count-1 of a screen: row @p label, numbers 1..count, no
 * position, flag TIX_SEAT_STANDING; then sets the screen's seat count.
 * TIX_EEXISTS when a seat of the screen has the label. The caller checked
 * the screen (no shows, room for them). */
int tix__seat_add_places(tix_db *db, MDB_txn *txn, tix_id screen_id,
                         const char *label, tix_id tier_id, uint32_t first,
                         uint32_t count);

/* Most seats one screen may have (the public limit of tix_seats_add_rows). */
#define TIX__SCREEN_SEATS_MAX TIX_SCREEN_SEATS_MAX

/* TIX_T_SEATS key of a seat of a screen: screen be64 + seat index be32.
 * A show's seat states use tix__show_seat_key (lib/seats/engine.h). */
#define TIX__SCREEN_SEAT_KEY_LEN 12
static inline void tix__screen_seat_key(uint8_t *k, tix_id screen,
                                        uint32_t index)
{
    tix__be64_put(k, screen);
    tix__be32_put(k + 8, index);
}

#endif
