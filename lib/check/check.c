/* Consistency check of a store (`tix check`) and store statistics (`tix
 * stats`).
 *
 * A pass verifies, reading records through the public getters (so every
 * record must also decode) and index tables raw:
 *  - every index against its primary table, both ways: each record has
 *    its entries (the key built from the record maps to its id) and each
 *    entry names an existing record whose key it is; one-to-one indexes
 *    have as many entries as the table has records. Places, venues,
 *    screens and tiers (by owner and name), users (by e-mail), shows (by
 *    screen, city and venue), bookings (by user, by show, payment
 *    reference), reviews (by user, time and upvotes), comments (by
 *    review) and offers (by code);
 *  - references: a place's parent of the right kind, a venue's city, a
 *    screen's venue, a tier's screen, a show's movie, screen, venue and
 *    city, a booking's user and show, a seat's tier (of the same screen);
 *  - seats: a screen's seat_count equals its seat rows, numbered 0..n-1,
 *    and the (row, number) index names each seat;
 *  - bookings: a confirmed booking has one seat-state row per seat naming
 *    it, its tickets exist and name it; seat-state rows name confirmed
 *    bookings of their show (or an admin block) and seats the show has;
 *    tickets name existing bookings;
 *  - seats.map regions: live and free regions never overlap and lie below
 *    the allocation counter; each show not yet reclaimed has its region;
 *  - seats.map against LMDB, seat by seat, for every show not reclaimed:
 *    BOOKED words carry the booking of the seat-state row, BLOCKED words
 *    have a block (layout or admin), and no seat free in LMDB is BOOKED or
 *    BLOCKED in the map. CONFIRMING words are in flight (or stale, when
 *    their lease ran out: the next process to touch them repairs them).
 *    Each seat's channel byte is its channel_seats row's channel (0
 *    without one), every row names a seat of the show and a channel that
 *    exists, and the map's count of channel seats is the rows';
 *
 * Writers may run meanwhile, so a pass that finds problems is repeated
 * and only the problems every pass found are reported. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "tix.h"
#include "tables.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "db.h"
#include "area.h"
#include "booking.h"
#include "engine.h"
#include "movie.h"
#include "channel.h"
#include "offer.h"
#include "queue.h"
#include "place.h"
#include "review.h"
#include "screen.h"
#include "error.h"
#include "seat.h"
#include "seatword.h"
#include "show.h"
#include "tier.h"
#include "user.h"
#include "venue.h"

#define MAX_PASSES 3
#define MAX_PROBLEMS 10000 /* kept per pass; more are only counted */

/* ------------------------------------------------------------------------ */
/* A pass and its problems                                                   */

typedef struct pass {
    tix_db *db;
    char **msg;
    size_t n, cap;
    uint64_t dropped; /* problems beyond MAX_PROBLEMS */
    tix_check_counts c;
    int quiet;            /* re-reading records: report nothing */
    uint64_t booked_rows; /* seats of confirmed bookings */
    uint64_t tickets;     /* tickets named by bookings */
} pass;

static void problem(pass *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(pass *p, const char *fmt, ...)
{
    if (p->quiet) return;
    if (p->n == MAX_PROBLEMS) {
        p->dropped++;
        return;
    }
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int len = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (len < 0) {
        p->dropped++;
        return;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        char **m = realloc(p->msg, cap * sizeof *m);
        if (!m) {
            free(s);
            p->dropped++;
            return;
        }
        p->msg = m;
        p->cap = cap;
    }
    p->msg[p->n++] = s;
}

static void pass_free(pass *p)
{
    for (size_t i = 0; i < p->n; i++) free(p->msg[i]);
    free(p->msg);
    p->msg = NULL;
    p->n = p->cap = 0;
}

static unsigned long long ull(uint64_t v) { return (unsigned long long)v; }

/* ------------------------------------------------------------------------ */
/* Raw table reads                                                           */

/* Entries of one table copied out of LMDB (one read transaction). */
typedef struct entries {
    size_t n;
    size_t *koff, *klen, *voff, *vlen;
    uint8_t *data;
    size_t used, cap, ncap;
} entries;

static void entries_free(entries *e)
{
    free(e->koff);
    free(e->klen);
    free(e->voff);
    free(e->vlen);
    free(e->data);
    memset(e, 0, sizeof *e);
}

static const uint8_t *ekey(const entries *e, size_t i) { return e->data + e->koff[i]; }
static const uint8_t *eval(const entries *e, size_t i) { return e->data + e->voff[i]; }

static int entries_add(entries *e, const MDB_val *k, const MDB_val *v)
{
    if (e->n == e->ncap) {
        size_t nc = e->ncap ? e->ncap * 2 : 256;
        size_t *a = realloc(e->koff, nc * sizeof *a);
        if (a) e->koff = a;
        size_t *b = a ? realloc(e->klen, nc * sizeof *b) : NULL;
        if (b) e->klen = b;
        size_t *c = b ? realloc(e->voff, nc * sizeof *c) : NULL;
        if (c) e->voff = c;
        size_t *d = c ? realloc(e->vlen, nc * sizeof *d) : NULL;
        if (d) e->vlen = d;
        if (!d) return TIX_ENOMEM;
        e->ncap = nc;
    }
    size_t need = k->mv_size + v->mv_size;
    if (e->used + need > e->cap) {
        size_t nc = e->cap ? e->cap : 4096;
        while (nc < e->used + need) nc *= 2;
        uint8_t *d = realloc(e->data, nc);
        if (!d) return TIX_ENOMEM;
        e->data = d;
        e->cap = nc;
    }
    e->koff[e->n] = e->used;
    e->klen[e->n] = k->mv_size;
    if (k->mv_size) memcpy(e->data + e->used, k->mv_data, k->mv_size);
    e->used += k->mv_size;
    e->voff[e->n] = e->used;
    e->vlen[e->n] = v->mv_size;
    if (v->mv_size) memcpy(e->data + e->used, v->mv_data, v->mv_size);
    e->used += v->mv_size;
    e->n++;
    return TIX_OK;
}

/* Copies every entry of @p table whose key starts with @p prefix. */
static int collect(tix_db *db, int table, const void *prefix, size_t plen,
                   entries *out)
{
    memset(out, 0, sizeof *out);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[table], &cur);
    if (mrc == 0) {
        MDB_val k = {plen, (void *)prefix}, v;
        mrc = mdb_cursor_get(cur, &k, &v, plen ? MDB_SET_RANGE : MDB_FIRST);
        while (mrc == 0 && rc == TIX_OK) {
            if (k.mv_size < plen ||
                (plen && memcmp(k.mv_data, prefix, plen) != 0))
                break;
            rc = entries_add(out, &k, &v);
            mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
        mdb_cursor_close(cur);
    }
    tix__db_read_end(db, txn);
    if (rc == TIX_ENOMEM) rc = tix__err(TIX_ENOMEM, "out of memory");
    else if (mrc && mrc != MDB_NOTFOUND) rc = tix__mdb_err(mrc, "check scan");
    if (rc) entries_free(out);
    return rc;
}

/* Ids (8-byte big-endian keys) of a primary table. */
static int collect_ids(tix_db *db, int table, tix_id **ids, size_t *n,
                       pass *p, const char *what)
{
    entries e;
    int rc = collect(db, table, NULL, 0, &e);
    if (rc) return rc;
    *ids = malloc((e.n ? e.n : 1) * sizeof **ids);
    if (!*ids) {
        entries_free(&e);
        return tix__err(TIX_ENOMEM, "out of memory");
    }
    *n = 0;
    for (size_t i = 0; i < e.n; i++) {
        if (e.klen[i] != 8) {
            problem(p, "%s table: key of %zu bytes (expected 8)", what,
                    e.klen[i]);
            continue;
        }
        (*ids)[(*n)++] = tix__be64_get(ekey(&e, i));
    }
    p->c.records += *n;
    entries_free(&e);
    return TIX_OK;
}

/* Looks a key up. 1 found (value copied, up to 16 bytes), 0 missing, or a
 * negative code. */
static int lookup(tix_db *db, int table, const void *key, size_t klen,
                  uint8_t val[16], size_t *vlen)
{
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    MDB_val k = {klen, (void *)key}, v;
    int mrc = mdb_get(txn, db->dbi[table], &k, &v);
    if (mrc == 0) {
        *vlen = v.mv_size;
        memcpy(val, v.mv_data, v.mv_size < 16 ? v.mv_size : 16);
        rc = 1;
    } else if (mrc == MDB_NOTFOUND) {
        rc = 0;
    } else {
        rc = tix__mdb_err(mrc, "check lookup");
    }
    tix__db_read_end(db, txn);
    return rc;
}

static int table_entries(tix_db *db, int table, uint64_t *n)
{
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    MDB_stat st;
    int mrc = mdb_stat(txn, db->dbi[table], &st);
    tix__db_read_end(db, txn);
    if (mrc) return tix__mdb_err(mrc, "check stat");
    *n = st.ms_entries;
    return TIX_OK;
}

/* Record existence: 1, 0 or a negative code. */
static int exists(tix_db *db, int table, tix_id id)
{
    uint8_t key[8], val[16];
    size_t vlen;
    tix__be64_put(key, id);
    return lookup(db, table, key, 8, val, &vlen);
}

/* ------------------------------------------------------------------------ */
/* Index families                                                            */

/* An index entry a record should have. */
/* The entries a record should have, from its module's key builders. */
typedef tix__ixentry ikey;

#define MAX_KEYS 4

/* Builds the entries record @p id should have. Returns TIX_OK, 1 when the
 * record could not be read (a problem was reported or it vanished), or a
 * negative code that stops the check. */
typedef int (*keys_fn)(pass *p, tix_id id, ikey *k, size_t *n);

typedef struct family {
    const char *what;
    int table;
    keys_fn keys;
    int indexes[MAX_KEYS]; /* 1:1 indexes of this family, -1 ended */
    const tix__rectype *type; /* catalog records: keys from here */
} family;

static int rec_keys(pass *p, const tix__rectype *t, tix_id id, ikey *k,
                    size_t *n);

static int family_keys(pass *p, const family *f, tix_id id, ikey *k,
                       size_t *n)
{
    return f->type ? rec_keys(p, f->type, id, k, n) : f->keys(p, id, k, n);
}

/* The family a catalog descriptor describes. */
static family family_of(const tix__rectype *t)
{
    family f = {t->what, t->table, NULL, {-1, -1, -1, -1}, t};
    for (unsigned i = 0; i < t->n_indexes && i < MAX_KEYS; i++)
        f.indexes[i] = t->indexes[i].table;
    return f;
}

/* Reports a getter failure for record @p id; 1 to skip it, or the code
 * when it must stop the check (out of memory). */
static int get_failed(pass *p, int rc, const char *what, tix_id id)
{
    if (rc == TIX_ENOMEM) return rc;
    if (rc == TIX_ENOTFOUND) return 1; /* vanished: deleted meanwhile */
    problem(p, "%s %llu cannot be read: %s: %s", what, ull(id),
            tix_strerror(rc), tix_errmsg());
    return 1;
}

/* A reference from record @p what @p id to @p table: must exist. */
static int ref(pass *p, const char *what, tix_id id, const char *field,
               int table, tix_id target)
{
    int rc = exists(p->db, table, target);
    if (rc < 0) return rc;
    if (rc == 0)
        problem(p, "%s %llu: %s %llu does not exist", what, ull(id), field,
                ull(target));
    return TIX_OK;
}

/* The keys and references of a catalog record, from its descriptor: the
 * same key builders and rules its writes use (record.h). */
static int rec_keys(pass *p, const tix__rectype *t, tix_id id, ikey *k,
                    size_t *n)
{
    void *rec;
    int rc = tix__rec_get(p->db, t, id, &rec);
    if (rc) return get_failed(p, rc, t->what, id);
    *n = tix__rec_entries(t, rec, k);
    MDB_txn *txn;
    if ((rc = tix__db_read_begin(p->db, &txn)) == TIX_OK) {
        rc = tix__rec_rules(p->db, txn, t, rec);
        tix__db_read_end(p->db, txn);
        if (rc && rc != TIX_ENOMEM) {
            problem(p, "%s %llu: %s", t->what, ull(id), tix_errmsg());
            rc = TIX_OK;
        }
    }
    free(rec);
    return rc;
}

static int show_keys(pass *p, tix_id id, ikey *k, size_t *n)
{
    tix_show *s;
    int rc = tix_show_get(p->db, id, &s);
    if (rc) return get_failed(p, rc, "show", id);
    *n = tix__show_entries(s, k);
    rc = ref(p, "show", id, "movie_id", TIX_T_MOVIES, s->movie_id);
    if (rc == 0) rc = ref(p, "show", id, "venue_id", TIX_T_VENUES, s->venue_id);
    if (rc == 0) rc = ref(p, "show", id, "city_id", TIX_T_PLACES, s->city_id);
    if (rc == 0) {
        tix_screen *scr;
        int grc = tix_screen_get(p->db, s->screen_id, &scr);
        if (grc == TIX_OK) {
            if (scr->seat_count != s->seat_count)
                problem(p, "show %llu has %u seats, its screen %llu %u",
                        ull(id), s->seat_count, ull(s->screen_id),
                        scr->seat_count);
            if (scr->venue_id != s->venue_id)
                problem(p, "show %llu: venue %llu, but its screen %llu is in "
                        "venue %llu", ull(id), ull(s->venue_id),
                        ull(s->screen_id), ull(scr->venue_id));
            tix_screen_free(scr);
        } else if (grc == TIX_ENOMEM) {
            rc = grc;
        } else {
            problem(p, "show %llu: screen_id %llu: %s", ull(id),
                    ull(s->screen_id), tix_strerror(grc));
        }
    }
    tix_show_free(s);
    return rc;
}

/* Seat-state rows a confirmed booking must have, tickets it must have. */
static int booking_detail(pass *p, const tix_booking *b, uint64_t *rows)
{
    tix_show *s = NULL;
    int rc = tix_show_get(p->db, b->show_id, &s);
    if (rc == TIX_ENOMEM) return rc;
    uint32_t seat_count = rc == TIX_OK ? s->seat_count : UINT32_MAX;
    tix_show_free(s);
    for (size_t i = 0; i < b->n_seats; i++) {
        uint32_t seat = b->seats[i].seat;
        if (seat >= seat_count)
            problem(p, "booking %llu: seat %u beyond the %u seats of show "
                    "%llu", ull(b->id), seat, seat_count, ull(b->show_id));
        if (b->status != TIX_BOOKING_CONFIRMED) continue;
        uint8_t key[TIX__SHOW_SEAT_KEY_LEN], val[16];
        size_t vlen = 0;
        tix__show_seat_key(key, b->show_id, seat);
        rc = lookup(p->db, TIX_T_SEAT_STATE, key, sizeof key, val, &vlen);
        if (rc < 0) return rc;
        (*rows)++;
        if (rc == 0)
            problem(p, "booking %llu: seat %u of show %llu has no seat-state "
                    "row", ull(b->id), seat, ull(b->show_id));
        else if (vlen != 8 || tix__be64_get(val) != b->id)
            problem(p, "booking %llu: seat %u of show %llu is recorded for "
                    "booking %llu", ull(b->id), seat, ull(b->show_id),
                    vlen == 8 ? ull(tix__be64_get(val)) : 0ull);
    }
    for (size_t t = 0; t < b->n_tickets; t++) {
        uint8_t val[16];
        size_t vlen;
        rc = lookup(p->db, TIX_T_TICKETS, b->tickets[t].code,
                    TIX_TICKET_CODE_LEN, val, &vlen);
        if (rc < 0) return rc;
        if (rc == 0)
            problem(p, "booking %llu: ticket %s does not exist", ull(b->id),
                    b->tickets[t].code);
    }
    return TIX_OK;
}

static int booking_keys(pass *p, tix_id id, ikey *k, size_t *n)
{
    tix_booking *b;
    int rc = tix_booking_get(p->db, id, &b);
    if (rc) return get_failed(p, rc, "booking", id);
    *n = tix__booking_entries(id, b->user_id, b->show_id, b->payment_ref, k);
    if (b->status != TIX_BOOKING_CONFIRMED &&
        b->status != TIX_BOOKING_CANCELLED)
        problem(p, "booking %llu: unknown status %d", ull(id), (int)b->status);
    rc = ref(p, "booking", id, "user_id", TIX_T_USERS, b->user_id);
    if (rc == 0) rc = ref(p, "booking", id, "show_id", TIX_T_SHOWS, b->show_id);
    if (rc == 0 && !p->quiet) {
        rc = booking_detail(p, b, &p->booked_rows);
        p->tickets += b->n_tickets;
    }
    tix_booking_free(b);
    return rc;
}

static int review_keys(pass *p, tix_id id, ikey *k, size_t *n)
{
    tix_review *r;
    int rc = tix_review_get(p->db, id, &r);
    if (rc) return get_failed(p, rc, "review", id);
    *n = tix__review_entries(id, r->movie_id, r->user_id, r->helpful, k);
    rc = ref(p, "review", id, "movie_id", TIX_T_MOVIES, r->movie_id);
    if (rc == 0) rc = ref(p, "review", id, "user_id", TIX_T_USERS, r->user_id);
    tix_review_free(r);
    return rc;
}

static int offer_keys(pass *p, tix_id id, ikey *k, size_t *n)
{
    tix_offer *o;
    int rc = tix_offer_get(p->db, id, &o);
    if (rc) return get_failed(p, rc, "offer", id);
    *n = tix__offer_entries(o->code, k);
    tix_offer_free(o);
    return TIX_OK;
}

static const char *index_name(int index)
{
    switch (index) {
    case TIX_T_PLACES_BY_PARENT: return "places_by_parent";
    case TIX_T_VENUES_BY_CITY: return "venues_by_city";
    case TIX_T_SCREENS_BY_VENUE: return "screens_by_venue";
    case TIX_T_TIERS_BY_SCREEN: return "tiers_by_screen";
    case TIX_T_USERS_BY_EMAIL: return "users_by_email";
    case TIX_T_SHOWS_BY_SCREEN: return "shows_by_screen";
    case TIX_T_SHOWS_BY_CITY: return "shows_by_city";
    case TIX_T_SHOWS_BY_VENUE: return "shows_by_venue";
    case TIX_T_BOOKINGS_BY_USER: return "bookings_by_user";
    case TIX_T_BOOKINGS_BY_SHOW: return "bookings_by_show";
    case TIX_T_PAYREFS: return "payrefs";
    case TIX_T_REVIEWS_BY_USER: return "reviews_by_user";
    case TIX_T_REVIEWS_BY_TIME: return "reviews_by_time";
    case TIX_T_REVIEWS_BY_HELPFUL: return "reviews_by_helpful";
    case TIX_T_OFFERS_BY_CODE: return "offers_by_code";
    case TIX_T_COMMENTS_BY_REVIEW: return "comments_by_review";
    default: return "index";
    }
}

/* Verifies one expected entry. */
static int verify_key(pass *p, const char *what, tix_id id, const ikey *k)
{
    uint8_t val[16];
    size_t vlen = 0;
    int rc = lookup(p->db, k->index, k->key, k->klen, val, &vlen);
    if (rc < 0) return rc;
    p->c.index_entries++;
    if (rc == 0) {
        problem(p, "%s %llu has no %s entry", what, ull(id),
                index_name(k->index));
        return TIX_OK;
    }
    if (k->val_is_id) {
        if (vlen != 8 || tix__be64_get(val) != id)
            problem(p, "%s entry of %s %llu names %llu", index_name(k->index),
                    what, ull(id), vlen == 8 ? ull(tix__be64_get(val)) : 0ull);
    } else if (vlen != k->vlen ||
               (vlen && memcmp(val, k->val, vlen < 16 ? vlen : 16) != 0)) {
        problem(p, "%s entry of %s %llu has a wrong value",
                index_name(k->index), what, ull(id));
    }
    return TIX_OK;
}

static int id_cmp(const void *a, const void *b)
{
    tix_id x = *(const tix_id *)a, y = *(const tix_id *)b;
    return x < y ? -1 : x > y;
}

static int id_in(const tix_id *ids, size_t n, tix_id id)
{
    return bsearch(&id, ids, n, sizeof id, id_cmp) != NULL;
}

/* Id an index entry names: the 8-byte value, else the last 8 key bytes. */
static tix_id entry_id(const entries *e, size_t i, int val_is_id)
{
    if (val_is_id) return e->vlen[i] == 8 ? tix__be64_get(eval(e, i)) : 0;
    return e->klen[i] >= 8 ? tix__be64_get(ekey(e, i) + e->klen[i] - 8) : 0;
}

/* Backward: every entry of @p index names a record whose key it is. */
static int check_index_back(pass *p, const family *f, int index,
                            const tix_id *ids, size_t nids)
{
    entries e;
    int rc = collect(p->db, index, NULL, 0, &e);
    if (rc) return rc;
    ikey *k = malloc(MAX_KEYS * sizeof *k);
    if (!k) {
        entries_free(&e);
        return tix__err(TIX_ENOMEM, "out of memory");
    }
    int val_is_id = -1;
    for (size_t i = 0; i < e.n && rc == TIX_OK; i++) {
        /* Find how this index stores the id from the record's own keys:
         * by value for most, in the key's tail for the rest. */
        tix_id id = e.vlen[i] == 8 && val_is_id != 0
                        ? tix__be64_get(eval(&e, i))
                        : entry_id(&e, i, 0);
        if (!id_in(ids, nids, id)) {
            /* maybe the id is in the key tail after all */
            tix_id alt = entry_id(&e, i, 0);
            if (id_in(ids, nids, alt)) {
                id = alt;
            } else {
                int ex = exists(p->db, f->table, id);
                if (ex < 0) {
                    rc = ex;
                    break;
                }
                if (!ex) {
                    problem(p, "%s entry %zu names %s %llu, which does not "
                            "exist", index_name(index), i, f->what, ull(id));
                    continue;
                }
            }
        }
        size_t n = 0;
        p->quiet = 1; /* the forward pass reported this record already */
        int krc = family_keys(p, f, id, k, &n);
        p->quiet = 0;
        if (krc < 0) {
            rc = krc;
            break;
        }
        if (krc > 0) continue;
        int found = 0;
        for (size_t j = 0; j < n; j++)
            if (k[j].index == index && k[j].klen == e.klen[i] &&
                memcmp(k[j].key, ekey(&e, i), e.klen[i]) == 0) {
                found = 1;
                val_is_id = k[j].val_is_id;
            }
        if (!found)
            problem(p, "%s entry %zu names %s %llu, whose record does not "
                    "have that key (stale entry)", index_name(index), i,
                    f->what, ull(id));
    }
    free(k);
    entries_free(&e);
    return rc;
}

static int check_family(pass *p, const family *f, tix_id **ids_out,
                        size_t *n_out)
{
    tix_id *ids;
    size_t nids;
    int rc = collect_ids(p->db, f->table, &ids, &nids, p, f->what);
    if (rc) return rc;
    ikey *k = malloc(MAX_KEYS * sizeof *k);
    if (!k) {
        free(ids);
        return tix__err(TIX_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nids && rc == TIX_OK; i++) {
        size_t n = 0;
        int krc = family_keys(p, f, ids[i], k, &n);
        if (krc < 0) rc = krc;
        if (krc) continue;
        for (size_t j = 0; j < n && rc == TIX_OK; j++)
            rc = verify_key(p, f->what, ids[i], &k[j]);
    }
    free(k);
    qsort(ids, nids, sizeof *ids, id_cmp);
    for (int j = 0; j < MAX_KEYS && f->indexes[j] >= 0 && rc == TIX_OK; j++) {
        uint64_t n = 0;
        rc = table_entries(p->db, f->indexes[j], &n);
        if (rc == TIX_OK && n != nids)
            problem(p, "%s has %llu entries for %zu %ss",
                    index_name(f->indexes[j]), ull(n), nids, f->what);
        if (rc == TIX_OK) rc = check_index_back(p, f, f->indexes[j], ids, nids);
    }
    if (rc == TIX_OK && ids_out) {
        *ids_out = ids;
        *n_out = nids;
    } else {
        free(ids);
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Seats of the screens                                                      */

static int check_screen_seats(pass *p, const tix_id *screens, size_t n)
{
    uint64_t total = 0;
    for (size_t s = 0; s < n; s++) {
        tix_screen *scr;
        int rc = tix_screen_get(p->db, screens[s], &scr);
        if (rc == TIX_ENOMEM) return rc;
        if (rc) continue; /* reported by the family check */
        uint32_t want = scr->seat_count;
        tix_screen_free(scr);
        uint8_t prefix[8];
        tix__be64_put(prefix, screens[s]);
        entries e;
        if ((rc = collect(p->db, TIX_T_SEATS, prefix, 8, &e))) return rc;
        p->c.records += e.n;
        if (e.n != want)
            problem(p, "screen %llu: seat_count %u but %zu seat records",
                    ull(screens[s]), want, e.n);
        for (size_t i = 0; i < e.n; i++)
            if (e.klen[i] != TIX__SCREEN_SEAT_KEY_LEN ||
                tix__be32_get(ekey(&e, i) + 8) != i) {
                problem(p, "screen %llu: seat records are not numbered "
                        "0..%zu", ull(screens[s]), e.n - 1);
                break;
            }
        entries_free(&e);
        tix_seat_list *seats;
        rc = tix_seat_list_by_screen(p->db, screens[s], &seats);
        if (rc == TIX_ENOMEM) return rc;
        if (rc) {
            problem(p, "screen %llu: seats cannot be read: %s: %s",
                    ull(screens[s]), tix_strerror(rc), tix_errmsg());
            continue;
        }
        total += seats->count;
        tix_id last_tier = 0;
        for (size_t i = 0; i < seats->count && rc == TIX_OK; i++) {
            const tix_seat *st = &seats->items[i];
            /* Tier of the same screen (consecutive seats share tiers). */
            if (st->tier_id != last_tier) {
                tix_tier *t;
                int trc = tix_tier_get(p->db, st->tier_id, &t);
                if (trc == TIX_ENOMEM) rc = trc;
                else if (trc)
                    problem(p, "screen %llu seat %u: tier %llu: %s",
                            ull(screens[s]), st->index, ull(st->tier_id),
                            tix_strerror(trc));
                else {
                    if (t->screen_id != screens[s])
                        problem(p, "screen %llu seat %u: tier %llu belongs to "
                                "screen %llu", ull(screens[s]), st->index,
                                ull(st->tier_id), ull(t->screen_id));
                    tix_tier_free(t);
                }
                last_tier = st->tier_id;
            }
            /* The (row, number) index names this seat. */
            tix__ixentry le;
            tix__seat_label_entry(screens[s], st->row, st->number, st->index,
                                  &le);
            uint8_t val[16];
            size_t vlen = 0;
            int lrc = lookup(p->db, le.index, le.key, le.klen, val, &vlen);
            if (lrc < 0) rc = lrc;
            else if (lrc == 0)
                problem(p, "screen %llu seat %u (%s %u) has no seats_by_label "
                        "entry", ull(screens[s]), st->index, st->row,
                        st->number);
            else if (vlen != 4 || tix__be32_get(val) != st->index)
                problem(p, "seats_by_label: %s %u of screen %llu names seat "
                        "%u, expected %u", st->row, st->number,
                        ull(screens[s]), vlen == 4 ? tix__be32_get(val) : 0,
                        st->index);
            p->c.index_entries++;
        }
        tix_seat_list_free(seats);
        if (rc) return rc;
    }
    uint64_t labels = 0;
    int rc = table_entries(p->db, TIX_T_SEATS_BY_LABEL, &labels);
    if (rc == TIX_OK && labels != total)
        problem(p, "seats_by_label has %llu entries for %llu seats",
                ull(labels), ull(total));
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Seat-state rows and tickets, backward                                     */

static int check_seat_state(pass *p)
{
    entries e;
    int rc = collect(p->db, TIX_T_SEAT_STATE, NULL, 0, &e);
    if (rc) return rc;
    uint64_t booked = 0;
    tix_id show_id = 0;
    uint32_t seat_count = 0;
    int show_ok = 0;
    tix_id cached = 0;
    tix_booking *b = NULL;
    for (size_t i = 0; i < e.n && rc == TIX_OK; i++) {
        if (e.klen[i] != TIX__SHOW_SEAT_KEY_LEN || e.vlen[i] != 8) {
            problem(p, "seat_state entry %zu is malformed", i);
            continue;
        }
        tix_id show = tix__be64_get(ekey(&e, i));
        uint32_t seat = tix__be32_get(ekey(&e, i) + 8);
        uint64_t val = tix__be64_get(eval(&e, i));
        if (show != show_id) {
            show_id = show;
            tix_show *s;
            int grc = tix_show_get(p->db, show, &s);
            show_ok = grc == TIX_OK;
            seat_count = show_ok ? s->seat_count : 0;
            tix_show_free(s);
            if (grc == TIX_ENOMEM) {
                rc = grc;
                break;
            }
            if (!show_ok)
                problem(p, "seat_state rows of show %llu, which does not "
                        "exist", ull(show));
        }
        if (show_ok && seat >= seat_count)
            problem(p, "seat_state row for seat %u of show %llu, which has "
                    "%u seats", seat, ull(show), seat_count);
        if (val == TIX_SEAT_STATE_BLOCKED) continue;
        booked++;
        if (val != cached) {
            tix_booking_free(b);
            b = NULL;
            cached = val;
            int grc = tix_booking_get(p->db, val, &b);
            if (grc == TIX_ENOMEM) {
                rc = grc;
                break;
            }
            if (grc) b = NULL;
        }
        if (!b) {
            problem(p, "seat %u of show %llu is recorded for booking %llu, "
                    "which does not exist", seat, ull(show), ull(val));
            continue;
        }
        if (b->show_id != show)
            problem(p, "seat %u of show %llu is recorded for booking %llu of "
                    "show %llu", seat, ull(show), ull(val), ull(b->show_id));
        else if (b->status != TIX_BOOKING_CONFIRMED)
            problem(p, "seat %u of show %llu is recorded for cancelled "
                    "booking %llu", seat, ull(show), ull(val));
        else {
            int has = 0;
            for (size_t j = 0; j < b->n_seats && !has; j++)
                has = b->seats[j].seat == seat;
            if (!has)
                problem(p, "seat %u of show %llu is recorded for booking "
                        "%llu, which does not have it", seat, ull(show),
                        ull(val));
        }
    }
    tix_booking_free(b);
    entries_free(&e);
    p->c.index_entries += booked;
    if (rc == TIX_OK && booked != p->booked_rows)
        problem(p, "seat_state has %llu booked rows, confirmed bookings "
                "hold %llu seats", ull(booked), ull(p->booked_rows));
    return rc;
}

static int check_tickets(pass *p)
{
    entries e;
    int rc = collect(p->db, TIX_T_TICKETS, NULL, 0, &e);
    if (rc) return rc;
    if (e.n != p->tickets)
        problem(p, "tickets has %zu entries, bookings name %llu tickets", e.n,
                ull(p->tickets));
    p->c.index_entries += e.n;
    entries_free(&e);
    return TIX_OK;
}

/* ------------------------------------------------------------------------ */
/* seats.map regions                                                         */

typedef struct region {
    uint64_t base, words;
    tix_id show; /* 0 = free */
} region;

static int region_cmp(const void *a, const void *b)
{
    const region *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

static int check_regions(pass *p, const tix_id *shows, size_t nshows)
{
    entries live, freel;
    int rc = collect(p->db, TIX_T_REGIONS_BY_END, NULL, 0, &live);
    if (rc) return rc;
    if ((rc = collect(p->db, TIX_T_REGIONS_FREE, NULL, 0, &freel))) {
        entries_free(&live);
        return rc;
    }
    static const char next_key[] = "seatmap_next";
    uint8_t val[16];
    size_t vlen = 0;
    int lrc = lookup(p->db, TIX_T_META, next_key, sizeof next_key - 1, val,
                     &vlen);
    uint64_t next = lrc == 1 && vlen == 8 ? tix__be64_get(val) : 0;
    if (lrc < 0) rc = lrc;
    region *r = malloc((live.n + freel.n + 1) * sizeof *r);
    tix_id *have = malloc((live.n + 1) * sizeof *have);
    size_t nr = 0, nhave = 0;
    if (!r || !have) rc = tix__err(TIX_ENOMEM, "out of memory");
    for (size_t i = 0; i < live.n && rc == TIX_OK; i++) {
        if (live.klen[i] != 16 || live.vlen[i] != 16) {
            problem(p, "regions_by_end entry %zu is malformed", i);
            continue;
        }
        int64_t end = tix__be64_get_i(ekey(&live, i));
        tix_id show = tix__be64_get(ekey(&live, i) + 8);
        r[nr] = (region){tix__be64_get(eval(&live, i)),
                         tix__be64_get(eval(&live, i) + 8), show};
        have[nhave++] = show;
        /* A waiting room's (live, or left by a removed queue until its
         * show's region is reclaimed): only its place is checked. */
        if (show & TIX__QUEUE_REGION_BIT) {
            nr++;
            continue;
        }
        MDB_txn *txn;
        tix__show_info info;
        if ((rc = tix__db_read_begin(p->db, &txn))) break;
        int src = tix__show_read(p->db, txn, show, &info);
        tix__db_read_end(p->db, txn);
        if (src == TIX_ENOTFOUND)
            problem(p, "region at word %llu belongs to show %llu, which does "
                    "not exist", ull(r[nr].base), ull(show));
        else if (src)
            problem(p, "show %llu cannot be read: %s", ull(show),
                    tix_strerror(src));
        else if (info.seat_base != r[nr].base ||
                 ((uint64_t)info.seat_count + TIX_REGION_HDR_WORDS !=
                      r[nr].words &&
                  (uint64_t)info.seat_count + TIX_REGION_HDR_WORDS +
                          tix__region_chan_words(info.seat_count) !=
                      r[nr].words) ||
                 info.end != end)
            problem(p, "region of show %llu (word %llu, %llu words) does not "
                    "match the show (word %llu, %u seats)", ull(show),
                    ull(r[nr].base), ull(r[nr].words), ull(info.seat_base),
                    info.seat_count);
        nr++;
    }
    for (size_t i = 0; i < freel.n && rc == TIX_OK; i++) {
        if (freel.klen[i] != 16) {
            problem(p, "regions_free entry %zu is malformed", i);
            continue;
        }
        r[nr++] = (region){tix__be64_get(ekey(&freel, i) + 8),
                           tix__be64_get(ekey(&freel, i)), 0};
    }
    if (rc == TIX_OK) {
        qsort(r, nr, sizeof *r, region_cmp);
        for (size_t i = 0; i < nr; i++) {
            if (r[i].base + r[i].words > next)
                problem(p, "region at word %llu (%llu words) lies beyond the "
                        "allocated %llu words", ull(r[i].base),
                        ull(r[i].words), ull(next));
            if (i + 1 < nr && r[i].base + r[i].words > r[i + 1].base)
                problem(p, "seats.map regions overlap: word %llu (%s %llu) "
                        "and word %llu (%s %llu)", ull(r[i].base),
                        r[i].show ? "show" : "free", ull(r[i].show),
                        ull(r[i + 1].base), r[i + 1].show ? "show" : "free",
                        ull(r[i + 1].show));
        }
        /* Every show not yet past reclaim has its region. */
        qsort(have, nhave, sizeof *have, id_cmp);
        int64_t now = tix_db_now(p->db);
        for (size_t i = 0; i < nshows && rc == TIX_OK; i++) {
            if (id_in(have, nhave, shows[i])) continue;
            MDB_txn *txn;
            tix__show_info info;
            if ((rc = tix__db_read_begin(p->db, &txn))) break;
            int src = tix__show_read(p->db, txn, shows[i], &info);
            tix__db_read_end(p->db, txn);
            if (src == TIX_OK &&
                now < info.end + (int64_t)p->db->cfg.reclaim_after)
                problem(p, "show %llu has no seats.map region record",
                        ull(shows[i]));
        }
    }
    free(r);
    free(have);
    entries_free(&live);
    entries_free(&freel);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* seats.map against LMDB                                                    */

static const char *word_name(unsigned s)
{
    switch (s) {
    case TIX_W_FREE: return "FREE";
    case TIX_W_HELD: return "HELD";
    case TIX_W_CONFIRMING: return "CONFIRMING";
    case TIX_W_BOOKED: return "BOOKED";
    case TIX_W_BLOCKED: return "BLOCKED";
    default: return "INVALID";
    }
}

/* 0 when @p w agrees with the LMDB truth @p t, else 1. */
static int word_agrees(uint64_t w, uint64_t t)
{
    unsigned ws = tix__w_state(w), ts = tix__w_state(t);
    if (ws == TIX_W_CONFIRMING) return 1; /* in flight: judged by caller */
    switch (ts) {
    case TIX_W_BOOKED:
        return ws == TIX_W_BOOKED && tix__w_tag(w) == tix__w_tag(t);
    case TIX_W_BLOCKED: return ws == TIX_W_BLOCKED;
    default: return ws == TIX_W_FREE || ws == TIX_W_HELD;
    }
}

/* Channel @p ch exists: 1, 0, or a negative code; @p known caches the
 * answer per channel (0 unknown, 1 exists, 2 missing). */
static int channel_known(tix_db *db, MDB_txn *txn, unsigned ch, uint8_t known[])
{
    if (!known[ch]) {
        uint8_t key[8];
        tix__be64_put(key, ch);
        MDB_val k = {8, key}, v;
        int mrc = mdb_get(txn, db->dbi[TIX_T_CHANNELS], &k, &v);
        if (mrc && mrc != MDB_NOTFOUND) return tix__mdb_err(mrc, "channels");
        known[ch] = mrc ? 2 : 1;
    }
    return known[ch] == 1;
}

/* The show's channel_seats rows, as each seat's channel, into @p want
 * (zeroed, one byte per seat); bad rows are problems. */
static int channel_rows(pass *p, MDB_txn *txn, const tix__show_entry *e,
                        uint8_t *want)
{
    tix_id show = e->info.id;
    uint8_t prefix[8], known[TIX_CHANNEL_MAX + 1] = {0};
    tix__be64_put(prefix, show);
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, p->db->dbi[TIX_T_CHANNEL_SEATS], &cur);
    if (mrc) return tix__mdb_err(mrc, "channel seats");
    MDB_val k = {8, prefix}, v;
    int rc = TIX_OK;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         mrc == 0 && rc >= 0 && k.mv_size >= 8 &&
         memcmp(k.mv_data, prefix, 8) == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *kd = k.mv_data;
        unsigned ch = v.mv_size == 1 ? *(const uint8_t *)v.mv_data : 0;
        uint32_t seat = k.mv_size == 12 ? tix__be32_get(kd + 8) : UINT32_MAX;
        if (seat >= e->info.seat_count || ch == 0) {
            problem(p, "show %llu: a channel_seats row (key %zu bytes, value "
                    "%zu) names no seat of the show or no channel",
                    ull(show), k.mv_size, v.mv_size);
            continue;
        }
        want[seat] = (uint8_t)ch;
        if ((rc = channel_known(p->db, txn, ch, known)) == 0)
            problem(p, "show %llu seat %u: channel_seats names channel %u, "
                    "which does not exist", ull(show), seat, ch);
    }
    mdb_cursor_close(cur);
    if (rc < 0) return rc;
    return mrc == MDB_NOTFOUND || mrc == 0 ? TIX_OK
                                           : tix__mdb_err(mrc, "channel seats");
}

/* The seats' channel bytes in seats.map against LMDB's channel_seats. A
 * move commits its rows, then writes the bytes: a pass caught between the
 * two sees a difference the next pass does not. */
static int check_show_channels(pass *p, MDB_txn *txn, const tix__show_entry *e)
{
    uint32_t n = e->info.seat_count;
    uint8_t *want = calloc(n ? n : 1, 1);
    if (!want) return tix__err(TIX_ENOMEM, "out of memory");
    int rc = channel_rows(p, txn, e, want);
    uint64_t rows = 0;
    for (uint32_t i = 0; rc == TIX_OK && i < n; i++) {
        rows += want[i] != 0;
        unsigned got = e->chan ? atomic_load_explicit(&e->chan->seat[i],
                                                      memory_order_acquire)
                               : 0;
        if (got != want[i])
            problem(p, "show %llu seat %u: seats.map says channel %u, LMDB "
                    "says channel %u", ull(e->info.id), i, got, want[i]);
    }
    free(want);
    if (rc == TIX_OK && e->chan) {
        uint64_t counted = atomic_load_explicit(&e->chan->assigned,
                                                memory_order_acquire);
        if (counted != rows)
            problem(p, "show %llu: seats.map counts %llu channel seats, LMDB "
                    "has %llu", ull(e->info.id), ull(counted), ull(rows));
    }
    return rc;
}

static int check_show_map(pass *p, tix_id show)
{
    const tix__show_entry *e;
    int rc = tix__engine_show(p->db, show, &e);
    if (rc == TIX_ESTATE) {
        p->c.shows_retired++;
        return TIX_OK;
    }
    if (rc == TIX_ENOMEM) return rc;
    if (rc == TIX_ENOTFOUND) return TIX_OK; /* reported elsewhere */
    if (rc) {
        problem(p, "show %llu: seats.map region cannot be used: %s: %s",
                ull(show), tix_strerror(rc), tix_errmsg());
        return TIX_OK;
    }
    p->c.shows++;
    uint32_t now = tix__engine_now(p->db);
    MDB_txn *txn;
    if ((rc = tix__db_read_begin(p->db, &txn))) return rc;
    for (uint32_t i = 0; i < e->info.seat_count && rc == TIX_OK; i++) {
        /* Word first, then LMDB: a word BOOKED or BLOCKED was committed
         * before this snapshot began... unless a cancel/unblock came in
         * between, which another pass tells apart. */
        uint64_t w = tix__w_load(&e->seats[i]), t;
        rc = tix__engine_truth(p->db, txn, e, i, &t);
        if (rc) break;
        p->c.seats++;
        unsigned ws = tix__w_state(w);
        if (ws == TIX_W_HELD && tix__w_held_live(w, now)) p->c.held++;
        if (ws == TIX_W_CONFIRMING) {
            if (tix__w_needs_repair(w, now)) p->c.stale++;
            else p->c.confirming++;
            continue;
        }
        if (!word_agrees(w, t)) {
            char extra[64] = "";
            if (tix__w_state(t) == TIX_W_BOOKED)
                snprintf(extra, sizeof extra, " (booking tag %u)",
                         tix__w_tag(t));
            problem(p, "show %llu seat %u: seats.map says %s%s, LMDB says "
                    "%s%s", ull(show), i, word_name(ws),
                    ws == TIX_W_BOOKED ? " with another booking" : "",
                    word_name(tix__w_state(t)), extra);
        }
    }
    if (rc == TIX_OK) rc = check_show_channels(p, txn, e);
    tix__db_read_end(p->db, txn);
    /* Region header: marker and show id. */
    uint64_t marker = tix__w_load(e->seats - 2);
    uint64_t id = tix__w_load(e->seats - 1);
    if (id != show || marker != ((1ull << 63) | show))
        problem(p, "show %llu: its seats.map region header names show %llu "
                "(marker 0x%llx)", ull(show), ull(id), ull(marker));
    return rc;
}

/* ------------------------------------------------------------------------ */
/* A pass                                                                    */

static int run_pass(pass *p)
{
    static const tix__rectype *const catalog[] = {
        &tix__place_type, &tix__venue_type, &tix__screen_type,
        &tix__tier_type, &tix__movie_type, &tix__user_type, &tix__area_type,
        &tix__channel_type};
    enum { N_CATALOG = sizeof catalog / sizeof *catalog };
    static const family others[] = {
        {"show", TIX_T_SHOWS, show_keys,
         {TIX_T_SHOWS_BY_SCREEN, TIX_T_SHOWS_BY_CITY, TIX_T_SHOWS_BY_VENUE, -1},
         NULL},
        {"booking", TIX_T_BOOKINGS, booking_keys,
         {TIX_T_BOOKINGS_BY_USER, TIX_T_BOOKINGS_BY_SHOW, TIX_T_PAYREFS, -1},
         NULL},
        {"review", TIX_T_REVIEWS, review_keys,
         {TIX_T_REVIEWS_BY_USER, TIX_T_REVIEWS_BY_TIME,
          TIX_T_REVIEWS_BY_HELPFUL, -1}, NULL},
        {"offer", TIX_T_OFFERS, offer_keys, {TIX_T_OFFERS_BY_CODE, -1}, NULL},
    };
    tix_id *screens = NULL, *shows = NULL;
    size_t nscreens = 0, nshows = 0;
    int rc = TIX_OK;
    size_t nfam = N_CATALOG + sizeof others / sizeof *others;
    for (size_t i = 0; i < nfam && rc == TIX_OK; i++) {
        family f = i < N_CATALOG ? family_of(catalog[i])
                                 : others[i - N_CATALOG];
        tix_id **keep = f.table == TIX_T_SCREENS ? &screens
                        : f.table == TIX_T_SHOWS ? &shows
                                                 : NULL;
        size_t *nkeep = keep == &screens ? &nscreens : &nshows;
        rc = check_family(p, &f, keep, nkeep);
    }
    /* Comments: every entry of the by-review index names a comment. */
    if (rc == TIX_OK) {
        tix_id *ids;
        size_t n;
        rc = collect_ids(p->db, TIX_T_COMMENTS, &ids, &n, p, "comment");
        if (rc == TIX_OK) {
            qsort(ids, n, sizeof *ids, id_cmp);
            entries e;
            rc = collect(p->db, TIX_T_COMMENTS_BY_REVIEW, NULL, 0, &e);
            if (rc == TIX_OK) {
                if (e.n != n)
                    problem(p, "comments_by_review has %zu entries for %zu "
                            "comments", e.n, n);
                for (size_t i = 0; i < e.n; i++) {
                    tix_id id = entry_id(&e, i, 0);
                    if (!id_in(ids, n, id) && exists(p->db, TIX_T_COMMENTS, id) == 0)
                        problem(p, "comments_by_review entry %zu names comment "
                                "%llu, which does not exist", i, ull(id));
                }
                p->c.index_entries += e.n;
                entries_free(&e);
            }
            free(ids);
        }
    }
    if (rc == TIX_OK) rc = check_screen_seats(p, screens, nscreens);
    if (rc == TIX_OK) rc = check_seat_state(p);
    if (rc == TIX_OK) rc = check_tickets(p);
    if (rc == TIX_OK) rc = check_regions(p, shows, nshows);
    for (size_t i = 0; i < nshows && rc == TIX_OK; i++) {
        if (!p->db->engine) {
            p->c.shows_retired++;
            continue;
        }
        rc = check_show_map(p, shows[i]);
    }
    free(screens);
    free(shows);
    return rc;
}

static int msg_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keeps in @p acc only the problems @p next also found. */
static void intersect(pass *acc, pass *next)
{
    qsort(next->msg, next->n, sizeof *next->msg, msg_cmp);
    size_t kept = 0;
    for (size_t i = 0; i < acc->n; i++) {
        if (bsearch(&acc->msg[i], next->msg, next->n, sizeof *next->msg,
                    msg_cmp))
            acc->msg[kept++] = acc->msg[i];
        else
            free(acc->msg[i]);
    }
    acc->n = kept;
    if (next->dropped < acc->dropped) acc->dropped = next->dropped;
}

int tix_db_check(tix_db *db, tix_check_fn fn, void *ctx,
                 tix_check_counts *out)
{
    TIX__ARG(db);
    tix_check_counts ignored;
    if (!out) out = &ignored;
    memset(out, 0, sizeof *out);
    pass acc = {.db = db};
    int rc = run_pass(&acc);
    acc.c.passes = 1;
    for (int i = 1; rc == TIX_OK && i < MAX_PASSES && (acc.n || acc.dropped);
         i++) {
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
        pass next = {.db = db};
        rc = run_pass(&next);
        if (rc == TIX_OK) intersect(&acc, &next);
        pass_free(&next);
        acc.c.passes++;
    }
    if (rc == TIX_OK) {
        for (size_t i = 0; i < acc.n; i++)
            if (fn) fn(ctx, acc.msg[i]);
        if (acc.dropped && fn) {
            char buf[96];
            snprintf(buf, sizeof buf, "... and %llu more problems",
                     ull(acc.dropped));
            fn(ctx, buf);
        }
        acc.c.problems = acc.n + acc.dropped;
        *out = acc.c;
    }
    pass_free(&acc);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Store statistics                                                          */

static uint64_t file_bytes(const char *dir, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return 0;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

int tix_db_stat(tix_db *db, tix_db_stats *out)
{
    if (!db || !out) return tix__err(TIX_EINVAL, "NULL argument");
    memset(out, 0, sizeof *out);
    out->data_file_bytes = file_bytes(db->path, "data.mdb");
    out->seatmap_file_bytes = file_bytes(db->path, "seats.map");
    out->seatmap_reserve = db->engine ? db->engine->map.reserve : 0;
    out->map_size_max = db->cfg.map_size_max;
    MDB_envinfo info;
    MDB_stat est;
    mdb_env_info(db->env, &info);
    mdb_env_stat(db->env, &est);
    out->map_size = info.me_mapsize;
    out->page_size = est.ms_psize;
    out->pages_used = (uint64_t)info.me_last_pgno + 1;
    out->last_txn = info.me_last_txnid;
    out->readers_max = info.me_maxreaders;
    out->readers_used = info.me_numreaders;

    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    /* Named tables are the keys of LMDB's main table. */
    MDB_dbi main;
    MDB_cursor *cur = NULL;
    int mrc = mdb_dbi_open(txn, NULL, 0, &main);
    if (mrc == 0) mrc = mdb_cursor_open(txn, main, &cur);
    MDB_val k, v;
    if (mrc == 0) mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (mrc == 0 && out->n_tables < sizeof out->tables / sizeof *out->tables) {
        tix_table_stat *t = &out->tables[out->n_tables];
        size_t n = k.mv_size < sizeof t->name - 1 ? k.mv_size : sizeof t->name - 1;
        memcpy(t->name, k.mv_data, n);
        t->name[n] = 0;
        MDB_dbi dbi;
        MDB_stat st;
        if (memchr(t->name, 0, n) == NULL &&
            mdb_dbi_open(txn, t->name, 0, &dbi) == 0 &&
            mdb_stat(txn, dbi, &st) == 0) {
            t->entries = st.ms_entries;
            t->pages = st.ms_branch_pages + st.ms_leaf_pages +
                       st.ms_overflow_pages;
            t->depth = st.ms_depth;
            out->n_tables++;
        }
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (cur) mdb_cursor_close(cur);
    if (mrc && mrc != MDB_NOTFOUND) rc = tix__mdb_err(mrc, "table list");

    static const char next_key[] = "seatmap_next";
    MDB_val nk = {sizeof next_key - 1, (void *)next_key}, nv;
    if (rc == 0 && mdb_get(txn, db->dbi[TIX_T_META], &nk, &nv) == 0 &&
        nv.mv_size == 8)
        out->seatmap_words = tix__be64_get(nv.mv_data);
    for (int pass_ = 0; pass_ < 2 && rc == 0; pass_++) {
        int table = pass_ ? TIX_T_REGIONS_FREE : TIX_T_REGIONS_BY_END;
        MDB_cursor *c;
        if ((mrc = mdb_cursor_open(txn, db->dbi[table], &c))) {
            rc = tix__mdb_err(mrc, "regions");
            break;
        }
        mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
        while (mrc == 0) {
            if (pass_ && k.mv_size == 16) {
                out->regions_free++;
                out->regions_free_words += tix__be64_get(k.mv_data);
            } else if (!pass_ && v.mv_size == 16) {
                out->regions_live++;
                out->regions_live_words +=
                    tix__be64_get((const uint8_t *)v.mv_data + 8);
            }
            mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
        }
        mdb_cursor_close(c);
        if (mrc != MDB_NOTFOUND) rc = tix__mdb_err(mrc, "regions");
    }
    tix__db_read_end(db, txn);
    return rc;
}
