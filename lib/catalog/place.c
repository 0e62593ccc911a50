/* Places: country -> state -> city.
 *
 * Record (TIX_REC_PLACE, version 1):
 *   u64 id | u8 kind | u64 parent_id | cstr name | i64 utc_offset_min
 * The id is kept in the value because list decoding sees values only.
 * Index TIX_T_PLACES_BY_PARENT: parent, name -> id (names unique among
 * siblings; countries live under parent 0). */
#include "place.h"

#include <stdlib.h>

#include "checks.h"
#include "error.h"
#include "naming.h"
#include "table.h"
#include "validate.h"

#define PLACE_VERSION 1
#define UTC_OFFSET_MIN (-720) /* UTC-12:00 */
#define UTC_OFFSET_MAX 840    /* UTC+14:00 (Kiribati) */

static const tix__names place_names = {
    TIX_T_PLACES_BY_PARENT, TIX_T_PLACES, "place", "parent place"};

/* A place as stored; name points into the value being decoded. */
typedef struct place_rec {
    tix_id id, parent_id;
    tix_place_kind kind;
    int32_t utc_offset_min;
    tix_str name;
} place_rec;

static const char *kind_name(tix_place_kind k)
{
    switch (k) {
    case TIX_PLACE_COUNTRY: return "country";
    case TIX_PLACE_STATE: return "state";
    case TIX_PLACE_CITY: return "city";
    }
    return "place";
}

static int kind_valid(int k)
{
    return k >= TIX_PLACE_COUNTRY && k <= TIX_PLACE_CITY;
}

static int place_unpack(const MDB_val *val, place_rec *r)
{
    tix_dec d;
    int rc = tix__dec_init(&d, val->mv_data, val->mv_size, TIX_REC_PLACE,
                           PLACE_VERSION);
    if (rc) return rc;
    r->id = tix__dec_u64(&d);
    uint8_t kind = tix__dec_u8(&d);
    r->parent_id = tix__dec_u64(&d);
    r->name = tix__dec_cstr(&d);
    int64_t offset = tix__dec_i64(&d);
    if ((rc = tix__dec_finish(&d))) return rc;
    if (!kind_valid(kind) || offset < UTC_OFFSET_MIN || offset > UTC_OFFSET_MAX)
        return tix__err(TIX_ECORRUPT, "place %llu has kind %u, offset %lld",
                        (unsigned long long)r->id, kind, (long long)offset);
    r->kind = (tix_place_kind)kind;
    r->utc_offset_min = (int32_t)offset;
    return TIX_OK;
}

static int place_decode(const MDB_val *val, void *item, tix_bump *b)
{
    place_rec r = {0};
    int rc = place_unpack(val, &r);
    if (rc) return rc;
    tix_place *p = item;
    p->id = r.id;
    p->kind = r.kind;
    p->parent_id = r.parent_id;
    p->utc_offset_min = r.utc_offset_min;
    p->name = tix__bump_str(b, r.name);
    if (!p->name) return tix__err(TIX_ECORRUPT, "place block too small");
    return TIX_OK;
}

/* Encodes @p in as record @p id and stores it. */
static int place_store(tix_db *db, MDB_txn *txn, tix_id id,
                       const tix_place *in)
{
    tix_enc e;
    tix__enc_init(&e, TIX_REC_PLACE, PLACE_VERSION);
    tix__enc_u64(&e, id);
    tix__enc_u8(&e, (uint8_t)in->kind);
    tix__enc_u64(&e, in->parent_id);
    tix__enc_cstr(&e, in->name);
    tix__enc_i64(&e, in->utc_offset_min);
    int rc = tix__enc_finish(&e);
    if (rc == TIX_OK) rc = tix__put_id(db, txn, TIX_T_PLACES, id, &e, "place");
    tix__enc_free(&e);
    return rc;
}

int tix__place_read(tix_db *db, MDB_txn *txn, tix_id id,
                    tix_place_kind *kind, int32_t *utc_offset_min)
{
    MDB_val v;
    int rc = tix__get_id(db, txn, TIX_T_PLACES, id, &v, "place");
    place_rec r;
    if (rc == TIX_OK) rc = place_unpack(&v, &r);
    if (rc) return rc;
    if (kind) *kind = r.kind;
    if (utc_offset_min) *utc_offset_min = r.utc_offset_min;
    return TIX_OK;
}

/* The checks that need no transaction: kind, name, offset. */
int tix__place_check(const tix_place *in)
{
    if (!kind_valid((int)in->kind))
        return tix__at(tix__err(TIX_EINVAL, "place kind %d is not country "
                                "(1), state (2) or city (3)", (int)in->kind),
                       "kind");
    int rc = tix__check_name("place name", in->name);
    if (rc) return tix__at(rc, "name");
    if (in->utc_offset_min < UTC_OFFSET_MIN || in->utc_offset_min > UTC_OFFSET_MAX)
        return tix__at(tix__err(TIX_ERANGE, "utc_offset_min %d is not in "
                                "%d..%d", (int)in->utc_offset_min,
                                UTC_OFFSET_MIN, UTC_OFFSET_MAX),
                       "utc_offset_min");
    return TIX_OK;
}

/* A country has no parent; a state's parent is a country, a city's a
 * state. */
static int parent_kind(tix_db *db, MDB_txn *txn, const tix_place *in)
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
    if (rc) return tix__ref_err(rc, "parent_id", in->parent_id);
    if (got != want)
        return tix__err(TIX_EINVAL, "parent_id %llu is a %s; a %s's parent "
                        "must be a %s", (unsigned long long)in->parent_id,
                        kind_name(got), kind_name(in->kind), kind_name(want));
    return TIX_OK;
}

/* The same, naming the field. */
static int parent_check(tix_db *db, MDB_txn *txn, const tix_place *in)
{
    int rc = parent_kind(db, txn, in);
    return rc ? tix__at(rc, "parent_id") : TIX_OK;
}

struct place_write {
    const tix_place *in;
    tix_id id; /* out of create */
};

static int create_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct place_write *w = arg;
    int rc = parent_check(db, txn, w->in);
    if (rc == TIX_OK) rc = tix__next_id(db, txn, TIX_T_PLACES, &w->id);
    if (rc == TIX_OK)
        rc = tix__name_claim(db, txn, &place_names, w->in->parent_id,
                             w->in->name, w->id);
    if (rc == TIX_OK) rc = place_store(db, txn, w->id, w->in);
    return rc;
}

int tix_place_create(tix_db *db, const tix_place *in, tix_id *id_out)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (!in) return tix__err(TIX_EINVAL, "place is NULL");
    int rc = tix__place_check(in);
    if (rc) return rc;
    struct place_write w = {in, 0};
    if ((rc = tix__write_join(db, create_txn, &w))) return rc;
    if (id_out) *id_out = w.id;
    return TIX_OK;
}

static int update_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    const tix_place *in = ((struct place_write *)arg)->in;
    MDB_val v;
    place_rec old;
    int rc = tix__get_id(db, txn, TIX_T_PLACES, in->id, &v, "place");
    if (rc == TIX_OK) rc = place_unpack(&v, &old);
    if (rc) return rc;
    if (in->kind != old.kind || in->parent_id != old.parent_id)
        return tix__err(TIX_EINVAL, "place %llu is a %s under %llu: kind and "
                        "parent_id cannot change", (unsigned long long)in->id,
                        kind_name(old.kind), (unsigned long long)old.parent_id);
    rc = tix__name_rename(db, txn, &place_names, old.parent_id, old.name.p,
                          in->name, in->id);
    if (rc == TIX_OK) rc = place_store(db, txn, in->id, in);
    return rc;
}

int tix_place_update(tix_db *db, const tix_place *in)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (!in) return tix__err(TIX_EINVAL, "place is NULL");
    int rc = tix__place_check(in);
    if (rc) return rc;
    struct place_write w = {in, in->id};
    return tix__write_join(db, update_txn, &w);
}

int tix_place_get(tix_db *db, tix_id id, tix_place **out)
{
    void *p = NULL;
    int rc = tix__load_one(db, TIX_T_PLACES, id, sizeof(tix_place),
                           place_decode, out ? &p : NULL, "place");
    if (out) *out = p;
    return rc;
}

int tix_place_list_by_parent(tix_db *db, tix_id parent_id,
                             tix_place_list **out)
{
    void *l = NULL;
    int rc = tix__name_list(db, &place_names, parent_id, sizeof(tix_place),
                            place_decode, out ? &l : NULL);
    if (out) *out = l;
    return rc;
}

void tix_place_free(tix_place *p) { free(p); }

void tix_place_list_free(tix_place_list *l) { free(l); }
