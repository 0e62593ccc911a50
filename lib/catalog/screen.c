/* Screens (auditoriums, stands) of a venue.
 *
 * Record (TIX_REC_SCREEN, version 1):
 *   u64 id | u64 venue_id | cstr name | f64 ideal_x | f64 ideal_y |
 *   u32 seat_count
 * The name is stored with its NUL so tix__screen_read can hand it out as a
 * C string inside LMDB memory. seat_count is owned by the seat module.
 * Index TIX_T_SCREENS_BY_VENUE: venue, name -> id (unique in a venue). */
#include "screen.h"

#include <stdlib.h>

#include "checks.h"
#include "error.h"
#include "naming.h"
#include "table.h"
#include "validate.h"
#include "venue.h"

#define SCREEN_VERSION 1

static const tix__names screen_names = {
    TIX_T_SCREENS_BY_VENUE, TIX_T_SCREENS, "screen", "venue"};

/* Decodes a screen; out->name points into @p val (a C string, see
 * tix__dec_cstr) and @p name_len, when not NULL, receives its length. */
static int screen_unpack(const MDB_val *val, tix_screen *out,
                         uint32_t *name_len)
{
    tix_dec d;
    int rc = tix__dec_init(&d, val->mv_data, val->mv_size, TIX_REC_SCREEN,
                           SCREEN_VERSION);
    if (rc) return rc;
    out->id = tix__dec_u64(&d);
    out->venue_id = tix__dec_u64(&d);
    tix_str name = tix__dec_cstr(&d);
    out->name = name.p;
    if (name_len) *name_len = name.len;
    out->ideal_x = tix__dec_f64(&d);
    out->ideal_y = tix__dec_f64(&d);
    out->seat_count = tix__dec_u32(&d);
    return tix__dec_finish(&d);
}

static int screen_decode(const MDB_val *val, void *item, tix_bump *b)
{
    tix_screen *s = item;
    uint32_t name_len;
    int rc = screen_unpack(val, s, &name_len);
    if (rc) return rc;
    s->name = tix__bump_str(b, (tix_str){s->name, name_len});
    if (!s->name) return tix__err(TIX_ECORRUPT, "screen block too small");
    return TIX_OK;
}

static int screen_store(tix_db *db, MDB_txn *txn, const tix_screen *s)
{
    tix_enc e;
    tix__enc_init(&e, TIX_REC_SCREEN, SCREEN_VERSION);
    tix__enc_u64(&e, s->id);
    tix__enc_u64(&e, s->venue_id);
    tix__enc_cstr(&e, s->name);
    tix__enc_f64(&e, s->ideal_x);
    tix__enc_f64(&e, s->ideal_y);
    tix__enc_u32(&e, s->seat_count);
    int rc = tix__enc_finish(&e);
    if (rc == TIX_OK)
        rc = tix__put_id(db, txn, TIX_T_SCREENS, s->id, &e, "screen");
    tix__enc_free(&e);
    return rc;
}

int tix__screen_read(tix_db *db, MDB_txn *txn, tix_id id, tix_screen *out)
{
    MDB_val v;
    int rc = tix__get_id(db, txn, TIX_T_SCREENS, id, &v, "screen");
    return rc ? rc : screen_unpack(&v, out, NULL);
}

int tix__screen_set_seat_count(tix_db *db, MDB_txn *txn, tix_id id,
                               uint32_t seat_count)
{
    tix_screen s;
    int rc = tix__screen_read(db, txn, id, &s);
    if (rc) return rc;
    s.seat_count = seat_count;
    /* screen_store encodes (copying the name out of LMDB memory) before it
     * writes, so s.name stays valid for as long as it is needed. */
    return screen_store(db, txn, &s);
}

int tix__screen_check(const tix_screen *in)
{
    int rc = tix__check_name("screen name", in->name);
    if (rc) return tix__at(rc, "name");
    if ((rc = tix__check_finite("screen ideal_x", in->ideal_x)))
        return tix__at(rc, "ideal_x");
    if ((rc = tix__check_finite("screen ideal_y", in->ideal_y)))
        return tix__at(rc, "ideal_y");
    return TIX_OK;
}

struct screen_write {
    const tix_screen *in;
    tix_id id; /* out of create */
};

static int create_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct screen_write *w = arg;
    int rc = tix__venue_read(db, txn, w->in->venue_id, NULL);
    if (rc)
        return tix__at(tix__ref_err(rc, "venue_id", w->in->venue_id),
                       "venue_id");
    if ((rc = tix__next_id(db, txn, TIX_T_SCREENS, &w->id))) return rc;
    tix_screen s = *w->in;
    s.id = w->id;
    s.seat_count = 0; /* seats come from tix_seats_add_rows */
    rc = tix__name_claim(db, txn, &screen_names, s.venue_id, s.name, s.id);
    return rc ? rc : screen_store(db, txn, &s);
}

int tix_screen_create(tix_db *db, const tix_screen *in, tix_id *id_out)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (!in) return tix__err(TIX_EINVAL, "screen is NULL");
    int rc = tix__screen_check(in);
    if (rc) return rc;
    struct screen_write w = {in, 0};
    if ((rc = tix__write_join(db, create_txn, &w))) return rc;
    if (id_out) *id_out = w.id;
    return TIX_OK;
}

static int update_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    const tix_screen *in = ((struct screen_write *)arg)->in;
    tix_screen old;
    int rc = tix__screen_read(db, txn, in->id, &old);
    if (rc) return rc;
    if (in->venue_id != old.venue_id)
        return tix__err(TIX_EINVAL, "screen %llu is in venue %llu: venue_id "
                        "cannot change", (unsigned long long)in->id,
                        (unsigned long long)old.venue_id);
    tix_screen s = *in;
    s.seat_count = old.seat_count; /* owned by the seat module */
    rc = tix__name_rename(db, txn, &screen_names, old.venue_id, old.name,
                          s.name, s.id);
    return rc ? rc : screen_store(db, txn, &s);
}

int tix_screen_update(tix_db *db, const tix_screen *in)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (!in) return tix__err(TIX_EINVAL, "screen is NULL");
    int rc = tix__screen_check(in);
    if (rc) return rc;
    struct screen_write w = {in, in->id};
    return tix__write_join(db, update_txn, &w);
}

int tix_screen_get(tix_db *db, tix_id id, tix_screen **out)
{
    void *p = NULL;
    int rc = tix__load_one(db, TIX_T_SCREENS, id, sizeof(tix_screen),
                           screen_decode, out ? &p : NULL, "screen");
    if (out) *out = p;
    return rc;
}

int tix_screen_list_by_venue(tix_db *db, tix_id venue_id,
                             tix_screen_list **out)
{
    void *l = NULL;
    int rc = tix__name_list(db, &screen_names, venue_id, sizeof(tix_screen),
                            screen_decode, out ? &l : NULL);
    if (out) *out = l;
    return rc;
}

void tix_screen_free(tix_screen *s) { free(s); }

void tix_screen_list_free(tix_screen_list *l) { free(l); }
