/* Ticket codes: 100 random bits as 20 Crockford base32 symbols plus a
 * Luhn mod 32 check symbol, so a mistyped code is rejected without a
 * store lookup. */
#ifndef TIX_LIB_TICKET_H
#define TIX_LIB_TICKET_H

#include "db.h"

/* Writes a fresh code (TIX_TICKET_CODE_LEN chars + NUL) into @p out. */
int tix__ticket_code_new(char out[TIX_TICKET_CODE_LEN + 1]);

/* Normalises user input (case, dashes, spaces, I/L->1, O->0) into the
 * canonical code and checks it. TIX_EBADCODE when malformed. */
int tix__ticket_code_parse(const char *in, char out[TIX_TICKET_CODE_LEN + 1]);

/* Stores a ticket record for @p code. TIX_EEXISTS on a code collision. */
int tix__ticket_put(tix_db *db, MDB_txn *txn, const char *code,
                    tix_id booking, tix_id show, const uint32_t *seats,
                    uint32_t n);

/* Ticket record fields (seats point into LMDB memory, little-endian). */
typedef struct tix__ticket_rec {
    tix_id booking_id, show_id;
    uint32_t n_seats;
    const uint8_t *seats_le;
    int64_t checked_in_at;
    tix_str gate;
} tix__ticket_rec;

int tix__ticket_get(tix_db *db, MDB_txn *txn, const char *code,
                    tix__ticket_rec *out);

/* Copies the seats of a ticket record into @p out (n_seats entries). */
void tix__ticket_rec_seats(const tix__ticket_rec *t, uint32_t *out);

/* Writes the QR payload "tix1:<code>:<show>:<seat,seat,...>" into @p buf
 * of @p cap bytes (may be 0) like snprintf: returns the length the payload
 * needs without its NUL, and writes a NUL-terminated prefix when it does
 * not fit. */
/* Records ticket @p code (read into @p t) as checked in at @p at through
 * @p gate; fills @p seats (t->n_seats of them). */
int tix__ticket_check_in(tix_db *db, MDB_txn *txn, const char *code,
                         tix__ticket_rec *t, int64_t at, const char *gate,
                         uint32_t *seats);

size_t tix__ticket_qr_format(char *buf, size_t cap, const char *code,
                             tix_id show, const uint32_t *seats, size_t n);

#endif
