/* Venues (theatres, stadiums) in a city.
 *
 * Record (TIX_REC_VENUE, version 1):
 *   u64 id | u64 city_id | cstr name | cstr address | f64 lat | f64 lon
 * Index TIX_T_VENUES_BY_CITY: city, name -> id (names unique in a city). */
#include "venue.h"

#include <stdlib.h>

#include "checks.h"
#include "error.h"
#include "naming.h"
#include "place.h"
#include "table.h"
#include "validate.h"

#define VENUE_VERSION 1

static const tix__names venue_names = {
    TIX_T_VENUES_BY_CITY, TIX_T_VENUES, "venue", "city"};

/* A venue as stored; strings point into the value being decoded. */
typedef struct venue_rec {
    tix_id id, city_id;
    tix_str name, address;
    double lat, lon;
} venue_rec;

/* The geo index of venues (lib/nearby.c), handed in at open: the catalog
 * sits below it and never calls it by name. */
static tix__venue_geo_hook geo_hook;

void tix__venue_on_move(tix__venue_geo_hook fn) { geo_hook = fn; }

static int venue_unpack(const MDB_val *val, venue_rec *r)
{
    tix_dec d;
    int rc = tix__dec_init(&d, val->mv_data, val->mv_size, TIX_REC_VENUE,
                           VENUE_VERSION);
    if (rc) return rc;
    r->id = tix__dec_u64(&d);
    r->city_id = tix__dec_u64(&d);
    r->name = tix__dec_cstr(&d);
    r->address = tix__dec_cstr(&d);
    r->lat = tix__dec_f64(&d);
    r->lon = tix__dec_f64(&d);
    return tix__dec_finish(&d);
}

static int venue_decode(const MDB_val *val, void *item, tix_bump *b)
{
    venue_rec r;
    int rc = venue_unpack(val, &r);
    if (rc) return rc;
    tix_venue *v = item;
    v->id = r.id;
    v->city_id = r.city_id;
    v->lat = r.lat;
    v->lon = r.lon;
    v->name = tix__bump_str(b, r.name);
    v->address = tix__bump_str(b, r.address);
    if (!v->name || !v->address)
        return tix__err(TIX_ECORRUPT, "venue block too small");
    return TIX_OK;
}

int tix__venue_decode(const MDB_val *val, void *item, tix_bump *b)
{
    return venue_decode(val, item, b);
}

static int venue_store(tix_db *db, MDB_txn *txn, tix_id id,
                       const tix_venue *in)
{
    tix_enc e;
    tix__enc_init(&e, TIX_REC_VENUE, VENUE_VERSION);
    tix__enc_u64(&e, id);
    tix__enc_u64(&e, in->city_id);
    tix__enc_cstr(&e, in->name);
    tix__enc_cstr(&e, in->address);
    tix__enc_f64(&e, in->lat);
    tix__enc_f64(&e, in->lon);
    int rc = tix__enc_finish(&e);
    if (rc == TIX_OK) rc = tix__put_id(db, txn, TIX_T_VENUES, id, &e, "venue");
    tix__enc_free(&e);
    return rc;
}

int tix__venue_read(tix_db *db, MDB_txn *txn, tix_id id, tix_id *city_id)
{
    MDB_val v;
    int rc = tix__get_id(db, txn, TIX_T_VENUES, id, &v, "venue");
    venue_rec r;
    if (rc == TIX_OK) rc = venue_unpack(&v, &r);
    if (rc == TIX_OK && city_id) *city_id = r.city_id;
    return rc;
}

/* The checks that need no transaction. An address may span lines. */
int tix__venue_check(const tix_venue *in)
{
    int rc = tix__check_name("venue name", in->name);
    if (rc) return tix__at(rc, "name");
    rc = tix__check_text("venue address", in->address, 0, TIX_ADDRESS_MAX, 1);
    if (rc) return tix__at(rc, "address");
    if ((rc = tix__check_real("venue lat", in->lat, -90, 90)))
        return tix__at(rc, "lat");
    if ((rc = tix__check_real("venue lon", in->lon, -180, 180)))
        return tix__at(rc, "lon");
    return TIX_OK;
}

static int city_check(tix_db *db, MDB_txn *txn, tix_id city_id)
{
    tix_place_kind kind;
    int rc = tix__place_read(db, txn, city_id, &kind, NULL);
    if (rc) return tix__at(tix__ref_err(rc, "city_id", city_id), "city_id");
    if (kind != TIX_PLACE_CITY)
        return tix__at(tix__err(TIX_EINVAL, "city_id %llu is not a city",
                                (unsigned long long)city_id), "city_id");
    return TIX_OK;
}

struct venue_write {
    const tix_venue *in;
    tix_id id; /* out of create */
};

static int create_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct venue_write *w = arg;
    int rc = city_check(db, txn, w->in->city_id);
    if (rc == TIX_OK) rc = tix__next_id(db, txn, TIX_T_VENUES, &w->id);
    if (rc == TIX_OK)
        rc = tix__name_claim(db, txn, &venue_names, w->in->city_id,
                             w->in->name, w->id);
    if (rc == TIX_OK) rc = venue_store(db, txn, w->id, w->in);
    if (rc == TIX_OK && geo_hook)
        rc = geo_hook(db, txn, w->id, NULL, w->in->lat, w->in->lon);
    return rc;
}

int tix_venue_create(tix_db *db, const tix_venue *in, tix_id *id_out)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (!in) return tix__err(TIX_EINVAL, "venue is NULL");
    int rc = tix__venue_check(in);
    if (rc) return rc;
    struct venue_write w = {in, 0};
    if ((rc = tix__write_join(db, create_txn, &w))) return rc;
    if (id_out) *id_out = w.id;
    return TIX_OK;
}

static int update_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    const tix_venue *in = ((struct venue_write *)arg)->in;
    MDB_val v;
    venue_rec old;
    int rc = tix__get_id(db, txn, TIX_T_VENUES, in->id, &v, "venue");
    if (rc == TIX_OK) rc = venue_unpack(&v, &old);
    if (rc) return rc;
    if (in->city_id != old.city_id)
        return tix__err(TIX_EINVAL, "venue %llu is in city %llu: city_id "
                        "cannot change", (unsigned long long)in->id,
                        (unsigned long long)old.city_id);
    rc = tix__name_rename(db, txn, &venue_names, old.city_id, old.name.p,
                          in->name, in->id);
    double was[2] = {old.lat, old.lon};
    if (rc == TIX_OK && geo_hook)
        rc = geo_hook(db, txn, in->id, was, in->lat, in->lon);
    if (rc == TIX_OK) rc = venue_store(db, txn, in->id, in);
    return rc;
}

int tix_venue_update(tix_db *db, const tix_venue *in)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (!in) return tix__err(TIX_EINVAL, "venue is NULL");
    int rc = tix__venue_check(in);
    if (rc) return rc;
    struct venue_write w = {in, in->id};
    return tix__write_join(db, update_txn, &w);
}

int tix_venue_get(tix_db *db, tix_id id, tix_venue **out)
{
    void *p = NULL;
    int rc = tix__load_one(db, TIX_T_VENUES, id, sizeof(tix_venue),
                           venue_decode, out ? &p : NULL, "venue");
    if (out) *out = p;
    return rc;
}

int tix_venue_list_by_city(tix_db *db, tix_id city_id, tix_venue_list **out)
{
    void *l = NULL;
    int rc = tix__name_list(db, &venue_names, city_id, sizeof(tix_venue),
                            venue_decode, out ? &l : NULL);
    if (out) *out = l;
    return rc;
}

void tix_venue_free(tix_venue *v) { free(v); }

void tix_venue_list_free(tix_venue_list *l) { free(l); }
