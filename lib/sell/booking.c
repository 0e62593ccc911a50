/* Bookings: the record, the confirm protocol around the group committer
 * (HELD -> CONFIRMING -> one LMDB transaction per batch -> BOOKED),
 * cancel, and the read side. */
#include "booking.h"
#include "tables.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commit.h"
#include "error.h"
#include "layout.h"
#include "hold.h"
#include "offer.h"
#include "outbox.h"
#include "stats.h"
#include "ticket.h"
#include "tier.h"
#include "user.h"
#include "usercap.h"
#include "validate.h"

/* Booking record v1:
 *   u64 user, u64 show, u8 status, i64 created, i64 cancelled,
 *   str payment_ref, bytes[3] currency, i64 total,
 *   u32 n_seats { u32 seat, u64 tier, i64 price },
 *   u32 n_tickets { bytes[21] code, u32 n { u32 seat } }
 * v2 appends: u64 offer, i64 discount, i64 fee (v1 reads as 0, 0, 0; the
 * fixed offsets cancel.c patches are unchanged). total is the amount paid:
 * seat prices - discount + fee.
 * v3 appends: u64 hold digest (tix__hold_digest of the hold it booked; 0
 * in older records), so a payment reference replayed by another hold is
 * told apart from a retry.
 * v4 appends: u8 after_checkin (1 when a cancel refunded it with a ticket
 * already checked in; 0 in older records and until such a cancel). cancel.c
 * brings an older record up to the current version when it cancels it.
 * v5 appends: u64 channel (the hold's sales channel), u64 group (the first
 * booking of a tix_hold_group_confirm, 0 when booked alone). */
#define BOOKING_VERSION TIX__BOOKING_VERSION

typedef struct booking_rec {
    tix_id user_id, show_id;
    uint8_t status;
    int64_t created_at, cancelled_at;
    tix_str payment_ref;
    const uint8_t *currency;
    int64_t total;
    uint32_t n_seats;
    tix_dec seats;   /* positioned at the first seat */
    uint32_t n_tickets;
    tix_dec tickets; /* positioned at the first ticket */
    tix_id offer_id;
    int64_t discount, fee;
    uint64_t hold_digest;
    uint8_t after_checkin;
    tix_id channel, group;
} booking_rec;

static int booking_parse(const MDB_val *v, booking_rec *r)
{
    tix_dec d;
    int rc = tix__dec_init(&d, v->mv_data, v->mv_size, TIX_REC_BOOKING,
                           BOOKING_VERSION);
    if (rc) return rc;
    r->user_id = tix__dec_u64(&d);
    r->show_id = tix__dec_u64(&d);
    r->status = tix__dec_u8(&d);
    r->created_at = tix__dec_i64(&d);
    r->cancelled_at = tix__dec_i64(&d);
    r->payment_ref = tix__dec_str(&d);
    r->currency = tix__dec_bytes(&d, 3);
    r->total = tix__dec_i64(&d);
    r->n_seats = tix__dec_count(&d, 1u << 16);
    r->seats = d;
    tix__dec_bytes(&d, (size_t)r->n_seats * 20);
    r->n_tickets = tix__dec_count(&d, 1u << 16);
    r->tickets = d;
    for (uint32_t i = 0; i < r->n_tickets && !d.err; i++) {
        tix__dec_bytes(&d, TIX_TICKET_CODE_LEN);
        uint32_t n = tix__dec_count(&d, 1u << 16);
        tix__dec_bytes(&d, (size_t)n * 4);
    }
    r->offer_id = 0;
    r->discount = r->fee = 0;
    if (d.version >= 2) {
        r->offer_id = tix__dec_u64(&d);
        r->discount = tix__dec_i64(&d);
        r->fee = tix__dec_i64(&d);
    }
    r->hold_digest = d.version >= 3 ? tix__dec_u64(&d) : 0;
    r->after_checkin = d.version >= 4 ? tix__dec_u8(&d) : 0;
    r->channel = d.version >= 5 ? tix__dec_u64(&d) : 0;
    r->group = d.version >= 5 ? tix__dec_u64(&d) : 0;
    if (r->after_checkin > 1) d.err = TIX_ECORRUPT;
    return tix__dec_finish(&d);
}

int tix__booking_status(tix_db *db, MDB_txn *txn, tix_id id, int *status,
                        tix_id *user)
{
    MDB_val v;
    int rc = tix__db_get_id(db, txn, TIX_T_BOOKINGS, id, &v, "booking");
    booking_rec r;
    if (rc == 0) rc = booking_parse(&v, &r);
    if (rc == 0) {
        *status = r.status;
        if (user) *user = r.user_id;
    }
    return rc;
}

int tix__booking_brief(tix_db *db, MDB_txn *txn, tix_id id, int *status,
                       tix_id *user, uint32_t *n_seats)
{
    MDB_val v;
    int rc = tix__db_get_id(db, txn, TIX_T_BOOKINGS, id, &v, "booking");
    booking_rec r;
    if (rc == 0) rc = booking_parse(&v, &r);
    if (rc) return rc;
    *status = r.status;
    *user = r.user_id;
    *n_seats = r.n_seats;
    return TIX_OK;
}

/* ---- confirm: the write inside the batch transaction ------------------ */

static int find_payref(tix_db *db, MDB_txn *txn, const char *ref, tix_id *id)
{
    MDB_val k = {strlen(ref), (void *)ref}, v;
    int rc = mdb_get(txn, db->dbi[TIX_T_PAYREFS], &k, &v);
    if (rc == MDB_NOTFOUND) return TIX_ENOTFOUND;
    if (rc) return tix__mdb_err(rc, "payment reference");
    if (v.mv_size != 8) return tix__err(TIX_ECORRUPT, "payment ref malformed");
    *id = tix__be64_get(v.mv_data);
    return TIX_OK;
}

/* Whether booking @p id, found under c's payment reference, was made by
 * this very request (the same hold, user and seats): only then is the
 * reference a retry. Anything else must neither book nor reveal it. */
static int payref_same(tix_db *db, MDB_txn *txn, const tix_confirm *c,
                       tix_id id, int *same)
{
    MDB_val v;
    booking_rec r;
    int rc = tix__db_get_id(db, txn, TIX_T_BOOKINGS, id, &v, "booking");
    if (rc == 0) rc = booking_parse(&v, &r);
    if (rc) return rc;
    *same = r.user_id == c->user_id && r.show_id == c->e->info.id &&
            r.n_seats == c->n &&
            (r.hold_digest == 0 || r.hold_digest == c->hold_digest);
    for (uint32_t i = 0; i < r.n_seats && *same; i++) {
        *same = tix__dec_u32(&r.seats) == c->seats[i];
        tix__dec_u64(&r.seats);
        tix__dec_i64(&r.seats);
    }
    return TIX_OK;
}

#define PAYREF_REUSED "payment reference %s is already used by another booking"

/* Fails the request alone (not the batch) with a message. */
static int reject(tix_confirm *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int reject(tix_confirm *c, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
    va_end(ap);
    c->result = code;
    return TIX_OK;
}

/* Authoritative re-check: no seat may already have a row in LMDB. */
static int seats_free_in_lmdb(tix_db *db, MDB_txn *txn, tix_confirm *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        uint8_t key[TIX__SHOW_SEAT_KEY_LEN];
        tix__show_seat_key(key, c->e->info.id, c->seats[i]);
        MDB_val k = {sizeof key, key}, v;
        int rc = mdb_get(txn, db->dbi[TIX_T_SEAT_STATE], &k, &v);
        if (rc == MDB_NOTFOUND) continue;
        if (rc) return tix__mdb_err(rc, "seat state");
        c->conflict_seat = c->seats[i];
        c->conflict_booking = v.mv_size == 8 ? tix__be64_get(v.mv_data) : 0;
        char label[TIX__SEAT_LABEL_MAX];
        tix__layout_seat_label(c->e->layout, c->seats[i], label);
        return reject(c, TIX_ECONFLICT, "seat %s of show %llu is already taken",
                      label, (unsigned long long)c->e->info.id);
    }
    return TIX_OK;
}

/* Prices every seat from its tier as of now. */
static int price_seats(tix_db *db, MDB_txn *txn, tix_confirm *c,
                       tix_id *tiers, int64_t *prices, char currency[4])
{
    currency[0] = '\0';
    for (uint32_t i = 0; i < c->n; i++) {
        tiers[i] = c->e->layout->tier_id[c->e->layout->tier_slot[c->seats[i]]];
        tix_tier t;
        int rc = tix__tier_read(db, txn, tiers[i], &t);
        if (rc) return rc;
        if (!currency[0]) memcpy(currency, t.currency, 4);
        else if (memcmp(currency, t.currency, 3) != 0)
            return reject(c, TIX_EINVAL, "seats are priced in %s and %s",
                          currency, t.currency);
        prices[i] = t.price_minor;
    }
    return TIX_OK;
}

/* Creates the tickets (seats_per_ticket seats each) and appends them to
 * the booking record being encoded. */
static int write_tickets(tix_db *db, MDB_txn *txn, tix_confirm *c,
                         tix_id booking, tix_enc *rec, char (*codes)[22],
                         uint32_t *n_codes)
{
    uint32_t per = c->seats_per_ticket ? c->seats_per_ticket : c->n;
    uint32_t n = (c->n + per - 1) / per;
    tix__enc_u32(rec, n);
    for (uint32_t t = 0; t < n; t++) {
        uint32_t first = t * per, count = c->n - first < per ? c->n - first : per;
        int rc = TIX_EEXISTS;
        for (int attempt = 0; attempt < 4 && rc == TIX_EEXISTS; attempt++) {
            rc = tix__ticket_code_new(codes[t]);
            if (rc == 0)
                rc = tix__ticket_put(db, txn, codes[t], booking, c->e->info.id,
                                     c->seats + first, count);
        }
        if (rc) return rc;
        tix__enc_bytes(rec, codes[t], TIX_TICKET_CODE_LEN);
        tix__enc_u32(rec, count);
        for (uint32_t i = 0; i < count; i++) tix__enc_u32(rec, c->seats[first + i]);
    }
    *n_codes = n;
    return TIX_OK;
}

size_t tix__booking_entries(tix_id id, tix_id user, tix_id show,
                            const char *payment_ref, tix__ixentry e[3])
{
    e[0] = (tix__ixentry){.index = TIX_T_BOOKINGS_BY_USER, .klen = 16};
    tix__key_pair(e[0].key, user, id);
    e[1] = (tix__ixentry){.index = TIX_T_BOOKINGS_BY_SHOW, .klen = 16};
    tix__key_pair(e[1].key, show, id);
    size_t n = strnlen(payment_ref, TIX__REC_KEY_MAX);
    e[2] = (tix__ixentry){.index = TIX_T_PAYREFS, .klen = n, .val_is_id = 1};
    memcpy(e[2].key, payment_ref, n);
    return 3;
}

/* Writes the entries of booking @p id; a payment reference is unique. */
static int put_entries(tix_db *db, MDB_txn *txn, const tix__ixentry *e,
                       size_t n, tix_id id)
{
    uint8_t idv[8];
    tix__be64_put(idv, id);
    int rc = TIX_OK;
    for (size_t i = 0; i < n && rc == TIX_OK; i++)
        rc = tix__db_put(db, txn, e[i].index, e[i].key, e[i].klen,
                         e[i].val_is_id ? idv : e[i].val,
                         e[i].val_is_id ? 8 : e[i].vlen,
                         e[i].val_is_id ? MDB_NOOVERWRITE : 0,
                         e[i].index == TIX_T_PAYREFS ? "payment reference"
                                                     : "booking index");
    return rc;
}

static int write_seat_rows(tix_db *db, MDB_txn *txn, tix_confirm *c,
                           tix_id booking)
{
    uint8_t val[8];
    tix__be64_put(val, booking);
    for (uint32_t i = 0; i < c->n; i++) {
        uint8_t key[TIX__SHOW_SEAT_KEY_LEN];
        tix__show_seat_key(key, c->e->info.id, c->seats[i]);
        int rc = tix__db_put(db, txn, TIX_T_SEAT_STATE, key, sizeof key, val, 8,
                          MDB_NOOVERWRITE, "seat state");
        if (rc) return rc;
    }
    return TIX_OK;
}

/* Refuses the request when the caller said what the gateway charged and
 * the price computed now differs: an authentic handle swapped for another
 * (or an offer gone since the quote) then books nothing. Prices without
 * redeeming, so the offer's use is counted only by the write that follows. */
static int check_amount(tix_db *db, MDB_txn *txn, tix_confirm *c, int64_t now,
                        const char currency[4], tix__price *pr)
{
    if (!c->expect_amount) return TIX_OK;
    if (memcmp(currency, c->expected_currency, 3) != 0)
        return reject(c, TIX_EPRICE, "seats are priced in %s, not %s",
                      currency, c->expected_currency);
    int rc = tix__offer_price(db, txn, &c->e->info, c->offer_code,
                                c->user_id, now, 0, pr);
    if (rc && tix__offer_price_refusal(rc)) return reject(c, rc, "%s", tix_errmsg());
    if (rc) return rc;
    if (pr->total != c->expected_total)
        return reject(c, TIX_EPRICE, "the price is %lld %s, not the %lld expected",
                      (long long)pr->total, currency,
                      (long long)c->expected_total);
    return TIX_OK;
}

static int confirm_write(tix_db *db, MDB_txn *txn, tix_confirm *c)
{
    tix_id existing = 0;
    int same = 0;
    int rc = find_payref(db, txn, c->payment_ref, &existing);
    if (rc == TIX_OK && (rc = payref_same(db, txn, c, existing, &same)) == 0) {
        if (!same)
            return reject(c, TIX_EEXISTS, PAYREF_REUSED, c->payment_ref);
        c->dup = 1;
        c->booking_id = existing;
        return TIX_OK;
    }
    if (rc != TIX_ENOTFOUND) return rc;
    rc = tix__user_exists(db, txn, c->user_id);
    if (rc == TIX_ENOTFOUND)
        return reject(c, rc, "user %llu not found", (unsigned long long)c->user_id);
    if (rc) return rc;
    if ((rc = seats_free_in_lmdb(db, txn, c)) || c->result) return rc;

    tix_id tiers[c->n];
    int64_t prices[c->n];
    char currency[4];
    if ((rc = price_seats(db, txn, c, tiers, prices, currency)) || c->result)
        return rc;
    int64_t now = tix_db_now(db);
    if (now >= c->e->info.end)
        return reject(c, TIX_ESTATE, "show %llu has ended",
                      (unsigned long long)c->e->info.id);
    tix__price pr = {.n = c->n, .tiers = tiers, .prices = prices};
    if ((rc = check_amount(db, txn, c, now, currency, &pr)) || c->result)
        return rc;
    /* Per-customer caps, in the batch's transaction: an earlier confirm of
     * the same user in this batch has already counted its seats here. */
    rc = tix__usercap_check(db, txn, &c->e->info, c->user_id, c->n);
    if (rc == TIX_ELIMIT) return reject(c, rc, "%s", tix_errmsg());
    if (rc) return rc;
    /* The offer is checked and its use counted here, before anything of
     * this request is written: a refusal must leave the batch untouched. */
    rc = tix__offer_price(db, txn, &c->e->info, c->offer_code, c->user_id,
                            now, 1, &pr);
    if (rc && tix__offer_price_refusal(rc))
        return reject(c, rc, "%s", tix_errmsg());
    if (rc) return rc;
    tix_id booking;
    if ((rc = tix__db_next_id(db, txn, TIX_T_BOOKINGS, &booking))) return rc;

    tix_enc rec;
    tix__enc_init(&rec, TIX_REC_BOOKING, BOOKING_VERSION);
    tix__enc_u64(&rec, c->user_id);
    tix__enc_u64(&rec, c->e->info.id);
    tix__enc_u8(&rec, TIX_BOOKING_CONFIRMED);
    tix__enc_i64(&rec, now);
    tix__enc_i64(&rec, 0);
    tix__enc_str(&rec, c->payment_ref);
    tix__enc_bytes(&rec, currency, 3);
    tix__enc_i64(&rec, pr.total);
    tix__enc_u32(&rec, c->n);
    for (uint32_t i = 0; i < c->n; i++) {
        tix__enc_u32(&rec, c->seats[i]);
        tix__enc_u64(&rec, tiers[i]);
        tix__enc_i64(&rec, prices[i]);
    }
    char codes[c->n][22];
    uint32_t n_codes = 0;
    rc = write_tickets(db, txn, c, booking, &rec, codes, &n_codes);
    tix__enc_u64(&rec, pr.offer_id);
    tix__enc_i64(&rec, pr.discount);
    tix__enc_i64(&rec, pr.fee);
    tix__enc_u64(&rec, c->hold_digest);
    tix__enc_u8(&rec, 0); /* after_checkin: set by a cancel */
    tix__enc_u64(&rec, c->channel);
    tix__enc_u64(&rec, !c->group_head        ? 0
                       : c->group_head == c ? booking
                                            : c->group_head->booking_id);
    if (rc == 0) rc = tix__enc_finish(&rec);
    if (rc == 0) rc = tix__db_put_id(db, txn, TIX_T_BOOKINGS, booking, &rec, "booking");
    tix__enc_free(&rec);
    if (rc == 0) rc = write_seat_rows(db, txn, c, booking);
    if (rc == 0) {
        tix__ixentry e[3];
        size_t ne = tix__booking_entries(booking, c->user_id, c->e->info.id,
                                         c->payment_ref, e);
        rc = put_entries(db, txn, e, ne, booking);
    }
    if (rc == 0) {
        const char *code_ptrs[n_codes ? n_codes : 1];
        for (uint32_t i = 0; i < n_codes; i++) code_ptrs[i] = codes[i];
        tix__event ev = {.type = TIX_EVENT_BOOKED, .at = now,
                         .booking_id = booking, .user_id = c->user_id,
                         .show_id = c->e->info.id, .n_seats = c->n,
                         .seats = c->seats, .n_codes = n_codes,
                         .codes = code_ptrs, .gate = "",
                         .total_minor = pr.total, .currency = currency};
        rc = tix__outbox_append(db, txn, &ev, NULL);
    }
    if (rc == 0)
        rc = tix__stats_booked(db, txn, booking, c->user_id, &c->e->info, c->n,
                               now);
    if (rc == 0) rc = tix__usercap_charge(db, txn, &c->e->info, c->user_id, c->n);
    if (rc == 0) c->booking_id = booking;
    return rc;
}

/* ---- confirm: the caller's side --------------------------------------- */

#define TAKE_RETRY 1     /* a duplicate confirm of this hold is in flight */
#define ALREADY_BOOKED 2 /* this very request was booked before */

static void undo_take(tix_confirm *c, uint32_t upto)
{
    for (uint32_t i = 0; i < upto; i++) {
        uint64_t w = c->confirming;
        tix__w_cas(&c->e->seats[c->seats[i]], &w, c->prev[i]);
    }
}

/* Whether the booking that holds @p seat in LMDB was made by this hold. */
static int booked_by_us(const tix_confirm *c, uint32_t seat, int *ours)
{
    uint8_t k[TIX__SHOW_SEAT_KEY_LEN];
    tix__show_seat_key(k, c->e->info.id, seat);
    MDB_txn *txn;
    int rc = tix__db_read_begin(c->db, &txn);
    if (rc) return rc;
    MDB_val v;
    booking_rec r;
    *ours = 0;
    rc = tix__db_get(c->db, txn, TIX_T_SEAT_STATE, k, sizeof k, &v, "seat state");
    if (rc == TIX_OK && v.mv_size == 8 &&
        tix__be64_get(v.mv_data) != TIX_SEAT_STATE_BLOCKED) {
        rc = tix__db_get_id(c->db, txn, TIX_T_BOOKINGS, tix__be64_get(v.mv_data),
                         &v, "booking");
        if (rc == TIX_OK) rc = booking_parse(&v, &r);
        if (rc == TIX_OK) *ours = r.hold_digest == c->hold_digest;
    }
    tix__db_read_end(c->db, txn);
    return rc == TIX_ENOTFOUND ? TIX_OK : rc;
}

/* Why a seat of the hold cannot be confirmed. The hold's own words are
 * the only proof it still owns the seats: a hold that was released or
 * has booked, or whose seats someone else took after it ran out, is dead
 * even when its seats are free again. A seat someone else holds or booked
 * is a conflict; one this hold released or booked is a state error. */
static int take_refusal(const tix_confirm *c, uint32_t seat, uint64_t w,
                        uint32_t mnow, int expired)
{
    unsigned long long show = (unsigned long long)c->e->info.id;
    char label[TIX__SEAT_LABEL_MAX];
    tix__layout_seat_label(c->e->layout, seat, label);
    if (tix__w_held_live(w, mnow) || tix__w_state(w) == TIX_W_CONFIRMING)
        return tix__err(expired ? TIX_EEXPIRED : TIX_ECONFLICT,
                        "seat %s of show %llu is held by another hold", label,
                        show);
    int ours = 0;
    if (tix__w_state(w) == TIX_W_BOOKED) {
        int rc = booked_by_us(c, seat, &ours);
        if (rc) return rc;
        if (ours)
            return tix__err(TIX_ESTATE, "hold already booked seat %s (with "
                            "another payment reference)", label);
    }
    if (tix__w_state(w) == TIX_W_BOOKED || tix__w_state(w) == TIX_W_BLOCKED)
        return tix__err(expired ? TIX_EEXPIRED : TIX_ECONFLICT,
                        "seat %s of show %llu is %s", label, show,
                        tix__w_state(w) == TIX_W_BOOKED ? "booked" : "blocked");
    if (expired)
        return tix__err(TIX_EEXPIRED, "hold ran out and seat %s is no longer "
                                      "held by it", label);
    return tix__err(TIX_ESTATE, "hold no longer holds seat %s (released)",
                    label);
}

/* Moves every seat of the hold to CONFIRMING under our tag. A seat whose
 * hold ran out is still ours while its word carries our tag (nobody took
 * it since): a late payment books it. */
static int confirm_take(tix_db *db, const tix_hold *h, tix_confirm *c)
{
    int64_t now = tix_db_now(db);
    uint32_t mnow = tix__seatmap_time(&db->engine->map, now); /* same reading */
    uint32_t tag = tix__engine_hold_tag(db, h->token);
    c->confirming = tix__w_make(TIX_W_CONFIRMING,
                                tix__seatmap_time(&db->engine->map,
                                                  now + db->cfg.confirm_lease),
                                tag);
    int expired = h->expires <= now;
    for (uint32_t i = 0; i < c->n; i++) {
        tix_word *p = &c->e->seats[c->seats[i]];
        uint64_t w = tix__w_load(p);
        for (;;) {
            if (tix__w_state(w) == TIX_W_HELD && tix__w_tag(w) == tag) {
                if (!tix__w_cas(p, &w, c->confirming)) continue;
                c->prev[i] = w;
                break;
            }
            if (tix__w_state(w) == TIX_W_CONFIRMING && tix__w_tag(w) == tag &&
                !tix__w_needs_repair(w, mnow)) {
                undo_take(c, i);
                return TAKE_RETRY;
            }
            if (tix__w_needs_repair(w, mnow)) {
                int rc = tix__engine_repair(db, c->e, c->seats[i], w, &w);
                if (rc) { undo_take(c, i); return rc; }
                continue;
            }
            undo_take(c, i);
            return take_refusal(c, c->seats[i], w, mnow, expired);
        }
    }
    return TIX_OK;
}

static tix_confirm *confirm_new(tix_db *db, uint32_t n)
{
    tix_confirm *c = calloc(1, sizeof *c + (size_t)n * (sizeof(uint32_t) +
                                                        sizeof(uint64_t)));
    if (!c) return NULL;
    c->db = db;
    c->n = n;
    c->prev = (uint64_t *)(c + 1);
    c->seats = (uint32_t *)(c->prev + n);
    atomic_store(&c->refs, 1);
    return c;
}

static int check_currency(const char *cur)
{
    for (int i = 0; i < 3; i++)
        if (cur[i] < 'A' || cur[i] > 'Z')
            return tix__err(TIX_EINVAL, "expected_currency must be three "
                                        "letters A-Z (ISO 4217)");
    if (cur[3] != '\0')
        return tix__err(TIX_EINVAL, "expected_currency must be three letters "
                                    "A-Z (ISO 4217)");
    return TIX_OK;
}

static int check_opts(tix_db *db, const tix_hold *h,
                      const tix_confirm_opts *o)
{
    TIX__ARG(db);
    TIX__ARG(h);
    TIX__ARG(o);
    if (!o->user_id) return tix__err(TIX_EINVAL, "user_id is 0");
    int rc = tix__validate_text("payment_ref", o->payment_ref, 1, TIX_NAME_MAX, 0);
    if (rc == 0 && o->expected_currency)
        rc = check_currency(o->expected_currency);
    if (rc == 0 && o->expected_currency && o->expected_total_minor < 0)
        rc = tix__err(TIX_ERANGE, "expected_total_minor %lld is negative",
                      (long long)o->expected_total_minor);
    return rc;
}

/* The booking a known payment reference made, when this request is its
 * retry (TIX_OK); TIX_ENOTFOUND when the reference is new; TIX_EEXISTS
 * when another hold, user or set of seats used it. */
static int payref_lookup(tix_db *db, const tix_confirm *c, tix_id *id)
{
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    int same = 0;
    rc = find_payref(db, txn, c->payment_ref, id);
    if (rc == 0) rc = payref_same(db, txn, c, *id, &same);
    if (rc == 0 && !same) rc = tix__err(TIX_EEXISTS, PAYREF_REUSED, c->payment_ref);
    tix__db_read_end(db, txn);
    return rc;
}

/* A confirm that is already complete (the payment ref was known). */
static int confirm_done(tix_db *db, tix_id booking, tix_confirm **out)
{
    tix_confirm *c = confirm_new(db, 0);
    if (!c) return tix__err(TIX_ENOMEM, "out of memory");
    c->booking_id = booking;
    c->dup = 1;
    atomic_store(&c->done, TIX__CONFIRM_DONE);
    *out = c;
    return TIX_OK;
}

/* Re-checks at confirm what the hold checked when it was made: the handle
 * is this store's, its size is within hold_max_seats, the show sells. */
static int check_hold(tix_db *db, const tix_hold *h, const tix__show_entry **e)
{
    int rc = tix__hold_check(db, h, e);
    if (rc == 0) rc = tix__hold_max(db, h->n);
    if (rc == 0) rc = tix__hold_show_selling(*e, tix_db_now(db));
    return rc;
}

static tix_confirm *confirm_prepare(tix_db *db, const tix_hold *h,
                                    const tix_confirm_opts *o,
                                    const tix__show_entry *e, const char *offer)
{
    tix_confirm *c = confirm_new(db, h->n);
    if (!c) return NULL;
    c->e = e;
    c->write = confirm_write;
    memcpy(c->seats, h->seats, h->n * sizeof *h->seats);
    c->user_id = o->user_id;
    snprintf(c->payment_ref, sizeof c->payment_ref, "%s", o->payment_ref);
    c->seats_per_ticket = o->seats_per_ticket;
    memcpy(c->offer_code, offer, TIX_OFFER_CODE_MAX + 1);
    c->hold_digest = tix__hold_digest(db, h);
    c->channel = h->channel;
    if (o->expected_currency) {
        c->expect_amount = 1;
        memcpy(c->expected_currency, o->expected_currency, 3);
        c->expected_total = o->expected_total_minor;
    }
    return c;
}

/* Takes the hold's seats, waiting out a duplicate confirm of the same hold
 * (bounded by the lease). */
static int confirm_take_wait(tix_db *db, const tix_hold *h, tix_confirm *c)
{
    int rc;
    for (long waited = 0; (rc = confirm_take(db, h, c)) == TAKE_RETRY;) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
        if (++waited > (long)db->cfg.confirm_lease * 1000)
            return tix__err(TIX_EBUSY, "another confirm of this hold is stuck");
    }
    return rc;
}

int tix_confirm_submit(tix_db *db, const tix_hold *h,
                       const tix_confirm_opts *o, tix_confirm **out)
{
    TIX__ARG(out);
    *out = NULL;
    int rc = check_opts(db, h, o);
    char offer[TIX_OFFER_CODE_MAX + 1] = "";
    if (rc == 0 && o->offer_code && *o->offer_code)
        rc = tix__offer_code_norm(o->offer_code, offer);
    const tix__show_entry *e;
    if (rc == 0) rc = check_hold(db, h, &e);
    if (rc) return rc;
    tix_confirm *c = confirm_prepare(db, h, o, e, offer);
    if (!c) return tix__err(TIX_ENOMEM, "out of memory");
    tix_id booking = 0;
    rc = payref_lookup(db, c, &booking);
    if (rc == TIX_ENOTFOUND) rc = confirm_take_wait(db, h, c);
    else if (rc == TIX_OK) rc = ALREADY_BOOKED;
    if (rc == TIX_ECONFLICT || rc == TIX_EEXPIRED || rc == TIX_ESTATE) {
        /* A retry whose first confirm committed meanwhile. */
        int keep = rc;
        char msg[256];
        snprintf(msg, sizeof msg, "%s", tix_errmsg());
        int found = payref_lookup(db, c, &booking);
        rc = found == TIX_OK ? ALREADY_BOOKED
             : found == TIX_ENOTFOUND ? tix__err(keep, "%s", msg) : found;
    }
    if (rc == ALREADY_BOOKED) {
        free(c);
        return confirm_done(db, booking, out);
    }
    if (rc == 0 && (rc = tix__committer_submit(db, c)) != 0)
        undo_take(c, c->n); /* taken but never queued */
    if (rc) {
        free(c);
        return rc;
    }
    *out = c;
    return TIX_OK;
}

static int confirm_result(tix_confirm *c, tix_id *booking_id)
{
    if (c->result != TIX_OK) return tix__err(c->result, "%s", c->errmsg);
    if (booking_id) *booking_id = c->booking_id;
    return TIX_OK;
}

int tix_confirm_poll(tix_confirm *c, tix_id *booking_id)
{
    if (!c) return tix__err(TIX_EINVAL, "confirm is NULL");
    if (!tix__confirm_is_done(c)) return TIX_EAGAIN;
    return confirm_result(c, booking_id);
}

int tix_confirm_wait(tix_confirm *c, int timeout_ms, tix_id *booking_id)
{
    if (!c) return tix__err(TIX_EINVAL, "confirm is NULL");
    if (!tix__confirm_is_done(c)) {
        int rc = tix__committer_wait(c->db, c, timeout_ms);
        if (rc) return rc;
    }
    return confirm_result(c, booking_id);
}

void tix_confirm_free(tix_confirm *c) { tix__committer_unref(c); }

int tix_hold_confirm(tix_db *db, const tix_hold *h, const tix_confirm_opts *o,
                     tix_id *booking_id)
{
    tix_confirm *c;
    int rc = tix_confirm_submit(db, h, o, &c);
    if (rc) return rc;
    rc = tix_confirm_wait(c, -1, booking_id);
    tix_confirm_free(c);
    return rc;
}

/* ---- multi-show confirm ------------------------------------------------ */

#define GROUP_MAX 64

static void confirms_free(tix_confirm **cs, size_t n)
{
    for (size_t i = 0; i < n; i++) free(cs[i]);
}

/* Checks the holds of a group: each as a single confirm would, no show
 * twice, and room for the payment reference's part suffix. */
static int group_check(tix_db *db, tix_hold *const *holds, size_t n,
                       const tix_confirm_opts *o,
                       const tix__show_entry **es)
{
    TIX__ARG(holds);
    if (n == 0 || n > GROUP_MAX)
        return tix__err(TIX_EINVAL, "a group has 1..%d holds, not %zu",
                        GROUP_MAX, n);
    for (size_t i = 0; i < n; i++) {
        int rc = check_opts(db, holds[i], o);
        if (rc == 0) rc = check_hold(db, holds[i], &es[i]);
        if (rc) return rc;
        for (size_t j = 0; j < i; j++)
            if (holds[j]->show_id == holds[i]->show_id)
                return tix__err(TIX_EINVAL, "show %llu is in the group twice",
                                (unsigned long long)holds[i]->show_id);
    }
    if (n > 1 && strlen(o->payment_ref) + 3 > TIX_NAME_MAX)
        return tix__err(TIX_ETOOLONG, "payment_ref of a group leaves no room "
                        "for the part suffix \"#%zu\"", n);
    return TIX_OK;
}

/* TIX_OK with every part's booking when this group was booked before
 * under its payment references; TIX_ENOTFOUND when none of them is used. */
static int group_booked(tix_db *db, tix_confirm **cs, size_t n, tix_id *ids)
{
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = payref_lookup(db, cs[i], &ids[i]);
        if (rc == TIX_OK) found++;
        else if (rc != TIX_ENOTFOUND) return rc;
    }
    if (found == n) return TIX_OK;
    if (found == 0) return TIX_ENOTFOUND;
    return tix__err(TIX_EEXISTS, "payment reference %s is already used by "
                    "other bookings", cs[0]->payment_ref);
}

int tix_hold_group_confirm(tix_db *db, tix_hold *const *holds, size_t n,
                           const tix_confirm_opts *o, tix_id *booking_ids)
{
    TIX__ARG(booking_ids);
    const tix__show_entry *es[GROUP_MAX];
    int rc = group_check(db, holds, n, o, es);
    char offer[TIX_OFFER_CODE_MAX + 1] = "";
    if (rc == 0 && o->offer_code && *o->offer_code)
        rc = tix__offer_code_norm(o->offer_code, offer);
    if (rc) return rc;
    tix_confirm *cs[GROUP_MAX];
    size_t made = 0;
    for (; made < n; made++) {
        cs[made] = confirm_prepare(db, holds[made], o, es[made], offer);
        if (!cs[made]) {
            confirms_free(cs, made);
            return tix__err(TIX_ENOMEM, "out of memory");
        }
        cs[made]->group_head = cs[0];
        if (made)
            snprintf(cs[made]->payment_ref, sizeof cs[made]->payment_ref,
                     "%s#%zu", o->payment_ref, made + 1);
    }
    rc = group_booked(db, cs, n, booking_ids);
    if (rc == TIX_ENOTFOUND) {
        size_t taken = 0;
        for (rc = 0; taken < n && rc == 0; taken++)
            if ((rc = confirm_take_wait(db, holds[taken], cs[taken]))) break;
        if (rc) /* the part that failed took nothing */
            for (size_t i = 0; i < taken; i++) undo_take(cs[i], cs[i]->n);
        else
            rc = tix__committer_run_group(db, cs, n);
        for (size_t i = 0; rc == 0 && i < n; i++)
            booking_ids[i] = cs[i]->booking_id;
    }
    confirms_free(cs, n);
    return rc;
}

/* ---- reading bookings -------------------------------------------------- */

static size_t booking_bound(const MDB_val *v)
{
    /* Tickets add their gate (<= TIX_NAME_MAX) from the ticket table; every
     * ticket costs at least 25 record bytes, so v->mv_size / 25 bounds them. */
    return tix__bump_bound(sizeof(tix_booking), v->mv_size) +
           (v->mv_size / 25 + 1) * (sizeof(tix_ticket) + TIX_NAME_MAX + 16);
}

static int decode_seats(booking_rec *r, tix_booking *b, tix_bump *bump)
{
    tix_booked_seat *seats = tix__bump_alloc(bump, r->n_seats * sizeof *seats + 1);
    if (!seats) return tix__err(TIX_ECORRUPT, "booking too large");
    for (uint32_t i = 0; i < r->n_seats; i++) {
        seats[i].seat = tix__dec_u32(&r->seats);
        seats[i].tier_id = tix__dec_u64(&r->seats);
        seats[i].price_minor = tix__dec_i64(&r->seats);
    }
    b->n_seats = r->n_seats;
    b->seats = seats;
    return TIX_OK;
}

static int decode_tickets(tix_db *db, MDB_txn *txn, booking_rec *r,
                          tix_booking *b, tix_bump *bump)
{
    tix_ticket *t = tix__bump_alloc(bump, r->n_tickets * sizeof *t + 1);
    if (!t) return tix__err(TIX_ECORRUPT, "booking too large");
    for (uint32_t i = 0; i < r->n_tickets; i++) {
        const uint8_t *code = tix__dec_bytes(&r->tickets, TIX_TICKET_CODE_LEN);
        uint32_t n = tix__dec_count(&r->tickets, 1u << 16);
        uint32_t *seats = tix__bump_alloc(bump, n * sizeof *seats + 1);
        if (!code || !seats) return tix__err(TIX_ECORRUPT, "booking is malformed");
        for (uint32_t k = 0; k < n; k++) seats[k] = tix__dec_u32(&r->tickets);
        memcpy(t[i].code, code, TIX_TICKET_CODE_LEN);
        t[i].code[TIX_TICKET_CODE_LEN] = '\0';
        t[i].n_seats = n;
        t[i].seats = seats;
        tix__ticket_rec tr;
        int rc = tix__ticket_get(db, txn, t[i].code, &tr);
        if (rc) return rc == TIX_ENOTFOUND
                           ? tix__err(TIX_ECORRUPT, "ticket %s is missing", t[i].code)
                           : rc;
        t[i].checked_in_at = tr.checked_in_at;
        t[i].gate = tix__bump_str(bump, tr.gate);
        if (!t[i].gate) return tix__err(TIX_ECORRUPT, "booking too large");
    }
    b->n_tickets = r->n_tickets;
    b->tickets = t;
    return TIX_OK;
}

static int decode_booking(tix_db *db, MDB_txn *txn, tix_id id,
                          const MDB_val *v, tix_booking *b, tix_bump *bump)
{
    booking_rec r;
    int rc = booking_parse(v, &r);
    if (rc) return rc;
    b->id = id;
    b->user_id = r.user_id;
    b->show_id = r.show_id;
    b->status = (tix_booking_status)r.status;
    b->created_at = r.created_at;
    b->cancelled_at = r.cancelled_at;
    b->payment_ref = tix__bump_str(bump, r.payment_ref);
    memcpy(b->currency, r.currency, 3);
    b->currency[3] = '\0';
    b->total_minor = r.total;
    b->offer_id = r.offer_id;
    b->discount_minor = r.discount;
    b->fee_minor = r.fee;
    b->cancelled_after_checkin = r.after_checkin;
    b->channel_id = r.channel;
    b->group_id = r.group;
    if (!b->payment_ref) return tix__err(TIX_ECORRUPT, "booking too large");
    if ((rc = decode_seats(&r, b, bump))) return rc;
    return decode_tickets(db, txn, &r, b, bump);
}

/* Builds {count; items[]} (or a single booking when @p single) for ids. */
static int build_bookings(tix_db *db, MDB_txn *txn, const tix_id *ids, size_t n,
                          int single, void **out)
{
    size_t total = single ? 0 : sizeof(size_t) + n * sizeof(tix_booking);
    for (size_t i = 0; i < n; i++) {
        MDB_val v;
        int rc = tix__db_get_id(db, txn, TIX_T_BOOKINGS, ids[i], &v, "booking");
        if (rc) return rc;
        total += booking_bound(&v);
    }
    tix_bump bump;
    int rc = tix__bump_init(&bump, total + 64);
    if (rc) return rc;
    tix_booking *items;
    if (single) {
        items = tix__bump_alloc(&bump, sizeof *items);
    } else {
        size_t *count = tix__bump_alloc(&bump, sizeof(size_t) + n * sizeof *items);
        *count = n;
        items = (tix_booking *)(count + 1);
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        MDB_val v;
        rc = tix__db_get_id(db, txn, TIX_T_BOOKINGS, ids[i], &v, "booking");
        if (rc == 0) rc = decode_booking(db, txn, ids[i], &v, &items[i], &bump);
    }
    if (rc) {
        free(bump.base);
        return rc;
    }
    *out = bump.base;
    return TIX_OK;
}

int tix_booking_get(tix_db *db, tix_id id, tix_booking **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    rc = build_bookings(db, txn, &id, 1, 1, (void **)out);
    tix__db_read_end(db, txn);
    return rc;
}

int tix_booking_find_payment(tix_db *db, const char *ref, tix_booking **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    int rc = tix__validate_text("payment_ref", ref, 1, TIX_NAME_MAX, 0);
    if (rc) return rc;
    MDB_txn *txn;
    if ((rc = tix__db_read_begin(db, &txn))) return rc;
    tix_id id;
    rc = find_payref(db, txn, ref, &id);
    if (rc == TIX_ENOTFOUND)
        rc = tix__err(TIX_ENOTFOUND, "no booking for payment reference %s", ref);
    if (rc == 0) rc = build_bookings(db, txn, &id, 1, 1, (void **)out);
    tix__db_read_end(db, txn);
    return rc;
}

static int list_by(tix_db *db, int index, tix_id key, tix_booking_list **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    uint8_t prefix[8];
    tix__be64_put(prefix, key);
    tix_id *ids;
    size_t n;
    rc = tix__db_index_ids(db, txn, index, prefix, 8, &ids, &n);
    if (rc == 0) {
        rc = build_bookings(db, txn, ids, n, 0, (void **)out);
        free(ids);
    }
    tix__db_read_end(db, txn);
    return rc;
}

int tix_booking_list_by_user(tix_db *db, tix_id user, tix_booking_list **out)
{
    return list_by(db, TIX_T_BOOKINGS_BY_USER, user, out);
}

int tix_booking_list_by_show(tix_db *db, tix_id show, tix_booking_list **out)
{
    return list_by(db, TIX_T_BOOKINGS_BY_SHOW, show, out);
}

void tix_booking_free(tix_booking *b) { free(b); }
void tix_booking_list_free(tix_booking_list *l) { free(l); }

int tix_ticket_qr(const tix_booking *b, size_t i, char *buf, size_t cap)
{
    TIX__ARG(b);
    TIX__ARG(buf);
    if (i >= b->n_tickets)
        return tix__err(TIX_EINVAL, "ticket %zu of %zu", i, b->n_tickets);
    const tix_ticket *t = &b->tickets[i];
    size_t len = tix__ticket_qr_format(buf, cap, t->code, b->show_id,
                                       t->seats, t->n_seats);
    if (len >= cap) return tix__err(TIX_ETOOLONG, "QR payload needs %zu bytes", len + 1);
    return TIX_OK;
}

int tix__booking_refs(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                      tix_id id)
{
    if (t != &tix__user_type) return TIX_OK;
    return tix__rec_refs_key(db, txn, t, id, TIX_T_BOOKINGS_BY_USER, 0, 8,
                             "bookings", "booking");
}
