/* Ticket codes and ticket records (gate check-in is lib/sell/checkin.c). */
#include "ticket.h"
#include "tables.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "random.h"
#include "validate.h"

#define CODE_SYMBOLS 20 /* 20 x 5 = 100 random bits */
static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int symbol_value(char c)
{
    if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
    if (c == 'I' || c == 'L') c = '1';
    if (c == 'O') c = '0';
    const char *p = strchr(alphabet, c);
    return c && p ? (int)(p - alphabet) : -1;
}

/* Luhn mod 32 over the symbol values: catches every single-symbol error
 * and every swap of adjacent symbols except 0/Z (both map to themselves
 * under the doubling step). */
static int check_value(const int *v, size_t n)
{
    int factor = 2, sum = 0;
    for (size_t i = n; i-- > 0;) {
        int add = factor * v[i];
        factor = factor == 2 ? 1 : 2;
        sum += add / 32 + add % 32;
    }
    return (32 - sum % 32) % 32;
}

int tix__ticket_code_new(char out[TIX_TICKET_CODE_LEN + 1])
{
    uint8_t rnd[CODE_SYMBOLS];
    int rc = tix__random_batch(rnd, sizeof rnd);
    if (rc) return rc;
    int v[CODE_SYMBOLS];
    for (int i = 0; i < CODE_SYMBOLS; i++) {
        v[i] = rnd[i] & 31; /* 5 uniform bits per byte */
        out[i] = alphabet[v[i]];
    }
    out[CODE_SYMBOLS] = alphabet[check_value(v, CODE_SYMBOLS)];
    out[TIX_TICKET_CODE_LEN] = '\0';
    return TIX_OK;
}

int tix__ticket_code_parse(const char *in, char out[TIX_TICKET_CODE_LEN + 1])
{
    if (!in) return tix__err(TIX_EINVAL, "ticket code is NULL");
    int v[TIX_TICKET_CODE_LEN];
    size_t n = 0;
    for (size_t i = 0; in[i] && i < 64; i++) {
        if (in[i] == '-' || in[i] == ' ') continue;
        int x = symbol_value(in[i]);
        if (x < 0 || n == TIX_TICKET_CODE_LEN)
            return tix__err(TIX_EBADCODE, "not a ticket code");
        v[n++] = x;
    }
    if (n != TIX_TICKET_CODE_LEN || strlen(in) >= 64)
        return tix__err(TIX_EBADCODE, "ticket code has the wrong length");
    if (check_value(v, CODE_SYMBOLS) != v[CODE_SYMBOLS])
        return tix__err(TIX_EBADCODE, "ticket code check symbol is wrong");
    for (size_t i = 0; i < n; i++) out[i] = alphabet[v[i]];
    out[n] = '\0';
    return TIX_OK;
}

static int ticket_encode(tix_enc *e, tix_id booking, tix_id show,
                         const uint32_t *seats, const uint8_t *seats_le,
                         uint32_t n, int64_t at, const char *gate, size_t glen)
{
    tix__enc_init(e, TIX_REC_TICKET, 1);
    tix__enc_u64(e, booking);
    tix__enc_u64(e, show);
    tix__enc_u32(e, n);
    if (seats)
        for (uint32_t i = 0; i < n; i++) tix__enc_u32(e, seats[i]);
    else
        tix__enc_bytes(e, seats_le, (size_t)n * 4);
    tix__enc_i64(e, at);
    tix__enc_u32(e, (uint32_t)glen);
    tix__enc_bytes(e, gate, glen);
    return tix__enc_finish(e);
}

int tix__ticket_put(tix_db *db, MDB_txn *txn, const char *code,
                    tix_id booking, tix_id show, const uint32_t *seats,
                    uint32_t n)
{
    tix_enc e;
    int rc = ticket_encode(&e, booking, show, seats, NULL, n, 0, "", 0);
    if (rc == 0)
        rc = tix__db_put(db, txn, TIX_T_TICKETS, code, TIX_TICKET_CODE_LEN, e.buf,
                      e.len, MDB_NOOVERWRITE, "ticket code");
    tix__enc_free(&e);
    return rc;
}

int tix__ticket_get(tix_db *db, MDB_txn *txn, const char *code,
                    tix__ticket_rec *out)
{
    MDB_val v;
    int rc = tix__db_get(db, txn, TIX_T_TICKETS, code, TIX_TICKET_CODE_LEN, &v,
                      "ticket");
    if (rc) return rc;
    tix_dec d;
    if ((rc = tix__dec_init(&d, v.mv_data, v.mv_size, TIX_REC_TICKET, 1)))
        return rc;
    out->booking_id = tix__dec_u64(&d);
    out->show_id = tix__dec_u64(&d);
    out->n_seats = tix__dec_count(&d, 1u << 16);
    out->seats_le = tix__dec_bytes(&d, (size_t)out->n_seats * 4);
    out->checked_in_at = tix__dec_i64(&d);
    out->gate = tix__dec_str(&d);
    return tix__dec_finish(&d);
}

void tix__ticket_rec_seats(const tix__ticket_rec *t, uint32_t *out)
{
    for (uint32_t i = 0; i < t->n_seats; i++) {
        const uint8_t *p = t->seats_le + 4 * i;
        out[i] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    }
}

size_t tix__ticket_qr_format(char *buf, size_t cap, const char *code,
                             tix_id show, const uint32_t *seats, size_t n)
{
    char scratch[1];
    if (cap == 0) {
        buf = scratch;
        cap = 1;
    }
    size_t len = (size_t)snprintf(buf, cap, "tix1:%s:%llu:", code,
                                  (unsigned long long)show);
    for (size_t k = 0; k < n; k++) {
        size_t at = len < cap ? len : cap - 1;
        len += (size_t)snprintf(buf + at, cap - at, k ? ",%u" : "%u", seats[k]);
    }
    return len;
}

int tix__ticket_check_in(tix_db *db, MDB_txn *txn, const char *code,
                         tix__ticket_rec *t, int64_t at, const char *gate,
                         uint32_t *seats)
{
    t->checked_in_at = at;
    t->gate.p = gate;
    t->gate.len = (uint32_t)strlen(gate);
    tix__ticket_rec_seats(t, seats);
    tix_enc e;
    int rc = ticket_encode(&e, t->booking_id, t->show_id, seats, NULL,
                           t->n_seats, at, gate, t->gate.len);
    if (rc == 0)
        rc = tix__db_put(db, txn, TIX_T_TICKETS, code, TIX_TICKET_CODE_LEN,
                      e.buf, e.len, 0, "ticket");
    tix__enc_free(&e);
    return rc;
}
