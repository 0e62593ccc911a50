/* Shows: a movie on a screen at a time, with the three indexes that find
 * them and the seats.map region their seats live in.
 *
 * Record (TIX_REC_SHOW, version 1), fixed width so the seat engine decodes
 * it without allocating:
 *   u64 id | u64 movie | u64 screen | u64 venue | u64 city |
 *   i64 start | i64 end | u32 local_date | u32 seat_count | u64 seat_base
 * version 2 appends: i64 cancelled_at (0 = not cancelled; see
 * tix_show_cancel in lib/sell/cancel.c, which owns the seats side).
 * venue, city, local date and seat count are copied in at creation: a
 * screen's layout is frozen once it has shows and venues never move, so
 * the copies cannot go stale, and listings need no joins.
 *
 * Indexes (times are tix__be64_put_i so they sort as signed numbers):
 *   TIX_T_SHOWS_BY_SCREEN  screen, start, id -> end   (overlap check)
 *   TIX_T_SHOWS_BY_CITY    city, date, movie, start, id -> ""
 *   TIX_T_SHOWS_BY_VENUE   venue, date, start, id -> "" */
#include "show.h"
#include "tables.h"

#include <stdlib.h>
#include <string.h>

#include "region.h"
#include "error.h"
#include "tz.h"
#include "movie.h"
#include "place.h"
#include "screen.h"
#include "table.h"
#include "venue.h"

#define SHOW_VERSION 2
#define DAY_SECONDS 86400
/* Shows may start from 2000-01-01T00:00Z up to (not at) 2100-01-01T00:00Z. */
#define START_MIN_YEAR 2000
#define START_END_YEAR 2100
/* No show lasts longer than this: bounds the overlap scan. */
#define SHOW_SECONDS_MAX ((int64_t)TIX__MOVIE_DURATION_MAX * 60)

/* ---- civil dates (lib/base/tz.c has the calendar) ------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

uint32_t tix__show_local_date(int64_t t, int32_t utc_offset_min)
{
    int64_t local = t + (int64_t)utc_offset_min * 60;
    return tix__tz_civil_from_days(floor_div(local, DAY_SECONDS));
}

/* 1 when @p date is a real YYYYMMDD calendar date. */
static int date_valid(uint32_t date)
{
    int y = (int)(date / 10000), m = (int)(date / 100 % 100),
        d = (int)(date % 100);
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31) return 0;
    return tix__tz_civil_from_days(tix__tz_days_from_civil(y, m, d)) == date;
}

/* ---- record ---------------------------------------------------------- */

static int show_encode(const tix__show_info *s, uint32_t local_date,
                       tix_enc *e)
{
    tix__enc_init(e, TIX_REC_SHOW, SHOW_VERSION);
    tix__enc_u64(e, s->id);
    tix__enc_u64(e, s->movie_id);
    tix__enc_u64(e, s->screen_id);
    tix__enc_u64(e, s->venue_id);
    tix__enc_u64(e, s->city_id);
    tix__enc_i64(e, s->start);
    tix__enc_i64(e, s->end);
    tix__enc_u32(e, local_date);
    tix__enc_u32(e, s->seat_count);
    tix__enc_u64(e, s->seat_base);
    tix__enc_i64(e, s->cancelled_at);
    int rc = tix__enc_finish(e);
    if (rc) tix__enc_free(e);
    return rc;
}

static int show_unpack(const MDB_val *v, tix__show_info *s,
                       uint32_t *local_date)
{
    tix_dec d;
    int rc = tix__dec_init(&d, v->mv_data, v->mv_size, TIX_REC_SHOW,
                           SHOW_VERSION);
    if (rc) return rc;
    s->id = tix__dec_u64(&d);
    s->movie_id = tix__dec_u64(&d);
    s->screen_id = tix__dec_u64(&d);
    s->venue_id = tix__dec_u64(&d);
    s->city_id = tix__dec_u64(&d);
    s->start = tix__dec_i64(&d);
    s->end = tix__dec_i64(&d);
    *local_date = tix__dec_u32(&d);
    s->seat_count = tix__dec_u32(&d);
    s->seat_base = tix__dec_u64(&d);
    s->cancelled_at = d.version >= 2 ? tix__dec_i64(&d) : 0;
    return tix__dec_finish(&d);
}

static int show_decode(const MDB_val *val, void *item, tix_bump *b)
{
    (void)b; /* a show has no strings */
    tix__show_info s;
    uint32_t date = 0;
    int rc = show_unpack(val, &s, &date);
    if (rc) return rc;
    *(tix_show *)item = (tix_show){
        .id = s.id, .movie_id = s.movie_id, .screen_id = s.screen_id,
        .start = s.start, .end = s.end, .venue_id = s.venue_id,
        .city_id = s.city_id, .local_date = date, .seat_count = s.seat_count,
        .flags = s.cancelled_at ? TIX_SHOW_CANCELLED : 0};
    return TIX_OK;
}

int tix__show_read(tix_db *db, MDB_txn *txn, tix_id id, tix__show_info *out)
{
    MDB_val v;
    int rc = tix__db_get_id(db, txn, TIX_T_SHOWS, id, &v, "show");
    uint32_t date = 0;
    return rc ? rc : show_unpack(&v, out, &date);
}

int tix__show_mark_cancelled(tix_db *db, MDB_txn *txn, tix_id id,
                             int64_t at)
{
    MDB_val v;
    int rc = tix__db_get_id(db, txn, TIX_T_SHOWS, id, &v, "show");
    tix__show_info s;
    uint32_t date = 0;
    if (rc == TIX_OK) rc = show_unpack(&v, &s, &date);
    if (rc) return rc;
    if (s.cancelled_at)
        return tix__err(TIX_EALREADY, "show %llu is already cancelled",
                        (unsigned long long)id);
    s.cancelled_at = at;
    tix_enc e;
    if ((rc = show_encode(&s, date, &e))) return rc;
    rc = tix__db_put_id(db, txn, TIX_T_SHOWS, id, &e, "show");
    tix__enc_free(&e);
    return rc;
}

int tix__show_of_movie(tix_db *db, MDB_txn *txn, tix_id movie, tix_id *show)
{
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[TIX_T_SHOWS], &cur);
    if (mrc) return tix__mdb_err(mrc, "shows");
    MDB_val k, v;
    int rc = TIX_OK, found = 0;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (mrc == 0 && rc == TIX_OK && !found) {
        tix__show_info s;
        uint32_t date;
        rc = show_unpack(&v, &s, &date);
        found = rc == TIX_OK && s.movie_id == movie;
        if (found) *show = s.id;
        else if (rc == TIX_OK) mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    if (found) return 1;
    return mrc && mrc != MDB_NOTFOUND ? tix__mdb_err(mrc, "shows") : 0;
}

/* ---- the by-screen index ---------------------------------------------- */

#define SCREEN_KEY_LEN 24 /* screen, start, id */

static void screen_key(uint8_t *k, tix_id screen, int64_t start, tix_id id)
{
    tix__be64_put(k, screen);
    tix__be64_put_i(k + 8, start);
    tix__be64_put(k + 16, id);
}

int tix__show_any_on_screen(tix_db *db, MDB_txn *txn, tix_id screen_id)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, db->dbi[TIX_T_SHOWS_BY_SCREEN], &cur);
    if (rc) return tix__mdb_err(rc, "shows by screen");
    uint8_t prefix[8];
    tix__be64_put(prefix, screen_id);
    MDB_val k = {sizeof prefix, prefix}, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    int found = rc == 0 && k.mv_size >= 8 && memcmp(k.mv_data, prefix, 8) == 0;
    mdb_cursor_close(cur);
    if (rc && rc != MDB_NOTFOUND) return tix__mdb_err(rc, "shows by screen");
    return found;
}

/* One by-screen entry met by the overlap scan: TIX_OK to go on, 1 once
 * the scan is past the range, TIX_EOVERLAP naming the show in the way. */
static int overlap_entry(const MDB_val *k, const MDB_val *v, tix_id screen,
                         int64_t start, int64_t end, int64_t buffer,
                         tix_id self)
{
    const uint8_t *kp = k->mv_data;
    if (k->mv_size != SCREEN_KEY_LEN || v->mv_size != 8)
        return tix__err(TIX_ECORRUPT, "shows-by-screen entry is malformed");
    int64_t other_start = tix__be64_get_i(kp + 8);
    if (tix__be64_get(kp) != screen || other_start >= end + buffer) return 1;
    int64_t other_end = tix__be64_get_i(v->mv_data);
    if (other_end + buffer <= start || tix__be64_get(kp + 16) == self)
        return TIX_OK;
    return tix__err(TIX_EOVERLAP, "start %lld overlaps show %llu on screen "
                    "%llu (%lld..%lld) with the %lld s cleaning buffer",
                    (long long)start, (unsigned long long)tix__be64_get(kp + 16),
                    (unsigned long long)screen, (long long)other_start,
                    (long long)other_end, (long long)buffer);
}

/* Rejects [start, end) when a show on the screen other than @p self (0 for
 * a new show) starts before end + buffer and ends after start - buffer. Shows never last longer than a day, so only
 * shows starting from start - buffer - SHOW_SECONDS_MAX can reach: one short
 * range scan of the index instead of a walk over the screen's history. */
static int overlap_check(tix_db *db, MDB_txn *txn, tix_id screen,
                         int64_t start, int64_t end, int64_t buffer,
                         tix_id self)
{
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[TIX_T_SHOWS_BY_SCREEN], &cur);
    if (mrc) return tix__mdb_err(mrc, "shows by screen");
    uint8_t from[SCREEN_KEY_LEN];
    screen_key(from, screen, start - buffer - SHOW_SECONDS_MAX, 0);
    MDB_val k = {sizeof from, from}, v;
    int rc = TIX_OK;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (mrc == 0 && rc == TIX_OK) {
        rc = overlap_entry(&k, &v, screen, start, end, buffer, self);
        if (rc == TIX_OK) mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == 1) return TIX_OK;
    if (rc) return rc;
    return mrc && mrc != MDB_NOTFOUND ? tix__mdb_err(mrc, "shows by screen")
                                      : TIX_OK;
}

/* ---- create ----------------------------------------------------------- */

/* Fills everything a new show derives from its movie, screen, venue and
 * city; checks the references on the way. */
static int show_derive(tix_db *db, MDB_txn *txn, tix__show_info *s,
                       uint32_t *local_date)
{
    uint32_t dur;
    int rc = tix__movie_duration(db, txn, s->movie_id, &dur);
    if (rc) return tix__table_ref_err(rc, "movie_id", s->movie_id);
    tix_screen scr;
    if ((rc = tix__screen_read(db, txn, s->screen_id, &scr)))
        return tix__table_ref_err(rc, "screen_id", s->screen_id);
    if (scr.seat_count == 0)
        return tix__err(TIX_EINVAL, "screen_id %llu has no seats",
                        (unsigned long long)s->screen_id);
    s->venue_id = scr.venue_id;
    s->seat_count = scr.seat_count;
    /* A screen's venue and a venue's city always exist; if not, the
     * callee's "venue 3 not found" message stands. */
    if ((rc = tix__venue_read(db, txn, s->venue_id, &s->city_id))) return rc;
    int32_t offset;
    if ((rc = tix__place_offset_at(db, txn, s->city_id, s->start, &offset)))
        return rc;
    s->end = s->start + (int64_t)dur * 60;
    *local_date = tix__show_local_date(s->start, offset);
    return TIX_OK;
}

/* Key of TIX_T_SHOWS_BY_CITY; its first 12 (20) bytes are the prefix of
 * a city's shows on a date (of one movie). */
#define CITY_KEY_LEN 36 /* city, date, movie, start, id */
static void city_key(uint8_t *k, tix_id city, uint32_t date, tix_id movie,
                     int64_t start, tix_id id)
{
    tix__be64_put(k, city);
    tix__be32_put(k + 8, date);
    tix__be64_put(k + 12, movie);
    tix__be64_put_i(k + 20, start);
    tix__be64_put(k + 28, id);
}

/* Key of TIX_T_SHOWS_BY_VENUE; its first 12 bytes are the prefix of a
 * venue's shows on a date. */
#define VENUE_KEY_LEN 28 /* venue, date, start, id */
static void venue_key(uint8_t *k, tix_id venue, uint32_t date, int64_t start,
                      tix_id id)
{
    tix__be64_put(k, venue);
    tix__be32_put(k + 8, date);
    tix__be64_put_i(k + 12, start);
    tix__be64_put(k + 20, id);
}

size_t tix__show_entries(const tix_show *s, tix__ixentry e[3])
{
    e[0] = (tix__ixentry){.index = TIX_T_SHOWS_BY_SCREEN,
                          .klen = SCREEN_KEY_LEN, .vlen = 8};
    screen_key(e[0].key, s->screen_id, s->start, s->id);
    tix__be64_put_i(e[0].val, s->end);
    e[1] = (tix__ixentry){.index = TIX_T_SHOWS_BY_CITY, .klen = CITY_KEY_LEN};
    city_key(e[1].key, s->city_id, s->local_date, s->movie_id, s->start,
             s->id);
    e[2] = (tix__ixentry){.index = TIX_T_SHOWS_BY_VENUE,
                          .klen = VENUE_KEY_LEN};
    venue_key(e[2].key, s->venue_id, s->local_date, s->start, s->id);
    return 3;
}

/* The show's three index entries, put (@p put) or deleted: what create
 * writes and a move takes away and writes again. */
static int show_index_set(tix_db *db, MDB_txn *txn, const tix__show_info *s,
                          uint32_t date, int put)
{
    tix_show pub = {.id = s->id, .movie_id = s->movie_id,
                    .screen_id = s->screen_id, .venue_id = s->venue_id,
                    .city_id = s->city_id, .start = s->start, .end = s->end,
                    .local_date = date};
    tix__ixentry e[3];
    size_t n = tix__show_entries(&pub, e);
    int rc = TIX_OK;
    for (size_t i = 0; i < n && rc == TIX_OK; i++) {
        rc = put ? tix__db_put(db, txn, e[i].index, e[i].key, e[i].klen,
                               e[i].val, e[i].vlen, 0, "show index")
                 : tix__db_del(db, txn, e[i].index, e[i].key, e[i].klen,
                               "show index");
        if (!put && rc == TIX_ENOTFOUND)
            rc = tix__err(TIX_ECORRUPT, "show %llu is missing from its index",
                          (unsigned long long)s->id);
    }
    return rc;
}

struct show_write {
    const tix_show *in;
    tix_id id; /* out */
};

static int create_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct show_write *w = arg;
    tix__show_info s = {.movie_id = w->in->movie_id,
                        .screen_id = w->in->screen_id,
                        .start = w->in->start};
    uint32_t date = 0;
    int rc = show_derive(db, txn, &s, &date);
    if (rc == TIX_OK)
        rc = overlap_check(db, txn, s.screen_id, s.start, s.end,
                           (int64_t)db->cfg.show_buffer, 0);
    if (rc == TIX_OK) rc = tix__db_next_id(db, txn, TIX_T_SHOWS, &s.id);
    if (rc == TIX_OK)
        rc = tix__region_alloc(db, txn, s.id, s.end, s.seat_count,
                               &s.seat_base);
    if (rc) return rc;
    tix_enc e;
    if ((rc = show_encode(&s, date, &e))) return rc;
    rc = tix__db_put_id(db, txn, TIX_T_SHOWS, s.id, &e, "show");
    tix__enc_free(&e);
    if (rc == TIX_OK) rc = show_index_set(db, txn, &s, date, 1);
    if (rc == TIX_OK) w->id = s.id;
    return rc;
}

int tix__show_start_check(int64_t start)
{
    int64_t lo = tix__tz_days_from_civil(START_MIN_YEAR, 1, 1) * DAY_SECONDS;
    int64_t hi = tix__tz_days_from_civil(START_END_YEAR, 1, 1) * DAY_SECONDS;
    if (start < lo || start >= hi)
        return tix__err(TIX_ERANGE, "start %lld is not in %d-01-01..%d-01-01 "
                        "UTC", (long long)start, START_MIN_YEAR,
                        START_END_YEAR);
    return TIX_OK;
}

int tix_show_create(tix_db *db, const tix_show *in, tix_id *id_out)
{
    TIX__ARG(db);
    if (!in) return tix__err(TIX_EINVAL, "show is NULL");
    int rc = tix__show_start_check(in->start);
    if (rc) return rc;
    if (in->flags & ~TIX_SHOW_ALLOW_PAST)
        return tix__err(TIX_EINVAL, "unknown show flags 0x%x", in->flags);
    /* A show that starts in the past is born dead: nothing could hold or
     * sell its seats. Only an explicit flag (history, import) makes one. */
    int64_t now = tix_db_now(db);
    if (in->start < now && !(in->flags & TIX_SHOW_ALLOW_PAST))
        return tix__err(TIX_ERANGE, "start %lld is %lld s in the past (now "
                        "%lld); pass TIX_SHOW_ALLOW_PAST to schedule it",
                        (long long)in->start, (long long)(now - in->start),
                        (long long)now);
    struct show_write w = {in, 0};
    rc = tix__db_write_join(db, create_txn, &w);
    if (rc) return rc;
    if (id_out) *id_out = w.id;
    return TIX_OK;
}

/* ---- move ------------------------------------------------------------ */

int tix__show_move(tix_db *db, MDB_txn *txn, tix_id id, int64_t start,
                   tix__show_info *old)
{
    MDB_val v;
    int rc = tix__db_get_id(db, txn, TIX_T_SHOWS, id, &v, "show");
    uint32_t date = 0;
    if (rc == TIX_OK) rc = show_unpack(&v, old, &date);
    if (rc) return rc;
    if (old->cancelled_at)
        return tix__err(TIX_ESTATE, "show %llu is cancelled",
                        (unsigned long long)id);
    if (tix_db_now(db) >= old->end)
        return tix__err(TIX_ESTATE, "show %llu has ended",
                        (unsigned long long)id);
    if (start == old->start) return TIX_OK;
    tix__show_info s = *old;
    s.start = start;
    s.end = start + (old->end - old->start);
    int32_t offset;
    rc = overlap_check(db, txn, s.screen_id, s.start, s.end,
                       (int64_t)db->cfg.show_buffer, id);
    if (rc == TIX_OK)
        rc = tix__place_offset_at(db, txn, s.city_id, s.start, &offset);
    if (rc == TIX_OK) rc = show_index_set(db, txn, old, date, 0);
    if (rc) return rc;
    uint32_t new_date = tix__show_local_date(s.start, offset);
    tix_enc e;
    if ((rc = show_encode(&s, new_date, &e))) return rc;
    rc = tix__db_put_id(db, txn, TIX_T_SHOWS, id, &e, "show");
    tix__enc_free(&e);
    if (rc == TIX_OK) rc = show_index_set(db, txn, &s, new_date, 1);
    if (rc == TIX_OK) rc = tix__region_move(db, txn, id, old->end, s.end);
    return rc;
}

/* ---- reads ----------------------------------------------------------- */

int tix_show_get(tix_db *db, tix_id id, tix_show **out)
{
    return tix__db_load_one(db, TIX_T_SHOWS, id, sizeof(tix_show), show_decode,
                         (void **)out, "show");
}

static int by_start(const void *a, const void *b)
{
    const tix_show *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int date_check(uint32_t date)
{
    if (date_valid(date)) return TIX_OK;
    return tix__err(TIX_EINVAL, "date %u is not a YYYYMMDD calendar date",
                    date);
}

int tix_show_list_by_city(tix_db *db, tix_id city_id, uint32_t date,
                          tix_id movie_id, tix_show_list **out)
{
    if (out) *out = NULL;
    int rc = date_check(date);
    if (rc) return rc;
    uint8_t prefix[CITY_KEY_LEN];
    city_key(prefix, city_id, date, movie_id, 0, 0);
    size_t plen = movie_id ? 20 : 12;
    rc = tix__db_list_by_index(db, TIX_T_SHOWS_BY_CITY, prefix, plen,
                            TIX_T_SHOWS, sizeof(tix_show), show_decode,
                            (void **)out);
    /* One movie's entries are in start order already; across movies the
     * key puts the movie first, so merge them by start here. */
    if (rc == TIX_OK && movie_id == 0)
        qsort((*out)->items, (*out)->count, sizeof(tix_show), by_start);
    return rc;
}

int tix_show_list_by_venue(tix_db *db, tix_id venue_id, uint32_t date,
                           tix_show_list **out)
{
    if (out) *out = NULL;
    int rc = date_check(date);
    if (rc) return rc;
    uint8_t prefix[VENUE_KEY_LEN];
    venue_key(prefix, venue_id, date, 0, 0);
    return tix__db_list_by_index(db, TIX_T_SHOWS_BY_VENUE, prefix, 12,
                              TIX_T_SHOWS, sizeof(tix_show), show_decode,
                              (void **)out);
}

int tix__show_city_scan(tix_db *db, MDB_txn *txn, tix_id city, uint32_t from,
                        uint32_t to, tix__city_show_fn fn, void *arg)
{
    int rc = date_check(from);
    if (rc == TIX_OK) rc = date_check(to);
    if (rc) return rc;
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[TIX_T_SHOWS_BY_CITY], &cur);
    if (mrc) return tix__mdb_err(mrc, "shows by city");
    uint8_t first[CITY_KEY_LEN];
    city_key(first, city, from, 0, 0, 0);
    MDB_val k = {12, first}, v;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == TIX_OK && mrc == 0) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size != CITY_KEY_LEN || tix__be64_get(kp) != city ||
            tix__be32_get(kp + 8) > to)
            break;
        rc = fn(tix__be64_get(kp + 12), tix__be64_get_i(kp + 20),
                tix__be64_get(kp + 28), arg);
        if (rc == TIX_OK) mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    return mrc && mrc != MDB_NOTFOUND ? tix__mdb_err(mrc, "shows by city")
                                      : TIX_OK;
}

void tix_show_free(tix_show *s) { free(s); }

void tix_show_list_free(tix_show_list *l) { free(l); }
