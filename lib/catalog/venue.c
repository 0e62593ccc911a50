/* Venues (theatres, stadiums) in a city.
 *
 * Record (TIX_REC_VENUE, version 1):
 *   u64 id | u64 city_id | cstr name | cstr address | f64 lat | f64 lon
 * Index TIX_T_VENUES_BY_CITY: city, name -> id (names unique in a city). */
#include "venue.h"
#include "tables.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "place.h"

/* The geo index of venues (lib/front/nearby.c), handed in at open: the
 * catalog sits below it and never calls it by name. */
static tix__venue_geo_hook geo_hook;

void tix__venue_on_move(tix__venue_geo_hook fn) { geo_hook = fn; }

static int venue_rules(tix_db *db, MDB_txn *txn, const void *rec)
{
    return tix__place_is_city(db, txn, ((const tix_venue *)rec)->city_id,
                              "city_id");
}

static int venue_on_put(tix_db *db, MDB_txn *txn, const void *old, void *rec)
{
    const tix_venue *o = old, *v = rec;
    double was[2] = {o ? o->lat : 0, o ? o->lon : 0};
    return geo_hook ? geo_hook(db, txn, v->id, o ? was : NULL, v->lat, v->lon)
                    : TIX_OK;
}

static int venue_on_delete(tix_db *db, MDB_txn *txn, const void *old)
{
    const tix_venue *o = old;
    double was[2] = {o->lat, o->lon};
    return geo_hook ? geo_hook(db, txn, o->id, was, NAN, NAN) : TIX_OK;
}

#define F(m) .off = offsetof(tix_venue, m), .member = #m
static const tix__field venue_fields[] = {
    {"id", TIX__F_ID, 0, F(id)},
    {"city_id", TIX__F_ID, 0, F(city_id), .fixed = 1},
    {"venue name", TIX__F_CSTR, TIX__C_NAME, F(name)},
    {"venue address", TIX__F_CSTR, TIX__C_LINES, F(address), .lo = 0,
     .hi = TIX_ADDRESS_MAX},
    {"venue lat", TIX__F_F64, TIX__C_REAL, F(lat), .lo = -90, .hi = 90},
    {"venue lon", TIX__F_F64, TIX__C_REAL, F(lon), .lo = -180,
     .hi = 180},
};
#undef F
_Static_assert(sizeof(tix_venue) <= TIX__REC_SIZE_MAX, "record.c copies it");
static const tix__rindex venue_index[] = {
    {TIX_T_VENUES_BY_CITY, 1, 2, 0, "city"}};

const tix__rectype tix__venue_type = {
    "venue", TIX_T_VENUES, TIX_REC_VENUE, 1, sizeof(tix_venue),
    venue_fields, 6, venue_index, 1, tix__venue_decode,
    .rules = venue_rules, .on_put = venue_on_put,
    .on_delete = venue_on_delete};

int tix__venue_decode(const MDB_val *val, void *item, tix_bump *b)
{
    return tix__rec_decode(&tix__venue_type, val, item, b);
}

int tix__venue_read(tix_db *db, MDB_txn *txn, tix_id id, tix_id *city_id)
{
    tix_venue v;
    int rc = tix__rec_peek(db, txn, &tix__venue_type, id, &v);
    if (rc == TIX_OK && city_id) *city_id = v.city_id;
    return rc;
}

int tix_venue_delete(tix_db *db, tix_id id)
{
    return tix__rec_delete(db, &tix__venue_type, id);
}

int tix_venue_create(tix_db *db, const tix_venue *in, tix_id *id_out)
{
    return tix__rec_create(db, &tix__venue_type, in, id_out);
}

int tix_venue_validate(const tix_venue *in)
{
    return tix__rec_validate(&tix__venue_type, in);
}

int tix_venue_update(tix_db *db, const tix_venue *in)
{
    return tix__rec_update(db, &tix__venue_type, in);
}

int tix_venue_get(tix_db *db, tix_id id, tix_venue **out)
{
    return tix__rec_get(db, &tix__venue_type, id, (void **)out);
}

int tix_venue_list_by_city(tix_db *db, tix_id city_id, tix_venue_list **out)
{
    return tix__rec_list_owned(db, &tix__venue_type, 0, city_id, (void **)out);
}

void tix_venue_free(tix_venue *v) { free(v); }

void tix_venue_list_free(tix_venue_list *l) { free(l); }
