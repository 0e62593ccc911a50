/* Store invariants and the writers' ledger: see invariants.h. */
#include "invariants.h"
#include "tables.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "engine.h"
#include "seatword.h"
#include "testutil.h"
#include "ticket.h"

#define PRINT_MAX 25 /* problems printed per check; the rest are counted */

typedef struct inv {
    tix_db *db;
    const tt_inv_opts *o;
    size_t problems;
} inv;

static void problem(inv *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(inv *v, const char *fmt, ...)
{
    if (!v->o->quiet && v->problems < PRINT_MAX) {
        char msg[600];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        fprintf(stderr, "invariant: %s\n", msg);
    }
    v->problems++;
}

static unsigned long long ull(uint64_t x) { return (unsigned long long)x; }

/* ---- ids of a primary table -------------------------------------------- */

static int table_ids(tix_db *db, int table, tix_id **ids, size_t *n)
{
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    rc = tix__db_index_ids(db, txn, table, "", 0, ids, n);
    tix__db_read_end(db, txn);
    return rc;
}

static uint64_t meta_counter(tix_db *db, int table)
{
    uint8_t key[4] = {'s', 'e', 'q', (uint8_t)table};
    MDB_txn *txn;
    if (tix__db_read_begin(db, &txn)) return 0;
    MDB_val k = {sizeof key, key}, v;
    uint64_t seq = 0;
    if (mdb_get(txn, db->dbi[TIX_T_META], &k, &v) == 0 && v.mv_size == 8)
        seq = tix__be64_get(v.mv_data);
    tix__db_read_end(db, txn);
    return seq;
}

/* ---- bookings ---------------------------------------------------------- */

typedef struct bk {
    tix_booking *b; /* NULL when it would not load */
    unsigned booked_ev, cancelled_ev;
} bk;

typedef struct tk {
    char code[TIX_TICKET_CODE_LEN + 1];
    tix_id booking;
    int64_t checked_in_at;
    char gate[TIX_NAME_MAX + 1];
    unsigned checkin_ev;
} tk;

typedef struct world {
    tix_id *ids; /* bookings, ascending */
    bk *bks;
    size_t n;
    tk *tks;
    size_t ntk;
} world;

static bk *find_bk(world *w, tix_id id)
{
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->ids[mid] == id) return &w->bks[mid];
        if (w->ids[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static int tk_cmp(const void *a, const void *b)
{
    return strcmp(((const tk *)a)->code, ((const tk *)b)->code);
}

static tk *find_tk(world *w, const char *code)
{
    tk key;
    snprintf(key.code, sizeof key.code, "%s", code);
    return bsearch(&key, w->tks, w->ntk, sizeof *w->tks, tk_cmp);
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void check_booking(inv *v, world *w, size_t i, tt_inv_stats *st)
{
    tix_db *db = v->db;
    tix_id id = w->ids[i];
    tix_booking *b;
    int rc = tix_booking_get(db, id, &b);
    if (rc) {
        problem(v, "booking %llu does not load: %s: %s", ull(id),
                tix_strerror(rc), tix_errmsg());
        return;
    }
    w->bks[i].b = b;
    st->bookings++;
    if (b->status == TIX_BOOKING_CONFIRMED) {
        st->live++;
        st->seats_booked += b->n_seats;
        if (b->cancelled_at)
            problem(v, "confirmed booking %llu has cancelled_at", ull(id));
    } else if (b->status == TIX_BOOKING_CANCELLED) {
        st->cancelled++;
        if (!b->cancelled_at)
            problem(v, "cancelled booking %llu has no cancelled_at", ull(id));
    } else {
        problem(v, "booking %llu has status %d", ull(id), (int)b->status);
    }
    tix_show *sh;
    if ((rc = tix_show_get(db, b->show_id, &sh))) {
        problem(v, "booking %llu names show %llu: %s", ull(id),
                ull(b->show_id), tix_strerror(rc));
        return;
    }
    uint32_t count = sh->seat_count;
    tix_show_free(sh);
    if (b->n_seats < 1 || b->n_tickets < 1) {
        problem(v, "booking %llu has %zu seats and %zu tickets", ull(id),
                b->n_seats, b->n_tickets);
        return;
    }
    uint32_t *seats = calloc(b->n_seats, sizeof *seats);
    uint32_t *from_tickets = calloc(b->n_seats, sizeof *from_tickets);
    size_t nt = 0;
    for (size_t k = 0; k < b->n_seats; k++) {
        seats[k] = b->seats[k].seat;
        if (seats[k] >= count)
            problem(v, "booking %llu seat %u beyond show's %u", ull(id),
                    seats[k], count);
    }
    for (size_t t = 0; t < b->n_tickets; t++) {
        const tix_ticket *tt = &b->tickets[t];
        char canon[TIX_TICKET_CODE_LEN + 1];
        if (tix__ticket_code_parse(tt->code, canon) || strcmp(canon, tt->code))
            problem(v, "booking %llu ticket %zu code '%s' does not parse",
                    ull(id), t, tt->code);
        for (size_t k = 0; k < tt->n_seats; k++)
            if (nt < b->n_seats) from_tickets[nt++] = tt->seats[k];
            else nt++;
        if ((tt->checked_in_at != 0) != (tt->gate[0] != '\0'))
            problem(v, "ticket %s: checked_in_at %lld but gate '%s'", tt->code,
                    (long long)tt->checked_in_at, tt->gate);
        st->tickets++;
        st->checked_in += tt->checked_in_at != 0;
        /* the ticket record itself */
        MDB_txn *txn;
        tix__ticket_rec rec;
        if (tix__db_read_begin(db, &txn) == TIX_OK) {
            rc = tix__ticket_get(db, txn, tt->code, &rec);
            if (rc)
                problem(v, "ticket %s of booking %llu: %s", tt->code, ull(id),
                        tix_strerror(rc));
            else if (rec.booking_id != id || rec.show_id != b->show_id ||
                     rec.n_seats != tt->n_seats)
                problem(v, "ticket record %s names booking %llu show %llu "
                        "(%u seats)", tt->code, ull(rec.booking_id),
                        ull(rec.show_id), rec.n_seats);
            tix__db_read_end(db, txn);
        }
    }
    if (nt != b->n_seats) {
        problem(v, "booking %llu: tickets cover %zu seats of %zu", ull(id), nt,
                b->n_seats);
    } else {
        qsort(seats, nt, sizeof *seats, u32_cmp);
        qsort(from_tickets, nt, sizeof *seats, u32_cmp);
        for (size_t k = 0; k < nt; k++) {
            if (k && seats[k] == seats[k - 1])
                problem(v, "booking %llu lists seat %u twice", ull(id), seats[k]);
            if (seats[k] != from_tickets[k]) {
                problem(v, "booking %llu: tickets' seats differ from its seats",
                        ull(id));
                break;
            }
        }
    }
    free(seats);
    free(from_tickets);
    tix_booking *byref;
    rc = tix_booking_find_payment(db, b->payment_ref, &byref);
    if (rc) {
        problem(v, "booking %llu: payment ref '%s' -> %s", ull(id),
                b->payment_ref, tix_strerror(rc));
    } else {
        if (byref->id != id)
            problem(v, "payment ref '%s' names booking %llu, not %llu",
                    b->payment_ref, ull(byref->id), ull(id));
        tix_booking_free(byref);
    }
}

static void collect_tickets(world *w)
{
    size_t n = 0;
    for (size_t i = 0; i < w->n; i++)
        if (w->bks[i].b) n += w->bks[i].b->n_tickets;
    w->tks = calloc(n + 1, sizeof *w->tks);
    for (size_t i = 0; i < w->n; i++) {
        const tix_booking *b = w->bks[i].b;
        if (!b) continue;
        for (size_t t = 0; t < b->n_tickets; t++) {
            tk *x = &w->tks[w->ntk++];
            snprintf(x->code, sizeof x->code, "%s", b->tickets[t].code);
            x->booking = b->id;
            x->checked_in_at = b->tickets[t].checked_in_at;
            snprintf(x->gate, sizeof x->gate, "%s", b->tickets[t].gate);
        }
    }
    qsort(w->tks, w->ntk, sizeof *w->tks, tk_cmp);
}

/* ---- one show: seat rows, seat words, availability --------------------- */

static void check_show(inv *v, world *w, tix_id show, tt_inv_stats *st)
{
    tix_db *db = v->db;
    const tix__show_entry *e;
    int rc = tix__engine_show(db, show, &e);
    if (rc == TIX_ESTATE) return; /* retired: its region may be reused */
    if (rc) {
        problem(v, "show %llu: lookup -> %s: %s", ull(show), tix_strerror(rc),
                tix_errmsg());
        return;
    }
    st->shows++;
    uint32_t n = e->info.seat_count;
    st->seats += n;
    /* Raw words first, before any reader repairs a stale lease. */
    uint64_t *words = calloc(n + 1, sizeof *words);
    for (uint32_t s = 0; s < n; s++) words[s] = tix__w_load(&e->seats[s]);

    tix_id *owner = calloc(n + 1, sizeof *owner);
    for (size_t i = 0; i < w->n; i++) {
        const tix_booking *b = w->bks[i].b;
        if (!b || b->show_id != show || b->status != TIX_BOOKING_CONFIRMED)
            continue;
        for (size_t k = 0; k < b->n_seats; k++) {
            uint32_t s = b->seats[k].seat;
            if (s >= n) continue;
            if (owner[s])
                problem(v, "show %llu seat %u is in live bookings %llu and %llu",
                        ull(show), s, ull(owner[s]), ull(b->id));
            else owner[s] = b->id;
        }
    }

    /* LMDB seat rows and the seat words against the live bookings. */
    MDB_txn *txn;
    if ((rc = tix__db_read_begin(db, &txn))) {
        problem(v, "read txn: %s", tix_strerror(rc));
        goto out;
    }
    uint32_t now = tix__engine_now(db);
    uint32_t n_booked = 0, n_blocked = 0, n_held = 0, n_free = 0;
    for (uint32_t s = 0; s < n; s++) {
        uint64_t truth, wd = words[s];
        if ((rc = tix__engine_truth(db, txn, e, s, &truth))) {
            problem(v, "show %llu seat %u: truth -> %s", ull(show), s,
                    tix_strerror(rc));
            continue;
        }
        unsigned ts = tix__w_state(truth), ws = tix__w_state(wd);
        if (owner[s] && truth != tix__w_make(TIX_W_BOOKED, 0, (uint32_t)owner[s]))
            problem(v, "show %llu seat %u: booking %llu is live but the LMDB "
                    "seat row says state %u tag %u", ull(show), s,
                    ull(owner[s]), ts, tix__w_tag(truth));
        if (!owner[s] && ts == TIX_W_BOOKED)
            problem(v, "show %llu seat %u: LMDB seat row names booking tag %u, "
                    "which is not live", ull(show), s, tix__w_tag(truth));
        if (ws == TIX_W_CONFIRMING) {
            if (!v->o->in_flight_ok)
                problem(v, "show %llu seat %u is CONFIRMING with nothing in "
                        "flight", ull(show), s);
            n_held++;
            continue;
        }
        switch (ts) {
        case TIX_W_BOOKED:
            n_booked++;
            if (wd != truth)
                problem(v, "show %llu seat %u: seats.map word state %u tag %u, "
                        "LMDB booked by tag %u", ull(show), s, ws,
                        tix__w_tag(wd), tix__w_tag(truth));
            break;
        case TIX_W_BLOCKED:
            n_blocked++;
            if (ws != TIX_W_BLOCKED)
                problem(v, "show %llu seat %u: blocked in LMDB, word state %u",
                        ull(show), s, ws);
            break;
        default:
            if (ws != TIX_W_FREE && ws != TIX_W_HELD)
                problem(v, "show %llu seat %u: free in LMDB, word state %u "
                        "tag %u", ull(show), s, ws, tix__w_tag(wd));
            else if (tix__w_held_live(wd, now))
                n_held++;
            else
                n_free++;
        }
    }
    tix__db_read_end(db, txn);
    st->held += n_held;
    st->blocked += n_blocked;

    /* Seat rows of the raw table: each names a live booking of this show
     * that has the seat, or is an admin block. */
    if (tix__db_read_begin(db, &txn) == TIX_OK) {
        MDB_cursor *cur;
        if (mdb_cursor_open(txn, db->dbi[TIX_T_SEAT_STATE], &cur) == 0) {
            uint8_t prefix[8];
            tix__be64_put(prefix, show);
            MDB_val k = {8, prefix}, val;
            int mrc = mdb_cursor_get(cur, &k, &val, MDB_SET_RANGE);
            for (; mrc == 0 && k.mv_size >= 8 && !memcmp(k.mv_data, prefix, 8);
                 mrc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
                if (k.mv_size != TIX__SHOW_SEAT_KEY_LEN || val.mv_size != 8) {
                    problem(v, "show %llu: malformed seat row", ull(show));
                    continue;
                }
                uint32_t s = tix__be32_get((const uint8_t *)k.mv_data + 8);
                uint64_t b = tix__be64_get(val.mv_data);
                if (s >= n)
                    problem(v, "show %llu: seat row for seat %u beyond %u",
                            ull(show), s, n);
                else if (b != TIX_SEAT_STATE_BLOCKED && owner[s] != b)
                    problem(v, "show %llu seat %u: row names booking %llu, live "
                            "owner %llu", ull(show), s, ull(b), ull(owner[s]));
            }
            mdb_cursor_close(cur);
        }
        tix__db_read_end(db, txn);
    }

    /* Availability (this may repair stale leases when in flight). */
    if (!v->o->in_flight_ok) {
        tix_avail *a;
        if ((rc = tix_show_availability(db, show, &a))) {
            problem(v, "show %llu availability -> %s", ull(show),
                    tix_strerror(rc));
        } else {
            if (a->all.total != n || a->all.booked != n_booked ||
                a->all.unavailable != n_blocked || a->all.held > n_held ||
                a->all.free + a->all.held != n_free + n_held)
                problem(v, "show %llu availability total %u free %u held %u "
                        "booked %u unavailable %u; seats %u free %u held %u "
                        "booked %u blocked %u", ull(show), a->all.total,
                        a->all.free, a->all.held, a->all.booked,
                        a->all.unavailable, n, n_free, n_held, n_booked,
                        n_blocked);
            uint32_t sum[5] = {0};
            for (size_t t = 0; t < a->n_tiers; t++) {
                sum[0] += a->tiers[t].total;
                sum[1] += a->tiers[t].free;
                sum[2] += a->tiers[t].held;
                sum[3] += a->tiers[t].booked;
                sum[4] += a->tiers[t].unavailable;
            }
            if (sum[0] != a->all.total || sum[1] != a->all.free ||
                sum[2] != a->all.held || sum[3] != a->all.booked ||
                sum[4] != a->all.unavailable)
                problem(v, "show %llu: tier counts do not add up", ull(show));
            tix_avail_free(a);
        }
        uint8_t *states = calloc(n + 1, 1);
        if ((rc = tix_show_seat_states(db, show, states, n)) == TIX_OK) {
            for (uint32_t s = 0; s < n; s++)
                if ((states[s] == TIX_SEAT_BOOKED) != (owner[s] != 0)) {
                    problem(v, "show %llu seat %u reads state %u, live "
                            "booking %llu", ull(show), s, states[s],
                            ull(owner[s]));
                    break;
                }
        } else {
            problem(v, "show %llu seat states -> %s", ull(show),
                    tix_strerror(rc));
        }
        free(states);
    }
out:
    free(owner);
    free(words);
}

/* ---- outbox ------------------------------------------------------------ */

static void check_outbox(inv *v, world *w, tt_inv_stats *st)
{
    tix_db *db = v->db;
    MDB_txn *txn;
    if (tix__db_read_begin(db, &txn)) {
        problem(v, "outbox: read txn");
        return;
    }
    uint64_t *seqs = NULL;
    size_t n = 0, cap = 0;
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, db->dbi[TIX_T_OUTBOX], &cur) == 0) {
        MDB_val k, val;
        for (int mrc = mdb_cursor_get(cur, &k, &val, MDB_FIRST); mrc == 0;
             mrc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
            if (k.mv_size != 8) {
                problem(v, "outbox key of %zu bytes", k.mv_size);
                continue;
            }
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                seqs = realloc(seqs, cap * sizeof *seqs);
            }
            seqs[n++] = tix__be64_get(k.mv_data);
        }
        mdb_cursor_close(cur);
    }
    tix__db_read_end(db, txn);
    uint64_t counter = meta_counter(db, TIX_T_OUTBOX);
    if (n && seqs[n - 1] > counter)
        problem(v, "outbox event %llu beyond the sequence counter %llu",
                ull(seqs[n - 1]), ull(counter));
    for (size_t i = 0; i < n; i++) {
        tix_event *ev;
        int rc = tix_outbox_get(db, seqs[i], &ev);
        if (rc) {
            problem(v, "outbox event %llu does not load: %s: %s", ull(seqs[i]),
                    tix_strerror(rc), tix_errmsg());
            continue;
        }
        st->events++;
        if (ev->seq != seqs[i]) problem(v, "event %llu reads seq %llu",
                                        ull(seqs[i]), ull(ev->seq));
        if (ev->type == TIX_EVENT_REVIEWED) {
            st->review_events++;
            tix_event_free(ev);
            continue;
        }
        bk *b = find_bk(w, ev->booking_id);
        const tix_booking *bb = b ? b->b : NULL;
        if (!bb) {
            problem(v, "event %llu (type %d) names booking %llu, which is not "
                    "there", ull(ev->seq), (int)ev->type, ull(ev->booking_id));
            tix_event_free(ev);
            continue;
        }
        if (ev->user_id != bb->user_id || ev->show_id != bb->show_id)
            problem(v, "event %llu: user/show %llu/%llu, booking %llu has "
                    "%llu/%llu", ull(ev->seq), ull(ev->user_id),
                    ull(ev->show_id), ull(bb->id), ull(bb->user_id),
                    ull(bb->show_id));
        switch (ev->type) {
        case TIX_EVENT_BOOKED:
        case TIX_EVENT_CANCELLED:
            if (ev->type == TIX_EVENT_BOOKED) b->booked_ev++;
            else b->cancelled_ev++;
            if (ev->n_seats != bb->n_seats || ev->n_tickets != bb->n_tickets) {
                problem(v, "event %llu: %zu seats %zu tickets, booking %llu has "
                        "%zu/%zu", ull(ev->seq), ev->n_seats, ev->n_tickets,
                        ull(bb->id), bb->n_seats, bb->n_tickets);
                break;
            }
            for (size_t k = 0; k < ev->n_seats; k++)
                if (ev->seats[k].seat != bb->seats[k].seat)
                    problem(v, "event %llu seat %zu differs", ull(ev->seq), k);
            for (size_t k = 0; k < ev->n_tickets; k++)
                if (strcmp(ev->tickets[k].code, bb->tickets[k].code))
                    problem(v, "event %llu ticket %zu differs", ull(ev->seq), k);
            if (ev->type == TIX_EVENT_BOOKED && ev->at != bb->created_at)
                problem(v, "event %llu at %lld, booking created %lld",
                        ull(ev->seq), (long long)ev->at,
                        (long long)bb->created_at);
            if (ev->type == TIX_EVENT_CANCELLED && ev->at != bb->cancelled_at)
                problem(v, "event %llu at %lld, booking cancelled %lld",
                        ull(ev->seq), (long long)ev->at,
                        (long long)bb->cancelled_at);
            break;
        case TIX_EVENT_CHECKED_IN: {
            tk *t = ev->n_tickets == 1 ? find_tk(w, ev->tickets[0].code) : NULL;
            if (!t || t->booking != bb->id) {
                problem(v, "check-in event %llu names no ticket of booking %llu",
                        ull(ev->seq), ull(bb->id));
                break;
            }
            t->checkin_ev++;
            if (ev->at != t->checked_in_at || strcmp(ev->gate, t->gate))
                problem(v, "check-in event %llu at %lld gate '%s', ticket %s "
                        "at %lld gate '%s'", ull(ev->seq), (long long)ev->at,
                        ev->gate, t->code, (long long)t->checked_in_at, t->gate);
            break;
        }
        default:
            problem(v, "event %llu has type %d", ull(ev->seq), (int)ev->type);
        }
        tix_event_free(ev);
    }
    /* exactly one event per committed change */
    int trimmed = v->o->outbox_trimmed;
    for (size_t i = 0; i < w->n; i++) {
        const bk *b = &w->bks[i];
        if (!b->b) continue;
        unsigned want_c = b->b->status == TIX_BOOKING_CANCELLED;
        if (b->booked_ev > 1 || (!trimmed && b->booked_ev != 1))
            problem(v, "booking %llu has %u BOOKED events", ull(w->ids[i]),
                    b->booked_ev);
        if (b->cancelled_ev > want_c || (!trimmed && b->cancelled_ev != want_c))
            problem(v, "booking %llu (status %d) has %u CANCELLED events",
                    ull(w->ids[i]), (int)b->b->status, b->cancelled_ev);
    }
    for (size_t i = 0; i < w->ntk; i++) {
        unsigned want = w->tks[i].checked_in_at != 0;
        if (w->tks[i].checkin_ev > want || (!trimmed && w->tks[i].checkin_ev != want))
            problem(v, "ticket %s (checked in at %lld) has %u CHECKED_IN events",
                    w->tks[i].code, (long long)w->tks[i].checked_in_at,
                    w->tks[i].checkin_ev);
    }
    tix_consumer_list *cl;
    if (tix_outbox_consumers(db, &cl) == TIX_OK) {
        st->consumers += cl->count;
        for (size_t i = 0; i < cl->count; i++)
            if (cl->items[i].acked > counter)
                problem(v, "consumer '%s' acked %llu beyond the newest event "
                        "%llu", cl->items[i].name, ull(cl->items[i].acked),
                        ull(counter));
        tix_consumer_list_free(cl);
    } else {
        problem(v, "outbox consumers do not load");
    }
    free(seqs);
}

static void lib_problem(void *ctx, const char *msg)
{
    problem(ctx, "tix check: %s", msg);
}

size_t tt_inv_check(tix_db *db, const tt_inv_opts *o, tt_inv_stats *st)
{
    tt_inv_opts defaults = {0};
    tt_inv_stats local;
    if (!o) o = &defaults;
    if (!st) st = &local;
    memset(st, 0, sizeof *st);
    inv v = {db, o, 0};
    world w = {0};
    int rc = table_ids(db, TIX_T_BOOKINGS, &w.ids, &w.n);
    if (rc) {
        problem(&v, "bookings do not list: %s", tix_strerror(rc));
        return v.problems;
    }
    w.bks = calloc(w.n + 1, sizeof *w.bks);
    for (size_t i = 0; i < w.n; i++) check_booking(&v, &w, i, st);
    collect_tickets(&w);
    tix_id *shows = NULL;
    size_t nshows = 0;
    if ((rc = table_ids(db, TIX_T_SHOWS, &shows, &nshows)))
        problem(&v, "shows do not list: %s", tix_strerror(rc));
    for (size_t i = 0; i < nshows; i++) check_show(&v, &w, shows[i], st);
    check_outbox(&v, &w, st);
    if (o->run_check) {
        tix_check_counts c;
        rc = tix_db_check(db, lib_problem, &v, &c);
        if (rc) problem(&v, "tix check -> %s: %s", tix_strerror(rc), tix_errmsg());
    }
    for (size_t i = 0; i < w.n; i++) tix_booking_free(w.bks[i].b);
    free(w.bks);
    free(w.ids);
    free(w.tks);
    free(shows);
    return v.problems;
}

void tt_inv_assert(tix_db *db, const tt_inv_opts *o, tt_inv_stats *st)
{
    size_t n = tt_inv_check(db, o, st);
    if (n) fail_msg("%zu store invariant(s) broken (see above)", n);
}

size_t tt_inv_cancel_all(tix_db *db, size_t *cancelled)
{
    tix_id *ids = NULL;
    size_t n = 0, failed = 0, done = 0;
    if (table_ids(db, TIX_T_BOOKINGS, &ids, &n)) return 1;
    for (size_t i = 0; i < n; i++) {
        tix_booking *b;
        if (tix_booking_get(db, ids[i], &b)) {
            failed++;
            continue;
        }
        int live = b->status == TIX_BOOKING_CONFIRMED;
        tix_booking_free(b);
        if (!live) continue;
        int rc = tix_booking_cancel_ex(db, ids[i], TIX_CANCEL_AFTER_CHECKIN);
        if (rc) {
            fprintf(stderr, "invariant: live booking %llu does not cancel: %s: "
                    "%s\n", ull(ids[i]), tix_strerror(rc), tix_errmsg());
            failed++;
        } else {
            done++;
        }
    }
    free(ids);
    if (cancelled) *cancelled = done;
    return failed;
}

/* ---- report lines ------------------------------------------------------ */

int tt_line_confirmed(char *buf, tix_id booking, const tix_hold *h,
                      const char *ref)
{
    int len = snprintf(buf, TT_LINE_MAX, "C %llu %llu %s %zu", ull(booking),
                       ull(tix_hold_show(h)), ref, tix_hold_count(h));
    for (size_t i = 0; i < tix_hold_count(h) && len < TT_LINE_MAX - 16; i++)
        len += snprintf(buf + len, (size_t)(TT_LINE_MAX - len), " %u",
                        tix_hold_seat(h, i));
    len += snprintf(buf + len, (size_t)(TT_LINE_MAX - len), "\n");
    return len;
}

int tt_line_id(char *buf, char what, tix_id booking)
{
    return snprintf(buf, TT_LINE_MAX, "%c %llu\n", what, ull(booking));
}

int tt_line_code(char *buf, char what, const char *code)
{
    return snprintf(buf, TT_LINE_MAX, "%c %s\n", what, code);
}

int tt_line_ack(char *buf, const char *consumer, uint64_t seq)
{
    return snprintf(buf, TT_LINE_MAX, "A %s %llu\n", consumer, ull(seq));
}

/* ---- the ledger -------------------------------------------------------- */

void tt_ledger_init(tt_ledger *l) { memset(l, 0, sizeof *l); }

void tt_ledger_free(tt_ledger *l)
{
    free(l->b);
    free(l->k);
    memset(l, 0, sizeof *l);
}

tt_ledger_booking *tt_ledger_find(const tt_ledger *l, tix_id id)
{
    for (size_t i = l->nb; i-- > 0;)
        if (l->b[i].id == id) return &l->b[i];
    return NULL;
}

static tt_ledger_code *find_code(tt_ledger *l, const char *code)
{
    for (size_t i = 0; i < l->nk; i++)
        if (!strcmp(l->k[i].code, code)) return &l->k[i];
    return NULL;
}

static int bad(char *err, size_t cap, const char *why, const char *line)
{
    snprintf(err, cap, "%s: '%.200s'", why, line);
    return -1;
}

int tt_ledger_line(tt_ledger *l, const char *line, char *err, size_t cap)
{
    unsigned long long id, show, seq;
    char word[TIX_NAME_MAX + 2];
    int used;
    l->lines++;
    switch (line[0]) {
    case 'C': {
        tt_ledger_booking b = {0};
        unsigned n;
        if (sscanf(line, "C %llu %llu %129s %u%n", &id, &show, word, &n,
                   &used) != 4 ||
            n < 1 || n > 16 || strlen(word) > TIX_NAME_MAX)
            return bad(err, cap, "malformed confirm line", line);
        b.id = id;
        b.show = show;
        b.n = n;
        memcpy(b.ref, word, strlen(word) + 1); /* length checked above */
        const char *s = line + used;
        for (unsigned i = 0; i < n; i++) {
            int adv;
            if (sscanf(s, " %u%n", &b.seats[i], &adv) != 1)
                return bad(err, cap, "malformed confirm line", line);
            s += adv;
        }
        if (tt_ledger_find(l, b.id))
            return bad(err, cap, "booking reported twice", line);
        if (l->nb == l->capb) {
            l->capb = l->capb ? l->capb * 2 : 256;
            l->b = realloc(l->b, l->capb * sizeof *l->b);
        }
        l->b[l->nb++] = b;
        return 0;
    }
    case 'c':
    case 'X': {
        if (sscanf(line + 1, " %llu", &id) != 1)
            return bad(err, cap, "malformed cancel line", line);
        tt_ledger_booking *b = tt_ledger_find(l, id);
        if (!b) return bad(err, cap, "cancel of an unreported booking", line);
        if (line[0] == 'X') b->cancel = 2;
        else if (b->cancel == 0) b->cancel = 1;
        return 0;
    }
    case 'k':
    case 'K': {
        if (sscanf(line + 1, " %29s", word) != 1 ||
            strlen(word) != TIX_TICKET_CODE_LEN)
            return bad(err, cap, "malformed check-in line", line);
        tt_ledger_code *k = find_code(l, word);
        if (!k) {
            if (l->nk == l->capk) {
                l->capk = l->capk ? l->capk * 2 : 64;
                l->k = realloc(l->k, l->capk * sizeof *l->k);
            }
            k = &l->k[l->nk++];
            memset(k, 0, sizeof *k);
            memcpy(k->code, word, sizeof k->code); /* length checked above */
        }
        if (line[0] == 'K') k->done = 1;
        return 0;
    }
    case 'A': {
        char name[TIX_CONSUMER_NAME_MAX + 2];
        if (sscanf(line, "A %65s %llu", name, &seq) != 2 ||
            strlen(name) > TIX_CONSUMER_NAME_MAX)
            return bad(err, cap, "malformed ack line", line);
        size_t i;
        for (i = 0; i < l->na && strcmp(l->a[i].consumer, name); i++) {
        }
        if (i == l->na) {
            if (l->na == sizeof l->a / sizeof *l->a)
                return bad(err, cap, "too many consumers", line);
            memcpy(l->a[l->na].consumer, name, strlen(name) + 1); /* checked */
            l->a[l->na++].seq = 0;
        }
        if (seq > l->a[i].seq) l->a[i].seq = seq;
        return 0;
    }
    default:
        return bad(err, cap, "unknown line", line);
    }
}

size_t tt_ledger_feed(tt_ledger *l, char *buf, size_t *len)
{
    size_t bad_lines = 0, start = 0;
    for (size_t i = 0; i < *len; i++) {
        if (buf[i] != '\n') continue;
        buf[i] = '\0';
        char err[300];
        if (buf[start] == 'F') {
            fprintf(stderr, "writer: %s\n", buf + start + 1);
            bad_lines++;
        } else if (buf[start] != 'R' && buf[start] != 'S' &&
                   tt_ledger_line(l, buf + start, err, sizeof err)) {
            fprintf(stderr, "ledger: %s\n", err);
            bad_lines++;
        }
        start = i + 1;
    }
    memmove(buf, buf + start, *len - start);
    *len -= start;
    return bad_lines;
}

size_t tt_ledger_verify(tix_db *db, const tt_ledger *l, int quiet)
{
    tt_inv_opts o = {.quiet = quiet};
    inv v = {db, &o, 0};
    for (size_t i = 0; i < l->nb; i++) {
        const tt_ledger_booking *r = &l->b[i];
        tix_booking *b;
        int rc = tix_booking_get(db, r->id, &b);
        if (rc) {
            problem(&v, "reported booking %llu (%s) -> %s: %s", ull(r->id),
                    r->ref, tix_strerror(rc), tix_errmsg());
            continue;
        }
        if (strcmp(b->payment_ref, r->ref) || b->show_id != r->show ||
            b->n_seats != r->n)
            problem(&v, "booking %llu is (%s, show %llu, %zu seats), reported "
                    "(%s, show %llu, %u seats)", ull(r->id), b->payment_ref,
                    ull(b->show_id), b->n_seats, r->ref, ull(r->show), r->n);
        else
            for (uint32_t k = 0; k < r->n; k++)
                if (b->seats[k].seat != r->seats[k])
                    problem(&v, "booking %llu seat %u is %u, reported %u",
                            ull(r->id), k, b->seats[k].seat, r->seats[k]);
        if (b->n_tickets < 1)
            problem(&v, "reported booking %llu has no tickets", ull(r->id));
        if (r->cancel == 0 && b->status != TIX_BOOKING_CONFIRMED)
            problem(&v, "booking %llu was never cancelled but has status %d",
                    ull(r->id), (int)b->status);
        if (r->cancel == 2 && b->status != TIX_BOOKING_CANCELLED)
            problem(&v, "booking %llu was reported cancelled but has status %d",
                    ull(r->id), (int)b->status);
        tix_booking_free(b);
    }
    for (size_t i = 0; i < l->nk; i++) {
        if (!l->k[i].done) continue;
        MDB_txn *txn;
        tix__ticket_rec t;
        if (tix__db_read_begin(db, &txn)) {
            problem(&v, "read txn");
            continue;
        }
        int rc = tix__ticket_get(db, txn, l->k[i].code, &t);
        if (rc) problem(&v, "reported check-in of %s: ticket -> %s",
                        l->k[i].code, tix_strerror(rc));
        else if (!t.checked_in_at)
            problem(&v, "ticket %s was reported checked in but is not",
                    l->k[i].code);
        tix__db_read_end(db, txn);
    }
    if (l->na) {
        tix_consumer_list *cl;
        if (tix_outbox_consumers(db, &cl) != TIX_OK) {
            problem(&v, "consumers do not load");
        } else {
            for (size_t i = 0; i < l->na; i++) {
                size_t j;
                for (j = 0; j < cl->count &&
                            strcmp(cl->items[j].name, l->a[i].consumer);
                     j++) {
                }
                if (j == cl->count)
                    problem(&v, "consumer %s is gone", l->a[i].consumer);
                else if (cl->items[j].acked < l->a[i].seq)
                    problem(&v, "consumer %s acked %llu but its cursor is %llu",
                            l->a[i].consumer, ull(l->a[i].seq),
                            ull(cl->items[j].acked));
            }
            tix_consumer_list_free(cl);
        }
    }
    return v.problems;
}
