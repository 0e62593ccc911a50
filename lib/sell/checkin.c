/* Gate check-in: a ticket checks in once, while its booking stands. */
#include <string.h>

#include "booking.h"
#include "error.h"
#include "outbox.h"
#include "ticket.h"
#include "validate.h"

struct checkin_arg {
    const char *code;
    const char *gate;
    tix_checkin *out;
};

static void fill_checkin(tix_checkin *o, const tix__ticket_rec *t)
{
    o->booking_id = t->booking_id;
    o->show_id = t->show_id;
    o->n_seats = t->n_seats;
    o->checked_in_at = t->checked_in_at;
    size_t g = t->gate.len < TIX_NAME_MAX ? t->gate.len : TIX_NAME_MAX;
    memcpy(o->gate, t->gate.p, g);
    o->gate[g] = '\0';
}

static int checkin_write(tix_db *db, MDB_txn *txn, void *arg)
{
    struct checkin_arg *a = arg;
    tix__ticket_rec t;
    int rc = tix__ticket_get(db, txn, a->code, &t);
    if (rc) return rc;
    int status;
    tix_id user;
    if ((rc = tix__booking_status(db, txn, t.booking_id, &status, &user)))
        return rc;
    if (status != TIX_BOOKING_CONFIRMED)
        return tix__err(TIX_ESTATE, "booking %llu was cancelled",
                        (unsigned long long)t.booking_id);
    if (t.checked_in_at) {
        fill_checkin(a->out, &t);
        return tix__err(TIX_EALREADY, "ticket already checked in at gate %.*s",
                        (int)t.gate.len, t.gate.p);
    }
    uint32_t seats[t.n_seats ? t.n_seats : 1];
    rc = tix__ticket_check_in(db, txn, a->code, &t, tix_db_now(db), a->gate,
                              seats);
    const char *codes[1] = {a->code};
    tix__event ev = {.type = TIX_EVENT_CHECKED_IN, .at = t.checked_in_at,
                     .booking_id = t.booking_id, .user_id = user,
                     .show_id = t.show_id, .n_seats = t.n_seats,
                     .seats = seats, .n_codes = 1, .codes = codes,
                     .gate = a->gate};
    if (rc == 0) rc = tix__outbox_append(db, txn, &ev, NULL);
    if (rc == 0) fill_checkin(a->out, &t);
    return rc;
}

int tix_ticket_checkin(tix_db *db, const char *code, const char *gate,
                       tix_checkin *out)
{
    tix_checkin local;
    if (!out) out = &local;
    memset(out, 0, sizeof *out);
    char canon[TIX_TICKET_CODE_LEN + 1];
    int rc = tix__ticket_code_parse(code, canon);
    if (rc) return rc;
    TIX__ARG(db);
    if ((rc = tix__validate_name("gate", gate))) return rc;
    struct checkin_arg a = {canon, gate, out};
    rc = tix__db_write(db, checkin_write, &a);
    if (rc == TIX_ENOTFOUND)
        return tix__err(TIX_ENOTFOUND, "no ticket %s", canon);
    return rc;
}
