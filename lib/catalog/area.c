/* General-admission areas of a screen.
 *
 * Record (TIX_REC_AREA, version 1):
 *   u64 id | u64 screen_id | u64 tier_id | cstr name | u32 capacity |
 *   u32 first_seat
 * Index TIX_T_AREAS_BY_SCREEN: screen, name -> id (unique in a screen).
 *
 * An area owns the seats first_seat .. first_seat + capacity - 1 of its
 * screen: its places, written with it (lib/catalog/seat.c), so everything
 * that works on seats works on them (docs/design.md, "General-admission
 * areas"). The layout of a screen is frozen by its first show, so areas,
 * like seats, are only ever added before it and never change. */
#include "area.h"
#include "tables.h"

#include <stddef.h>
#include <stdlib.h>

#include "error.h"
#include "screen.h"
#include "seat.h"
#include "show.h"
#include "tier.h"

#define ull(x) ((unsigned long long)(x))

/* Stored areas keep this too, so tix check runs it. */
static int area_rules(tix_db *db, MDB_txn *txn, const void *rec)
{
    const tix_area *a = rec;
    tix_tier tier;
    int rc = tix__tier_read(db, txn, a->tier_id, &tier);
    if (rc) return tix__err_at(tix__table_ref_err(rc, "tier_id", a->tier_id),
                               "tier_id");
    if (tier.screen_id != a->screen_id)
        return tix__err_at(tix__err(TIX_EINVAL, "area tier_id %llu belongs to "
                                    "screen %llu, not %llu", ull(a->tier_id),
                                    ull(tier.screen_id), ull(a->screen_id)),
                           "tier_id");
    return TIX_OK;
}

/* A create only (areas have no update): the screen still takes seats,
 * the places get the next indexes and are written with the record. */
static int area_on_put(tix_db *db, MDB_txn *txn, const void *old, void *rec)
{
    tix_area *a = rec;
    if (old) return tix__err(TIX_ESTATE, "areas do not change");
    int rc = tix__show_any_on_screen(db, txn, a->screen_id);
    if (rc < 0) return rc;
    if (rc > 0)
        return tix__err_at(tix__err(TIX_EBUSY, "screen %llu already has shows: "
                                    "its seat layout is frozen",
                                    ull(a->screen_id)),
                           "screen_id");
    tix_screen scr;
    if ((rc = tix__screen_read(db, txn, a->screen_id, &scr))) return rc;
    if (a->capacity > TIX__SCREEN_SEATS_MAX - scr.seat_count)
        return tix__err_at(tix__err(TIX_ERANGE, "screen %llu has %u seats; %u "
                                    "places more would exceed %u",
                                    ull(a->screen_id), scr.seat_count,
                                    a->capacity, TIX__SCREEN_SEATS_MAX),
                           "capacity");
    a->first_seat = scr.seat_count;
    rc = tix__seat_add_places(db, txn, a->screen_id, a->name, a->tier_id,
                              a->first_seat, a->capacity);
    return rc == TIX_EEXISTS ? tix__err_at(rc, "name") : rc;
}

#define F(m) .off = offsetof(tix_area, m), .member = #m
static const tix__field area_fields[] = {
    {"id", TIX__F_ID, 0, F(id)},
    {"screen_id", TIX__F_ID, 0, F(screen_id), .fixed = 1,
     .ref = TIX_T_SCREENS},
    {"area tier_id", TIX__F_ID, 0, F(tier_id), .fixed = 1},
    {"area name", TIX__F_CSTR, TIX__C_TEXT, F(name), .lo = 1,
     .hi = TIX_ROW_LABEL_MAX},
    {"area capacity", TIX__F_U32, TIX__C_RANGE, F(capacity), .lo = 1,
     .hi = TIX__SCREEN_SEATS_MAX},
    {"area first_seat", TIX__F_U32, 0, F(first_seat)},
};
#undef F
_Static_assert(sizeof(tix_area) <= TIX__REC_SIZE_MAX, "record.c copies it");
static const tix__rindex area_index[] = {
    {TIX_T_AREAS_BY_SCREEN, 1, 3, 0, "screen"}};

TIX__REC_DECODER(area_decode, tix__area_type)
const tix__rectype tix__area_type = {
    "area", TIX_T_AREAS, TIX_REC_AREA, 1, sizeof(tix_area), area_fields, 6,
    area_index, 1, area_decode, .rules = area_rules, .on_put = area_on_put};

int tix__area_of_screen(tix_db *db, MDB_txn *txn, tix_id screen_id,
                        tix_area **out, size_t *n)
{
    uint8_t prefix[8];
    tix__be64_put(prefix, screen_id);
    tix_id *ids;
    *out = NULL;
    int rc = tix__db_index_ids(db, txn, TIX_T_AREAS_BY_SCREEN, prefix,
                               sizeof prefix, &ids, n);
    if (rc) return rc;
    *out = calloc(*n ? *n : 1, sizeof **out);
    if (!*out) rc = tix__err(TIX_ENOMEM, "out of memory");
    for (size_t i = 0; i < *n && rc == TIX_OK; i++)
        rc = tix__rec_peek(db, txn, &tix__area_type, ids[i], &(*out)[i]);
    free(ids);
    if (rc) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

int tix_area_create(tix_db *db, const tix_area *in, tix_id *id_out)
{
    return tix__rec_create(db, &tix__area_type, in, id_out);
}

int tix_area_validate(const tix_area *in)
{
    return tix__rec_validate(&tix__area_type, in);
}

int tix_area_get(tix_db *db, tix_id id, tix_area **out)
{
    return tix__rec_get(db, &tix__area_type, id, (void **)out);
}

int tix_area_list_by_screen(tix_db *db, tix_id screen_id, tix_area_list **out)
{
    return tix__rec_list_owned(db, &tix__area_type, 0, screen_id,
                               (void **)out);
}

void tix_area_free(tix_area *a) { free(a); }

void tix_area_list_free(tix_area_list *l) { free(l); }
