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

static int cancel_write(tix_db *db, MDB_txn *txn, void *arg)
{
    struct cancel_arg *a = arg;
    int64_t now = tix_db_now(db);
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
