/* Places: country -> state -> city.
 *
 * Record (TIX_REC_PLACE):
 *   v1: u64 id | u8 kind | u64 parent_id | cstr name | i64 utc_offset_min
 *   v2: the v1 fields, then cstr time_zone ("" = none; a v1 record reads
 *       with time_zone NULL)
 * Index TIX_T_PLACES_BY_PARENT: parent, name -> id (names unique among
 * siblings; countries live under parent 0). */
#include "place.h"
#include "tables.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "record.h"
#include "tz.h"

static const char *kind_name(tix_place_kind k)
{
    switch (k) {
    case TIX_PLACE_COUNTRY: return "country";
    case TIX_PLACE_STATE: return "state";
    case TIX_PLACE_CITY: return "city";
    }
    return "place";
}

/* A country has no parent; a state's parent is a country, a city's a
 * state. */
static int parent_rule(tix_db *db, MDB_txn *txn, const tix_place *in);

static int place_rules(tix_db *db, MDB_txn *txn, const void *rec)
{
    int rc = parent_rule(db, txn, rec);
    return rc ? tix__err_at(rc, "parent_id") : TIX_OK;
}

static int parent_rule(tix_db *db, MDB_txn *txn, const tix_place *in)
{
    if (in->kind == TIX_PLACE_COUNTRY) {
        if (in->parent_id == 0) return TIX_OK;
        return tix__err(TIX_EINVAL, "a country has no parent (parent_id %llu)",
                        (unsigned long long)in->parent_id);
    }
    tix_place_kind want = in->kind == TIX_PLACE_STATE ? TIX_PLACE_COUNTRY
                                                      : TIX_PLACE_STATE;
    if (in->parent_id == 0)
        return tix__err(TIX_EINVAL, "a %s needs a parent %s (parent_id is 0)",
                        kind_name(in->kind), kind_name(want));
    tix_place_kind got;
    int rc = tix__place_read(db, txn, in->parent_id, &got, NULL);
    if (rc) return tix__table_ref_err(rc, "parent_id", in->parent_id);
    if (got != want)
        return tix__err(TIX_EINVAL, "parent_id %llu is a %s; a %s's parent "
                        "must be a %s", (unsigned long long)in->parent_id,
                        kind_name(got), kind_name(in->kind), kind_name(want));
    return TIX_OK;
}

/* A zone must be one the system's tzdata has: looking up any instant
 * reads and checks its file. */
static int place_check(const void *rec)
{
    const char *zone = ((const tix_place *)rec)->time_zone;
    if (!zone || !*zone) return TIX_OK;
    int32_t off;
    int rc = tix_tz_offset(zone, 0, &off);
    return rc ? tix__err_at(rc, "time_zone") : TIX_OK;
}

#define F(m) .off = offsetof(tix_place, m), .member = #m
static const tix__field place_fields[] = {
    {"id", TIX__F_ID, 0, F(id)},
    {"place kind", TIX__F_ENUM8, TIX__C_RANGE, F(kind), .lo = 1,
     .hi = 3, .fixed = 1, .code = TIX_EINVAL}, /* country, state, city */
    {"parent_id", TIX__F_ID, 0, F(parent_id), .fixed = 1},
    {"place name", TIX__F_CSTR, TIX__C_NAME, F(name)},
    {"utc_offset_min", TIX__F_I64_32, TIX__C_RANGE, F(utc_offset_min),
     .lo = -720, .hi = 840}, /* UTC-12:00 .. UTC+14:00 (Kiribati) */
    {"time_zone", TIX__F_CSTR, 0, .since = 2, F(time_zone)},
};
#undef F
_Static_assert(sizeof(tix_place) <= TIX__REC_SIZE_MAX, "record.c copies it");
static const tix__rindex place_index[] = {
    {TIX_T_PLACES_BY_PARENT, 2, 3, 0, "parent place"}};

TIX__REC_DECODER(place_decode, tix__place_type)
const tix__rectype tix__place_type = {
    "place", TIX_T_PLACES, TIX_REC_PLACE, 2, sizeof(tix_place),
    place_fields, 6, place_index, 1, place_decode, .check = place_check,
    .rules = place_rules};

int tix__place_read(tix_db *db, MDB_txn *txn, tix_id id,
                    tix_place_kind *kind, int32_t *utc_offset_min)
{
    tix_place p;
    int rc = tix__rec_peek(db, txn, &tix__place_type, id, &p);
    if (rc) return rc;
    if (kind) *kind = p.kind;
    if (utc_offset_min) *utc_offset_min = p.utc_offset_min;
    return TIX_OK;
}

int tix__place_is_city(tix_db *db, MDB_txn *txn, tix_id id, const char *field)
{
    tix_place_kind kind;
    int rc = tix__place_read(db, txn, id, &kind, NULL);
    if (rc) return tix__err_at(tix__table_ref_err(rc, field, id), "%s", field);
    if (kind != TIX_PLACE_CITY)
        return tix__err_at(tix__err(TIX_EINVAL, "%s %llu is not a city", field,
                                (unsigned long long)id), "%s", field);
    return TIX_OK;
}

/* Local UTC offset (minutes) at @p t of a place read in place: its zone's
 * (through the store's cache of zone files), else its fixed offset. The
 * zone name is copied out of LMDB's page. */
static int offset_of(tix_db *db, const tix_place *p, int64_t t, int32_t *off)
{
    size_t n = p->time_zone ? strlen(p->time_zone) : 0;
    if (n == 0) {
        *off = p->utc_offset_min;
        return TIX_OK;
    }
    if (n > TIX_TZ_NAME_MAX)
        return tix__err(TIX_ECORRUPT, "place %llu has a %zu-byte time zone",
                        (unsigned long long)p->id, n);
    char zone[TIX_TZ_NAME_MAX + 1];
    memcpy(zone, p->time_zone, n + 1);
    return tix__tz_cache_offset(db->tz, zone, t, off);
}

int tix__place_offset_at(tix_db *db, MDB_txn *txn, tix_id id, int64_t t,
                         int32_t *utc_offset_min)
{
    tix_place p;
    int rc = tix__rec_peek(db, txn, &tix__place_type, id, &p);
    return rc ? rc : offset_of(db, &p, t, utc_offset_min);
}

int tix_place_utc_offset(tix_db *db, tix_id id, int64_t t,
                         int32_t *utc_offset_min)
{
    if (!db || !utc_offset_min)
        return tix__err(TIX_EINVAL, "db or utc_offset_min is NULL");
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    int32_t off = 0;
    rc = tix__place_offset_at(db, txn, id, t, &off);
    tix__db_read_end(db, txn);
    if (rc == TIX_OK) *utc_offset_min = off;
    return rc;
}

int tix_place_delete(tix_db *db, tix_id id)
{
    return tix__rec_delete(db, &tix__place_type, id);
}

int tix_place_create(tix_db *db, const tix_place *in, tix_id *id_out)
{
    return tix__rec_create(db, &tix__place_type, in, id_out);
}

int tix_place_validate(const tix_place *in)
{
    return tix__rec_validate(&tix__place_type, in);
}

int tix_place_update(tix_db *db, const tix_place *in)
{
    return tix__rec_update(db, &tix__place_type, in);
}

int tix_place_get(tix_db *db, tix_id id, tix_place **out)
{
    return tix__rec_get(db, &tix__place_type, id, (void **)out);
}

int tix_place_list_by_parent(tix_db *db, tix_id parent_id,
                             tix_place_list **out)
{
    return tix__rec_list_owned(db, &tix__place_type, 0, parent_id,
                               (void **)out);
}

void tix_place_free(tix_place *p) { free(p); }

void tix_place_list_free(tix_place_list *l) { free(l); }
