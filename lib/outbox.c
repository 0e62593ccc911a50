/* Notification outbox: append-only events keyed by sequence number. */
#include "outbox.h"

#include "error.h"

int tix__outbox_append(tix_db *db, MDB_txn *txn, const tix__event *ev,
                       uint64_t *seq)
{
    tix_id id;
    int rc = tix__next_id(db, txn, TIX_T_OUTBOX, &id);
    if (rc) return rc;
    tix_enc e;
    tix__enc_init(&e, TIX_REC_EVENT, 1);
    tix__enc_u8(&e, ev->type);
    tix__enc_i64(&e, ev->at);
    tix__enc_u64(&e, ev->booking_id);
    tix__enc_u64(&e, ev->user_id);
    tix__enc_u64(&e, ev->show_id);
    tix__enc_u32(&e, ev->n_seats);
    for (uint32_t i = 0; i < ev->n_seats; i++) tix__enc_u32(&e, ev->seats[i]);
    tix__enc_strlist(&e, ev->codes, ev->n_codes);
    tix__enc_str(&e, ev->gate);
    rc = tix__enc_finish(&e);
    if (rc == 0) rc = tix__put_id(db, txn, TIX_T_OUTBOX, id, &e, "outbox event");
    tix__enc_free(&e);
    if (rc == 0 && seq) *seq = id;
    return rc;
}

int tix__outbox_decode(const MDB_val *val, tix__event *ev)
{
    tix_dec d;
    int rc = tix__dec_init(&d, val->mv_data, val->mv_size, TIX_REC_EVENT, 1);
    if (rc) return rc;
    ev->type = tix__dec_u8(&d);
    ev->at = tix__dec_i64(&d);
    ev->booking_id = tix__dec_u64(&d);
    ev->user_id = tix__dec_u64(&d);
    ev->show_id = tix__dec_u64(&d);
    ev->n_seats = tix__dec_count(&d, 1u << 20);
    ev->seats = NULL; /* little-endian u32s in the record; not aligned */
    tix__dec_bytes(&d, (size_t)ev->n_seats * 4);
    ev->n_codes = tix__dec_count(&d, 1u << 16);
    for (size_t i = 0; i < ev->n_codes; i++) tix__dec_str(&d);
    ev->codes = NULL;
    tix_str gate = tix__dec_str(&d);
    (void)gate;
    ev->gate = NULL;
    return tix__dec_finish(&d);
}
