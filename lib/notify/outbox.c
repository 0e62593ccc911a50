/* Notification outbox: events keyed by sequence number, named consumer
 * cursors, at-least-once reads, trim, and a blocking wait.
 *
 * Event record (TIX_REC_EVENT) in TIX_T_OUTBOX, key seq (be64):
 *   v1: u8 type | i64 at | u64 booking | u64 user | u64 show |
 *       u32 n { u32 seat } | strlist codes | str gate
 *   v2: the v1 fields, then u64 movie | u64 review | i64 total |
 *       bytes[3] currency (zeros = none) | str user_name | str user_email |
 *       str user_phone | str movie_title | i64 show_start | str venue_name |
 *       str venue_address | str screen_name | n x { str row, u32 number } |
 *       one str qr per code
 *   v3: the v2 fields, then str show_local (the show's start in its city's
 *       local time, ISO 8601 with offset; "" without a show) |
 *       u8 after_checkin
 *   v4: the v3 fields, then i64 old_start (a rescheduled show's start
 *       before the move; 0 for other events)
 * Each version only appends to the one before, so an older reader's walk
 * still lines up.
 *
 * Consumer record (TIX_REC_CONSUMER) in TIX_T_OUTBOX_CURSORS, key name:
 *   v1: u64 acked | i64 created_at | i64 acked_at
 *
 * Retention: an event stays until every registered consumer acknowledged
 * it (tix_outbox_trim). Events after a consumer's cursor are therefore
 * never trimmed, which is what lets tix_outbox_ack find the newest event
 * with one MDB_LAST. */
#include "journal.h"
#include "tables.h"
#include "outbox.h"
#include "seatlog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "movie.h"
#include "place.h"
#include "screen.h"
#include "seat.h"
#include "show.h"
#include "table.h"
#include "ticket.h"
#include "tz.h"
#include "user.h"
#include "validate.h"
#include "venue.h"

#define EVENT_VERSION 4
#define CONSUMER_VERSION 1
#define POLL_MS 50      /* how often a waiter looks for other processes */
#define TRIM_BATCH 1024 /* events deleted per trim transaction */

/* ---- wake-up after commit --------------------------------------------- */

/* Set by tix__outbox_append on the writing thread; the store clears it
 * before each attempt and reads it after the commit (the hooks below). */
static _Thread_local int txn_appended;

static int txn_begin(tix_db *db, MDB_txn *txn)
{
    (void)db;
    (void)txn;
    txn_appended = 0;
    return TIX_OK;
}

static void txn_committed(tix_db *db)
{
    if (!txn_appended) return;
    txn_appended = 0;
    pthread_mutex_lock(&db->outbox_mu);
    db->outbox_gen++;
    pthread_cond_broadcast(&db->outbox_cv);
    pthread_mutex_unlock(&db->outbox_mu);
}

static const tix__txn_observer outbox_observer = {
    .begin = txn_begin,
    .committed = txn_committed,
};

int tix__outbox_notify_init(tix_db *db)
{
    pthread_mutex_init(&db->outbox_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&db->outbox_cv, &ca);
    pthread_condattr_destroy(&ca);
    db->outbox_gen = 0;
    return tix__db_observe(db, &outbox_observer);
}

void tix__outbox_notify_destroy(tix_db *db)
{
    pthread_cond_destroy(&db->outbox_cv);
    pthread_mutex_destroy(&db->outbox_mu);
}

/* ---- append: gather what a worker needs, inside the write txn --------- */

/* The records an event is enriched from. */
typedef struct event_ctx {
    tix_user *user;      /* NULL without a user */
    tix_movie *movie;    /* NULL without a movie */
    tix_venue *venue;    /* NULL without a show */
    tix__show_info show; /* id 0 without a show */
    tix_screen screen;   /* name points into LMDB (read last) */
} event_ctx;

static void ctx_free(event_ctx *x)
{
    free(x->user);
    free(x->movie);
    free(x->venue);
}

static int ctx_load(tix_db *db, MDB_txn *txn, const tix__event *ev,
                    event_ctx *x)
{
    memset(x, 0, sizeof *x);
    x->screen.name = "";
    int rc = TIX_OK;
    tix_id movie = ev->movie_id;
    if (ev->user_id)
        rc = tix__table_load(db, txn, TIX_T_USERS, ev->user_id, sizeof(tix_user),
                           tix__user_decode, (void **)&x->user, "user");
    if (rc == TIX_OK && ev->show_id) {
        rc = tix__show_read(db, txn, ev->show_id, &x->show);
        if (rc == TIX_OK && !movie) movie = x->show.movie_id;
        if (rc == TIX_OK)
            rc = tix__table_load(db, txn, TIX_T_VENUES, x->show.venue_id,
                               sizeof(tix_venue), tix__venue_decode,
                               (void **)&x->venue, "venue");
    }
    if (rc == TIX_OK && movie)
        rc = tix__table_load(db, txn, TIX_T_MOVIES, movie, sizeof(tix_movie),
                           tix__movie_decode, (void **)&x->movie, "movie");
    if (rc == TIX_OK && ev->show_id)
        rc = tix__screen_read(db, txn, x->show.screen_id, &x->screen);
    return rc;
}

/* Row label and number of every seat (needs the show's screen). */
static int enc_seat_labels(tix_db *db, MDB_txn *txn, const tix__event *ev,
                           const event_ctx *x, tix_enc *e)
{
    for (uint32_t i = 0; i < ev->n_seats; i++) {
        tix_seat s = {.row = "", .number = 0};
        char row[TIX_ROW_LABEL_MAX + 1];
        if (x->show.id) {
            int rc = tix__seat_read(db, txn, x->show.screen_id, ev->seats[i],
                                    &s, row);
            if (rc) return rc;
        }
        tix__enc_str(e, s.row);
        tix__enc_u32(e, s.number);
    }
    return TIX_OK;
}

/* The QR payload of every ticket, from its stored record. */
static int enc_qrs(tix_db *db, MDB_txn *txn, const tix__event *ev,
                   tix_enc *e)
{
    for (size_t i = 0; i < ev->n_codes; i++) {
        tix__ticket_rec t;
        int rc = tix__ticket_get(db, txn, ev->codes[i], &t);
        if (rc) return rc;
        uint32_t *seats = malloc(((size_t)t.n_seats + 1) * sizeof *seats);
        if (!seats) return tix__err(TIX_ENOMEM, "out of memory");
        tix__ticket_rec_seats(&t, seats);
        size_t len = tix__ticket_qr_format(NULL, 0, ev->codes[i], t.show_id,
                                           seats, t.n_seats);
        char *qr = malloc(len + 1);
        if (qr) {
            tix__ticket_qr_format(qr, len + 1, ev->codes[i], t.show_id, seats,
                                  t.n_seats);
            tix__enc_str(e, qr);
        }
        free(qr);
        free(seats);
        if (!qr) return tix__err(TIX_ENOMEM, "out of memory");
    }
    return TIX_OK;
}

/* The show's start in its city's local time. A zone that cannot be read
 * (tzdata removed since the city was made) falls back to the city's fixed
 * offset: an event must never fail the booking it announces. */
static void enc_show_local(tix_db *db, MDB_txn *txn, const event_ctx *x,
                           tix_enc *e)
{
    char iso[TIX__LOCAL_ISO_MAX] = "";
    if (x->show.id) {
        int32_t off = 0;
        if (tix__place_offset_at(db, txn, x->show.city_id, x->show.start, &off))
            tix__place_read(db, txn, x->show.city_id, NULL, &off);
        tix__tz_local_iso(iso, x->show.start, off);
    }
    tix__enc_str(e, iso);
}

static int enc_event(tix_db *db, MDB_txn *txn, const tix__event *ev,
                     tix_enc *e)
{
    event_ctx x;
    int rc = ctx_load(db, txn, ev, &x);
    if (rc) {
        ctx_free(&x);
        return rc;
    }
    tix__enc_init(e, TIX_REC_EVENT, EVENT_VERSION);
    tix__enc_u8(e, ev->type);
    tix__enc_i64(e, ev->at);
    tix__enc_u64(e, ev->booking_id);
    tix__enc_u64(e, ev->user_id);
    tix__enc_u64(e, ev->show_id);
    tix__enc_u32(e, ev->n_seats);
    for (uint32_t i = 0; i < ev->n_seats; i++) tix__enc_u32(e, ev->seats[i]);
    tix__enc_strlist(e, ev->codes, ev->n_codes);
    tix__enc_str(e, ev->gate);
    /* v2 */
    tix__enc_u64(e, x.movie ? x.movie->id : 0);
    tix__enc_u64(e, ev->review_id);
    tix__enc_i64(e, ev->total_minor);
    uint8_t cur[3] = {0, 0, 0};
    if (ev->currency && strlen(ev->currency) == 3) memcpy(cur, ev->currency, 3);
    tix__enc_bytes(e, cur, 3);
    tix__enc_str(e, x.user ? x.user->name : "");
    tix__enc_str(e, x.user ? x.user->email : "");
    tix__enc_str(e, x.user ? x.user->phone : "");
    tix__enc_str(e, x.movie ? x.movie->title : "");
    tix__enc_i64(e, x.show.id ? x.show.start : 0);
    tix__enc_str(e, x.venue ? x.venue->name : "");
    tix__enc_str(e, x.venue ? x.venue->address : "");
    tix__enc_str(e, x.screen.name);
    rc = enc_seat_labels(db, txn, ev, &x, e);
    if (rc == TIX_OK) rc = enc_qrs(db, txn, ev, e);
    /* v3 */
    if (rc == TIX_OK) enc_show_local(db, txn, &x, e);
    tix__enc_u8(e, ev->after_checkin);
    tix__enc_i64(e, ev->old_start); /* v4 */
    if (rc == TIX_OK) rc = tix__enc_finish(e);
    ctx_free(&x);
    if (rc) tix__enc_free(e);
    return rc;
}

/* The seat history (seatlog.h) takes the events that change seats from
 * here, so that every booking, cancel and check-in feeds it without its
 * callers knowing. */
static int log_seats(tix_db *db, MDB_txn *txn, const tix__event *ev)
{
    static const uint8_t kind[] = {
        [TIX_EVENT_BOOKED] = TIX_SEAT_EVENT_BOOKED,
        [TIX_EVENT_CANCELLED] = TIX_SEAT_EVENT_CANCELLED,
        [TIX_EVENT_CHECKED_IN] = TIX_SEAT_EVENT_CHECKED_IN};
    if (ev->type >= sizeof kind || !kind[ev->type] || !ev->n_seats) return TIX_OK;
    tix__seatlog_entry le = {.type = kind[ev->type], .at = ev->at,
                             .booking_id = ev->booking_id,
                             .user_id = ev->user_id, .gate = ev->gate};
    return tix__seatlog_append(db, txn, ev->show_id, ev->seats, ev->n_seats, &le);
}

int tix__outbox_append(tix_db *db, MDB_txn *txn, const tix__event *ev,
                       uint64_t *seq)
{
    /* The id first: its counter is a write, and the records read for the
     * event point into LMDB pages a write could move. */
    tix_id id;
    int rc = tix__db_next_id(db, txn, TIX_T_OUTBOX, &id);
    if (rc) return rc;
    tix_enc e;
    if ((rc = enc_event(db, txn, ev, &e))) return rc;
    rc = tix__db_put_id(db, txn, TIX_T_OUTBOX, id, &e, "outbox event");
    tix__enc_free(&e);
    if (rc) return rc;
    txn_appended = 1;
    if (seq) *seq = id;
    return log_seats(db, txn, ev);
}

/* ---- decode ------------------------------------------------------------ */

/* An event record walked once; the arrays are re-read from saved decoder
 * positions (strings point into the value). */
typedef struct event_rec {
    tix__event ev;     /* ids, counts, total */
    uint8_t version;
    tix_dec seats;     /* at the first seat index */
    tix_dec codes;     /* at the first code */
    tix_str gate;
    const uint8_t *currency; /* NULL in v1 */
    tix_str user_name, user_email, user_phone, movie_title;
    int64_t show_start;
    tix_str venue_name, venue_address, screen_name;
    tix_dec labels;    /* v2: at the first seat label */
    tix_dec qrs;       /* v2: at the first QR payload */
    tix_str show_local; /* v3 */
} event_rec;

static int event_parse(const MDB_val *v, event_rec *r)
{
    const tix_str empty = {"", 0};
    memset(r, 0, sizeof *r);
    r->gate = r->user_name = r->user_email = r->user_phone = empty;
    r->movie_title = r->venue_name = r->venue_address = r->screen_name = empty;
    r->show_local = empty;
    tix_dec d;
    int rc = tix__dec_init(&d, v->mv_data, v->mv_size, TIX_REC_EVENT,
                           EVENT_VERSION);
    if (rc) return rc;
    tix__event *ev = &r->ev;
    r->version = d.version;
    ev->type = tix__dec_u8(&d);
    ev->at = tix__dec_i64(&d);
    ev->booking_id = tix__dec_u64(&d);
    ev->user_id = tix__dec_u64(&d);
    ev->show_id = tix__dec_u64(&d);
    ev->n_seats = tix__dec_count(&d, 1u << 20);
    r->seats = d;
    tix__dec_bytes(&d, (size_t)ev->n_seats * 4);
    ev->n_codes = tix__dec_count(&d, 1u << 16);
    r->codes = d;
    for (size_t i = 0; i < ev->n_codes && !d.err; i++) tix__dec_str(&d);
    r->gate = tix__dec_str(&d);
    if (r->version >= 2) {
        ev->movie_id = tix__dec_u64(&d);
        ev->review_id = tix__dec_u64(&d);
        ev->total_minor = tix__dec_i64(&d);
        r->currency = tix__dec_bytes(&d, 3);
        r->user_name = tix__dec_str(&d);
        r->user_email = tix__dec_str(&d);
        r->user_phone = tix__dec_str(&d);
        r->movie_title = tix__dec_str(&d);
        r->show_start = tix__dec_i64(&d);
        r->venue_name = tix__dec_str(&d);
        r->venue_address = tix__dec_str(&d);
        r->screen_name = tix__dec_str(&d);
        r->labels = d;
        for (uint32_t i = 0; i < ev->n_seats && !d.err; i++) {
            tix__dec_str(&d);
            tix__dec_u32(&d);
        }
        r->qrs = d;
        for (size_t i = 0; i < ev->n_codes && !d.err; i++) tix__dec_str(&d);
    }
    if (r->version >= 3) {
        r->show_local = tix__dec_str(&d);
        ev->after_checkin = tix__dec_u8(&d);
        if (ev->after_checkin > 1) d.err = TIX_ECORRUPT;
    }
    if (r->version >= 4) ev->old_start = tix__dec_i64(&d);
    return tix__dec_finish(&d);
}

int tix__outbox_decode(const MDB_val *val, tix__event *ev)
{
    event_rec r;
    int rc = event_parse(val, &r);
    if (rc) return rc;
    *ev = r.ev;
    ev->seats = NULL;
    ev->codes = NULL;
    ev->gate = NULL;
    ev->currency = NULL;
    return TIX_OK;
}

/* Upper bound of the block one event decodes into: strings at most triple
 * (see tix__bump_bound), and each seat or ticket struct needs at most 40
 * bytes for at least 4 record bytes. */
static size_t event_bound(const MDB_val *v)
{
    return tix__bump_bound(sizeof(tix_event), v->mv_size) +
           (v->mv_size / 4 + 1) * (sizeof(tix_event_ticket) + 8);
}

static int fill_arrays(event_rec *r, tix_event *e, tix_bump *b)
{
    tix_event_seat *seats =
        tix__bump_alloc(b, (size_t)r->ev.n_seats * sizeof *seats + 1);
    tix_event_ticket *tickets =
        tix__bump_alloc(b, r->ev.n_codes * sizeof *tickets + 1);
    if (!seats || !tickets) return tix__err(TIX_ECORRUPT, "event block too small");
    for (uint32_t i = 0; i < r->ev.n_seats; i++) {
        seats[i].seat = tix__dec_u32(&r->seats);
        seats[i].row = "";
        seats[i].number = 0;
        if (r->version >= 2) {
            seats[i].row = tix__bump_str(b, tix__dec_str(&r->labels));
            seats[i].number = tix__dec_u32(&r->labels);
        }
        if (!seats[i].row) return tix__err(TIX_ECORRUPT, "event block too small");
    }
    for (size_t i = 0; i < r->ev.n_codes; i++) {
        tix_str code = tix__dec_str(&r->codes);
        if (code.len != TIX_TICKET_CODE_LEN)
            return tix__err(TIX_ECORRUPT, "event ticket code has %u bytes",
                            code.len);
        memcpy(tickets[i].code, code.p, code.len);
        tickets[i].code[code.len] = '\0';
        tickets[i].qr = r->version >= 2 ? tix__bump_str(b, tix__dec_str(&r->qrs))
                                        : "";
        if (!tickets[i].qr) return tix__err(TIX_ECORRUPT, "event block too small");
    }
    e->n_seats = r->ev.n_seats;
    e->seats = seats;
    e->n_tickets = r->ev.n_codes;
    e->tickets = tickets;
    return TIX_OK;
}

static int event_fill(uint64_t seq, const MDB_val *v, tix_event *e,
                      tix_bump *b)
{
    event_rec r;
    int rc = event_parse(v, &r);
    if (rc) return rc;
    memset(e, 0, sizeof *e);
    e->seq = seq;
    e->type = (tix_event_type)r.ev.type;
    e->version = r.version;
    e->at = r.ev.at;
    e->booking_id = r.ev.booking_id;
    e->user_id = r.ev.user_id;
    e->show_id = r.ev.show_id;
    e->movie_id = r.ev.movie_id;
    e->review_id = r.ev.review_id;
    e->total_minor = r.ev.total_minor;
    e->show_start = r.show_start;
    if (r.currency && r.currency[0]) memcpy(e->currency, r.currency, 3);
    e->user_name = tix__bump_str(b, r.user_name);
    e->user_email = tix__bump_str(b, r.user_email);
    e->user_phone = tix__bump_str(b, r.user_phone);
    e->movie_title = tix__bump_str(b, r.movie_title);
    e->venue_name = tix__bump_str(b, r.venue_name);
    e->venue_address = tix__bump_str(b, r.venue_address);
    e->screen_name = tix__bump_str(b, r.screen_name);
    e->gate = tix__bump_str(b, r.gate);
    e->show_local = tix__bump_str(b, r.show_local);
    e->after_checkin = r.ev.after_checkin;
    e->old_start = r.ev.old_start;
    if (!e->show_local) return tix__err(TIX_ECORRUPT, "event block too small");
    if (!e->user_name || !e->user_email || !e->user_phone || !e->movie_title ||
        !e->venue_name || !e->venue_address || !e->screen_name || !e->gate)
        return tix__err(TIX_ECORRUPT, "event block too small");
    return fill_arrays(&r, e, b);
}

/* Events read from the table: seq and value (valid while the txn lives). */
typedef struct event_ref {
    uint64_t seq;
    MDB_val val;
} event_ref;

/* Decodes @p n events into one block: a tix_event_list, or a single
 * tix_event when @p single. */
static int events_build(const event_ref *refs, size_t n, int single,
                        void **out)
{
    size_t total = single ? 0 : sizeof(tix_event_list) + 8 + n * sizeof(tix_event);
    for (size_t i = 0; i < n; i++) total += event_bound(&refs[i].val);
    tix_bump b;
    int rc = tix__bump_init(&b, total);
    if (rc) return rc;
    tix_event *items;
    if (single) {
        items = tix__bump_alloc(&b, sizeof *items);
    } else {
        tix_event_list *l = tix__bump_alloc(&b, sizeof *l + n * sizeof *items);
        l->count = n;
        items = l->items;
    }
    for (size_t i = 0; i < n && rc == TIX_OK; i++)
        rc = event_fill(refs[i].seq, &refs[i].val, &items[i], &b);
    if (rc) {
        free(b.base);
        return rc;
    }
    *out = b.base;
    return TIX_OK;
}

/* ---- consumers --------------------------------------------------------- */

typedef struct consumer_rec {
    uint64_t acked;
    int64_t created_at, acked_at;
} consumer_rec;

static int name_check(const char *name)
{
    return tix__validate_charset("consumer name", name, 1, TIX_CONSUMER_NAME_MAX,
                              "abcdefghijklmnopqrstuvwxyz0123456789_-");
}

/* "consumer 'email'", for messages. */
static void consumer_what(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "consumer '%s'", name);
}

static int consumer_unpack(const MDB_val *v, consumer_rec *r)
{
    tix_dec d;
    int rc = tix__dec_init(&d, v->mv_data, v->mv_size, TIX_REC_CONSUMER,
                           CONSUMER_VERSION);
    if (rc) return rc;
    r->acked = tix__dec_u64(&d);
    r->created_at = tix__dec_i64(&d);
    r->acked_at = tix__dec_i64(&d);
    return tix__dec_finish(&d);
}

static int consumer_get(tix_db *db, MDB_txn *txn, const char *name,
                        consumer_rec *r)
{
    char what[TIX_CONSUMER_NAME_MAX + 16];
    consumer_what(what, sizeof what, name);
    MDB_val v;
    int rc = tix__db_get(db, txn, TIX_T_OUTBOX_CURSORS, name, strlen(name), &v,
                      what);
    return rc ? rc : consumer_unpack(&v, r);
}

static int consumer_put(tix_db *db, MDB_txn *txn, const char *name,
                        const consumer_rec *r, unsigned flags)
{
    char what[TIX_CONSUMER_NAME_MAX + 16];
    consumer_what(what, sizeof what, name);
    tix_enc e;
    tix__enc_init(&e, TIX_REC_CONSUMER, CONSUMER_VERSION);
    tix__enc_u64(&e, r->acked);
    tix__enc_i64(&e, r->created_at);
    tix__enc_i64(&e, r->acked_at);
    int rc = tix__enc_finish(&e);
    if (rc == TIX_OK)
        rc = tix__db_put(db, txn, TIX_T_OUTBOX_CURSORS, name, strlen(name), e.buf,
                      e.len, flags, what);
    tix__enc_free(&e);
    return rc;
}

/* Collects up to @p max events after @p after, in order, into @p refs. */
static int events_collect(tix_db *db, MDB_txn *txn, uint64_t after,
                          size_t max, event_ref *refs, size_t *n)
{
    *n = 0;
    if (after == UINT64_MAX) return TIX_OK;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, db->dbi[TIX_T_OUTBOX], &cur);
    if (rc) return tix__mdb_err(rc, "outbox cursor");
    uint8_t key[8];
    tix__be64_put(key, after + 1);
    MDB_val k = {8, key}, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && *n < max;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size != 8) {
            rc = -1;
            break;
        }
        refs[*n].seq = tix__be64_get(k.mv_data);
        refs[*n].val = v;
        ++*n;
    }
    mdb_cursor_close(cur);
    if (rc == 0 || rc == MDB_NOTFOUND) return TIX_OK;
    if (rc == -1) return tix__err(TIX_ECORRUPT, "outbox key is malformed");
    return tix__mdb_err(rc, "outbox scan");
}

/* The newest event's seq (0 when the outbox is empty). */
static int event_last(tix_db *db, MDB_txn *txn, uint64_t *seq)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, db->dbi[TIX_T_OUTBOX], &cur);
    if (rc) return tix__mdb_err(rc, "outbox cursor");
    MDB_val k, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    mdb_cursor_close(cur);
    *seq = 0;
    if (rc == MDB_NOTFOUND) return TIX_OK;
    if (rc) return tix__mdb_err(rc, "outbox scan");
    if (k.mv_size != 8) return tix__err(TIX_ECORRUPT, "outbox key is malformed");
    *seq = tix__be64_get(k.mv_data);
    return TIX_OK;
}

struct register_arg {
    const char *name;
    unsigned flags;
};

static int register_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct register_arg *a = arg;
    consumer_rec r = {.acked = 0, .created_at = tix_db_now(db), .acked_at = 0};
    int rc = TIX_OK;
    if (a->flags & TIX_CONSUMER_FROM_END) rc = event_last(db, txn, &r.acked);
    if (rc == TIX_OK) rc = consumer_put(db, txn, a->name, &r, MDB_NOOVERWRITE);
    return rc;
}

int tix_outbox_register(tix_db *db, const char *name, unsigned flags)
{
    TIX__ARG(db);
    int rc = name_check(name);
    if (rc) return rc;
    if (flags & ~TIX_CONSUMER_FROM_END)
        return tix__err(TIX_EINVAL, "unknown consumer flags 0x%x", flags);
    struct register_arg a = {name, flags};
    return tix__db_write(db, register_txn, &a);
}

static int unregister_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    const char *name = arg;
    char what[TIX_CONSUMER_NAME_MAX + 16];
    consumer_what(what, sizeof what, name);
    return tix__db_del(db, txn, TIX_T_OUTBOX_CURSORS, name, strlen(name), what);
}

int tix_outbox_unregister(tix_db *db, const char *name)
{
    TIX__ARG(db);
    int rc = name_check(name);
    return rc ? rc : tix__db_write(db, unregister_txn, (void *)name);
}

int tix_outbox_consumers(tix_db *db, tix_consumer_list **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(txn, db->dbi[TIX_T_OUTBOX_CURSORS], &cur))) {
        tix__db_read_end(db, txn);
        return tix__mdb_err(rc, "consumer cursor");
    }
    /* Pass 1 sizes the block, pass 2 fills it (same snapshot). */
    size_t n = 0, total = sizeof(tix_consumer_list) + 8;
    MDB_val k, v;
    int mrc;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        n++;
        total += sizeof(tix_consumer) + k.mv_size + 1;
    }
    tix_bump b = {0};
    if (mrc != MDB_NOTFOUND) rc = tix__mdb_err(mrc, "consumer scan");
    if (rc == TIX_OK) rc = tix__bump_init(&b, total);
    tix_consumer_list *l = NULL;
    if (rc == TIX_OK) {
        l = tix__bump_alloc(&b, sizeof *l + n * sizeof(tix_consumer));
        l->count = 0;
        for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
             mrc == 0 && rc == TIX_OK && l->count < n;
             mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            consumer_rec r = {0};
            tix_consumer *c = &l->items[l->count++];
            rc = consumer_unpack(&v, &r);
            c->name = tix__bump_str(&b, (tix_str){k.mv_data, (uint32_t)k.mv_size});
            c->acked = r.acked;
            c->created_at = r.created_at;
            c->acked_at = r.acked_at;
        }
    }
    mdb_cursor_close(cur);
    tix__db_read_end(db, txn);
    if (rc) {
        free(b.base);
        return rc;
    }
    *out = l;
    return TIX_OK;
}

/* ---- read, ack, wait --------------------------------------------------- */

int tix_outbox_read(tix_db *db, const char *name, size_t max,
                    tix_event_list **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    int rc = name_check(name);
    if (rc) return rc;
    if (max < 1 || max > TIX_OUTBOX_READ_MAX)
        return tix__err(TIX_ERANGE, "max %zu not in 1..%d", max,
                        TIX_OUTBOX_READ_MAX);
    event_ref *refs = malloc(max * sizeof *refs);
    if (!refs) return tix__err(TIX_ENOMEM, "out of memory");
    MDB_txn *txn;
    if ((rc = tix__db_read_begin(db, &txn))) {
        free(refs);
        return rc;
    }
    consumer_rec r = {0};
    size_t n = 0;
    rc = consumer_get(db, txn, name, &r);
    if (rc == TIX_OK) rc = events_collect(db, txn, r.acked, max, refs, &n);
    if (rc == TIX_OK) rc = events_build(refs, n, 0, (void **)out);
    tix__db_read_end(db, txn);
    free(refs);
    return rc;
}

int tix__outbox_read_after(tix_db *db, uint64_t after, size_t max,
                           tix_event_list **out)
{
    *out = NULL;
    event_ref *refs = malloc((max ? max : 1) * sizeof *refs);
    if (!refs) return tix__err(TIX_ENOMEM, "out of memory");
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    size_t n = 0;
    if (rc == TIX_OK) {
        rc = events_collect(db, txn, after, max, refs, &n);
        if (rc == TIX_OK) rc = events_build(refs, n, 0, (void **)out);
        tix__db_read_end(db, txn);
    }
    free(refs);
    return rc;
}

int tix_outbox_get(tix_db *db, uint64_t seq, tix_event **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    uint8_t key[8];
    tix__be64_put(key, seq);
    event_ref ref = {seq, {0, NULL}};
    rc = tix__db_get(db, txn, TIX_T_OUTBOX, key, 8, &ref.val, "outbox event");
    if (rc == TIX_ENOTFOUND)
        rc = tix__err(TIX_ENOTFOUND, "no outbox event %llu",
                      (unsigned long long)seq);
    if (rc == TIX_OK) rc = events_build(&ref, 1, 1, (void **)out);
    tix__db_read_end(db, txn);
    return rc;
}

struct ack_arg {
    const char *name;
    uint64_t seq;
};

static int ack_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct ack_arg *a = arg;
    consumer_rec r = {0};
    int rc = consumer_get(db, txn, a->name, &r);
    if (rc || a->seq <= r.acked) return rc; /* old or repeated: no change */
    uint64_t last;
    if ((rc = event_last(db, txn, &last))) return rc;
    if (a->seq > last)
        return tix__err(TIX_ERANGE, "seq %llu is beyond the newest event %llu",
                        (unsigned long long)a->seq, (unsigned long long)last);
    r.acked = a->seq;
    r.acked_at = tix_db_now(db);
    return consumer_put(db, txn, a->name, &r, 0);
}

int tix_outbox_ack(tix_db *db, const char *name, uint64_t seq)
{
    TIX__ARG(db);
    int rc = name_check(name);
    if (rc) return rc;
    struct ack_arg a = {name, seq};
    return tix__db_write(db, ack_txn, &a);
}

/* 1 when consumer @p name has an event after its cursor, 0 when not, or a
 * negative code. */
static int has_pending(tix_db *db, const char *name)
{
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    consumer_rec r = {0};
    event_ref ref;
    size_t n = 0;
    rc = consumer_get(db, txn, name, &r);
    if (rc == TIX_OK) rc = events_collect(db, txn, r.acked, 1, &ref, &n);
    tix__db_read_end(db, txn);
    return rc < 0 ? rc : n > 0;
}

static void ts_add_ms(struct timespec *t, long ms)
{
    t->tv_sec += ms / 1000;
    t->tv_nsec += (ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

static int ts_before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec ||
           (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

int tix_outbox_wait(tix_db *db, const char *name, int timeout_ms)
{
    TIX__ARG(db);
    int rc = name_check(name);
    if (rc) return rc;
    if (timeout_ms < -1)
        return tix__err(TIX_EINVAL, "timeout_ms %d is below -1", timeout_ms);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    ts_add_ms(&deadline, timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        /* Take the generation before looking, so a commit landing between
         * the look and the sleep is not missed. */
        pthread_mutex_lock(&db->outbox_mu);
        uint64_t gen = db->outbox_gen;
        pthread_mutex_unlock(&db->outbox_mu);
        rc = has_pending(db, name);
        if (rc < 0) return rc;
        if (rc > 0) return TIX_OK;
        struct timespec now, until;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (timeout_ms >= 0 && !ts_before(&now, &deadline))
            return tix__err(TIX_ETIMEDOUT,
                            "no event for consumer '%s' within %d ms", name,
                            timeout_ms);
        until = now;
        ts_add_ms(&until, POLL_MS);
        if (timeout_ms >= 0 && ts_before(&deadline, &until)) until = deadline;
        pthread_mutex_lock(&db->outbox_mu);
        while (db->outbox_gen == gen &&
               pthread_cond_timedwait(&db->outbox_cv, &db->outbox_mu, &until) !=
                   ETIMEDOUT) {
        }
        pthread_mutex_unlock(&db->outbox_mu);
    }
}

/* ---- trim -------------------------------------------------------------- */

struct trim_arg {
    uint64_t removed; /* by this transaction */
    int more;         /* the batch filled up: run again */
};

/* The lowest cursor over every consumer; *any = 0 when there is none. */
static int lowest_cursor(tix_db *db, MDB_txn *txn, uint64_t *low, int *any)
{
    *low = UINT64_MAX;
    *any = 0;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, db->dbi[TIX_T_OUTBOX_CURSORS], &cur);
    if (rc) return tix__mdb_err(rc, "consumer cursor");
    MDB_val k, v;
    int mrc;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        consumer_rec r = {0};
        rc = consumer_unpack(&v, &r);
        if (rc == TIX_OK && r.acked < *low) *low = r.acked;
        *any = 1;
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    return mrc == MDB_NOTFOUND ? TIX_OK : tix__mdb_err(mrc, "consumer scan");
}

static int trim_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct trim_arg *a = arg;
    a->removed = 0;
    a->more = 0;
    uint64_t low;
    int any;
    int rc = lowest_cursor(db, txn, &low, &any);
    if (rc || !any) return rc;
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(txn, db->dbi[TIX_T_OUTBOX], &cur)))
        return tix__mdb_err(rc, "outbox cursor");
    MDB_val k, v;
    int mrc;
    while ((mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST)) == 0) {
        if (k.mv_size != 8) {
            rc = tix__err(TIX_ECORRUPT, "outbox key is malformed");
            break;
        }
        if (tix__be64_get(k.mv_data) > low) break;
        if (a->removed == TRIM_BATCH) {
            a->more = 1;
            break;
        }
        if ((mrc = tix__db_raw_cursor_del(db, cur, TIX_T_OUTBOX))) break;
        a->removed++;
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    if (mrc && mrc != MDB_NOTFOUND) return tix__mdb_err(mrc, "outbox trim");
    return TIX_OK;
}

int tix_outbox_trim(tix_db *db, uint64_t *removed)
{
    if (removed) *removed = 0;
    TIX__ARG(db);
    struct trim_arg a;
    uint64_t total = 0;
    int rc;
    do {
        rc = tix__db_write(db, trim_txn, &a);
        if (rc == TIX_OK) total += a.removed;
    } while (rc == TIX_OK && a.more);
    if (removed) *removed = total;
    return rc;
}

/* ---- frees ------------------------------------------------------------- */

void tix_event_free(tix_event *ev) { free(ev); }
void tix_event_list_free(tix_event_list *l) { free(l); }
void tix_consumer_list_free(tix_consumer_list *l) { free(l); }
