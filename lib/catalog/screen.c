/* Screens (auditoriums, stands) of a venue.
 *
 * Record (TIX_REC_SCREEN, version 1):
 *   u64 id | u64 venue_id | cstr name | f64 ideal_x | f64 ideal_y |
 *   u32 seat_count
 * seat_count is owned by the seat module: input never sets it.
 * Index TIX_T_SCREENS_BY_VENUE: venue, name -> id (unique in a venue). */
#include "screen.h"
#include "tables.h"

#include <stddef.h>
#include <stdlib.h>

static int screen_on_put(tix_db *db, MDB_txn *txn, const void *old, void *rec)
{
    (void)db;
    (void)txn;
    ((tix_screen *)rec)->seat_count =
        old ? ((const tix_screen *)old)->seat_count : 0;
    return TIX_OK;
}

#define F(m) .off = offsetof(tix_screen, m), .member = #m
static const tix__field screen_fields[] = {
    {"id", TIX__F_ID, 0, F(id)},
    {"venue_id", TIX__F_ID, 0, F(venue_id), .fixed = 1,
     .ref = TIX_T_VENUES},
    {"screen name", TIX__F_CSTR, TIX__C_NAME, F(name)},
    {"screen ideal_x", TIX__F_F64, TIX__C_FINITE, F(ideal_x)},
    {"screen ideal_y", TIX__F_F64, TIX__C_FINITE, F(ideal_y)},
    {"seat_count", TIX__F_U32, 0, F(seat_count)},
};
#undef F
_Static_assert(sizeof(tix_screen) <= TIX__REC_SIZE_MAX, "record.c copies it");
static const tix__rindex screen_index[] = {
    {TIX_T_SCREENS_BY_VENUE, 1, 2, 0, "venue"}};

TIX__REC_DECODER(screen_decode, tix__screen_type)
const tix__rectype tix__screen_type = {
    "screen", TIX_T_SCREENS, TIX_REC_SCREEN, 1, sizeof(tix_screen),
    screen_fields, 6, screen_index, 1, screen_decode,
    .on_put = screen_on_put};

int tix__screen_read(tix_db *db, MDB_txn *txn, tix_id id, tix_screen *out)
{
    return tix__rec_peek(db, txn, &tix__screen_type, id, out);
}

int tix__screen_set_seat_count(tix_db *db, MDB_txn *txn, tix_id id,
                               uint32_t seat_count)
{
    tix_screen s;
    int rc = tix__screen_read(db, txn, id, &s);
    if (rc) return rc;
    s.seat_count = seat_count;
    /* Encoding copies the name out of LMDB memory before the write. */
    return tix__rec_put(db, txn, &tix__screen_type, &s);
}

int tix_screen_delete(tix_db *db, tix_id id)
{
    return tix__rec_delete(db, &tix__screen_type, id);
}

int tix_screen_create(tix_db *db, const tix_screen *in, tix_id *id_out)
{
    return tix__rec_create(db, &tix__screen_type, in, id_out);
}

int tix_screen_validate(const tix_screen *in)
{
    return tix__rec_validate(&tix__screen_type, in);
}

int tix_screen_update(tix_db *db, const tix_screen *in)
{
    return tix__rec_update(db, &tix__screen_type, in);
}

int tix_screen_get(tix_db *db, tix_id id, tix_screen **out)
{
    return tix__rec_get(db, &tix__screen_type, id, (void **)out);
}

int tix_screen_list_by_venue(tix_db *db, tix_id venue_id,
                             tix_screen_list **out)
{
    return tix__rec_list_owned(db, &tix__screen_type, 0, venue_id,
                               (void **)out);
}

void tix_screen_free(tix_screen *s) { free(s); }

void tix_screen_list_free(tix_screen_list *l) { free(l); }
