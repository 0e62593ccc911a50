/* Cancel (refund): BOOKED -> CONFIRMING(lease) -> LMDB (booking cancelled,
 * seat rows removed, outbox event) -> FREE.
 * A booking with a checked-in ticket is refunded only with
 * TIX_CANCEL_AFTER_CHECKIN: the customer was let in. */
#include <stdlib.h>
#include <string.h>

#include "booking.h"
#include "tables.h"
#include "error.h"
#include "layout.h"
#include "lease.h"
#include "offer.h"
#include "outbox.h"
#include "seatlog.h"
#include "show.h"
#include "validate.h"
#include "stats.h"
#include "ticket.h"
#include "usercap.h"

/* What cancel needs of a booking record. */
typedef struct cancel_info {
    tix_id show, user, offer;
    uint32_t n;
    uint32_t *seats;
    int64_t total;
    int64_t created; /* when the booking was made */
    char currency[4];
    uint32_t n_codes;
    char (*codes)[TIX_TICKET_CODE_LEN + 1]; /* after the seats, one block */
    unsigned flags; /* TIX_CANCEL_* */
} cancel_info;

/* TIX_ECHECKEDIN naming the ticket, unless the caller overrides. */
static int checked_in_refusal(tix_id id, const char *code, const char *gate,
                              int gate_len)
{
    return tix__err(TIX_ECHECKEDIN, "booking %llu: ticket %s was checked in "
                    "at gate %.*s; cancel with TIX_CANCEL_AFTER_CHECKIN to "
                    "refund it anyway", (unsigned long long)id, code,
                    gate_len, gate);
}

static int read_cancel_info(tix_db *db, tix_id id, cancel_info *ci)
{
    tix_booking *b;
    int rc = tix_booking_get(db, id, &b);
    if (rc) return rc;
    if (b->status == TIX_BOOKING_CANCELLED) {
        tix_booking_free(b);
        return tix__err(TIX_EALREADY, "booking %llu is already cancelled",
                        (unsigned long long)id);
    }
    /* Early, so a refused cancel never leases a seat; cancel_write checks
     * again inside its transaction, where a racing check-in is seen. */
    for (size_t i = 0; !(ci->flags & TIX_CANCEL_AFTER_CHECKIN) &&
                       i < b->n_tickets; i++)
        if (b->tickets[i].checked_in_at) {
            rc = checked_in_refusal(id, b->tickets[i].code, b->tickets[i].gate,
                                    (int)strlen(b->tickets[i].gate));
            tix_booking_free(b);
            return rc;
        }
    ci->show = b->show_id;
    ci->user = b->user_id;
    ci->offer = b->offer_id;
    ci->total = b->total_minor;
    ci->created = b->created_at;
    memcpy(ci->currency, b->currency, sizeof ci->currency);
    ci->n = (uint32_t)b->n_seats;
    ci->n_codes = (uint32_t)b->n_tickets;
    /* One allocation: the seats, then the codes. */
    size_t seats_size = (b->n_seats + 1) * sizeof *ci->seats;
    ci->seats = malloc(seats_size + b->n_tickets * sizeof *ci->codes);
    if (!ci->seats) rc = tix__err(TIX_ENOMEM, "out of memory");
    ci->codes = ci->seats ? (void *)((char *)ci->seats + seats_size) : NULL;
    for (uint32_t i = 0; rc == 0 && i < ci->n; i++) ci->seats[i] = b->seats[i].seat;
    for (uint32_t i = 0; rc == 0 && i < ci->n_codes; i++)
        memcpy(ci->codes[i], b->tickets[i].code, sizeof ci->codes[i]);
    tix_booking_free(b);
    return rc;
}

static int booked_by(uint64_t w, uint32_t now, void *arg)
{
    (void)now;
    tix_id id = *(tix_id *)arg;
    return tix__w_state(w) == TIX_W_BOOKED && tix__w_tag(w) == (uint32_t)id;
}

struct cancel_arg {
    tix_id id;
    const cancel_info *ci;
};

/* Whether a ticket of the booking is checked in, read in the cancel's
 * transaction; refuses unless the override is given. */
static int checkin_gate(tix_db *db, MDB_txn *txn, tix_id id,
                        const cancel_info *ci, int *after_checkin)
{
    *after_checkin = 0;
    for (uint32_t i = 0; i < ci->n_codes; i++) {
        tix__ticket_rec t;
        int rc = tix__ticket_get(db, txn, ci->codes[i], &t);
        if (rc) return rc;
        if (!t.checked_in_at) continue;
        if (!(ci->flags & TIX_CANCEL_AFTER_CHECKIN))
            return checked_in_refusal(id, ci->codes[i], t.gate.p,
                                      (int)t.gate.len);
        *after_checkin = 1;
    }
    return TIX_OK;
}

/* Bytes a booking record of version @p v lacks to be the current version:
 * the zeros of the fields later versions appended (v2: offer, discount,
 * fee; v3: hold digest; v4: after_checkin; v5: channel, group). */
static size_t upgrade_bytes(uint8_t v)
{
    return (v < 2 ? 24u : 0u) + (v < 3 ? 8u : 0u) + (v < 4 ? 1u : 0u) +
           (v < 5 ? 16u : 0u);
}

/* Bytes after the after_checkin byte in a current record (v5). */
#define AFTER_CHECKIN_TAIL 16

/* Rewrites the booking record with status cancelled (same bytes otherwise:
 * status and cancelled_at sit at fixed offsets after the header; the
 * after_checkin byte sits AFTER_CHECKIN_TAIL bytes before the end of a
 * current record, which an older record is brought up to first). */
static int mark_cancelled(tix_db *db, MDB_txn *txn, tix_id id, int64_t now,
                          int after_checkin)
{
    MDB_val v;
    int rc = tix__db_get_id(db, txn, TIX_T_BOOKINGS, id, &v, "booking");
    if (rc) return rc;
    int status;
    if ((rc = tix__booking_status(db, txn, id, &status, NULL))) return rc;
    if (status == TIX_BOOKING_CANCELLED)
        return tix__err(TIX_EALREADY, "booking %llu is already cancelled",
                        (unsigned long long)id);
    uint8_t version = ((const uint8_t *)v.mv_data)[1];
    size_t extra = upgrade_bytes(version), len = v.mv_size + extra;
    uint8_t *copy = calloc(1, len);
    if (!copy) return tix__err(TIX_ENOMEM, "out of memory");
    memcpy(copy, v.mv_data, v.mv_size);
    const size_t status_at = 2 + 8 + 8, cancelled_at = status_at + 1 + 8;
    copy[1] = TIX__BOOKING_VERSION;
    copy[status_at] = TIX_BOOKING_CANCELLED;
    copy[len - 1 - AFTER_CHECKIN_TAIL] = (uint8_t)after_checkin;
    for (int i = 0; i < 8; i++) copy[cancelled_at + i] = (uint8_t)((uint64_t)now >> (8 * i));
    uint8_t key[8];
    tix__be64_put(key, id);
    rc = tix__db_put(db, txn, TIX_T_BOOKINGS, key, 8, copy, len, 0, "booking");
    free(copy);
    return rc;
}

/* The LMDB side of one booking's refund, in the caller's transaction:
 * the booking, its seat rows, its event, its offer use, the counters. */
static int cancel_body(tix_db *db, MDB_txn *txn, struct cancel_arg *a,
                       int64_t now)
{
    int after_checkin;
    int rc = checkin_gate(db, txn, a->id, a->ci, &after_checkin);
    if (rc == 0) rc = mark_cancelled(db, txn, a->id, now, after_checkin);
    for (uint32_t i = 0; rc == 0 && i < a->ci->n; i++) {
        uint8_t key[TIX__SHOW_SEAT_KEY_LEN];
        tix__show_seat_key(key, a->ci->show, a->ci->seats[i]);
        rc = tix__db_del(db, txn, TIX_T_SEAT_STATE, key, sizeof key, "seat state");
        if (rc == TIX_ENOTFOUND)
            rc = tix__err(TIX_ECORRUPT, "booked seat %u has no seat row",
                          a->ci->seats[i]);
    }
    const char *codes[a->ci->n_codes + 1];
    for (uint32_t i = 0; i < a->ci->n_codes; i++) codes[i] = a->ci->codes[i];
    tix__event ev = {.type = TIX_EVENT_CANCELLED, .at = now,
                     .booking_id = a->id, .user_id = a->ci->user,
                     .show_id = a->ci->show, .n_seats = a->ci->n,
                     .seats = a->ci->seats, .n_codes = a->ci->n_codes,
                     .codes = codes, .gate = "", .total_minor = a->ci->total,
                     .currency = a->ci->currency,
                     .after_checkin = (uint8_t)after_checkin};
    if (rc == 0) rc = tix__outbox_append(db, txn, &ev, NULL);
    if (rc == 0) rc = tix__offer_release(db, txn, a->ci->offer, a->ci->user);
    if (rc == 0)
        rc = tix__stats_cancelled(db, txn, a->ci->user, a->ci->show,
                                  a->ci->created);
    tix__show_info s;
    if (rc == 0) rc = tix__show_read(db, txn, a->ci->show, &s);
    if (rc == 0) rc = tix__usercap_charge(db, txn, &s, a->ci->user, -(int64_t)a->ci->n);
    return rc;
}

static int cancel_write(tix_db *db, MDB_txn *txn, void *arg)
{
    return cancel_body(db, txn, arg, tix_db_now(db));
}

int tix_booking_cancel(tix_db *db, tix_id id)
{
    return tix_booking_cancel_ex(db, id, 0);
}

int tix_booking_cancel_ex(tix_db *db, tix_id id, unsigned flags)
{
    TIX__ARG(db);
    if (flags & ~TIX_CANCEL_AFTER_CHECKIN)
        return tix__err(TIX_EINVAL, "unknown cancel flags 0x%x", flags);
    cancel_info ci = {.flags = flags};
    int rc = read_cancel_info(db, id, &ci);
    const tix__show_entry *e = NULL;
    if (rc == 0) rc = tix__engine_show(db, ci.show, &e);
    if (rc == TIX_ESTATE) {
        /* The show is long over and its seat words retired: a refund only
         * changes LMDB. */
        struct cancel_arg a = {id, &ci};
        rc = tix__db_write(db, cancel_write, &a);
        free(ci.seats);
        return rc;
    }
    if (rc) {
        free(ci.seats);
        return rc;
    }
    uint64_t prev[ci.n ? ci.n : 1];
    tix__lease l = {.e = e, .seats = ci.seats, .n = ci.n, .prev = prev};
    rc = tix__lease_take(db, &l, (uint32_t)id, booked_by, &id);
    if (rc == TIX_ECONFLICT) {
        char label[TIX__SEAT_LABEL_MAX];
        tix__layout_seat_label(e->layout, l.failed_seat, label);
        rc = tix__err(TIX_EBUSY, "seat %s of booking %llu is changing right now",
                      label, (unsigned long long)id);
    }
    if (rc == 0) {
        struct cancel_arg a = {id, &ci};
        rc = tix__db_write(db, cancel_write, &a);
        /* TIX_EALREADY here means another cancel of this booking committed
         * after our read_cancel_info: its lease ran out and a repair put
         * the BOOKED words back before its commit landed, so we could lease
         * them (had its lease held, ours would have failed with TIX_EBUSY).
         * Its commit deleted the seat rows, so the truth is FREE, not the
         * stale BOOKED words we would revert to. */
        if (rc == 0 || rc == TIX_EALREADY)
            tix__lease_finish(&l, tix__w_make(TIX_W_FREE, 0, 0));
        else
            tix__lease_revert(&l);
    }
    free(ci.seats);
    return rc;
}

/* ---- a whole show ------------------------------------------------------ */

#define SHOW_CANCEL_TAG 0x5C0FF5C0u

/* Every word but a live hold or a running confirm: the show's whole map is
 * leased at once, so once leased no hold can slip in before the commit. */
static int cancellable(uint64_t w, uint32_t now, void *arg)
{
    (void)arg;
    return tix__w_takeable(w, now) || tix__w_state(w) == TIX_W_BOOKED ||
           tix__w_state(w) == TIX_W_BLOCKED;
}

struct show_cancel {
    tix_id show;
    const char *reason;
    cancel_info *ci; /* the live bookings */
    tix_id *ids;
    size_t n;
    const uint32_t *seats; /* 0 .. seat_count - 1 */
    uint32_t n_seats;
};

static int block_every_seat(tix_db *db, MDB_txn *txn, struct show_cancel *c)
{
    uint8_t val[8];
    tix__be64_put(val, TIX_SEAT_STATE_BLOCKED);
    for (uint32_t i = 0; i < c->n_seats; i++) {
        uint8_t key[TIX__SHOW_SEAT_KEY_LEN];
        tix__show_seat_key(key, c->show, i);
        int rc = tix__db_put(db, txn, TIX_T_SEAT_STATE, key, sizeof key, val,
                             8, 0, "seat state");
        if (rc) return rc;
    }
    tix__seatlog_entry le = {.type = TIX_SEAT_EVENT_BLOCKED,
                             .at = tix_db_now(db)};
    return tix__seatlog_append(db, txn, c->show, c->seats, c->n_seats, &le);
}

static int show_cancel_write(tix_db *db, MDB_txn *txn, void *arg)
{
    struct show_cancel *c = arg;
    int64_t now = tix_db_now(db);
    int rc = tix__show_mark_cancelled(db, txn, c->show, now);
    for (size_t i = 0; rc == TIX_OK && i < c->n; i++) {
        struct cancel_arg a = {c->ids[i], &c->ci[i]};
        rc = cancel_body(db, txn, &a, now);
    }
    /* After the refunds, which delete their seat rows: every seat ends
     * BLOCKED in LMDB, so a rebuilt seats.map keeps the show closed. */
    if (rc == TIX_OK) rc = block_every_seat(db, txn, c);
    tix__event ev = {.type = TIX_EVENT_SHOW_CANCELLED, .at = now,
                     .show_id = c->show, .gate = c->reason};
    if (rc == TIX_OK) rc = tix__outbox_append(db, txn, &ev, NULL);
    return rc;
}

/* The live bookings of the show with what their refunds need. */
static int live_bookings(tix_db *db, struct show_cancel *c)
{
    tix_booking_list *bl;
    int rc = tix_booking_list_by_show(db, c->show, &bl);
    if (rc) return rc;
    c->ci = calloc(bl->count + 1, sizeof *c->ci);
    c->ids = calloc(bl->count + 1, sizeof *c->ids);
    if (!c->ci || !c->ids) rc = tix__err(TIX_ENOMEM, "out of memory");
    for (size_t i = 0; rc == TIX_OK && i < bl->count; i++) {
        if (bl->items[i].status == TIX_BOOKING_CANCELLED) continue;
        /* The show is off: everyone is refunded, let in or not. */
        c->ci[c->n].flags = TIX_CANCEL_AFTER_CHECKIN;
        rc = read_cancel_info(db, bl->items[i].id, &c->ci[c->n]);
        if (rc == TIX_OK) c->ids[c->n++] = bl->items[i].id;
    }
    tix_booking_list_free(bl);
    return rc;
}

static void show_cancel_free(struct show_cancel *c)
{
    for (size_t i = 0; c->ci && i < c->n; i++) free(c->ci[i].seats);
    free(c->ci);
    free(c->ids);
}

/* Leases every seat, reads the live bookings, commits, and settles every
 * seat BLOCKED. */
static int show_cancel_leased(tix_db *db, const tix__show_entry *e,
                              struct show_cancel *c)
{
    uint32_t n = e->info.seat_count;
    uint32_t *seats = malloc((n + 1) * sizeof *seats);
    uint64_t *prev = malloc((n + 1) * sizeof *prev);
    int rc = seats && prev ? TIX_OK : tix__err(TIX_ENOMEM, "out of memory");
    for (uint32_t i = 0; rc == TIX_OK && i < n; i++) seats[i] = i;
    tix__lease l = {.e = e, .seats = seats, .n = n, .prev = prev};
    if (rc == TIX_OK)
        rc = tix__lease_take(db, &l, SHOW_CANCEL_TAG, cancellable, NULL);
    if (rc == TIX_ECONFLICT) {
        char label[TIX__SEAT_LABEL_MAX];
        tix__layout_seat_label(e->layout, l.failed_seat, label);
        rc = tix__err(TIX_EBUSY, "seat %s of show %llu is held or being "
                      "confirmed; cancel the show once it is released",
                      label, (unsigned long long)c->show);
    } else if (rc == TIX_OK) {
        c->seats = seats;
        c->n_seats = n;
        /* Read under the lease: a booking confirmed before it took the
         * seats is seen, and none can be confirmed after. */
        rc = live_bookings(db, c);
        if (rc == TIX_OK) rc = tix__db_write(db, show_cancel_write, c);
        if (rc == TIX_OK) {
            tix__lease_finish(&l, tix__w_make(TIX_W_BLOCKED, 0, 0));
            atomic_store_explicit(&((tix__show_entry *)e)->cancelled, 1,
                                  memory_order_relaxed);
        } else
            tix__lease_revert(&l);
    }
    free(seats);
    free(prev);
    return rc;
}

int tix_show_cancel(tix_db *db, tix_id show_id, const char *reason)
{
    TIX__ARG(db);
    if (!reason) reason = "";
    int rc = tix__validate_text("reason", reason, 0, TIX_SHOW_REASON_MAX, 0);
    if (rc) return rc;
    tix_show *s;
    if ((rc = tix_show_get(db, show_id, &s))) return rc;
    int cancelled = (s->flags & TIX_SHOW_CANCELLED) != 0;
    int64_t end = s->end;
    tix_show_free(s);
    if (cancelled)
        return tix__err(TIX_EALREADY, "show %llu is already cancelled",
                        (unsigned long long)show_id);
    if (tix_db_now(db) >= end)
        return tix__err(TIX_ESTATE, "show %llu has ended; refund its "
                        "bookings one by one", (unsigned long long)show_id);
    const tix__show_entry *e;
    if ((rc = tix__engine_show(db, show_id, &e))) return rc;
    struct show_cancel c = {.show = show_id, .reason = reason};
    rc = show_cancel_leased(db, e, &c);
    show_cancel_free(&c);
    return rc;
}
